"""Appointments: booking, attendance, DNAs and the clinician's decision after a DNA; group sessions."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from pathway import rtt
from pathway.errors import DomainError, InvalidInput, TransitionNotAllowed
from pathway.models import OPEN_STATES, Episode, PathwayEvent
from pathway.services import (
    episode_bump,
    event_record,
    rtt_clock_start,
    rtt_clock_stop,
    rtt_running_period,
    today_london,
)

from ..models import Appointment, GroupSession
from ._episode import _lock, _not_before_referral, _require_in_care, _sync

GROUP_MIN_PLACES, GROUP_MAX_PLACES = 8, 12


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
    booked_on = booked_on or today_london()
    if group_session is not None:
        session = GroupSession.objects.select_for_update().get(pk=group_session.pk)
        if kind != Appointment.Kind.GROUP:
            raise InvalidInput({"kind": ["A place in a group session is a group appointment."]})
        if date != session.date:
            raise InvalidInput({"date": [f"The group session is on {session.date}."]})
        taken = session.appointments.exclude(outcome__in=Appointment.CANCELLED)
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
    if not GROUP_MIN_PLACES <= int(capacity) <= GROUP_MAX_PLACES:
        raise InvalidInput({"capacity": [f"A group has {GROUP_MIN_PLACES} to {GROUP_MAX_PLACES} places."]})
    return GroupSession.objects.create(name=name.strip(), date=date, capacity=capacity, facilitator=facilitator)
