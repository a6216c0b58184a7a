"""Delivery of letters through a real MESH server (mesh-sandbox started by the tests)."""

import threading
from datetime import date

import pytest
import time_machine
from django.db import connection
from mesh_client import MeshClient

from pathway.celery import app as celery_app
from pathway.letters import services as letter_services
from pathway.mesh import MeshUnavailable
from pathway.models import Deadline, Letter, LetterState
from pathway.tasks import letter_send, letters_poll_acknowledgements, letters_send_stalled
from pathway.tests import letter_factories as lf
from pathway.tests.mesh_server import PASSWORD, PRACTICE_MAILBOX, SHARED_KEY

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def practice_inbox(server, mailbox=PRACTICE_MAILBOX):
    return MeshClient(server.url, mailbox, PASSWORD, shared_key=SHARED_KEY.encode(), verify=False, max_retries=0)


@pytest.fixture
def clinician_user(team):
    user = lf.consultant()
    team.members.add(user)
    return user


@pytest.fixture
def letter(clinician_user):
    episode = lf.discharged_episode(clinician=clinician_user)
    return lf.discharge_letter(episode, actor=clinician_user)


@time_machine.travel("2026-09-01 10:00 +01:00", tick=False)
def test_approved_discharge_letter_goes_to_the_practice_inbox_and_is_acknowledged(
    mesh_sandbox, api_as, clinician_user, letter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(clinician_user).post(f"/api/v1/letters/{letter.pk}/approve/")
    assert response.status_code == 200, response.content
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT
    assert letter.mesh_message_id and letter.mesh_local_id
    assert letter.attempts == 1
    deadline = Deadline.objects.get(subject=f"letter:{letter.pk}")
    assert deadline.met_on == date(2026, 9, 1) and deadline.breached_on is None

    with practice_inbox(mesh_sandbox) as gp:
        assert gp.list_messages() == [letter.mesh_message_id]
        message = gp.retrieve_message(letter.mesh_message_id)
        assert message.read() == bytes(letter.pdf)
        assert message.read() == b""
        assert message.local_id == letter.mesh_local_id
        assert message.workflow_id == "GPFED_CONSULT_REPORT"
        assert message.filename.endswith(".pdf")
        assert bytes(letter.pdf).startswith(b"%PDF")
        assert letters_poll_acknowledgements.delay().get() == 0
        message.acknowledge()

    assert letters_poll_acknowledgements.delay().get() == 1
    letter.refresh_from_db()
    assert letter.state == LetterState.ACKNOWLEDGED
    assert letter.acknowledged_at is not None
    detail = api_as(clinician_user).get(f"/api/v1/letters/{letter.pk}/").json()
    assert detail["state"] == "acknowledged" and detail["mesh_message_id"] == letter.mesh_message_id


def test_letter_stays_queued_with_the_error_while_mesh_is_down_then_is_sent_exactly_once(
    mesh_sandbox, clinician_user, letter, django_capture_on_commit_callbacks, monkeypatch
):
    # Eager Celery runs the retries at once (a worker would wait 30 s, 60 s, ... with jitter).
    celery_app.conf.task_eager_propagates = False  # conftest sets it back for the next test
    monkeypatch.setattr(letter_send, "max_retries", 2)
    assert letter_send.autoretry_for == (MeshUnavailable,) and letter_send.retry_backoff == 30
    mesh_sandbox.stop()
    with django_capture_on_commit_callbacks(execute=True):
        letter_services.letter_approve(letter=letter, actor=clinician_user)
    letter.refresh_from_db()
    assert letter.state == LetterState.QUEUED
    assert letter.attempts == 3  # the first try and two retries with backoff
    assert "could not be reached" in letter.last_error
    assert letter.mesh_message_id == "" and letter.sent_at is None
    assert letter.send_started_at is not None and letter.mesh_local_id

    mesh_sandbox.start()
    letter_send.delay(letter.pk)
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT and letter.last_error == ""
    with practice_inbox(mesh_sandbox) as gp:
        assert gp.list_messages() == [letter.mesh_message_id]


def test_send_task_run_twice_sends_once(mesh_sandbox, clinician_user, letter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        letter_services.letter_approve(letter=letter, actor=clinician_user)
    letter.refresh_from_db()
    first_id = letter.mesh_message_id
    assert letter_send.delay(letter.pk).get() == "skipped"
    assert letter_send.delay(letter.pk).get() == "skipped"
    letter.refresh_from_db()
    assert letter.mesh_message_id == first_id and letter.attempts == 1
    with practice_inbox(mesh_sandbox) as gp:
        assert gp.list_messages() == [first_id]


def test_worker_crash_between_send_and_record_does_not_send_again(
    mesh_sandbox, clinician_user, letter, monkeypatch, django_capture_on_commit_callbacks
):
    real_mark_sent = letter_services.letter_mark_sent

    def crash(**kwargs):
        raise SystemExit("worker killed after MESH accepted the message")

    monkeypatch.setattr(letter_services, "letter_mark_sent", crash)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        letter_services.letter_approve(letter=letter, actor=clinician_user)
    assert len(callbacks) == 1
    with pytest.raises(SystemExit):
        letter_send.run(letter.pk)
    letter.refresh_from_db()
    assert letter.state == LetterState.QUEUED and letter.mesh_message_id == ""
    with practice_inbox(mesh_sandbox) as gp:
        assert len(gp.list_messages()) == 1

    monkeypatch.setattr(letter_services, "letter_mark_sent", real_mark_sent)
    Letter.objects.filter(pk=letter.pk).update(updated_at="2000-01-01T00:00:00Z")
    assert letters_send_stalled.delay().get() == 1
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT and letter.attempts == 2
    with practice_inbox(mesh_sandbox) as gp:
        assert gp.list_messages() == [letter.mesh_message_id]


def test_unknown_practice_mailbox_fails_the_letter_with_a_clear_reason(
    mesh_sandbox, clinician_user, letter, django_capture_on_commit_callbacks
):
    letter.practice.mesh_mailbox = "X99XYZ9"
    letter.practice.save()
    with django_capture_on_commit_callbacks(execute=True):
        letter_services.letter_approve(letter=letter, actor=clinician_user)
    letter.refresh_from_db()
    assert letter.state == LetterState.FAILED
    assert "Unregistered to address" in letter.last_error and "X99XYZ9" in letter.last_error
    assert letter.sent_at is None and letter.failed_at is not None
    assert Deadline.objects.get(subject=f"letter:{letter.pk}").met_on is None


def test_practice_without_mailbox_gets_the_letter_flagged_for_manual_sending(
    mesh_sandbox, clinician_user, letter, django_capture_on_commit_callbacks
):
    letter.practice.mesh_mailbox = ""
    letter.practice.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        letter_services.letter_approve(letter=letter, actor=clinician_user)
    assert callbacks == []
    letter.refresh_from_db()
    assert letter.state == LetterState.MANUAL and "no MESH mailbox" in letter.last_error
    with practice_inbox(mesh_sandbox) as gp:
        assert gp.list_messages() == []
    letter_services.letter_mark_sent_by_hand(letter=letter, actor=clinician_user)
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT and letter.mesh_message_id == ""
    assert Deadline.objects.get(subject=f"letter:{letter.pk}").met_on is not None


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_letter_at_once_send_it_once(
    on_postgres, mesh_sandbox, clinician_user, letter, monkeypatch
):
    # Real commits here: keep the on-commit send out of the way so the two workers race for the letter.
    monkeypatch.setattr(letter_services, "_enqueue_send", lambda letter_id: None)
    letter_services.letter_approve(letter=letter, actor=clinician_user)
    letter.refresh_from_db()
    assert letter.state == LetterState.QUEUED
    barrier = threading.Barrier(2)
    results: list[str] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=5)
            results.append(letter_services.letter_send(letter_id=letter.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == ["sent", "skipped"]
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT
    with practice_inbox(mesh_sandbox) as gp:
        assert gp.list_messages() == [letter.mesh_message_id]
