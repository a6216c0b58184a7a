"""What follows a patient's death, whichever app records it.

The app that records the death (safeguarding: a significant event of the kind "death") sets the
patient's date of death and calls ``patient_death_handlers_run``. The apps that hold something for the
patient register what they close or stop in their ``AppConfig.ready()``, each at an explicit order
(lower first; the core names no feature app, and INSTALLED_APPS order plays no part):

- 10, careplans: the episode the death was recorded on, if still open, is discharged with reason
  ``died`` (the GP's discharge letter and the patient's copy are created);
- 20, outcomes: the patient's unanswered PROM links are cancelled, on all their episodes.

The core's own step always comes last: letters to the patient and their carers that have not gone
yet, on all their episodes, are cancelled (the patient's copy of that discharge letter among them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from .letters.services import letters_cancel_unsent
from .models import Episode, Patient

DIED = "The patient has died."


@dataclass
class PatientDeath:
    """A recorded death, as the handlers see it (``episode`` and ``patient`` are locked rows)."""

    episode: Episode
    patient: Patient
    on: date
    description: str
    actor: Any
    reason: str = DIED

    @cached_property
    def episode_ids(self) -> list[int]:
        """Every episode of the patient, read once, when a step first needs them."""
        return list(self.patient.episodes.values_list("pk", flat=True))


DeathHandler = Callable[[PatientDeath], None]
DEATH_HANDLERS: dict[int, DeathHandler] = {}


def register_death_handler(handler: DeathHandler, *, order: int) -> DeathHandler:
    """Run ``handler(death)`` at ``order`` after a death is recorded (apps register in their ready()).

    Registering the same handler at the same order again changes nothing (ready() may run twice);
    two handlers at one order, or one handler at two, are refused: the order is to be explicit."""
    if DEATH_HANDLERS.get(order, handler) != handler or any(
        registered == handler and at != order for at, registered in DEATH_HANDLERS.items()
    ):
        raise ValueError(f"Death handler {handler!r} at order {order} clashes with {DEATH_HANDLERS!r}.")
    DEATH_HANDLERS[order] = handler
    return handler


def patient_death_handlers_run(*, episode: Episode, patient: Patient, on: date, description: str, actor) -> None:
    """Every registered step in order, then the core's: unsent letters to the household cancelled."""
    death = PatientDeath(episode=episode, patient=patient, on=on, description=description, actor=actor)
    for _order, handler in sorted(DEATH_HANDLERS.items()):
        handler(death)
    letters_cancel_unsent(episode_ids=death.episode_ids, reason=death.reason, actor=actor)
