"""Celery tasks of the reporting app: thin, they call services."""

from celery import shared_task

from pathway.services import today_london

from . import services


@shared_task
def generate_monthly_data_sets() -> list[int]:
    """Daily: once a month has ended, produce its data set for each commissioner (idempotent)."""
    return services.mds_generate_due(today=today_london())
