"""Every write of group programmes (courses, enrolment, waiting list, attendance) and signposting."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from careplans.models import CarePlan, TreatmentStart
from careplans.services import treatment_start
from pathway.errors import DomainError, InvalidInput
from pathway.models import CARE_STATES, Episode, PathwayEvent
from pathway.rules import rule
from pathway.services import event_record, rtt_running_period, today_london

from .models import Attendance, Enrolment, Programme, ProgrammeSession, Resource, Signpost

MAX_SESSION_HOURS = Decimal(8)


def _choice(errors, field, value, choices, what):
    if value in (None, ""):
        errors[field] = [f"Choose the {what}."]
    elif value not in choices.values:
        errors[field] = [f"'{value}' is not a {what} ({', '.join(choices.values)})."]


def _sessions(errors: dict[str, list[str]], sessions: Any, kind: str) -> list[tuple[date, Decimal]]:
    if not isinstance(sessions, list) or not sessions:
        errors["sessions"] = ["Give the sessions, each with a date and hours."]
        return []
    clean, problems = [], []
    for n, item in enumerate(sessions, start=1):
        item = item if isinstance(item, dict) else {}
        day = item.get("date")
        try:
            hours = Decimal(str(item.get("hours")))
        except (InvalidOperation, ValueError):
            hours = None
        if not isinstance(day, date):
            problems.append(f"Session {n}: give the date.")
        if hours is None or not hours.is_finite() or not Decimal(0) < hours <= MAX_SESSION_HOURS:
            problems.append(f"Session {n}: hours must be more than 0 and at most {MAX_SESSION_HOURS}.")
        clean.append((day, hours))
    if not problems:
        days = [day for day, _ in clean]
        if days != sorted(days) or len(set(days)) != len(days):
            problems.append("Give the sessions in date order, one a day.")
    needed = rule("education_group_sessions")
    if kind == Programme.Kind.EDUCATION and len(clean) != needed:
        problems.append(f"A pain education group has {needed} sessions.")
    if problems:
        errors["sessions"] = problems
    return clean


@transaction.atomic
def programme_create(
    *, name: str, kind: str, mode: str, sessions: Any, actor, capacity: int | None = None
) -> Programme:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Give the programme a name."]
    _choice(errors, "kind", kind, Programme.Kind, "kind of programme")
    _choice(errors, "mode", mode, Programme.Mode, "mode")
    low, high = rule("programme_min_places"), rule("programme_max_places")
    capacity = high if capacity is None else capacity
    if not low <= capacity <= high:
        errors["capacity"] = [f"A programme has {low} to {high} places."]
    clean = _sessions(errors, sessions, kind)
    if errors:
        raise InvalidInput(errors)
    programme = Programme.objects.create(name=name, kind=kind, mode=mode, capacity=capacity, created_by=actor)
    ProgrammeSession.objects.bulk_create(
        ProgrammeSession(programme=programme, number=n, date=day, hours=hours)
        for n, (day, hours) in enumerate(clean, start=1)
    )
    return programme


@transaction.atomic
def programme_enrol(*, programme: Programme, episode: Episode, actor, waiting_list: bool = True) -> Enrolment:
    """Enrol a patient from their care plan: a place while there is one, else the waiting list (or 409)."""
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if episode.state not in CARE_STATES:
        raise DomainError(
            f"Only a patient in care can join a programme; this episode is {episode.get_state_display().lower()}.",
            code="episode_not_in_care",
        )
    if not CarePlan.objects.filter(episode=episode).exists():
        raise DomainError("Enrol from the care plan: write the patient's care plan first.", code="no_care_plan")
    existing = Enrolment.objects.filter(programme=locked, episode=episode).first()
    if existing is not None and existing.status != Enrolment.Status.WITHDRAWN:
        raise DomainError(
            f"The patient is already {existing.get_status_display().lower()} for this programme.",
            code="already_enrolled",
        )
    taken = locked.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
    if taken >= locked.capacity and not waiting_list:
        raise DomainError(
            f"The programme is full ({locked.capacity} places). Add the patient to the waiting list instead.",
            code="programme_full",
        )
    status = Enrolment.Status.ENROLLED if taken < locked.capacity else Enrolment.Status.WAITING
    if existing is not None:
        existing.status, existing.enrolled_by = status, actor
        existing.save(update_fields=["status", "enrolled_by"])
        enrolment = existing
    else:
        enrolment = Enrolment.objects.create(programme=locked, episode=episode, status=status, enrolled_by=actor)
    event_record(
        episode=episode,
        kind=PathwayEvent.Kind.CLINICAL,
        actor=actor,
        reason=f"{enrolment.get_status_display()}: {locked.name}",
        data={"programme": locked.pk, "enrolment": enrolment.pk, "status": status},
    )
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, actor, reason: str) -> Enrolment | None:
    """Take a patient off a programme; the first on the waiting list gets the place. Returns who did."""
    programme = Programme.objects.select_for_update().get(pk=enrolment.programme_id)
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if locked.status == Enrolment.Status.WITHDRAWN:
        raise DomainError("The patient has already left this programme.", code="withdrawn")
    if not (reason or "").strip():
        raise InvalidInput({"reason": ["Say why the patient leaves the programme."]})
    freed = locked.status == Enrolment.Status.ENROLLED
    locked.status = Enrolment.Status.WITHDRAWN
    locked.save(update_fields=["status"])
    event_record(
        episode=locked.episode,
        kind=PathwayEvent.Kind.CLINICAL,
        actor=actor,
        reason=f"Left {programme.name}: {reason.strip()}",
        data={"programme": programme.pk, "enrolment": locked.pk},
    )
    if not freed:
        return None
    nxt = programme.enrolments.filter(status=Enrolment.Status.WAITING).order_by("created_at", "id").first()
    if nxt is not None:
        nxt.status = Enrolment.Status.ENROLLED
        nxt.save(update_fields=["status"])
        event_record(
            episode=nxt.episode,
            kind=PathwayEvent.Kind.CLINICAL,
            actor=actor,
            reason=f"Offered a place from the waiting list: {programme.name}",
            data={"programme": programme.pk, "enrolment": nxt.pk},
        )
    return nxt


def _missed_in_a_row(enrolment: Enrolment) -> int:
    """Sessions missed since the last one attended, counting only sessions with a register entry."""
    run = 0
    for attended in enrolment.attendances.order_by("session__number").values_list("attended", flat=True):
        run = 0 if attended else run + 1
    return run


@transaction.atomic
def attendance_record(
    *, programme: Programme, session: ProgrammeSession, episode: Episode, attended: bool, actor
) -> Attendance:
    """Record the register for one patient and session (again to correct it). Missing sessions in a
    row opens a follow-up task for a clinician; nobody is discharged for it."""
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(programme=programme, episode=episode, status=Enrolment.Status.ENROLLED)
        .first()
    )
    if enrolment is None:
        raise DomainError(
            "The patient is not enrolled on this programme, so attendance cannot be recorded.", code="not_enrolled"
        )
    today = today_london()
    if session.date > today:
        raise InvalidInput(
            {"attended": [f"Session {session.number} is on {session.date:%-d %B %Y}: it has not happened yet."]}
        )
    attendance, _ = Attendance.objects.update_or_create(
        enrolment=enrolment, session=session, defaults={"attended": bool(attended), "recorded_by": actor}
    )
    if attended and programme.kind == Programme.Kind.PMP:
        _pmp_started(episode, on=session.date, actor=actor)
    run = _missed_in_a_row(enrolment)
    if run >= rule("programme_missed_sessions_task") and not enrolment.missed_task_open:
        enrolment.missed_task_raised_on, enrolment.missed_task_done_on, enrolment.missed_task_note = today, None, ""
        enrolment.save(update_fields=["missed_task_raised_on", "missed_task_done_on", "missed_task_note"])
        event_record(
            episode=episode,
            kind=PathwayEvent.Kind.CLINICAL,
            actor=actor,
            reason=f"Missed {run} sessions of {programme.name} in a row: a clinician follows up",
            data={"programme": programme.pk, "enrolment": enrolment.pk},
        )
    return attendance


def _pmp_started(episode: Episode, *, on: date, actor) -> None:
    """The first PMP session attended is the start of a definitive treatment (it stops the RTT clock)."""
    period = rtt_running_period(episode)
    if episode.state in CARE_STATES and (period is None or on >= period.clock_start):
        treatment_start(episode=episode, date=on, kind=TreatmentStart.Kind.PMP, actor=actor)


@transaction.atomic
def missed_task_complete(*, enrolment: Enrolment, actor, note: str) -> Enrolment:
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if not locked.missed_task_open:
        raise DomainError("There is no open follow-up for this patient on this programme.", code="no_open_task")
    if not (note or "").strip():
        raise InvalidInput({"note": ["Say what was done (for example: called, will rejoin next week)."]})
    locked.missed_task_done_on, locked.missed_task_note = today_london(), note.strip()
    locked.save(update_fields=["missed_task_done_on", "missed_task_note"])
    event_record(
        episode=locked.episode,
        kind=PathwayEvent.Kind.CLINICAL,
        actor=actor,
        reason="Missed programme sessions followed up",
        data={"enrolment": locked.pk},
    )
    return locked


@transaction.atomic
def signpost_attach(*, episode: Episode, resource: Resource | None, context: str, actor) -> Signpost:
    errors: dict[str, list[str]] = {}
    if resource is None or not resource.active:
        errors["resource_id"] = ["Choose a resource from the service's list."]
    _choice(errors, "context", context, Signpost.Context, "context (care_plan or discharge)")
    if errors:
        raise InvalidInput(errors)
    signpost, created = Signpost.objects.get_or_create(
        episode=episode, resource=resource, context=context, defaults={"attached_by": actor}
    )
    if not created:
        raise DomainError(
            f"{resource.name} is already attached to this {signpost.get_context_display().lower()}.",
            code="already_attached",
        )
    event_record(
        episode=episode,
        kind=PathwayEvent.Kind.CLINICAL,
        actor=actor,
        reason=f"Signposted to {resource.name} ({signpost.get_context_display().lower()})",
        data={"signpost": signpost.pk},
    )
    return signpost
