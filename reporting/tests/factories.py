"""Rows for the reports, built the way the services of the other apps build them."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from careplans.models import Appointment, CarePlan, Discharge, Extension
from outcomes.models import ExperienceSurvey, Feedback, PromResponse
from pathway import rtt, services
from pathway.calendar import add_months, add_working_days
from pathway.models import Episode, EpisodeState, Letter, LetterKind, LetterState
from pathway.rules import rule
from pathway.tests import factories as f
from referrals.models import TRIAGE_PRIORITY, Referral
from triage.models import TriageDecision

LONDON = ZoneInfo("Europe/London")


def london(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def episode(*, practice, received_on: date, urgency: str = "routine", **patient_kwargs) -> Episode:
    """An episode opened through the service, with its referral (triage due in 2 working days)."""
    patient = f.PatientFactory(practice=practice, **patient_kwargs)
    ep = services.episode_open(patient=patient, practice=practice, received_on=received_on)
    due = add_working_days(received_on, rule("triage_working_days"))
    Referral.objects.create(
        episode=ep,
        patient=patient,
        practice=practice,
        received_on=received_on,
        urgency=urgency,
        pain_site="lower back",
        duration_months=12,
        triage_due_on=due,
    )
    # The queue order the referral service keeps on the episode.
    Episode.objects.filter(pk=ep.pk).update(triage_priority=TRIAGE_PRIORITY[urgency], triage_due_on=due)
    ep.triage_priority, ep.triage_due_on = TRIAGE_PRIORITY[urgency], due
    return ep


def triage(ep: Episode, *, outcome: str, decided_on: date, tier: int | None = None) -> TriageDecision:
    return TriageDecision.objects.create(
        episode=ep, referral=ep.referral, outcome=outcome, tier=tier, decided_on=decided_on
    )


def accept(ep: Episode, *, on: date, tier: int = 2) -> Episode:
    services.episode_transition(episode=ep, to=EpisodeState.ACCEPTED, reason="Accepted at triage")
    locked = services.episode_lock(ep.pk)
    locked.admitted_on, locked.tier = on, tier
    locked.episode_limit_on = add_months(on, rule("episode_limit_months"))
    services.episode_bump(locked, "admitted_on", "tier", "episode_limit_on")
    return locked


def stop_clock(ep: Episode, *, on: date, status_code: str = rtt.STATUS_FIRST_DEFINITIVE_TREATMENT):
    return services.rtt_clock_stop(episode=ep, on=on, status_code=status_code, reason="test")


def discharge(ep: Episode, *, on: date, reason: str = "completed", ome_first=None, ome_discharge=None) -> Letter:
    """Discharge as the discharge service does: state, dates, Discharge row and the letter."""
    services.episode_transition(episode=ep, to=EpisodeState.DISCHARGED, reason=reason)
    stop_clock(ep, on=on, status_code=rtt.STATUS_DECISION_NOT_TO_TREAT)
    locked = services.episode_lock(ep.pk)
    locked.discharged_on, locked.discharge_reason = on, reason
    locked.ome_first_attendance_mg = Decimal(ome_first) if ome_first is not None else None
    locked.ome_discharge_mg = Decimal(ome_discharge) if ome_discharge is not None else None
    services.episode_bump(locked, "discharged_on", "discharge_reason", "ome_first_attendance_mg", "ome_discharge_mg")
    Discharge.objects.create(episode=locked, date=on, reason=reason, summary="Treatment completed.")
    return services.letter_create(
        kind=LetterKind.DISCHARGE,
        episode=locked,
        content={"discharged_on": on.isoformat()},
        started_on=on,
        due_on=add_working_days(on, rule("discharge_letter_working_days")),
    )


def letter_sent(letter: Letter, at: datetime) -> None:
    Letter.objects.filter(pk=letter.pk).update(state=LetterState.SENT, sent_at=at)


def appointment(ep: Episode, *, kind: str, on: date, outcome: str = "attended") -> Appointment:
    return Appointment.objects.create(episode=ep, kind=kind, date=on, outcome=outcome)


def care_plan(ep: Episode, *, shared: bool, with_gp: bool | None = None, written: bool = True) -> CarePlan:
    """A care plan version; ``shared`` with the patient (and by default the GP too), ``written`` with
    goals, a flare-up plan and an emergency plan (without ``written`` the flare-up plan is missing)."""
    version = ep.care_plans.count() + 1
    return CarePlan.objects.create(
        episode=ep,
        version=version,
        goals=[{"goal": "Walk 1 km"}],
        flare_up_plan="Pace activity, heat, relaxation" if written else "",
        emergency_plan="Call 111; 999 for chest pain",
        shared_with_patient=shared,
        shared_with_gp=shared if with_gp is None else with_gp,
    )


def prom(ep: Episode, *, instrument: str, timepoint: str, scores: dict, on: date, complete: bool = True):
    return PromResponse.objects.create(
        episode=ep,
        instrument=instrument,
        timepoint=timepoint,
        instrument_version="1",
        answers={},
        complete=complete,
        scores=scores,
        completed_on=on,
    )


def survey(ep: Episode, *, positive: bool, on: date) -> ExperienceSurvey:
    return ExperienceSurvey.objects.create(episode=ep, positive=positive, answered_on=on)


def extension(
    ep: Episode,
    *,
    requested_by,
    approved_at: datetime | None = None,
    requested_at: datetime | None = None,
    rationale: str = "Needs PMP",
):
    made = Extension.objects.create(
        episode=ep,
        rationale=rationale,
        until=add_months(ep.admitted_on, 12),
        requested_by=requested_by,
        approved_by=requested_by if approved_at else None,
        approved_at=approved_at,
    )
    if requested_at is not None:  # auto_now_add: the request date is set after creating the row
        Extension.objects.filter(pk=made.pk).update(requested_at=requested_at)
        made.requested_at = requested_at
    return made


def feedback(ep: Episode | None, *, kind: str, on: date, action: str = "") -> Feedback:
    return Feedback.objects.create(
        kind=kind, episode=ep, received_on=on, summary="About the service", action_taken=action
    )
