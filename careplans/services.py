"""Every write of clinical care: appointments, DNAs, assessment, care plans, treatment start,
medications (OME), MDT, nine-month extensions and discharge.

Each service locks the episode (``episode_lock``) and checks the caller's version when one is
given, so a stale edit is refused with StaleVersion and nothing is written.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from pathway import rtt
from pathway.calendar import add_months, add_working_days
from pathway.errors import DomainError, InvalidInput, TransitionNotAllowed
from pathway.models import (
    OPEN_STATES,
    DeadlineKind,
    DischargeReason,
    Episode,
    EpisodeState,
    Letter,
    LetterKind,
    PathwayEvent,
)
from pathway.rules import rule
from pathway.services import (
    deadline_cancel,
    deadline_create,
    deadline_meet,
    episode_bump,
    episode_lock,
    episode_transition,
    event_record,
    letter_create,
    rtt_clock_start,
    rtt_clock_stop,
    rtt_running_period,
    today_london,
)
from pathway.validators import YEARS_AHEAD, latest_plannable_date, length_errors

from . import ome
from .limits import episode_limit_status
from .models import (
    Appointment,
    Assessment,
    CarePlan,
    Discharge,
    Extension,
    GroupSession,
    MdtReview,
    MedicationLine,
    OmeFactorTable,
    TreatmentStart,
)

logger = logging.getLogger(__name__)

S = EpisodeState
# States in which the service is caring for the patient (after acceptance, before discharge).
CARE_STATES = (S.ACCEPTED, S.ASSESSMENT, S.TREATMENT)
GROUP_MIN_PLACES, GROUP_MAX_PLACES = 8, 12


def _lock(episode: Episode | int, expected_version: int | None) -> Episode:
    episode_id = episode if isinstance(episode, int) else episode.pk
    return episode_lock(episode_id, expected_version=expected_version)


def _require_in_care(episode: Episode, action: str) -> None:
    if episode.state not in CARE_STATES:
        raise TransitionNotAllowed(
            f"You cannot {action} for an episode in '{episode.state}': it must be accepted, in assessment or in "
            "treatment.",
            code="episode_not_in_care",
        )


def _not_before_referral(episode: Episode, day: date, field: str, what: str) -> None:
    if day < episode.received_on:
        raise InvalidInput({field: [f"The {what} cannot be before the referral was received ({episode.received_on})."]})


def _not_in_future(day: date, field: str, what: str) -> None:
    if day > today_london():
        raise InvalidInput({field: [f"The {what} cannot be in the future."]})


def _not_too_far_ahead(day: date, field: str, what: str) -> None:
    latest = latest_plannable_date(today_london())
    if day > latest:
        raise InvalidInput({field: [f"The {what} cannot be more than {YEARS_AHEAD} years ahead (after {latest})."]})


def _sync(target: Episode, locked: Episode) -> None:
    """Bring the caller's instance up to date with the locked row we changed."""
    if target is not locked and isinstance(target, Episode):
        for name in ("state", "version", "tier", "ome_total_mg_per_day", "ome_first_attendance_mg"):
            setattr(target, name, getattr(locked, name))


# --- Appointments ---------------------------------------------------------------------------


@transaction.atomic
def appointment_book(
    *,
    episode: Episode,
    kind: str,
    date: date,
    mode: str = Appointment.Mode.FACE_TO_FACE,
    time=None,
    clinician=None,
    group_session: GroupSession | None = None,
    actor=None,
    expected_version: int | None = None,
    booked_on: date | None = None,
) -> Appointment:
    """Book an appointment. After a DNA of the first appointment, booking starts a new RTT clock."""
    locked = _lock(episode, expected_version)
    _require_in_care(locked, "book an appointment")
    if kind not in Appointment.Kind.values:
        raise InvalidInput({"kind": [f"'{kind}' is not a kind of appointment (new, review or group)."]})
    if mode not in Appointment.Mode.values:
        raise InvalidInput({"mode": [f"'{mode}' is not a mode (face_to_face, phone or video)."]})
    _not_before_referral(locked, date, "date", "appointment date")
    _not_too_far_ahead(date, "date", "appointment date")
    booked_on = booked_on or today_london()
    if group_session is not None:
        session = GroupSession.objects.select_for_update().get(pk=group_session.pk)
        if kind != Appointment.Kind.GROUP:
            raise InvalidInput({"kind": ["A place in a group session is a group appointment."]})
        if date != session.date:
            raise InvalidInput({"date": [f"The group session is on {session.date}."]})
        taken = session.appointments.exclude(
            outcome__in=[Appointment.Outcome.PATIENT_CANCELLED, Appointment.Outcome.SERVICE_CANCELLED]
        )
        if taken.filter(episode=locked).exists():
            raise DomainError("The patient already has a place in this group session.", code="already_booked")
        if taken.count() >= session.capacity:
            raise DomainError(f"The group session is full ({session.capacity} places).", code="session_full")
    period = rtt_running_period(locked)
    if period is None:
        last = locked.rtt_periods.order_by("-clock_start", "-id").first()
        if last is not None and last.nullified:
            # National rule: a DNA of the first appointment nullifies the clock; rebooking starts a new one.
            period = rtt_clock_start(episode=locked, start=max(booked_on, last.clock_stop), actor=actor)
    appointment = Appointment.objects.create(
        episode=locked,
        kind=kind,
        date=date,
        time=time,
        mode=mode,
        clinician=clinician,
        group_session=group_session,
        booked_on=booked_on,
        rtt_period=period,
    )
    event_record(
        episode=locked,
        kind=PathwayEvent.Kind.APPOINTMENT,
        actor=actor,
        reason=f"{appointment.get_kind_display()} appointment booked for {date:%d %b %Y}",
        data={"appointment": appointment.pk},
    )
    episode_bump(locked)
    _sync(episode, locked)
    return appointment


def _is_first_appointment_of_period(appointment: Appointment, period) -> bool:
    if period is None or appointment.kind != Appointment.Kind.NEW or appointment.rtt_period_id != period.pk:
        return False
    earlier = (
        Appointment.objects.filter(
            rtt_period=period, outcome__in=[Appointment.Outcome.ATTENDED, Appointment.Outcome.DNA]
        )
        .exclude(pk=appointment.pk)
        .exists()
    )
    return not earlier


@transaction.atomic
def appointment_record_outcome(
    *, appointment: Appointment, outcome: str, actor=None, expected_version: int | None = None
) -> Appointment:
    """Record attended, DNA or a cancellation, once. A DNA never discharges: it asks for a decision."""
    locked = _lock(appointment.episode_id, expected_version)
    appt = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if outcome not in Appointment.Outcome.values:
        raise InvalidInput(
            {"outcome": [f"'{outcome}' is not an outcome (attended, dna, patient_cancelled, service_cancelled)."]}
        )
    if appt.outcome:
        raise DomainError(
            f"The outcome of this appointment was already recorded ({appt.get_outcome_display()}).",
            code="outcome_recorded",
        )
    if outcome in (Appointment.Outcome.ATTENDED, Appointment.Outcome.DNA) and appt.date > today_london():
        raise InvalidInput({"outcome": ["Attendance can only be recorded on or after the appointment date."]})
    if locked.state not in OPEN_STATES:
        raise TransitionNotAllowed("The episode is closed.", code="episode_closed")
    appt.outcome = outcome
    appt.outcome_recorded_at = timezone.now()
    appt.outcome_recorded_by = actor
    appt.save(update_fields=["outcome", "outcome_recorded_at", "outcome_recorded_by"])
    data: dict[str, Any] = {"appointment": appt.pk, "outcome": outcome}
    reason = f"{appt.get_kind_display()} appointment of {appt.date:%d %b %Y}: {appt.get_outcome_display().lower()}"
    fields: list[str] = []
    if outcome == Appointment.Outcome.DNA:
        period = rtt_running_period(locked)
        if _is_first_appointment_of_period(appt, period):
            rtt_clock_stop(
                episode=locked,
                on=max(appt.date, period.clock_start),
                status_code=rtt.STATUS_DNA_FIRST_APPOINTMENT,
                reason="Did not attend the first appointment: RTT clock nullified",
                actor=actor,
            )
            data["rtt_nullified"] = True
        data["decision_required"] = True
        reason += "; clinician decision required (rebook, contact or discharge as disengaged)"
    elif outcome == Appointment.Outcome.ATTENDED and locked.ome_first_attendance_mg is None:
        locked.ome_first_attendance_mg = locked.ome_total_mg_per_day
        fields.append("ome_first_attendance_mg")
    event_record(episode=locked, kind=PathwayEvent.Kind.APPOINTMENT, actor=actor, reason=reason, data=data)
    episode_bump(locked, *fields)
    _sync(appointment.episode, locked)
    return appt


@transaction.atomic
def appointment_dna_decide(
    *, appointment: Appointment, decision: str, reason: str = "", actor=None, expected_version: int | None = None
) -> Appointment:
    """The clinician's decision after a DNA; a discharge decision is carried out by the discharge form."""
    locked = _lock(appointment.episode_id, expected_version)
    appt = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appt.outcome != Appointment.Outcome.DNA:
        raise DomainError("A decision is only needed after a DNA.", code="not_dna")
    if appt.dna_decision:
        raise DomainError("The decision for this DNA was already recorded.", code="decision_recorded")
    if decision not in Appointment.DnaDecision.values:
        raise InvalidInput({"decision": [f"'{decision}' is not a decision (rebook, contact or discharge)."]})
    if decision == Appointment.DnaDecision.DISCHARGE and not reason.strip():
        raise InvalidInput({"reason": ["Give the reason for discharging the patient as disengaged."]})
    appt.dna_decision, appt.dna_decision_reason, appt.dna_decided_at = decision, reason, timezone.now()
    appt.save(update_fields=["dna_decision", "dna_decision_reason", "dna_decided_at"])
    event_record(
        episode=locked,
        kind=PathwayEvent.Kind.APPOINTMENT,
        actor=actor,
        reason=f"Decision after DNA: {Appointment.DnaDecision(decision).label.lower()}"
        + (f" ({reason})" if reason else ""),
        data={"appointment": appt.pk, "dna_decision": decision},
    )
    episode_bump(locked)
    return appt


@transaction.atomic
def group_session_create(*, name: str, date: date, capacity: int = GROUP_MAX_PLACES, facilitator=None) -> GroupSession:
    if not (name or "").strip():
        raise InvalidInput({"name": ["Enter the name of the group session."]})
    if errors := length_errors(GroupSession, name=name.strip()):
        raise InvalidInput(errors)
    if not GROUP_MIN_PLACES <= int(capacity) <= GROUP_MAX_PLACES:
        raise InvalidInput({"capacity": [f"A group has {GROUP_MIN_PLACES} to {GROUP_MAX_PLACES} places."]})
    _not_too_far_ahead(date, "date", "group session date")
    if date < today_london() - relativedelta(years=YEARS_AHEAD):
        raise InvalidInput({"date": [f"The group session date cannot be more than {YEARS_AHEAD} years ago."]})
    return GroupSession.objects.create(name=name.strip(), date=date, capacity=capacity, facilitator=facilitator)


# --- Assessment -----------------------------------------------------------------------------


@transaction.atomic
def assessment_record(
    *,
    episode: Episode,
    assessed_on: date,
    clinician,
    biological: str = "",
    psychological: str = "",
    social: str = "",
    goals: str = "",
    suicide_risk: bool = False,
    alcohol_misuse: bool = False,
    drug_misuse: bool = False,
    risk_notes: str = "",
    expected_version: int | None = None,
) -> Assessment:
    """Record the biopsychosocial assessment; a risk found starts an urgent mental-health referral."""
    locked = _lock(episode, expected_version)
    _require_in_care(locked, "record an assessment")
    _not_before_referral(locked, assessed_on, "assessed_on", "assessment date")
    _not_in_future(assessed_on, "assessed_on", "assessment date")
    assessment = Assessment.objects.create(
        episode=locked,
        assessed_on=assessed_on,
        clinician=clinician,
        biological=biological,
        psychological=psychological,
        social=social,
        goals=goals,
        suicide_risk=suicide_risk,
        alcohol_misuse=alcohol_misuse,
        drug_misuse=drug_misuse,
        risk_notes=risk_notes,
    )
    event_record(
        episode=locked,
        kind=PathwayEvent.Kind.CLINICAL,
        actor=clinician,
        reason=f"Biopsychosocial assessment recorded ({assessed_on:%d %b %Y})",
        data={"assessment": assessment.pk},
    )
    risks = [
        label
        for flag, label in (
            (suicide_risk, "suicide risk"),
            (alcohol_misuse, "alcohol misuse"),
            (drug_misuse, "drug misuse"),
        )
        if flag
    ]
    if risks:
        due = add_working_days(assessed_on, rule("mental_health_referral_working_days"))
        deadline_create(
            kind=DeadlineKind.MENTAL_HEALTH_REFERRAL,
            episode=locked,
            subject=f"assessment:{assessment.pk}",
            started_on=assessed_on,
            due_on=due,
            note=", ".join(risks),
        )
        event_record(
            episode=locked,
            kind=PathwayEvent.Kind.DEADLINE,
            actor=clinician,
            reason=f"Urgent mental-health referral needed ({', '.join(risks)}): due {due:%d %b %Y}",
            data={"assessment": assessment.pk, "due_on": due.isoformat()},
        )
    if locked.state == S.ACCEPTED:
        episode_transition(episode=locked, to=S.ASSESSMENT, actor=clinician, reason="First assessment recorded")
    else:
        episode_bump(locked)
    _sync(episode, locked)
    return assessment


@transaction.atomic
def mental_health_referral_made(*, episode: Episode, on: date, actor=None, expected_version: int | None = None) -> int:
    """The urgent mental-health referral was sent: meet its open deadlines."""
    locked = _lock(episode, expected_version)
    met = deadline_meet(kind=DeadlineKind.MENTAL_HEALTH_REFERRAL, episode=locked, subject=None, on=on)
    if met:
        event_record(episode=locked, kind=PathwayEvent.Kind.CLINICAL, actor=actor, reason="Mental-health referral sent")
        episode_bump(locked)
    _sync(episode, locked)
    return met


# --- Care plan and treatment ----------------------------------------------------------------

CARE_PLAN_LISTS = ("education", "therapies", "clinical", "interventions")


def _clean_goals(goals: Any) -> list[dict[str, str]]:
    if goals is None:
        return []
    if not isinstance(goals, list):
        raise InvalidInput({"goals": ["Goals must be a list."]})
    cleaned = []
    for i, item in enumerate(goals, start=1):
        if isinstance(item, str):
            item = {"goal": item, "review_on": ""}
        if not isinstance(item, dict) or not str(item.get("goal", "")).strip():
            raise InvalidInput({"goals": [f"Goal {i} needs a description."]})
        review_on = item.get("review_on") or ""
        if review_on:
            try:
                review_on = date.fromisoformat(str(review_on)).isoformat()
            except ValueError:
                raise InvalidInput({"goals": [f"Goal {i} has a review date that is not a date (use YYYY-MM-DD)."]})
            if date.fromisoformat(review_on) > latest_plannable_date(today_london()):
                raise InvalidInput({"goals": [f"Goal {i} has a review date more than {YEARS_AHEAD} years ahead."]})
        cleaned.append({"goal": str(item["goal"]).strip(), "review_on": review_on})
    return cleaned


def _clean_list(name: str, value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput({name: [f"{name.replace('_', ' ').capitalize()} must be a list of text items."]})
    return [v.strip() for v in value if v.strip()]


@transaction.atomic
def careplan_save(
    *,
    episode: Episode,
    actor=None,
    goals: Any = None,
    education: Any = None,
    therapies: Any = None,
    clinical: Any = None,
    interventions: Any = None,
    flare_up_plan: str = "",
    emergency_plan: str = "",
    shared_with_patient: bool = False,
    shared_with_gp: bool = False,
    expected_version: int | None = None,
) -> CarePlan:
    """Write the care plan: version 1 the first time, then a new version for each revision.

    Each version replaces the whole plan, so a revision needs the episode version it was made from (a
    revision without it silently dropped a concurrent writer's edit)."""
    if expected_version is None and CarePlan.objects.filter(episode_id=episode.pk).exists():
        raise InvalidInput(
            {
                "version": [
                    "This episode has a care plan already: send the episode's version you loaded it at, so that "
                    "someone else's change since then is not overwritten."
                ]
            }
        )
    locked = _lock(episode, expected_version)
    _require_in_care(locked, "write a care plan")
    lists = {
        name: _clean_list(name, value)
        for name, value in zip(CARE_PLAN_LISTS, (education, therapies, clinical, interventions), strict=True)
    }
    cleaned_goals = _clean_goals(goals)
    if not (cleaned_goals or any(lists.values()) or (flare_up_plan or "").strip() or (emergency_plan or "").strip()):
        # A blank plan would count as "written and personalised" in the KPI.
        raise InvalidInput(
            {
                "goals": [
                    "Write at least one part of the care plan: a goal, education, a therapy, clinical care, "
                    "an intervention, a flare-up plan or an emergency plan."
                ]
            }
        )
    latest = CarePlan.objects.filter(episode=locked).order_by("-version").first()
    plan = CarePlan.objects.create(
        episode=locked,
        version=(latest.version + 1) if latest else 1,
        goals=cleaned_goals,
        flare_up_plan=flare_up_plan or "",
        emergency_plan=emergency_plan or "",
        shared_with_patient=bool(shared_with_patient),
        shared_with_gp=bool(shared_with_gp),
        created_by=actor,
        **lists,
    )
    event_record(
        episode=locked,
        kind=PathwayEvent.Kind.CLINICAL,
        actor=actor,
        reason=f"Care plan version {plan.version} written"
        + (" and shared with the patient" if plan.shared_with_patient else ""),
        data={"care_plan": plan.pk, "version": plan.version},
    )
    episode_bump(locked)
    _sync(episode, locked)
    return plan


@transaction.atomic
def treatment_start(
    *, episode: Episode, date: date, kind: str, actor=None, expected_version: int | None = None
) -> tuple[TreatmentStart, bool]:
    """Record the first definitive treatment: stops the RTT clock (status 30). Idempotent.

    Returns (treatment start, created).
    """
    existing = TreatmentStart.objects.filter(episode_id=episode.pk).order_by("date", "id").first()
    if existing is not None:
        return existing, False
    locked = _lock(episode, expected_version)
    existing = TreatmentStart.objects.filter(episode=locked).first()
    if existing is not None:
        return existing, False
    _require_in_care(locked, "start treatment")
    if kind not in TreatmentStart.Kind.values:
        raise InvalidInput(
            {"kind": [f"'{kind}' is not a kind of treatment ({', '.join(TreatmentStart.Kind.values)})."]}
        )
    _not_before_referral(locked, date, "date", "treatment date")
    _not_in_future(date, "date", "treatment date")
    period = rtt_running_period(locked)
    if period is not None and date < period.clock_start:
        raise InvalidInput(
            {"date": [f"The treatment date cannot be before the RTT clock started ({period.clock_start})."]}
        )
    started = TreatmentStart.objects.create(episode=locked, date=date, kind=kind, recorded_by=actor)
    rtt_clock_stop(
        episode=locked,
        on=date,
        status_code=rtt.STATUS_FIRST_DEFINITIVE_TREATMENT,
        reason=f"First definitive treatment: {started.get_kind_display().lower()}",
        actor=actor,
    )
    if locked.state == S.ACCEPTED:
        episode_transition(episode=locked, to=S.ASSESSMENT, actor=actor, reason="Treatment started")
    if locked.state == S.ASSESSMENT:
        episode_transition(episode=locked, to=S.TREATMENT, actor=actor, reason="First definitive treatment started")
    else:
        episode_bump(locked)
    _sync(episode, locked)
    return started, True


# --- Medications and OME --------------------------------------------------------------------


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


# --- MDT ------------------------------------------------------------------------------------


@transaction.atomic
def mdt_review_record(
    *,
    episode: Episode,
    reviewed_on: date,
    decision: str,
    tier_after: int | None = None,
    actor,
    expected_version: int | None = None,
) -> MdtReview:
    """Record an MDT decision; a tier step-up or step-down is an event on the episode."""
    locked = _lock(episode, expected_version)
    _require_in_care(locked, "record an MDT review")
    if not (decision or "").strip():
        raise InvalidInput({"decision": ["Enter the MDT decision."]})
    _not_before_referral(locked, reviewed_on, "reviewed_on", "review date")
    _not_in_future(reviewed_on, "reviewed_on", "review date")
    if tier_after is not None and tier_after not in (1, 2, 3):
        raise InvalidInput({"tier_after": ["The tier must be 1, 2 or 3."]})
    tier_before = locked.tier
    review = MdtReview.objects.create(
        episode=locked,
        reviewed_on=reviewed_on,
        decision=decision.strip(),
        tier_before=tier_before,
        tier_after=tier_after if tier_after is not None else tier_before,
        recorded_by=actor,
    )
    fields = []
    if tier_after is not None and tier_after != tier_before:
        locked.tier = tier_after
        fields.append("tier")
        step = "up" if tier_before is None or tier_after > tier_before else "down"
        event_record(
            episode=locked,
            kind=PathwayEvent.Kind.TIER,
            actor=actor,
            reason=f"MDT: tier step-{step} from {tier_before or 'none'} to {tier_after}",
            data={"mdt_review": review.pk, "tier_before": tier_before, "tier_after": tier_after},
        )
    event_record(
        episode=locked,
        kind=PathwayEvent.Kind.CLINICAL,
        actor=actor,
        reason=f"MDT review ({reviewed_on:%d %b %Y}): {review.decision[:150]}",
        data={"mdt_review": review.pk},
    )
    deadline_meet(kind=DeadlineKind.MDT_REVIEW, episode=locked, subject=None, on=reviewed_on)
    episode_bump(locked, *fields)
    _sync(episode, locked)
    return review


def mdt_due_on(admitted_on: date) -> date:
    return admitted_on + timedelta(weeks=rule("mdt_review_weeks"))


# --- Nine-month limit -----------------------------------------------------------------------


def limit_status(episode: Episode, today: date, extended_until: date | None = None):
    if episode.admitted_on is None:
        return None
    return episode_limit_status(
        episode.admitted_on,
        today,
        warning_months=tuple(rule("episode_warning_months")),
        limit_months=rule("episode_limit_months"),
        extended_until=extended_until,
    )


@transaction.atomic
def extension_request(
    *, episode: Episode, rationale: str, until: date, actor, expected_version: int | None = None
) -> Extension:
    """Ask for time past nine months; a service lead's own request is approved at once."""
    from pathway.access import has_role
    from pathway.models import Role

    locked = _lock(episode, expected_version)
    _require_in_care(locked, "extend the episode")
    errors: dict[str, list[str]] = {}
    if not (rationale or "").strip():
        errors["rationale"] = ["Give the clinical rationale for the extension."]
    if locked.admitted_on is None:
        errors["until"] = ["The episode has no admission date, so it has no nine-month limit."]
    else:
        limit_on = add_months(locked.admitted_on, rule("episode_limit_months"))
        extended_to = locked.episode_limit_on
        if until <= limit_on:
            errors["until"] = [f"The extension must run past the 9-month limit ({limit_on})."]
        elif extended_to and extended_to > limit_on and until <= extended_to:
            errors["until"] = [f"The episode is already extended to {extended_to}: a new extension must run past it."]
    if until <= today_london() and "until" not in errors:
        errors["until"] = ["The extension must end in the future."]
    if until > latest_plannable_date(today_london()) and "until" not in errors:
        errors["until"] = [f"The extension cannot run more than {YEARS_AHEAD} years ahead."]
    if errors:
        raise InvalidInput(errors)
    if Extension.objects.filter(episode=locked, approved_at__isnull=True).exists():
        raise DomainError("An extension for this episode is already waiting for approval.", code="extension_pending")
    extension = Extension.objects.create(episode=locked, rationale=rationale.strip(), until=until, requested_by=actor)
    event_record(
        episode=locked,
        kind=PathwayEvent.Kind.CLINICAL,
        actor=actor,
        reason=f"Extension to {until:%d %b %Y} requested",
        data={"extension": extension.pk},
    )
    episode_bump(locked)
    _sync(episode, locked)
    if has_role(actor, Role.SERVICE_LEAD):
        extension_approve(extension=extension, actor=actor)
        extension.refresh_from_db()
    return extension


@transaction.atomic
def extension_approve(*, extension: Extension, actor, expected_version: int | None = None) -> Letter:
    """A service lead approves an extension: the limit moves and the GP gets a letter."""
    from pathway.access import has_role
    from pathway.models import Role

    if not has_role(actor, Role.SERVICE_LEAD):
        raise DomainError("Only a service lead can approve an extension.", code="not_service_lead")
    locked = _lock(extension.episode_id, expected_version)
    ext = Extension.objects.select_for_update().get(pk=extension.pk)
    if ext.approved_at is not None:
        raise DomainError("This extension was already approved.", code="extension_approved")
    if locked.state not in OPEN_STATES:
        raise TransitionNotAllowed("The episode is closed.", code="episode_closed")
    today = today_london()
    ext.approved_by, ext.approved_at = actor, timezone.now()
    ext.save(update_fields=["approved_by", "approved_at"])
    locked.episode_limit_on = ext.until
    deadline_meet(kind=DeadlineKind.EPISODE_LIMIT, episode=locked, subject=None, on=today)
    deadline_create(
        kind=DeadlineKind.EPISODE_LIMIT,
        episode=locked,
        subject=f"extension:{ext.pk}",
        started_on=today,
        due_on=ext.until,
    )
    letter = letter_create(
        kind=LetterKind.EXTENSION,
        episode=locked,
        actor=actor,
        content={
            "admitted_on": locked.admitted_on.isoformat() if locked.admitted_on else None,
            "limit_on": add_months(locked.admitted_on, rule("episode_limit_months")).isoformat()
            if locked.admitted_on
            else None,
            "until": ext.until.isoformat(),
            "rationale": ext.rationale,
            "approved_by": actor.get_full_name() or actor.get_username(),
        },
        started_on=today,
    )
    event_record(
        episode=locked,
        kind=PathwayEvent.Kind.CLINICAL,
        actor=actor,
        reason=f"Extension to {ext.until:%d %b %Y} approved",
        data={"extension": ext.pk, "letter": letter.pk},
    )
    episode_bump(locked, "episode_limit_on")
    return letter


# --- Discharge ------------------------------------------------------------------------------

DISCHARGE_RTT_STATUS = {
    DischargeReason.DECLINED: rtt.STATUS_PATIENT_DECLINED,
    DischargeReason.DIED: rtt.STATUS_PATIENT_DIED,
}


@transaction.atomic
def discharge_record(
    *,
    episode: Episode,
    date: date,
    reason: str,
    actor=None,
    summary: str = "",
    medication_changes: str = "",
    adverse_reactions: str = "",
    gp_actions: str = "",
    treatment_exhausted: bool = False,
    onward_referral: str | None = "",
    expected_version: int | None = None,
) -> tuple[Discharge, Letter]:
    """Close the episode from any open state, stop a running RTT clock, create the discharge letter."""
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = ["Choose the reason for discharge."]
    elif reason not in DischargeReason.values:
        errors["reason"] = [f"'{reason}' is not a discharge reason ({', '.join(DischargeReason.values)})."]
    if reason == DischargeReason.ONWARD_REFERRAL and not (onward_referral or "").strip():
        errors["onward_referral"] = ["Say where the patient is referred on to."]
    errors.update(length_errors(Discharge, onward_referral=(onward_referral or "").strip()))
    if errors:
        raise InvalidInput(errors)
    locked = _lock(episode, expected_version)
    _not_before_referral(locked, date, "date", "discharge date")
    _not_in_future(date, "date", "discharge date")
    episode_transition(
        episode=locked, to=S.DISCHARGED, actor=actor, reason=f"Discharged: {DischargeReason(reason).label}"
    )
    locked.discharged_on = date
    locked.discharge_reason = reason
    locked.ome_discharge_mg = locked.ome_total_mg_per_day
    episode_bump(locked, "discharged_on", "discharge_reason", "ome_discharge_mg")
    discharge = Discharge.objects.create(
        episode=locked,
        date=date,
        reason=reason,
        summary=summary or "",
        medication_changes=medication_changes or "",
        adverse_reactions=adverse_reactions or "",
        gp_actions=gp_actions or "",
        treatment_exhausted=bool(treatment_exhausted),
        onward_referral=(onward_referral or "").strip(),
        clinician=actor,
    )
    period = rtt_running_period(locked)
    if period is not None:
        rtt_clock_stop(
            episode=locked,
            on=max(date, period.clock_start),
            status_code=DISCHARGE_RTT_STATUS.get(reason, rtt.STATUS_DECISION_NOT_TO_TREAT),
            reason=f"Discharged before treatment: {DischargeReason(reason).label}",
            actor=actor,
        )
    plan = CarePlan.objects.filter(episode=locked).order_by("-version").first()
    clinician = locked.responsible_clinician or actor
    content = {
        "admitted_on": locked.admitted_on.isoformat() if locked.admitted_on else None,
        "received_on": locked.received_on.isoformat(),
        "discharged_on": date.isoformat(),
        "reason": reason,
        "reason_label": DischargeReason(reason).label,
        "summary": discharge.summary,
        "medication_changes": discharge.medication_changes,
        "adverse_reactions": discharge.adverse_reactions,
        "gp_actions": discharge.gp_actions,
        "treatment_exhausted": discharge.treatment_exhausted,
        "onward_referral": discharge.onward_referral or None,
        "responsible_clinician": (clinician.get_full_name() or clinician.get_username()) if clinician else None,
        "ome_first_attendance_mg": str(locked.ome_first_attendance_mg)
        if locked.ome_first_attendance_mg is not None
        else None,
        "ome_discharge_mg": str(locked.ome_discharge_mg),
        "care_plan": None
        if plan is None
        else {
            "version": plan.version,
            "goals": plan.goals,
            "education": plan.education,
            "therapies": plan.therapies,
            "clinical": plan.clinical,
            "interventions": plan.interventions,
            "flare_up_plan": plan.flare_up_plan,
            "emergency_plan": plan.emergency_plan,
        },
    }
    letter = letter_create(
        kind=LetterKind.DISCHARGE,
        episode=locked,
        actor=actor,
        content=content,
        started_on=date,
        due_on=add_working_days(date, rule("discharge_letter_working_days")),
    )
    if isinstance(episode, Episode) and episode is not locked:
        for name in ("state", "version", "discharged_on", "discharge_reason", "ome_discharge_mg"):
            setattr(episode, name, getattr(locked, name))
    return discharge, letter
