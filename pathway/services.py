"""Every write to the core domain: episode transitions, RTT clocks, deadlines, letters, audit."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import audit, rtt
from .episode_dates import episode_limit_date, mdt_due_on
from .errors import OpenEpisodeExists, StaleVersion, TransitionNotAllowed, UnknownState
from .models import (
    CLOSED_STATES,
    OPEN_STATES,
    Deadline,
    DeadlineKind,
    Episode,
    EpisodeState,
    Letter,
    LetterKind,
    PathwayEvent,
    RttPeriod,
)
from .rules import rule

logger = logging.getLogger(__name__)

S = EpisodeState
ALLOWED: dict[str, set[str]] = {
    S.TRIAGE: {S.ACCEPTED, S.INFO_REQUESTED, S.REJECTED, S.REDIRECTED, S.DISCHARGED},
    S.INFO_REQUESTED: {S.TRIAGE, S.DISCHARGED},
    S.ACCEPTED: {S.ASSESSMENT, S.DISCHARGED},
    S.ASSESSMENT: {S.TREATMENT, S.DISCHARGED},
    S.TREATMENT: {S.DISCHARGED},
    S.DISCHARGED: set(),
    S.REJECTED: set(),
    S.REDIRECTED: set(),
}

# Deadlines that lose their meaning once the episode is closed.
EPISODE_BOUND_DEADLINES = {
    DeadlineKind.TRIAGE,
    DeadlineKind.RTT,
    DeadlineKind.MDT_REVIEW,
    DeadlineKind.EPISODE_LIMIT,
    DeadlineKind.MEDICATION_REVIEW,
}


def today_london() -> date:
    return timezone.localdate()


def event_record(
    *,
    episode: Episode,
    kind: str,
    actor=None,
    reason: str = "",
    old_state: str = "",
    new_state: str = "",
    data: dict[str, Any] | None = None,
) -> PathwayEvent:
    return PathwayEvent.objects.create(
        episode=episode,
        kind=kind,
        actor=actor,
        reason=reason,
        old_state=old_state,
        new_state=new_state,
        data=data or {},
    )


def episode_lock(episode_id: int, *, expected_version: int | None = None) -> Episode:
    """Lock an episode row for the rest of the transaction and check the caller's version."""
    episode = Episode.objects.select_for_update().get(pk=episode_id)
    if expected_version is not None and episode.version != expected_version:
        raise StaleVersion(
            f"This episode was changed by someone else (version {episode.version}, you had "
            f"{expected_version}). Reload it and make your change again."
        )
    return episode


def episode_bump(episode: Episode, *fields: str) -> None:
    """Save changed fields and advance the optimistic-concurrency version."""
    episode.version += 1
    episode.save(update_fields=[*fields, "version", "updated_at"])


@transaction.atomic
def episode_transition(
    *,
    episode: Episode | int,
    to: str,
    actor=None,
    reason: str = "",
    expected_version: int | None = None,
    data: dict[str, Any] | None = None,
) -> Episode:
    """Move an episode to another state; the only writer of ``Episode.state``."""
    if to not in S.values:
        raise UnknownState(f"'{to}' is not a state of an episode. States: {', '.join(S.values)}.")
    episode_id = episode if isinstance(episode, int) else episode.pk
    locked = episode_lock(episode_id, expected_version=expected_version)
    old = locked.state
    if to not in ALLOWED[old]:
        allowed = ", ".join(sorted(ALLOWED[old])) or "none (the episode is closed)"
        raise TransitionNotAllowed(f"An episode in '{old}' cannot move to '{to}'. Allowed from '{old}': {allowed}.")
    locked.state = to
    try:
        with transaction.atomic():
            episode_bump(locked, "state")
    except IntegrityError as exc:
        raise OpenEpisodeExists("The patient already has an open episode.") from exc
    event_record(
        episode=locked,
        kind=PathwayEvent.Kind.TRANSITION,
        actor=actor,
        reason=reason,
        old_state=old,
        new_state=to,
        data=data,
    )
    if to in CLOSED_STATES:
        deadlines_cancel_for_episode(episode=locked, kinds=EPISODE_BOUND_DEADLINES, on=today_london())
    if not isinstance(episode, int):
        episode.state, episode.version = locked.state, locked.version
    logger.info("episode %s moved %s -> %s", locked.pk, old, to)
    return locked


@transaction.atomic
def episode_open(
    *,
    patient,
    practice,
    received_on: date,
    actor=None,
    clock_start: date | None = None,
    ubrn: str = "",
    previous_episode: Episode | None = None,
    reason: str = "Referral received",
) -> Episode:
    """Open a new episode in ``triage`` and start its RTT clock.

    Raises OpenEpisodeExists when the patient already has an open episode; nothing is written.
    """
    if Episode.objects.select_for_update().filter(patient=patient, state__in=[s.value for s in OPEN_STATES]).exists():
        raise OpenEpisodeExists("The patient already has an open episode.")
    try:
        with transaction.atomic():
            episode = Episode.objects.create(
                patient=patient,
                practice=practice,
                state=S.TRIAGE,
                received_on=received_on,
                previous_episode=previous_episode,
            )
    except IntegrityError as exc:
        raise OpenEpisodeExists("The patient already has an open episode.") from exc
    event_record(
        episode=episode, kind=PathwayEvent.Kind.TRANSITION, actor=actor, reason=reason, old_state="", new_state=S.TRIAGE
    )
    rtt_clock_start(episode=episode, start=clock_start or received_on, actor=actor, ubrn=ubrn)
    return episode


# --- Episode lifecycle: the only writers of admission, tier, limit and discharge ---------------


def _episode_id(episode: Episode | int) -> int:
    return episode if isinstance(episode, int) else episode.pk


@transaction.atomic
def episode_admit(
    *, episode: Episode | int, tier: int, admitted_on: date, team=None, actor=None, reason: str = ""
) -> Episode:
    """Accept the episode to a tier: its admission date, its nine-month limit and that deadline, and
    the MDT review a tier-3 admission needs."""
    episode_transition(episode=_episode_id(episode), to=S.ACCEPTED, actor=actor, reason=reason or "Accepted")
    locked = episode_lock(_episode_id(episode))
    locked.tier, locked.admitted_on = tier, admitted_on
    locked.episode_limit_on = episode_limit_date(admitted_on)
    fields = ["tier", "admitted_on", "episode_limit_on"]
    if team is not None:
        locked.team = team
        fields.append("team")
    episode_bump(locked, *fields)
    event_record(
        episode=locked,
        kind=PathwayEvent.Kind.TIER,
        actor=actor,
        reason=f"Accepted to tier {tier}",
        data={"tier": tier, "admitted_on": admitted_on.isoformat()},
    )
    deadline_create(
        kind=DeadlineKind.EPISODE_LIMIT, episode=locked, started_on=admitted_on, due_on=locked.episode_limit_on
    )
    if tier == 3:
        deadline_create(
            kind=DeadlineKind.MDT_REVIEW, episode=locked, started_on=admitted_on, due_on=mdt_due_on(admitted_on)
        )
    return locked


def episode_change_tier(*, episode: Episode, tier: int, actor=None, reason: str, data: dict[str, Any]) -> None:
    """Step the (locked) episode up or down a tier, with the event on its timeline."""
    episode.tier = tier
    episode_bump(episode, "tier")
    event_record(episode=episode, kind=PathwayEvent.Kind.TIER, actor=actor, reason=reason, data=data)


def episode_extend_limit(*, episode: Episode, until: date) -> None:
    """Move the (locked) episode's limit to an approved extension's end."""
    episode.episode_limit_on = until
    episode_bump(episode, "episode_limit_on")


@transaction.atomic
def episode_discharge(
    *,
    episode: Episode | int,
    on: date,
    reason: str,
    actor=None,
    note: str = "",
    closed_reason: str | None = None,
    ome_discharge_mg=None,
) -> Episode:
    """Discharge the episode on ``on`` for ``reason`` (a DischargeReason). ``ome_discharge_mg`` is the
    opioid total at discharge, given when the patient was in the service's care."""
    locked = episode_transition(episode=episode, to=S.DISCHARGED, actor=actor, reason=note)
    locked.discharged_on, locked.discharge_reason = on, reason
    fields = ["discharged_on", "discharge_reason"]
    if closed_reason is not None:
        locked.closed_reason = closed_reason
        fields.append("closed_reason")
    if ome_discharge_mg is not None:
        locked.ome_discharge_mg = ome_discharge_mg
        fields.append("ome_discharge_mg")
    episode_bump(locked, *fields)
    if isinstance(episode, Episode) and episode is not locked:
        for name in ("state", "version", *fields):
            setattr(episode, name, getattr(locked, name))
    return locked


# --- RTT clock ----------------------------------------------------------------------------


def rtt_running_period(episode: Episode) -> RttPeriod | None:
    return episode.rtt_periods.filter(clock_stop__isnull=True).first()


@transaction.atomic
def rtt_clock_start(
    *, episode: Episode, start: date, actor=None, ubrn: str = "", status_code: str = rtt.STATUS_FIRST_ACTIVITY
) -> RttPeriod:
    if rtt_running_period(episode):
        raise TransitionNotAllowed("An RTT clock is already running for this episode.", code="rtt_running")
    period = RttPeriod.objects.create(episode=episode, clock_start=start, ubrn=ubrn or "", status_code=status_code)
    deadline_create(
        kind=DeadlineKind.RTT,
        episode=episode,
        subject=f"rtt:{period.pk}",
        started_on=start,
        due_on=rtt.last_day_within(start, rule("rtt_max_days_within")),
    )
    event_record(
        episode=episode,
        kind=PathwayEvent.Kind.RTT,
        actor=actor,
        reason="RTT clock started",
        data={"clock_start": start.isoformat(), "period": period.pk, "status_code": status_code},
    )
    return period


@transaction.atomic
def rtt_clock_stop(*, episode: Episode, on: date, status_code: str, reason: str, actor=None) -> RttPeriod | None:
    """Stop the running clock (first definitive treatment or a decision not to treat).

    Returns the stopped period, or None when no clock was running (stopping twice is harmless).
    """
    if status_code not in rtt.STOP_CODES:
        raise UnknownState(f"'{status_code}' is not an RTT stop status.")
    period = RttPeriod.objects.select_for_update().filter(episode=episode, clock_stop__isnull=True).first()
    if period is None:
        return None
    if on < period.clock_start:
        raise TransitionNotAllowed("The RTT clock cannot stop before it started.", code="rtt_stop_before_start")
    period.clock_stop, period.status_code, period.stop_reason = on, status_code, reason[:100]
    if status_code == rtt.STATUS_DNA_FIRST_APPOINTMENT:
        period.nullified = True
    period.save(update_fields=["clock_stop", "status_code", "stop_reason", "nullified"])
    subject = f"rtt:{period.pk}"
    if period.nullified:
        deadline_cancel(kind=DeadlineKind.RTT, episode=episode, subject=subject, on=on)
    else:
        deadline_meet(kind=DeadlineKind.RTT, episode=episode, subject=subject, on=on)
    event_record(
        episode=episode,
        kind=PathwayEvent.Kind.RTT,
        actor=actor,
        reason=reason,
        data={"clock_stop": on.isoformat(), "period": period.pk, "status_code": status_code},
    )
    return period


# --- Deadlines ----------------------------------------------------------------------------


def deadline_create(
    *, kind: str, episode: Episode | None, started_on: date, due_on: date, subject: str = "", note: str = ""
) -> Deadline:
    deadline, _ = Deadline.objects.get_or_create(
        kind=kind,
        episode=episode,
        subject=subject,
        met_on=None,
        cancelled_on=None,
        defaults={"started_on": started_on, "due_on": due_on, "note": note},
    )
    return deadline


def _open_deadlines(kind: str, episode: Episode | None, subject: str | None):
    qs = Deadline.objects.open().filter(kind=kind, episode=episode)
    if subject is not None:
        qs = qs.filter(subject=subject)
    return qs


def deadline_meet(*, kind: str, episode: Episode | None, on: date, subject: str | None = "") -> int:
    """Mark open deadlines met; a late one keeps its breach date. ``subject=None`` meets all subjects."""
    return _open_deadlines(kind, episode, subject).update(met_on=on)


def deadline_cancel(*, kind: str, episode: Episode | None, on: date, subject: str | None = "") -> int:
    return _open_deadlines(kind, episode, subject).update(cancelled_on=on)


def deadlines_cancel_for_episode(*, episode: Episode, kinds, on: date) -> int:
    return Deadline.objects.open().filter(episode=episode, kind__in=list(kinds)).update(cancelled_on=on)


BreachHandler = Callable[[Deadline], None]
BREACH_HANDLERS: dict[str, list[BreachHandler]] = {}


def on_breach(kind: str) -> Callable[[BreachHandler], BreachHandler]:
    """Register an action for a breached deadline of ``kind`` (apps register in their ready())."""

    def register(handler: BreachHandler) -> BreachHandler:
        BREACH_HANDLERS.setdefault(kind, []).append(handler)
        return handler

    return register


def deadline_sweep(*, today: date, limit: int | None = None, batch: int = 500) -> int:
    """Mark every deadline that has come due as breached, ``batch`` rows per transaction.

    Each batch is claimed with ``select_for_update(skip_locked=True)`` (only the deadline rows
    are locked), so several workers can sweep at once without doing the same row twice, and a
    breached row is never picked again. Three queries a batch (claim, an update per due date,
    timeline events) plus what the breach handlers do, so the cost follows the number of rows that
    came due. A
    handler that fails rolls its batch back; the next sweep does it again.
    """
    done = 0
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        with transaction.atomic():
            deadlines = list(
                Deadline.objects.come_due(today)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("episode")
                .order_by("due_on", "id")[:size]
            )
            if not deadlines:
                break
            now = timezone.now()
            by_due: dict[date, list[int]] = {}
            for deadline in deadlines:
                deadline.breached_on = deadline.due_on + timedelta(days=1)
                deadline.escalated_at = now
                by_due.setdefault(deadline.due_on, []).append(deadline.pk)
            # One UPDATE per due date (a sweep every few minutes finds one or two).
            for due_on, ids in by_due.items():
                Deadline.objects.filter(pk__in=ids).update(breached_on=due_on + timedelta(days=1), escalated_at=now)
            PathwayEvent.objects.bulk_create(
                PathwayEvent(
                    episode=deadline.episode,
                    kind=PathwayEvent.Kind.DEADLINE,
                    reason=f"{deadline.get_kind_display()} breached (due {deadline.due_on:%d %b %Y})",
                    data={"deadline": deadline.pk, "kind": deadline.kind, "due_on": deadline.due_on.isoformat()},
                )
                for deadline in deadlines
                if deadline.episode_id
            )
            for deadline in deadlines:
                for handler in BREACH_HANDLERS.get(deadline.kind, []):
                    handler(deadline)
            done += len(deadlines)
        if len(deadlines) < size:
            break
    if done:
        logger.info("sweep marked %d deadlines breached", done)
    return done


# --- Letters ------------------------------------------------------------------------------

LETTER_DEADLINES = {
    LetterKind.DISCHARGE: DeadlineKind.DISCHARGE_LETTER,
    LetterKind.OPIOID_ALERT: DeadlineKind.OPIOID_ALERT,
    LetterKind.PRESCRIBING_ADVICE: DeadlineKind.PRESCRIBING_ADVICE,
}


@transaction.atomic
def letter_create(
    *,
    kind: str,
    episode: Episode,
    actor=None,
    content: dict[str, Any] | None = None,
    started_on: date | None = None,
    due_on: date | None = None,
    recipient: str = Letter.Recipient.GP,
    copy_of: Letter | None = None,
) -> Letter:
    """Create a draft letter; letters with a delivery deadline get a Deadline row."""
    letter = Letter.objects.create(
        kind=kind,
        episode=episode,
        recipient=recipient,
        practice=episode.practice if recipient == Letter.Recipient.GP else None,
        due_on=due_on,
        content=content or {},
        created_by=actor,
        copy_of=copy_of,
    )
    deadline_kind = LETTER_DEADLINES.get(kind)
    if deadline_kind and due_on and recipient == Letter.Recipient.GP:
        deadline_create(
            kind=deadline_kind,
            episode=episode,
            subject=f"letter:{letter.pk}",
            started_on=started_on or today_london(),
            due_on=due_on,
        )
    event_record(
        episode=episode,
        kind=PathwayEvent.Kind.LETTER,
        actor=actor,
        reason=f"{letter.get_kind_display()} created",
        data={"letter": letter.pk},
    )
    from .letters.hooks import LETTER_CREATED

    for hook in LETTER_CREATED:
        hook(letter)
    return letter


# --- Audit --------------------------------------------------------------------------------


def record_view(
    *, user, episode: Episode | None = None, patient=None, via: str = "web", path: str = "", action: str = "view"
) -> None:
    """Name the read a view makes (print, PDF...); the access policy has noted it already in a request."""
    audit.note(
        user=user,
        patient_id=(patient or episode.patient).pk,
        episode_id=episode.pk if episode else None,
        action=action,
        via=via,
        path=path,
    )
