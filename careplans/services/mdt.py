"""MDT reviews and tier step-up or step-down."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from pathway.errors import InvalidInput
from pathway.models import DeadlineKind, Episode, PathwayEvent
from pathway.services import deadline_meet, episode_bump, episode_change_tier, event_record

from ..models import MdtReview
from ._episode import _lock, _not_before_referral, _not_in_future, _require_in_care, _sync


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
    tier_changed = tier_after is not None and tier_after != tier_before
    if tier_changed:
        step = "up" if tier_before is None or tier_after > tier_before else "down"
        episode_change_tier(
            episode=locked,
            tier=tier_after,
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
    if not tier_changed:
        episode_bump(locked)
    _sync(episode, locked)
    return review
