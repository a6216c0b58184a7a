"""Factories and helpers for clinical-care tests (accepted episodes without the triage app)."""

from __future__ import annotations

from datetime import date

from pathway import services
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
    locked = services.episode_admit(
        episode=episode, tier=tier, admitted_on=admitted_on or received_on, team=team, reason="Accepted at triage"
    )
    if state in ("assessment", "treatment"):
        services.episode_transition(episode=locked.pk, to="assessment", reason="setup")
    if state == "treatment":
        services.episode_transition(episode=locked.pk, to="treatment", reason="setup")
    return Episode.objects.get(pk=episode.pk)
