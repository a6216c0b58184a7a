"""Helpers for outcomes tests: episodes moved through the real services."""

from datetime import date

from pathway import services
from pathway.models import EpisodeState
from pathway.tests import factories as f


def accepted_episode(*, team=None, received_on=date(2026, 10, 1), **patient_kwargs):
    """Accepted at triage as the triage service does it: admitted on the day received, to tier 2."""
    episode = f.open_episode(received_on=received_on, **patient_kwargs)
    return services.episode_admit(episode=episode, tier=2, admitted_on=received_on, team=team, reason="test")


def discharged_episode(*, discharged_on: date, team=None, reason: str = "completed", **patient_kwargs):
    """Discharged as issue 5 does it: the transition, then discharged_on set under the lock."""
    episode = accepted_episode(team=team, **patient_kwargs)
    services.episode_transition(episode=episode, to=EpisodeState.DISCHARGED, reason="Treatment completed")
    locked = services.episode_lock(episode.pk)
    locked.discharged_on = discharged_on
    locked.discharge_reason = reason
    services.episode_bump(locked, "discharged_on", "discharge_reason")
    locked.refresh_from_db()
    return locked
