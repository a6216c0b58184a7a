"""Celery tasks of the reporting app: thin, they call services."""

from celery import shared_task

from pathway.services import today_london

from . import services


@shared_task
def generate_monthly_data_sets() -> list[int]:
    """Daily: once a month has ended, produce its data set for each commissioner (idempotent)."""
    return services.mds_generate_due(today=today_london())


@shared_task
def refresh_kpi_snapshots() -> int:
    """Nightly: recompute the stored KPI counts of the months the dashboard's trend shows."""
    return len(services.kpi_snapshots_refresh_recent(today=today_london()))
