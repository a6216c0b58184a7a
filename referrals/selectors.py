"""Reads of referrals for pages and the API."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from pathway.access import episodes_visible_to, has_role
from pathway.models import Role

from .models import Referral

REFERRING_ROLES = (Role.GP_PRACTICE, Role.SPA_TRIAGE, Role.SERVICE_LEAD)


def can_refer(user) -> bool:
    return has_role(user, *REFERRING_ROLES)


def referrals_visible_to(user) -> QuerySet[Referral]:
    """Referrals whose episode the user may see (a GP practice sees only its own practice's)."""
    return (
        Referral.objects.filter(episode__in=episodes_visible_to(user).values("pk"))
        .select_related("episode", "patient", "practice", "claimed_by")
        .prefetch_related("episode__rtt_periods")
        .order_by("-received_on", "-id")
    )


def referral_for(user, pk) -> Referral:
    """The referral if the user may see it; 404 otherwise (never 403)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such referral.") from None
    referral = (
        referrals_visible_to(user)
        .select_related("practice__commissioner")
        .prefetch_related("attachments")
        .filter(pk=pk)
        .first()
    )
    if referral is None:
        raise Http404("No such referral.")
    return referral


def referral_of_episode(user, episode) -> Referral:
    """The referral that opened an episode, checked like any referral; 404 when it has none."""
    referral_id = Referral.objects.filter(episode_id=episode.pk).values_list("pk", flat=True).first()
    if referral_id is None:
        raise Http404("No referral for this episode.")
    return referral_for(user, referral_id)
