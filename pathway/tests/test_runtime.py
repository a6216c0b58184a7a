"""Worker start-up: the long-lived heap is frozen once the app is loaded (gunicorn and Celery)."""

from __future__ import annotations

import gc
import importlib.util
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_starts_with_the_repository_s_settings_and_logs_each_request_redacted():
    """As found: gunicorn laid our logging settings over its defaults, whose root logger names a handler
    ours replace, and refused to start ("Unable to configure root logger")."""
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "pathway.settings",
        "ALLOWED_HOSTS": "127.0.0.1",
        "PSEUDONYM_KEY": "a-key-for-this-test-only-" + "k" * 20,
    }
    command = [sys.executable, "-m", "gunicorn", "pathway.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    server = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
        command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        status, deadline = None, time.monotonic() + 60
        while status is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz?q=Smith", timeout=5) as response:  # noqa: S310
                    status = response.status
            except OSError:
                time.sleep(0.2)
        assert status == 200, server.stderr.read() if server.poll() is not None else "no answer in 60 s"
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
    access = [line for line in out.splitlines() if "/healthz" in line]
    assert access and all("?[redacted]" in line and "Smith" not in line for line in access)
    assert "Unable to configure" not in err
