"""Factories and helpers for clinical-care tests (accepted episodes without the triage app)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from pathway import services
from pathway.calendar import add_months
from pathway.models import Episode
from pathway.tests import factories as f


def accepted_episode(
    *,
    received_on: date = date(2026, 10, 1),
    admitted_on: date | None = None,
    tier: int = 2,
    team=None,
    patient=None,
    state: str = "accepted",
) -> Episode:
    """An episode opened and accepted through the core services, as triage would leave it."""
    episode = f.open_episode(patient=patient, received_on=received_on)
    services.episode_transition(episode=episode, to="accepted", reason="Accepted at triage")
    admitted_on = admitted_on or received_on

    with transaction.atomic():
        locked = services.episode_lock(episode.pk)
        locked.tier = tier
        locked.admitted_on = admitted_on
        locked.episode_limit_on = add_months(admitted_on, 9)
        locked.team = team
        services.episode_bump(locked, "tier", "admitted_on", "episode_limit_on", "team")
    if state in ("assessment", "treatment"):
        services.episode_transition(episode=locked.pk, to="assessment", reason="setup")
    if state == "treatment":
        services.episode_transition(episode=locked.pk, to="treatment", reason="setup")
    return Episode.objects.get(pk=episode.pk)
