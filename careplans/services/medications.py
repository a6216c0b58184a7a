"""Medication lines as prescribing decisions against the local formulary; opioid OME, the running
total, the GP alert on crossing the threshold and the opioid stewardship review task."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from pathway import rtt
from pathway.calendar import add_working_days
from pathway.errors import DomainError, InvalidInput, TransitionNotAllowed
from pathway.models import OPEN_STATES, DeadlineKind, Episode, Letter, LetterKind, PathwayEvent
from pathway.rules import rule
from pathway.services import (
    deadline_cancel,
    deadline_create,
    episode_bump,
    event_record,
    letter_create,
    rtt_clock_stop,
    rtt_running_period,
    today_london,
)

from .. import ome
from ..formulary import STARTING_LIST, unknown_drug_message
from ..models import Appointment, FormularyDrug, MedicationLine, OmeFactorTable, OmeRecord
from ._episode import _lock, _not_before_referral, _not_in_future, _require_in_care, _sync
from .prescribing_advice import REGISTER_REQUEST, change_entry, dose_text, frequency_text, prescribing_advice_join

logger = logging.getLogger(__name__)


def factor_table(on: date) -> ome.FactorTable:
    """The factor table in force on a date: the latest local override, else the built-in one."""
    override = OmeFactorTable.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    if override is None:
        return ome.DEFAULT_TABLE
    return ome.FactorTable(version=override.version, factors=override.factors)


def _current_lines(episode: Episode):
    return MedicationLine.objects.filter(episode=episode, stopped_on__isnull=True)


def formulary_drug(name: Any) -> FormularyDrug:
    """The active formulary entry for ``name``; else a 400 naming ``drug`` with close matches."""
    key = str(name or "").strip().lower()
    if not key:
        raise InvalidInput({"drug": ["Choose a medicine of the local formulary."]})
    drug = FormularyDrug.objects.filter(name=key, active=True).first()
    if drug is None:
        known = FormularyDrug.objects.filter(active=True).values_list("name", flat=True)
        raise InvalidInput({"drug": [unknown_drug_message(str(name), known)]})
    return drug


def _line_text(line: MedicationLine) -> str:
    frequency = frequency_text(line)
    dose = f"{dose_text(line)} {frequency}".strip()
    return f"{line.drug.capitalize()} ({line.route}) {dose}: {line.ome_mg_per_day} mg OME/24 h"


def _opioid_review_task(locked: Episode, *, on: date, before: Decimal, after: Decimal, lines_before: int, lines: int):
    """Rising opioid use prompts a review: a medication-review task any recorded review meets."""
    reasons = []
    if after > before:
        reasons.append(f"total OME rose from {before} to {after} mg/24 h")
    if lines >= 3 > lines_before:
        reasons.append(f"{lines} opioid lines at once")
    if not reasons:
        return
    deadline_create(
        kind=DeadlineKind.MEDICATION_REVIEW,
        episode=locked,
        subject="opioid_review",
        started_on=on,
        due_on=medication_review_due(on),
        note=f"Opioid stewardship review: {'; '.join(reasons)}",
    )


def _ome_recompute(locked: Episode, *, actor, today: date, on: date | None = None) -> Letter | None:
    """Keep the episode's OME total equal to its current opioid lines; record it for the chart;
    prompt a stewardship review when opioid use rises; alert the GP on crossing the threshold."""
    before = locked.ome_total_mg_per_day
    lines = [line for line in _current_lines(locked) if line.ome_mg_per_day is not None]
    after = ome.total_ome(line.ome_mg_per_day for line in lines)
    on = on or today
    last = OmeRecord.objects.filter(episode=locked).order_by("-on", "-id").first()
    lines_before = last.opioid_lines if last else 0
    if last is None or last.total_mg_per_day != after or last.opioid_lines != len(lines):
        if last is None and before:
            # Lines recorded before the history was kept: start the history from the stored total.
            lines_before = len(lines)
        OmeRecord.objects.create(episode=locked, on=on, total_mg_per_day=after, opioid_lines=len(lines))
    locked.ome_total_mg_per_day = after
    _opioid_review_task(locked, on=on, before=before, after=after, lines_before=lines_before, lines=len(lines))
    threshold = Decimal(str(rule("ome_alert_threshold_mg")))
    if not ome.crosses_threshold(before, after, threshold):
        return None
    content = {
        "ome_total_mg_per_day": str(after),
        "threshold_mg": str(threshold),
        "register_request": REGISTER_REQUEST,
        "lines": [
            {
                "drug": line.drug,
                "route": line.route,
                "dose_mg": str(line.dose_mg) if line.dose_mg is not None else None,
                "doses_per_day": str(line.doses_per_day) if line.doses_per_day is not None else None,
                "patch_mcg_per_hour": str(line.patch_mcg_per_hour) if line.patch_mcg_per_hour is not None else None,
                "ome_mg_per_day": str(line.ome_mg_per_day),
                "started_on": line.started_on.isoformat(),
                "description": _line_text(line),
            }
            for line in lines
        ],
    }
    letter = letter_create(
        kind=LetterKind.OPIOID_ALERT,
        episode=locked,
        actor=actor,
        content=content,
        started_on=today,
        due_on=add_working_days(today, rule("opioid_alert_working_days")),
    )
    logger.info("episode %s OME total reached the alert threshold; letter %s", locked.pk, letter.pk)
    return letter


def _medication_change_stops_clock(locked: Episode, *, on: date, actor) -> None:
    """A medication change made by the service is a first definitive treatment (RTT status 30).

    Lines recorded before the patient first attended are the medication they came in with, not
    a change made by the service, so they leave the clock running.
    """
    period = rtt_running_period(locked)
    if period is None or on < period.clock_start:
        return
    if not locked.appointments.filter(outcome=Appointment.Outcome.ATTENDED, date__lte=on).exists():
        return
    rtt_clock_stop(
        episode=locked,
        on=on,
        status_code=rtt.STATUS_FIRST_DEFINITIVE_TREATMENT,
        reason="First definitive treatment: medication change by the service",
        actor=actor,
    )


def medication_review_due(started_on: date) -> date:
    return started_on + timedelta(weeks=rule("medication_review_weeks"))


def _positive(value: Any, field: str, label: str, maximum: Decimal) -> Decimal:
    return ome._number(value, field, maximum=maximum, label=label)


def _route_of(drug: FormularyDrug, route: Any) -> str:
    route = str(route or "").strip().lower()
    if not route and len(drug.routes) == 1:
        return drug.routes[0]
    if route not in drug.routes:
        raise InvalidInput(
            {"route": [f"{drug.name} is not given by the route '{route}' (use {', '.join(drug.routes)})."]}
        )
    return route


def _replaced_line(locked: Episode, drug: FormularyDrug, change: str, replaces: Any) -> MedicationLine | None:
    """The current line a decision replaces: the one named, or for a dose change the drug's current line."""
    if replaces not in (None, ""):
        try:
            line = _current_lines(locked).select_for_update().get(pk=int(replaces))
        except (MedicationLine.DoesNotExist, TypeError, ValueError):
            raise InvalidInput({"replaces": ["Choose a current medicine of this episode."]})
        return line
    if change in (MedicationLine.Change.INCREASE, MedicationLine.Change.DECREASE, MedicationLine.Change.STOP):
        line = _current_lines(locked).select_for_update().filter(drug=drug.name).order_by("-started_on", "-id").first()
        if line is None and change == MedicationLine.Change.STOP:
            raise InvalidInput({"drug": [f"{drug.name} is not a current medicine of this episode."]})
        return line
    return None


@transaction.atomic
def medication_add(
    *,
    episode: Episode,
    drug: str,
    route: str = "",
    dose_mg: Any = None,
    doses_per_day: Any = None,
    patch_mcg_per_hour: Any = None,
    ome_mg_per_day: Any = None,
    started_on: date | None = None,
    change: str = MedicationLine.Change.START,
    reason: str = "",
    urgent: bool = False,
    replaces: Any = None,
    monitoring: str = "",
    actor=None,
    expected_version: int | None = None,
) -> MedicationLine:
    """Record a prescribing decision for any formulary drug.

    Opioid lines carry their OME (and move the episode's total); other lines have none. A dose
    above the usual maximum needs a reason and is flagged. Each decision gets a 6-week review
    deadline and joins that day's prescribing advice letter to the GP. Bad input raises
    InvalidInput naming the field, before anything is written.
    """
    locked = _lock(episode, expected_version)
    _require_in_care(locked, "change medication")
    started_on = started_on or today_london()
    _not_before_referral(locked, started_on, "started_on", "start date")
    _not_in_future(started_on, "started_on", "start date")
    if change not in MedicationLine.Change.values:
        raise InvalidInput({"change": [f"'{change}' is not a change (use {', '.join(MedicationLine.Change.values)})."]})
    reason = (reason or "").strip()
    entry = formulary_drug(drug)
    if change == MedicationLine.Change.STOP:
        line = _replaced_line(locked, entry, change, replaces)
        return _stop(locked, line, on=started_on, reason=reason, actor=actor, sync=episode)
    route = _route_of(entry, route)
    result = None
    if entry.is_opioid:
        result = ome.ome_per_day(
            drug=entry.name,
            route=route,
            dose_mg=dose_mg,
            doses_per_day=doses_per_day,
            patch_mcg_per_hour=patch_mcg_per_hour,
            clinician_ome_mg=ome_mg_per_day,
            table=factor_table(started_on),
        )
        route = result.route
    transdermal = route == "transdermal"
    if transdermal:
        patch = _positive(patch_mcg_per_hour, "patch_mcg_per_hour", "patch strength", ome.MAX_PATCH_MCG_PER_HOUR)
        dose = per_day = None
    else:
        patch = None
        dose = _positive(dose_mg, "dose_mg", "dose", ome.MAX_DOSE_MG)
        per_day = _positive(doses_per_day, "doses_per_day", "number of doses a day", ome.MAX_DOSES_PER_DAY)
    above = bool(entry.max_daily_mg and dose is not None and dose * per_day > entry.max_daily_mg)
    if above and not reason:
        raise InvalidInput(
            {
                "reason": [
                    f"{dose * per_day:f} mg a day is above the usual maximum of {entry.max_daily_mg.normalize():f} mg "
                    f"a day for {entry.name}: give the reason."
                ]
            }
        )
    replaced = _replaced_line(locked, entry, change, replaces)
    if replaced is not None and started_on < replaced.started_on:
        raise InvalidInput({"started_on": ["A change cannot be before the line it replaces started."]})
    if replaced is not None:
        replaced.stopped_on = started_on
        replaced.save(update_fields=["stopped_on"])
        deadline_cancel(
            kind=DeadlineKind.MEDICATION_REVIEW, episode=locked, subject=f"medication:{replaced.pk}", on=started_on
        )
    line = MedicationLine.objects.create(
        episode=locked,
        drug=entry.name,
        drug_class=entry.drug_class,
        route=route,
        change=change,
        reason=reason,
        urgent=bool(urgent),
        above_usual_max=above,
        replaces=replaced,
        dose_mg=dose,
        doses_per_day=per_day,
        patch_mcg_per_hour=patch,
        ome_mg_per_day=result.ome_mg_per_day if result else None,
        factor=result.factor if result else None,
        factor_version=result.version if result else "",
        clinician_ome_entry=result.clinician_entry if result else False,
        started_on=started_on,
        review_due_on=medication_review_due(started_on),
        prescribed_by=actor,
    )
    deadline_create(
        kind=DeadlineKind.MEDICATION_REVIEW,
        episode=locked,
        subject=f"medication:{line.pk}",
        started_on=started_on,
        due_on=line.review_due_on,
    )
    ome_text = f", OME {line.ome_mg_per_day} mg/24 h" if line.ome_mg_per_day is not None else ""
    event_record(
        episode=locked,
        kind=PathwayEvent.Kind.CLINICAL,
        actor=actor,
        reason=f"Medication {line.get_change_display().lower()}: {line.drug} ({line.route}){ome_text}",
        data={
            "medication": line.pk,
            "change": change,
            "ome_mg_per_day": str(line.ome_mg_per_day) if line.ome_mg_per_day is not None else None,
            "factor_version": line.factor_version,
            "above_usual_max": above,
        },
    )
    _medication_change_stops_clock(locked, on=started_on, actor=actor)
    if entry.is_opioid or (replaced is not None and replaced.ome_mg_per_day is not None):
        _ome_recompute(locked, actor=actor, today=today_london(), on=started_on)
    letter = prescribing_advice_join(
        episode=locked,
        entry=change_entry(
            line,
            change=change,
            on=started_on,
            reason=reason,
            monitoring=monitoring or entry.monitoring,
            review_due_on=line.review_due_on,
            replaced=replaced,
        ),
        decided_on=started_on,
        actor=actor,
    )
    line.advice_letter = letter
    line.save(update_fields=["advice_letter"])
    episode_bump(locked, "ome_total_mg_per_day")
    _sync(episode, locked)
    return line


def _stop(locked: Episode, line: MedicationLine, *, on: date, reason: str, actor, sync=None) -> MedicationLine:
    current = MedicationLine.objects.select_for_update().get(pk=line.pk)
    if current.stopped_on is not None:
        raise DomainError("This medication was already stopped.", code="medication_stopped")
    if on < current.started_on:
        raise InvalidInput({"stopped_on": ["A medication cannot stop before it started."]})
    current.stopped_on = on
    current.save(update_fields=["stopped_on"])
    deadline_cancel(kind=DeadlineKind.MEDICATION_REVIEW, episode=locked, subject=f"medication:{current.pk}", on=on)
    review_due = medication_review_due(on)
    deadline_create(
        kind=DeadlineKind.MEDICATION_REVIEW,
        episode=locked,
        subject=f"medication:{current.pk}:stopped",
        started_on=on,
        due_on=review_due,
    )
    event_record(
        episode=locked,
        kind=PathwayEvent.Kind.CLINICAL,
        actor=actor,
        reason=f"Medication stopped: {current.drug} ({current.route})",
        data={"medication": current.pk, "change": "stop"},
    )
    _medication_change_stops_clock(locked, on=on, actor=actor)
    if current.ome_mg_per_day is not None:
        _ome_recompute(locked, actor=actor, today=today_london(), on=on)
    letter = prescribing_advice_join(
        episode=locked,
        entry=change_entry(
            current,
            change=MedicationLine.Change.STOP,
            on=on,
            reason=reason,
            monitoring="",
            review_due_on=review_due,
        ),
        decided_on=on,
        actor=actor,
    )
    current.advice_letter = letter
    current.save(update_fields=["advice_letter"])
    current.stop_review_due_on = review_due
    episode_bump(locked, "ome_total_mg_per_day")
    if sync is not None:
        _sync(sync, locked)
    return current


@transaction.atomic
def medication_stop(
    *, line: MedicationLine, on: date | None = None, reason: str = "", actor=None, expected_version: int | None = None
) -> MedicationLine:
    """Stop a line: a decision with its own 6-week review that joins the day's advice letter."""
    locked = _lock(line.episode_id, expected_version)
    if locked.state not in OPEN_STATES:
        raise TransitionNotAllowed("The episode is closed.", code="episode_closed")
    on = on or today_london()
    _not_in_future(on, "stopped_on", "stop date")
    return _stop(locked, line, on=on, reason=reason, actor=actor)


def formulary_load_starting_list() -> int:
    """Add any drug of the starting list missing from the formulary (migration 0005 does the same);
    returns how many were added. Drugs the admin changed are left as they are."""
    added = 0
    for name, drug_class, routes, max_daily_mg in STARTING_LIST:
        _, created = FormularyDrug.objects.get_or_create(
            name=name, defaults={"drug_class": drug_class, "routes": routes, "max_daily_mg": max_daily_mg}
        )
        added += created
    return added
