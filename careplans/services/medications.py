"""Opioid medication lines, their OME, the running total and the GP alert on crossing the threshold."""

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
from ..models import Appointment, MedicationLine, OmeFactorTable
from ._episode import _lock, _not_before_referral, _not_in_future, _require_in_care, _sync

logger = logging.getLogger(__name__)


def factor_table(on: date) -> ome.FactorTable:
    """The factor table in force on a date: the latest local override, else the built-in one."""
    override = OmeFactorTable.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    if override is None:
        return ome.DEFAULT_TABLE
    return ome.FactorTable(version=override.version, factors=override.factors)


def _current_lines(episode: Episode):
    return MedicationLine.objects.filter(episode=episode, stopped_on__isnull=True)


def _ome_recompute(locked: Episode, *, actor, today: date) -> Letter | None:
    """Keep the episode's OME total equal to its current lines; alert the GP on crossing the threshold."""
    before = locked.ome_total_mg_per_day
    lines = list(_current_lines(locked))
    after = ome.total_ome(line.ome_mg_per_day for line in lines)
    locked.ome_total_mg_per_day = after
    threshold = Decimal(str(rule("ome_alert_threshold_mg")))
    if not ome.crosses_threshold(before, after, threshold):
        return None
    content = {
        "ome_total_mg_per_day": str(after),
        "threshold_mg": str(threshold),
        "lines": [
            {
                "drug": line.drug,
                "route": line.route,
                "dose_mg": str(line.dose_mg) if line.dose_mg is not None else None,
                "doses_per_day": str(line.doses_per_day) if line.doses_per_day is not None else None,
                "patch_mcg_per_hour": str(line.patch_mcg_per_hour) if line.patch_mcg_per_hour is not None else None,
                "ome_mg_per_day": str(line.ome_mg_per_day),
                "started_on": line.started_on.isoformat(),
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


@transaction.atomic
def medication_add(
    *,
    episode: Episode,
    drug: str,
    route: str,
    dose_mg: Any = None,
    doses_per_day: Any = None,
    patch_mcg_per_hour: Any = None,
    ome_mg_per_day: Any = None,
    started_on: date | None = None,
    actor=None,
    expected_version: int | None = None,
) -> MedicationLine:
    """Add an opioid line with its OME and a 6-week review; update the running total."""
    locked = _lock(episode, expected_version)
    _require_in_care(locked, "change medication")
    started_on = started_on or today_london()
    _not_before_referral(locked, started_on, "started_on", "start date")
    _not_in_future(started_on, "started_on", "start date")
    table = factor_table(started_on)
    result = ome.ome_per_day(
        drug=drug,
        route=route,
        dose_mg=dose_mg,
        doses_per_day=doses_per_day,
        patch_mcg_per_hour=patch_mcg_per_hour,
        clinician_ome_mg=ome_mg_per_day,
        table=table,
    )
    transdermal = result.route == "transdermal"
    line = MedicationLine.objects.create(
        episode=locked,
        drug=drug.strip().lower(),
        route=result.route,
        dose_mg=None if transdermal else Decimal(str(dose_mg)) if dose_mg not in (None, "") else None,
        doses_per_day=None if transdermal else Decimal(str(doses_per_day)) if doses_per_day not in (None, "") else None,
        patch_mcg_per_hour=Decimal(str(patch_mcg_per_hour)) if transdermal else None,
        ome_mg_per_day=result.ome_mg_per_day,
        factor=result.factor,
        factor_version=result.version,
        clinician_ome_entry=result.clinician_entry,
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
    event_record(
        episode=locked,
        kind=PathwayEvent.Kind.CLINICAL,
        actor=actor,
        reason=f"Medication started: {line.drug} ({line.route}), OME {line.ome_mg_per_day} mg/24 h",
        data={"medication": line.pk, "ome_mg_per_day": str(line.ome_mg_per_day), "factor_version": line.factor_version},
    )
    _medication_change_stops_clock(locked, on=started_on, actor=actor)
    _ome_recompute(locked, actor=actor, today=today_london())
    episode_bump(locked, "ome_total_mg_per_day")
    _sync(episode, locked)
    return line


@transaction.atomic
def medication_stop(
    *, line: MedicationLine, on: date | None = None, actor=None, expected_version: int | None = None
) -> MedicationLine:
    """Stop a line; the stop is a change with its own 6-week review; the total is recomputed."""
    locked = _lock(line.episode_id, expected_version)
    current = MedicationLine.objects.select_for_update().get(pk=line.pk)
    if current.stopped_on is not None:
        raise DomainError("This medication was already stopped.", code="medication_stopped")
    if locked.state not in OPEN_STATES:
        raise TransitionNotAllowed("The episode is closed.", code="episode_closed")
    on = on or today_london()
    _not_in_future(on, "stopped_on", "stop date")
    if on < current.started_on:
        raise InvalidInput({"stopped_on": ["A medication cannot stop before it started."]})
    current.stopped_on = on
    current.save(update_fields=["stopped_on"])
    deadline_cancel(kind=DeadlineKind.MEDICATION_REVIEW, episode=locked, subject=f"medication:{current.pk}", on=on)
    deadline_create(
        kind=DeadlineKind.MEDICATION_REVIEW,
        episode=locked,
        subject=f"medication:{current.pk}:stopped",
        started_on=on,
        due_on=medication_review_due(on),
    )
    event_record(
        episode=locked,
        kind=PathwayEvent.Kind.CLINICAL,
        actor=actor,
        reason=f"Medication stopped: {current.drug} ({current.route})",
        data={"medication": current.pk},
    )
    _medication_change_stops_clock(locked, on=on, actor=actor)
    _ome_recompute(locked, actor=actor, today=today_london())
    episode_bump(locked, "ome_total_mg_per_day")
    return current
