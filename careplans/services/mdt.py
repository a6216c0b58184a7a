"""MDT reviews and tier step-up or step-down."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from pathway.errors import InvalidInput
from pathway.models import DeadlineKind, Episode, PathwayEvent
from pathway.services import deadline_meet, episode_bump, episode_change_tier, event_record

from ..models import CarePlan, MdtReview
from ._episode import _lock, _not_before_referral, _not_in_future, _require_in_care, _sync


def is_standalone_intervention(episode: Episode) -> bool:
    """The latest care plan holds interventions and no other active treatment (education, therapies,
    clinical review) and no current medication: the service specification repatriates such care
    (for example infrequent therapeutic injections) to the community tier 2 service."""
    plan = CarePlan.objects.filter(episode=episode).order_by("-version").first()
    if plan is None or not plan.interventions:
        return False
    if plan.education or plan.therapies or plan.clinical:
        return False
    return not episode.medications.filter(stopped_on__isnull=True).exists()


@transaction.atomic
def mdt_review_record(
    *,
    episode: Episode,
    reviewed_on: date,
    decision: str,
    tier_after: int | None = None,
    repatriate_to_tier2: bool | None = None,
    onward_referral: str = "",
    actor,
    expected_version: int | None = None,
) -> MdtReview:
    """Record an MDT decision; a tier step-up or step-down is an event on the episode.

    Stand-alone interventions are flagged "repatriate to tier 2" (unless the MDT says otherwise with
    ``repatriate_to_tier2=False``), and a flagged review needs the onward referral it makes."""
    locked = _lock(episode, expected_version)
    _require_in_care(locked, "record an MDT review")
    standalone = is_standalone_intervention(locked)
    repatriate = standalone if repatriate_to_tier2 is None else bool(repatriate_to_tier2)
    onward_referral = (onward_referral or "").strip()
    errors: dict[str, list[str]] = {}
    if not (decision or "").strip():
        errors["decision"] = ["Enter the MDT decision."]
    if repatriate and not onward_referral:
        why = "The care plan is stand-alone interventions with no other active treatment: " if standalone else ""
        errors["onward_referral"] = [
            f"{why}record the onward referral to the community tier 2 service (repatriate to tier 2)."
        ]
    if errors:
        raise InvalidInput(errors)
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
        standalone_intervention=standalone,
        repatriate_to_tier2=repatriate,
        onward_referral=onward_referral if repatriate else "",
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
        reason=f"MDT review ({reviewed_on:%d %b %Y}): {review.decision[:150]}"
        + (f". Repatriate to tier 2: onward referral to {onward_referral}" if repatriate else ""),
        data={"mdt_review": review.pk, "repatriate_to_tier2": repatriate},
    )
    deadline_meet(kind=DeadlineKind.MDT_REVIEW, episode=locked, subject=None, on=reviewed_on)
    if not tier_changed:
        episode_bump(locked)
    _sync(episode, locked)
    return review
