"""Celery tasks of the outcomes app: thin, they take IDs and call services."""

from celery import shared_task

from pathway.services import today_london

from . import services


@shared_task
def send_prom_invitation(invitation_id: int) -> bool:
    return services.prom_invitation_send(invitation_id=invitation_id)


@shared_task
def run_prom_schedule() -> dict:
    return services.prom_schedule_run(today=today_london())
