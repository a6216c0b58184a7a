"""Faults with real services: a `celery worker` subprocess, the broker, the database and the MESH sandbox.

As found: a worker killed mid-batch lost two letter tasks (acknowledged before they ran); they reached
MESH but stayed `queued` until the stalled-letter sweep, which recorded the recovery time as the sending
time. With the broker unreachable, approving a letter answered "queued" and the failure was only in the
server log. Now tasks are acknowledged late and given back when their worker dies, the send is
idempotent and keeps MESH's time, and the outbox sweep sends what the broker could not take.
"""

import http.server
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta

import kombu.pools
import pytest
import requests
from django.conf import settings
from django.utils import timezone

from pathway.celery import app as celery_app
from pathway.letters import services as letter_services
from pathway.models import Letter, LetterState
from pathway.tests import letter_factories as lf
from pathway.tests.broker import broker_unreachable
from pathway.tests.mesh_server import PASSWORD, PRACTICE_MAILBOX, SENDER, SHARED_KEY, MeshSandbox, free_port
from tests.test_worker import READY_TIMEOUT, Worker, _broker_conf, _delete_queue, worker_database_url  # noqa: F401

pytestmark = pytest.mark.slow

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


class HoldingMeshProxy:
    """Forwards to MESH; on the first message sent, lets MESH accept it but holds the answer back, as if
    the worker were killed after MESH took the letter and before the database heard of it."""

    def __init__(self, upstream: str):
        self.upstream = upstream
        self.accepted = threading.Event()
        self.release = threading.Event()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                upstream = requests.request(
                    self.command, proxy.upstream + self.path, headers=headers, data=body, timeout=30
                )
                if self.command == "POST" and re.search(r"/outbox/?$", self.path) and not proxy.accepted.is_set():
                    proxy.accepted.set()
                    proxy.release.wait(60)
                    return  # the answer never reaches the worker
                self.send_response(upstream.status_code)
                for key, value in upstream.headers.items():
                    if key.lower() not in HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(upstream.content)))
                self.end_headers()
                self.wfile.write(upstream.content)

            do_GET = do_POST = do_PUT = _forward

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()


@pytest.fixture(scope="module")
def mesh(tmp_path_factory):
    server = MeshSandbox(tmp_path_factory.mktemp("mesh-faults"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def start_worker(worker_database_url, tmp_path, mesh):  # noqa: F811
    """start_worker(mesh_url) -> a real worker on this test's own queue; every one is stopped at the end."""
    queue = f"painway-faults-{uuid.uuid4().hex[:8]}"
    var_dir = tmp_path / "worker-var"
    var_dir.mkdir()
    started: list[Worker] = []

    def start(mesh_url: str) -> Worker:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "pathway.settings",
            "DATABASE_URL": worker_database_url,
            "DB_CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            # A message held by a worker that died unseen comes back after this (Redis).
            "BROKER_VISIBILITY_TIMEOUT": "3",
            "PAINWAY_VAR_DIR": str(var_dir),
            "MESH_URL": mesh_url,
            "MESH_MAILBOX": SENDER,
            "MESH_PASSWORD": PASSWORD,
            "MESH_SHARED_KEY": SHARED_KEY,
            "PYTHONUNBUFFERED": "1",
        }
        log = var_dir / f"worker-{len(started)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "pathway",
                    "worker",
                    "--pool=solo",
                    "--without-heartbeat",
                    "--without-gossip",
                    "--without-mingle",
                    "-Q",
                    queue,
                    "-n",
                    f"{queue}-{len(started)}@%h",
                    "--loglevel=INFO",
                ],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        worker = Worker(process, log, var_dir, queue)
        started.append(worker)
        worker.wait_for(lambda: re.search(r"@\S+ ready\.", worker.output()), "the worker to be ready", READY_TIMEOUT)
        return worker

    conf = _broker_conf(settings.CELERY_BROKER_URL, var_dir, queue)
    saved = {key: celery_app.conf[key] for key in conf}
    saved_amqp = celery_app.__dict__.pop("amqp", None)
    celery_app.conf.update(conf)
    celery_app._pool = None
    try:
        yield start
    finally:
        for worker in started:
            if worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait(timeout=10)
        kombu.pools.reset()
        celery_app.conf.update(saved)
        celery_app.__dict__.pop("amqp", None)
        if saved_amqp is not None:
            celery_app.__dict__["amqp"] = saved_amqp
            saved_amqp._producer_pool = None
        celery_app._pool = None
        _delete_queue(settings.CELERY_BROKER_URL, var_dir, queue)


def practice_messages(mesh) -> list[str]:
    from mesh_client import MeshClient

    with MeshClient(mesh.url, PRACTICE_MAILBOX, PASSWORD, shared_key=SHARED_KEY.encode(), verify=False) as gp:
        return gp.list_messages()


def approved_letters(count: int) -> list[Letter]:
    clinician = lf.consultant()
    letters = []
    for _ in range(count):
        letter = lf.discharge_letter(lf.discharged_episode(clinician=clinician), actor=clinician)
        letter_services.letter_approve(letter=letter, actor=clinician)
        letters.append(letter)
    return letters


@pytest.mark.django_db(transaction=True)
def test_worker_killed_between_mesh_send_and_database_update_ends_sent_once_with_the_mesh_time(
    start_worker, mesh, settings
):
    mesh.reset()
    proxy = HoldingMeshProxy(mesh.url)
    try:
        worker = start_worker(proxy.url)
        before = timezone.now().replace(microsecond=0)
        (letter,) = approved_letters(1)  # committed: its send task goes to the worker
        assert proxy.accepted.wait(60), worker.tail()
        accepted_by = timezone.now()
        os.killpg(worker.process.pid, signal.SIGKILL)  # killed before it records the send
        worker.process.wait(timeout=10)
    finally:
        proxy.close()
    letter.refresh_from_db()
    assert letter.state == LetterState.QUEUED and letter.mesh_message_id == ""
    assert len(practice_messages(mesh)) == 1

    time.sleep(1.5)  # whatever records it next does so later than MESH accepted it
    second = start_worker(mesh.url)
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        # kombu's filesystem transport has no redelivery: the outbox sweep finds it, as beat would run it.
        Letter.objects.filter(pk=letter.pk).update(updated_at=timezone.now() - timedelta(hours=1))
        celery_app.send_task("pathway.tasks.letters_send_stalled")

    def recorded():
        letter.refresh_from_db()
        return letter.state == LetterState.SENT

    # On Redis the killed worker's task comes back by itself (acks_late, visibility timeout) and runs again.
    second.wait_for(recorded, "the letter to be recorded as sent", timeout=60)
    assert before <= letter.sent_at <= accepted_by
    assert practice_messages(mesh) == [letter.mesh_message_id]
    assert Letter.objects.get(pk=letter.pk).attempts == 2


@pytest.mark.django_db(transaction=True)
def test_letters_approved_while_the_broker_is_unreachable_are_sent_once_when_it_returns(start_worker, mesh):
    mesh.reset()
    worker = start_worker(mesh.url)
    with broker_unreachable():
        letters = approved_letters(3)
    for letter in letters:
        letter.refresh_from_db()
        assert (letter.state, letter.last_error) == (LetterState.QUEUED, letter_services.DELIVERY_PAUSED)
    assert practice_messages(mesh) == []

    # The broker is back; beat's outbox sweep runs in the worker and hands each letter to a send task.
    Letter.objects.filter(pk__in=[x.pk for x in letters]).update(queued_at=timezone.now() - timedelta(minutes=3))
    sweep = celery_app.send_task("pathway.tasks.letters_send_stalled")
    assert worker.finished("pathway.tasks.letters_send_stalled", sweep.id) == "3"
    worker.wait_for(
        lambda: Letter.objects.filter(pk__in=[x.pk for x in letters], state=LetterState.SENT).count() == 3,
        "the three letters to be sent",
        timeout=60,
    )
    again = celery_app.send_task("pathway.tasks.letters_send_stalled")
    assert worker.finished("pathway.tasks.letters_send_stalled", again.id) == "0"
    sent_ids = sorted(Letter.objects.filter(pk__in=[x.pk for x in letters]).values_list("mesh_message_id", flat=True))
    assert sorted(practice_messages(mesh)) == sent_ids and len(set(sent_ids)) == 3
    assert all(Letter.objects.get(pk=x.pk).attempts == 1 for x in letters)
