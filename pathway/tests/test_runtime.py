"""Worker start-up: the long-lived heap is frozen once the app is loaded (gunicorn and Celery)."""

from __future__ import annotations

import gc
import importlib.util
import logging
import sys
from pathlib import Path

from celery.signals import worker_process_init
from django.conf import settings

from pathway.runtime import settle_worker_heap


def test_settle_worker_heap_loads_weasyprint_and_freezes_what_is_alive():
    try:
        settle_worker_heap()
        assert "weasyprint" in sys.modules
        assert gc.get_freeze_count() > 10_000
        # Garbage made afterwards is still collected.
        cycle = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()


def test_gunicorn_and_celery_workers_settle_their_heap(monkeypatch):
    calls = []
    monkeypatch.setattr("pathway.runtime.settle_worker_heap", lambda: calls.append("settled"))
    spec = importlib.util.spec_from_file_location("gunicorn_conf", Path(settings.BASE_DIR) / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    conf.post_worker_init(worker=None)
    worker_process_init.send(sender=None)
    assert calls == ["settled", "settled"]


def test_weasyprint_progress_lines_stay_out_of_the_logs():
    assert not logging.getLogger("weasyprint.progress").isEnabledFor(logging.INFO)
    assert logging.getLogger("weasyprint").isEnabledFor(logging.WARNING)
