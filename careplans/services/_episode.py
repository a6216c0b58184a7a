"""What every clinical-care service shares: the episode lock and the guards on the episode's state."""

from __future__ import annotations

from datetime import date

from pathway.errors import InvalidInput, TransitionNotAllowed
from pathway.models import CARE_STATES, Episode, EpisodeState
from pathway.services import episode_lock, today_london

S = EpisodeState


def _lock(episode: Episode | int, expected_version: int | None) -> Episode:
    episode_id = episode if isinstance(episode, int) else episode.pk
    return episode_lock(episode_id, expected_version=expected_version)


def _require_in_care(episode: Episode, action: str) -> None:
    if episode.state not in CARE_STATES:
        raise TransitionNotAllowed(
            f"You cannot {action} for an episode in '{episode.state}': it must be accepted, in assessment or in "
            "treatment.",
            code="episode_not_in_care",
        )


def _not_before_referral(episode: Episode, day: date, field: str, what: str) -> None:
    if day < episode.received_on:
        raise InvalidInput({field: [f"The {what} cannot be before the referral was received ({episode.received_on})."]})


def _not_in_future(day: date, field: str, what: str) -> None:
    if day > today_london():
        raise InvalidInput({field: [f"The {what} cannot be in the future."]})


def _sync(target: Episode, locked: Episode) -> None:
    """Bring the caller's instance up to date with the locked row we changed."""
    if target is not locked and isinstance(target, Episode):
        for name in ("state", "version", "tier", "ome_total_mg_per_day", "ome_first_attendance_mg"):
            setattr(target, name, getattr(locked, name))
