"""The Celery app and every periodic schedule of the service, in one place."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pathway.settings")

app = Celery("painway")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _settle_heap(**kwargs):
    """Each worker process, once started: freeze its long-lived heap (pathway/runtime.py)."""
    from pathway.runtime import settle_worker_heap

    settle_worker_heap()


app.conf.beat_schedule = {
    "sweep-deadlines": {"task": "pathway.tasks.sweep_deadlines", "schedule": 300.0},
    "prom-schedule": {"task": "outcomes.tasks.run_prom_schedule", "schedule": crontab(hour=7, minute=30)},
    "letters-poll-acknowledgements": {"task": "pathway.tasks.letters_poll_acknowledgements", "schedule": 600.0},
    # The outbox sweep: letters that could not be queued (broker down) go within a few minutes of its return.
    "letters-send-stalled": {"task": "pathway.tasks.letters_send_stalled", "schedule": 120.0},
    "generate-monthly-data-sets": {
        "task": "reporting.tasks.generate_monthly_data_sets",
        "schedule": crontab(hour=2, minute=15),
    },
    "refresh-kpi-snapshots": {"task": "reporting.tasks.refresh_kpi_snapshots", "schedule": crontab(hour=1, minute=30)},
}

__all__ = ("app", "crontab")
