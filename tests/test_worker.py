"""The background path for real: a `celery worker` subprocess takes the tasks from the broker.

The rest of the suite runs tasks eagerly. Here the test publishes with ``.delay()`` to a real
broker (Redis when ``CELERY_BROKER_URL`` names it, as in CI; otherwise kombu's filesystem
transport in a temporary folder) and a worker started from the venv runs them against the
test's own database (PostgreSQL's test database; on SQLite a file copy of the in-memory test
database), so the data must be committed: the tests use ``transactional_db``.

Each pytest process (xdist worker) has its own queue, so two test runs never take each other's
tasks, and its worker is stopped in the fixture's finalizer whatever happens.
"""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import kombu.pools
import pytest
from django.conf import settings
from django.db import connections

from outcomes.models import PromInvitation
from outcomes.tasks import run_prom_schedule
from outcomes.tests.factories import accepted_episode
from pathway import services
from pathway.celery import app as celery_app
from pathway.models import Deadline, PathwayEvent
from pathway.tasks import sweep_deadlines
from pathway.tests import factories as f
from reporting.models import MonthlyDataSet
from reporting.tasks import generate_monthly_data_sets

pytestmark = pytest.mark.slow

READY_TIMEOUT = 30.0
TASK_TIMEOUT = 20.0


def _postgres_url(sd: dict) -> str:
    user = quote(sd.get("USER") or "", safe="")
    password = quote(str(sd.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = sd.get("HOST") or ""
    port = f":{sd['PORT']}" if sd.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(sd['NAME'], safe='')}"


@pytest.fixture(scope="module")
def worker_database_url(django_db_setup, django_db_blocker, tmp_path_factory):
    """A DATABASE_URL for the worker naming the database this module's tests use.

    PostgreSQL: pytest-django's test database (test_<name>, with the xdist suffix). SQLite: the
    test database is in memory, out of another process's reach, so it is copied (migrated
    schema and all) to a file and ``default`` points at that file for this module.
    """
    original = connections["default"]
    if original.vendor == "postgresql":
        yield _postgres_url(original.settings_dict)
        return
    if original.vendor != "sqlite":
        pytest.skip(f"the worker test knows PostgreSQL and SQLite, not {original.vendor}")
    if not original.is_in_memory_db():
        yield f"sqlite:///{original.settings_dict['NAME']}"
        return
    path = tmp_path_factory.mktemp("worker-db") / "test.sqlite3"
    with django_db_blocker.unblock():
        original.ensure_connection()
        target = sqlite3.connect(path)
        try:
            original.connection.backup(target)
            target.execute("PRAGMA journal_mode=WAL")  # readers (the test polling) never block the worker
        finally:
            target.close()
    file_connection = original.copy()
    file_connection.settings_dict["NAME"] = str(path)
    connections["default"] = file_connection
    try:
        yield f"sqlite:///{path}"
    finally:
        with django_db_blocker.unblock():
            file_connection.close()
        connections["default"] = original


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path, var_dir: Path, queue: str):
        self.process, self.log, self.var_dir, self.queue = process, log, var_dir, queue

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def wait_for(self, predicate, what: str, timeout: float = TASK_TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited ({self.process.returncode}) waiting for {what}:\n{self.tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}; worker log:\n{self.tail()}")
            time.sleep(0.1)

    def finished(self, name: str, task_id: str) -> str:
        """Wait until the worker logs the task's end; return what it returned (as logged)."""
        pattern = re.compile(rf"Task {re.escape(name)}\[{task_id}\] (succeeded in [\d.e-]+s: (.*)|raised .*)")
        match = self.wait_for(lambda: pattern.search(self.output()), f"{name}[{task_id}]")
        if match.group(2) is None:
            pytest.fail(f"{name} failed in the worker:\n{self.tail()}")
        return match.group(2).strip()

    def ran(self, name: str) -> list[str]:
        """Return values (as logged) of every run of a task, in order."""
        return re.findall(rf"Task {re.escape(name)}\[[0-9a-f-]+\] succeeded in [\d.e-]+s: (.*)", self.output())

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def celery_worker(worker_database_url, tmp_path_factory):
    """A real `celery -A pathway worker` on this pytest process's own queue."""
    var_dir = tmp_path_factory.mktemp("worker-var")
    name = os.environ.get("PYTEST_XDIST_WORKER", "main")
    queue = f"painway-test-{name}-{uuid.uuid4().hex[:8]}"
    broker_url = settings.CELERY_BROKER_URL
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pathway.settings",
        "DATABASE_URL": worker_database_url,
        "DB_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "PAINWAY_VAR_DIR": str(var_dir),
        "PYTHONUNBUFFERED": "1",
    }
    celery = Path(sys.executable).with_name("celery")
    command = [str(celery)] if celery.exists() else [sys.executable, "-m", "celery"]
    command += [
        "-A",
        "pathway",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "--loglevel=INFO",
    ]
    log = var_dir / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C meant for pytest reaches the finalizer, not the worker
        )
    worker = Worker(process, log, var_dir, queue)
    try:
        worker.wait_for(lambda: re.search(r"@\S+ ready\.", worker.output()), "the worker to be ready", READY_TIMEOUT)
        yield worker
    finally:
        worker.stop()
        _delete_queue(broker_url, var_dir, queue)


def _broker_conf(broker_url: str, var_dir: Path, queue: str) -> dict:
    """The test process's Celery configuration for publishing where the worker consumes."""
    conf = {"broker_url": broker_url, "task_default_queue": queue, "task_always_eager": False}
    if broker_url.startswith("filesystem://"):  # the same folders pathway/settings.py derives from PAINWAY_VAR_DIR
        broker = var_dir / "broker"
        conf["broker_transport_options"] = {
            "data_folder_in": str(broker / "in"),
            "data_folder_out": str(broker / "in"),
            "processed_folder": str(broker / "processed"),
            "control_folder": str(broker / "control"),
            "store_processed": False,
        }
    return conf


def _delete_queue(broker_url: str, var_dir: Path, queue: str):
    """Leave nothing of the test's queue on a shared broker."""
    conf = _broker_conf(broker_url, var_dir, queue)
    with suppress(Exception), kombu.Connection(broker_url, transport_options=conf.get("broker_transport_options")) as c:
        bound = kombu.Queue(queue, kombu.Exchange(queue), queue).bind(c.default_channel)
        bound.declare()  # a channel deletes only the bindings it knows of
        bound.delete()


@pytest.fixture
def publish_to_worker(celery_worker, transactional_db):
    """Switch the test's Celery app from eager to publishing on the worker's broker and queue."""
    conf = _broker_conf(settings.CELERY_BROKER_URL, celery_worker.var_dir, celery_worker.queue)
    saved = {key: celery_app.conf[key] for key in conf}
    saved_amqp = celery_app.__dict__.pop("amqp", None)  # rebuilt from the new queue setting
    celery_app.conf.update(conf)
    celery_app._pool = None
    try:
        yield celery_worker
    finally:
        kombu.pools.reset()
        celery_app.conf.update(saved)
        celery_app.__dict__.pop("amqp", None)
        if saved_amqp is not None:
            celery_app.__dict__["amqp"] = saved_amqp
            saved_amqp._producer_pool = None
        celery_app._pool = None


def test_sweep_deadlines_in_the_worker_breaches_a_come_due_deadline_once(publish_to_worker):
    worker = publish_to_worker
    today = services.today_london()
    episode = f.open_episode(received_on=today)
    deadline = services.deadline_create(
        kind="mdt_review", episode=episode, started_on=today - timedelta(days=30), due_on=today - timedelta(days=1)
    )
    not_due = services.deadline_create(
        kind="medication_review", episode=episode, started_on=today, due_on=today + timedelta(days=10)
    )

    result = sweep_deadlines.delay()
    assert worker.finished("pathway.tasks.sweep_deadlines", result.id) == "1"

    deadline.refresh_from_db()
    assert deadline.breached_on == today
    assert deadline.escalated_at is not None
    events = PathwayEvent.objects.filter(episode=episode, kind=PathwayEvent.Kind.DEADLINE)
    assert [e.data["deadline"] for e in events] == [deadline.pk]
    not_due.refresh_from_db()
    assert not_due.breached_on is None

    # A second run through the worker changes nothing.
    before = list(Deadline.objects.order_by("pk").values())
    again = sweep_deadlines.delay()
    assert worker.finished("pathway.tasks.sweep_deadlines", again.id) == "0"
    assert list(Deadline.objects.order_by("pk").values()) == before
    assert events.count() == 1


def test_prom_schedule_in_the_worker_sends_the_due_link_and_queues_its_sending_there(publish_to_worker):
    worker = publish_to_worker
    episode = accepted_episode(received_on=services.today_london(), email="pat@example.invalid")
    outbox = worker.var_dir / "outbox"  # the default sender's folder under the worker's PAINWAY_VAR_DIR
    result = run_prom_schedule.delay()
    logged = worker.finished("outcomes.tasks.run_prom_schedule", result.id)
    assert "'entry': 1" in logged

    invitation = PromInvitation.objects.get(episode=episode, timepoint="entry")
    assert invitation.sent_at is not None and invitation.channel == "email"
    files = list(outbox.glob(f"*-invitation-{invitation.pk}-email.txt"))
    assert len(files) == 1
    assert "To: pat@example.invalid" in files[0].read_text(encoding="utf-8")
    # The send task the schedule queued on commit went to the worker's own queue and ran there,
    # finding the link already sent (so one message only).
    worker.wait_for(lambda: worker.ran("outcomes.tasks.send_prom_invitation"), "send_prom_invitation to run")
    assert worker.ran("outcomes.tasks.send_prom_invitation") == ["False"]
    assert len(list(outbox.glob(f"*-invitation-{invitation.pk}-*.txt"))) == 1


def test_monthly_data_sets_in_the_worker_create_last_months_row(publish_to_worker):
    worker = publish_to_worker
    practice = f.PracticeFactory()
    today = services.today_london()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    result = generate_monthly_data_sets.delay()
    worker.finished("reporting.tasks.generate_monthly_data_sets", result.id)
    data_set = MonthlyDataSet.objects.get(commissioner=practice.commissioner, month=last_month)
    assert data_set.generated_at is not None
    again = generate_monthly_data_sets.delay()
    assert worker.finished("reporting.tasks.generate_monthly_data_sets", again.id) == "[]"
    assert MonthlyDataSet.objects.filter(commissioner=practice.commissioner).count() == 1


def test_every_beat_entry_sent_by_name_runs_in_the_worker(publish_to_worker):
    """As beat sends them: by task name, with the entry's arguments and options."""
    worker = publish_to_worker
    sent = {
        entry["task"]: celery_app.send_task(
            entry["task"], entry.get("args"), entry.get("kwargs"), **entry.get("options", {})
        ).id
        for entry in celery_app.conf.beat_schedule.values()
    }
    for name, task_id in sent.items():
        worker.finished(name, task_id)
