"""The nine-month limit and its extensions."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from pathway.episode_dates import episode_limit_date
from pathway.errors import DomainError, InvalidInput, TransitionNotAllowed
from pathway.models import OPEN_STATES, DeadlineKind, Episode, Letter, LetterKind, PathwayEvent
from pathway.services import (
    deadline_create,
    deadline_meet,
    episode_bump,
    episode_extend_limit,
    event_record,
    letter_create,
    today_london,
)

from ..models import Extension
from ._episode import _lock, _require_in_care, _sync


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
        limit_on = episode_limit_date(locked.admitted_on)
        extended_to = locked.episode_limit_on
        if until <= limit_on:
            errors["until"] = [f"The extension must run past the 9-month limit ({limit_on})."]
        elif extended_to and extended_to > limit_on and until <= extended_to:
            errors["until"] = [f"The episode is already extended to {extended_to}: a new extension must run past it."]
    if until <= today_london() and "until" not in errors:
        errors["until"] = ["The extension must end in the future."]
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
    episode_extend_limit(episode=locked, until=ext.until)
    return letter
