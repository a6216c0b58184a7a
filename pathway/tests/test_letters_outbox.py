"""No lost or late-recorded letters, as found: with the broker unreachable, approving a letter answered
"queued" and the failure was only in the server log; a letter that reached MESH before its worker died
was recorded by the stalled-letter sweep with the recovery time as its sending time."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from pathway.celery import app as celery_app
from pathway.letters import services as letter_services
from pathway.models import Letter, LetterState
from pathway.tasks import letter_send, letters_send_stalled
from pathway.tests import letter_factories as lf
from pathway.tests.broker import broker_unreachable
from pathway.tests.test_letters_mesh import practice_inbox

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture
def clinician_user(team):
    user = lf.consultant()
    team.members.add(user)
    return user


@pytest.fixture
def letter(clinician_user):
    episode = lf.discharged_episode(clinician=clinician_user)
    return lf.discharge_letter(episode, actor=clinician_user)


@pytest.fixture
def broker_down():
    with broker_unreachable():
        yield


# Committed for real, as in production: the hand-over to the broker runs when the approval commits.
@pytest.mark.django_db(transaction=True)
def test_approving_with_the_broker_down_tells_the_user_and_the_sweep_sends_it_once(
    mesh_sandbox, clinician_user, letter, broker_down
):
    web = Client()
    web.force_login(clinician_user)
    r = web.post(f"/letters/{letter.pk}/approve/", follow=True)
    page = r.content.decode()
    assert "Letter approved. Delivery is paused: the letter is saved and will be sent when delivery resumes." in page
    letter.refresh_from_db()
    assert letter.state == LetterState.QUEUED and letter.attempts == 0
    assert letter.last_error == letter_services.DELIVERY_PAUSED

    # The broker is back; the outbox sweep (beat, every 2 minutes) finds the letter no worker claimed.
    celery_app.conf.update(task_always_eager=True)
    assert letters_send_stalled.delay().get() == 0  # queued just now: its task may still be on its way
    Letter.objects.filter(pk=letter.pk).update(queued_at=timezone.now() - timedelta(minutes=3))
    assert letters_send_stalled.delay().get() == 1
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT and letter.attempts == 1 and letter.last_error == ""
    # A second sweep, or the original task arriving late, sends nothing more.
    assert letters_send_stalled.delay().get() == 0
    assert letter_send.delay(letter.pk).get() == "skipped"
    with practice_inbox(mesh_sandbox) as gp:
        assert gp.list_messages() == [letter.mesh_message_id]


@pytest.mark.django_db(transaction=True)
def test_api_approve_with_the_broker_down_answers_queued_with_the_reason(
    mesh_sandbox, api_as, clinician_user, letter, broker_down
):
    r = api_as(clinician_user).post(f"/api/v1/letters/{letter.pk}/approve/")
    assert r.status_code == 200
    assert (r.json()["state"], r.json()["last_error"]) == ("queued", letter_services.DELIVERY_PAUSED)


def test_a_letter_found_in_mesh_after_a_worker_died_keeps_the_time_mesh_accepted_it(
    mesh_sandbox, clinician_user, letter, monkeypatch, django_capture_on_commit_callbacks
):
    def worker_dies(**kwargs):
        raise SystemExit("worker killed after MESH accepted the message")

    monkeypatch.setattr(letter_services, "letter_mark_sent", worker_dies)
    with django_capture_on_commit_callbacks(execute=False):
        letter_services.letter_approve(letter=letter, actor=clinician_user)
    before_send = timezone.now().replace(microsecond=0)
    with pytest.raises(SystemExit):
        letter_send.run(letter.pk)
    after_send = timezone.now()
    monkeypatch.undo()

    time.sleep(2.1)  # the recovery comes later than the send
    Letter.objects.filter(pk=letter.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    recovery = timezone.now()
    assert letters_send_stalled.delay().get() == 1
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT
    assert before_send <= letter.sent_at <= after_send < recovery
