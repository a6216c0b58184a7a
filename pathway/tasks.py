"""Celery tasks of the core: thin, they call services."""

from celery import shared_task

from . import services
from .letters import services as letter_services
from .mesh import MeshUnavailable


@shared_task
def sweep_deadlines() -> int:
    return services.deadline_sweep(today=services.today_london())


@shared_task(
    bind=True,
    # Acknowledged when done, and given back to the broker if the worker dies mid-send: the send is
    # idempotent (claim, MESH local ID, look-up before a second send), so running it again is safe.
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(MeshUnavailable,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def letter_send(self, letter_id: int) -> str:
    """Send one queued letter through MESH; retried with exponential backoff while MESH is unavailable."""
    return letter_services.letter_send(letter_id=letter_id)


@shared_task
def letters_poll_acknowledgements() -> int:
    return letter_services.letters_poll_acknowledgements()


@shared_task
def letters_send_stalled() -> int:
    """The outbox sweep: queued letters that never reached the broker, or whose task was lost or ran out
    of retries, are sent (MESH is asked first, so none goes twice)."""
    letter_ids = letter_services.letters_queued_stalled()
    for letter_id in letter_ids:
        letter_send.delay(letter_id)
    return len(letter_ids)
