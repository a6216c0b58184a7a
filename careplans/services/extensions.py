"""The nine-month limit and its extensions: the service asks, the commissioner agrees or declines."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from pathway.access import has_role, user_commissioner_id
from pathway.calendar import add_working_days
from pathway.episode_dates import episode_limit_date
from pathway.errors import DomainError, InvalidInput, TransitionNotAllowed
from pathway.models import OPEN_STATES, DeadlineKind, Episode, LetterKind, PathwayEvent, Role
from pathway.rules import rule
from pathway.services import (
    deadline_create,
    deadline_meet,
    episode_bump,
    episode_extend_limit,
    event_record,
    letter_create,
    today_london,
)
from pathway.validators import YEARS_AHEAD, latest_plannable_date

from ..models import Extension
from ._episode import _lock, _require_in_care, _sync

DECISIONS = (Extension.State.AGREED, Extension.State.DECLINED)


class NotTheCommissioner(DomainError):
    status_code = 403
    code = "not_the_commissioner"


def may_decide_extension(user, extension: Extension) -> bool:
    """A commissioner user of the commissioner of the episode's practice (the one paying for it)."""
    commissioner_id = user_commissioner_id(user)
    return (
        has_role(user, Role.COMMISSIONER)
        and commissioner_id is not None
        and commissioner_id == extension.episode.practice.commissioner_id
    )


@transaction.atomic
def extension_request(
    *, episode: Episode, rationale: str, until: date, actor, expected_version: int | None = None
) -> Extension:
    """Ask for time past nine months, with the clinical rationale. Nothing moves until a commissioner
    user of the patient's commissioner agrees (``extension_decide``): not even a service lead's request."""
    locked = _lock(episode, expected_version)
    _require_in_care(locked, "extend the episode")
    errors: dict[str, list[str]] = {}
    if not (rationale or "").strip():
        errors["rationale"] = ["Give the clinical rationale for the extension."]
    if locked.admitted_on is None:
        errors["until"] = ["The episode has no admission date, so it has no nine-month limit."]
    else:
        limit_on = episode_limit_date(locked.admitted_on)
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
    if Extension.objects.filter(episode=locked, approved_at__isnull=True, declined_at__isnull=True).exists():
        raise DomainError(
            "An extension for this episode is already waiting for the commissioner's agreement.",
            code="extension_pending",
        )
    extension = Extension.objects.create(episode=locked, rationale=rationale.strip(), until=until, requested_by=actor)
    event_record(
        episode=locked,
        kind=PathwayEvent.Kind.CLINICAL,
        actor=actor,
        reason=f"Extension to {until:%d %b %Y} requested: waiting for the commissioner's agreement",
        data={"extension": extension.pk},
    )
    episode_bump(locked)
    _sync(episode, locked)
    return extension


@transaction.atomic
def extension_decide(*, extension: Extension, decision: str, actor, note: str = "") -> Extension:
    """A commissioner user of the patient's commissioner agrees or declines a requested extension.

    Agreed: the extension is in force (the episode limit moves to its end, with a new limit deadline)
    and the letter to the GP with the clinical rationale is created. Declined: the episode shows it
    and the discharge plan falls due (a ``discharge_plan`` deadline)."""
    note = (note or "").strip()
    if decision not in DECISIONS:
        raise InvalidInput({"decision": [f"Decision must be one of: {', '.join(DECISIONS)}."]})
    if decision == Extension.State.DECLINED and not note:
        raise InvalidInput({"note": ["Say why the extension is declined: the service will read it."]})
    if not may_decide_extension(actor, extension):
        raise NotTheCommissioner(
            "Only a commissioner user of the patient's commissioner may agree or decline an extension."
        )
    locked = _lock(extension.episode_id, None)
    ext = Extension.objects.select_for_update().get(pk=extension.pk)
    if ext.state != Extension.State.REQUESTED:
        raise DomainError(f"This extension was already {ext.state}.", code="extension_decided")
    if locked.state not in OPEN_STATES:
        raise TransitionNotAllowed("The episode is closed.", code="episode_closed")
    today = today_london()
    who = actor.get_full_name() or actor.get_username()
    ext.decision_note = note
    if decision == Extension.State.AGREED:
        ext.approved_by, ext.approved_at = actor, timezone.now()
        ext.save(update_fields=["approved_by", "approved_at", "decision_note"])
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
                "limit_on": episode_limit_date(locked.admitted_on).isoformat() if locked.admitted_on else None,
                "until": ext.until.isoformat(),
                "rationale": ext.rationale,
                "agreed_by_commissioner": locked.practice.commissioner.name,
                "agreed_on": today.isoformat(),
            },
            started_on=today,
        )
        event_record(
            episode=locked,
            kind=PathwayEvent.Kind.CLINICAL,
            actor=actor,
            reason=f"Extension to {ext.until:%d %b %Y} agreed by the commissioner ({who})"
            + (f": {note}" if note else ""),
            data={"extension": ext.pk, "letter": letter.pk, "decision": decision},
        )
        episode_extend_limit(episode=locked, until=ext.until)
    else:
        ext.declined_by, ext.declined_at = actor, timezone.now()
        ext.save(update_fields=["declined_by", "declined_at", "decision_note"])
        due = add_working_days(today, rule("declined_extension_discharge_plan_working_days"))
        deadline_create(
            kind=DeadlineKind.DISCHARGE_PLAN,
            episode=locked,
            subject=f"extension:{ext.pk}",
            started_on=today,
            due_on=due,
            note="Extension declined by the commissioner: plan the discharge",
        )
        event_record(
            episode=locked,
            kind=PathwayEvent.Kind.CLINICAL,
            actor=actor,
            reason=f"Extension to {ext.until:%d %b %Y} declined by the commissioner ({who}): {note}. "
            f"Discharge plan due {due:%d %b %Y}",
            data={"extension": ext.pk, "decision": decision, "discharge_plan_due_on": due.isoformat()},
        )
        episode_bump(locked)
    return ext
