"""The patient's questionnaire link: steps, save part-way, submit once; bad links store nothing."""

from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from outcomes import services
from outcomes.models import ExperienceSurvey, PromInvitation, PromResponse

from .factories import accepted_episode, discharged_episode

pytestmark = pytest.mark.django_db


def send_link(episode, timepoint, outbox):
    invitation = services.prom_invitation_create(episode=episode, timepoint=timepoint, today=date.today())
    services.prom_invitation_send(invitation_id=invitation.pk)
    token = outbox[-1].body.split("/outcomes/q/")[1].split("/")[0]
    return invitation, token


def answer(client, token, step, data, action="continue"):
    return client.post(f"/outcomes/q/{token}/", {"step": step, "action": action, **data})


PSEQ_1 = {f"pseq_item_{i}": 4 for i in range(1, 6)}
PSEQ_2 = {f"pseq_item_{i}": 3 for i in range(6, 11)}
BPI_SEV = {"bpi_severity_1": 8, "bpi_severity_2": 3, "bpi_severity_3": 5, "bpi_severity_4": 6}
BPI_INT = {f"bpi_interference_{i}": 6 for i in range(1, 4)}  # only 3 of 7 answered
EQ5D = {
    "eq5d_mobility": 2,
    "eq5d_self_care": 1,
    "eq5d_usual_activities": 1,
    "eq5d_pain_discomfort": 4,
    "eq5d_anxiety_depression": 3,
}


def test_patient_answers_step_by_step_and_submits_once(prom_outbox):
    episode = accepted_episode(email="p@example.invalid")
    invitation, token = send_link(episode, "entry", prom_outbox)
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/outcomes/q/{token}/")
    assert page.status_code == 200
    assert "Step 1 of 6" in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"
    csrf = page.cookies["csrftoken"].value
    r = client.post(f"/outcomes/q/{token}/", {"step": 1, "action": "continue", "csrfmiddlewaretoken": csrf, **PSEQ_1})
    assert r.status_code == 302 and r["Location"].endswith("?step=2")
    # Without the CSRF token the POST is refused.
    assert Client(enforce_csrf_checks=True).post(f"/outcomes/q/{token}/", {"step": 2, **PSEQ_2}).status_code == 403

    client = Client()
    assert "Step 2 of 6" in client.get(f"/outcomes/q/{token}/").content.decode()
    # Save part-way and come back later: the answers are kept on the invitation.
    r = answer(client, token, 2, PSEQ_2, action="later")
    assert r.status_code == 200 and "Your answers are saved" in r.content.decode()
    invitation.refresh_from_db()
    assert invitation.partial_answers["pseq_item_7"] == 3 and invitation.used_at is None
    assert not PromResponse.objects.exists()
    assert "Step 3 of 6" in client.get(f"/outcomes/q/{token}/").content.decode()

    answer(client, token, 3, BPI_SEV)
    answer(client, token, 4, BPI_INT)
    answer(client, token, 5, EQ5D)
    r = answer(client, token, 6, {"eq5d_vas": 70})
    assert r["Location"].endswith("?step=check")
    r = client.post(f"/outcomes/q/{token}/", {"action": "submit"})
    assert r.status_code == 200 and "Thank you" in r.content.decode()

    pseq, bpi, eq5d = (PromResponse.objects.get(instrument=i) for i in ("PSEQ", "BPI", "EQ5D5L"))
    assert pseq.complete and pseq.scores == {"total": 35, "band": "31-40"} and pseq.source == "patient_link"
    # Three interference answers: stored incomplete, no interference score guessed.
    assert not bpi.complete and bpi.scores == {"severity": 5.5, "interference": None}
    assert eq5d.complete and eq5d.scores["profile"] == "21143" and eq5d.value_set == "UK2026"
    invitation.refresh_from_db()
    assert invitation.used_at is not None and invitation.partial_answers == {}

    # Reused: a clear page, and nothing more is stored.
    r = client.get(f"/outcomes/q/{token}/")
    assert r.status_code == 404 and "already been sent" in r.content.decode()
    r = answer(client, token, 1, PSEQ_1)
    assert r.status_code == 404
    r = client.post(f"/outcomes/q/{token}/", {"action": "submit"})
    assert r.status_code == 404 and PromResponse.objects.count() == 3


def test_out_of_range_answer_shows_error_and_saves_nothing(prom_outbox):
    episode = accepted_episode(email="p@example.invalid")
    invitation, token = send_link(episode, "entry", prom_outbox)
    r = answer(Client(), token, 1, {**PSEQ_1, "pseq_item_2": 9})
    assert r.status_code == 200 and "There is a problem" in r.content.decode()
    invitation.refresh_from_db()
    assert invitation.partial_answers == {}


def test_tampered_token_shows_clear_page_and_stores_nothing(prom_outbox):
    episode = accepted_episode(email="p@example.invalid")
    invitation, token = send_link(episode, "entry", prom_outbox)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    client = Client()
    r = client.get(f"/outcomes/q/{tampered}/")
    assert r.status_code == 404 and "This link does not work" in r.content.decode()
    assert answer(client, tampered, 1, PSEQ_1).status_code == 404
    assert client.post(f"/outcomes/q/{tampered}/", {"action": "submit"}).status_code == 404
    invitation.refresh_from_db()
    assert invitation.partial_answers == {} and invitation.used_at is None


def test_expired_token_shows_clear_page_and_stores_nothing(prom_outbox):
    episode = accepted_episode(email="p@example.invalid")
    invitation, token = send_link(episode, "entry", prom_outbox)
    with time_machine.travel(timezone.now() + timedelta(days=28, minutes=1)):
        client = Client()
        r = client.get(f"/outcomes/q/{token}/")
        assert r.status_code == 404 and "This link has expired" in r.content.decode()
        assert answer(client, token, 1, PSEQ_1).status_code == 404
        assert client.post(f"/outcomes/q/{token}/", {"action": "submit"}).status_code == 404
    invitation.refresh_from_db()
    assert invitation.partial_answers == {} and not PromResponse.objects.exists()


def test_link_never_sent_does_not_open(prom_outbox):
    episode = accepted_episode()  # no email or phone: nothing sent
    services.prom_invitation_create(episode=episode, timepoint="entry", today=date.today())
    assert PromInvitation.objects.get().sent_at is None
    assert Client().get("/outcomes/q/anything-at-all/").status_code == 404


def test_reminder_carries_the_same_link_as_the_first_message(prom_outbox):
    episode = accepted_episode(email="p@example.invalid")
    invitation, first = send_link(episode, "entry", prom_outbox)
    services.prom_invitation_send(invitation_id=invitation.pk, reminder=True)
    second = prom_outbox[-1].body.split("/outcomes/q/")[1].split("/")[0]
    assert second == first and prom_outbox[-1].subject.startswith("Reminder")
    assert Client().get(f"/outcomes/q/{first}/").status_code == 200


def test_discharge_link_includes_experience_survey(prom_outbox):
    episode = discharged_episode(discharged_on=date.today(), email="p@example.invalid")
    _, token = send_link(episode, "discharge", prom_outbox)
    client = Client()
    assert "Step 1 of 7" in client.get(f"/outcomes/q/{token}/").content.decode()
    answer(client, token, 7, {"experience_positive": "yes", "experience_comments": "Kind and helpful staff."})
    answer(client, token, 1, PSEQ_1)
    client.post(f"/outcomes/q/{token}/", {"action": "submit"})
    survey = ExperienceSurvey.objects.get(episode=episode)
    assert survey.positive and survey.comments == "Kind and helpful staff."
    pseq = PromResponse.objects.get(episode=episode, instrument="PSEQ")
    assert pseq.timepoint == "discharge" and not pseq.complete and pseq.scores == {}
    # Instruments not touched at all are not stored.
    assert PromResponse.objects.filter(episode=episode).count() == 1


def test_token_and_patient_identity_never_logged(prom_outbox, caplog):
    episode = accepted_episode(email="p@example.invalid", given_name="Zebedee")
    caplog.set_level("DEBUG")
    _, token = send_link(episode, "entry", prom_outbox)
    client = Client()
    client.get(f"/outcomes/q/{token}/")
    client.get(f"/outcomes/q/{token}x/")
    answer(client, token, 1, PSEQ_1)
    client.post(f"/outcomes/q/{token}/", {"action": "submit"})
    client.get(f"/outcomes/q/{token}/")
    logged = caplog.text
    assert token not in logged and "Zebedee" not in logged and episode.patient.nhs_number not in logged
    assert "p@example.invalid" not in logged


def test_sending_with_nothing_answered_is_refused_and_link_stays_open(prom_outbox):
    episode = accepted_episode(email="p@example.invalid")
    invitation, token = send_link(episode, "entry", prom_outbox)
    r = Client().post(f"/outcomes/q/{token}/", {"action": "submit"})
    assert r.status_code == 200 and "Answer at least one question" in r.content.decode()
    invitation.refresh_from_db()
    assert invitation.used_at is None and not PromResponse.objects.exists()


def test_used_link_is_404_with_a_clear_page_and_stores_nothing_more(prom_outbox):
    episode = accepted_episode(email="p@example.invalid")
    invitation, token = send_link(episode, "entry", prom_outbox)
    client = Client()
    answer(client, token, 1, PSEQ_1)
    answer(client, token, 2, PSEQ_2)
    assert client.post(f"/outcomes/q/{token}/", {"action": "submit"}).status_code == 200
    assert PromResponse.objects.count() == 1
    r = client.get(f"/outcomes/q/{token}/")
    assert r.status_code == 404 and "already been sent" in r.content.decode()
    assert "no-store" in r["Cache-Control"]
    assert answer(client, token, 3, BPI_SEV).status_code == 404
    assert client.post(f"/outcomes/q/{token}/", {"action": "submit"}).status_code == 404
    invitation.refresh_from_db()
    assert PromResponse.objects.count() == 1 and invitation.partial_answers == {}


def test_first_link_works_after_the_reminder_until_used(prom_outbox):
    episode = accepted_episode(email="p@example.invalid")
    invitation, token = send_link(episode, "entry", prom_outbox)
    services.prom_invitation_send(invitation_id=invitation.pk, reminder=True)
    assert len(prom_outbox) == 2 and token in prom_outbox[-1].body
    client = Client()
    answer(client, token, 1, PSEQ_1)
    client.post(f"/outcomes/q/{token}/", {"action": "submit"})
    assert client.get(f"/outcomes/q/{token}/").status_code == 404


def test_link_works_until_the_moment_it_expires(prom_outbox):
    episode = accepted_episode(email="p@example.invalid")
    invitation, token = send_link(episode, "entry", prom_outbox)
    with time_machine.travel(invitation.expires_at - timedelta(minutes=1)):
        assert Client().get(f"/outcomes/q/{token}/").status_code == 200
    with time_machine.travel(invitation.expires_at):
        r = Client().get(f"/outcomes/q/{token}/")
        assert r.status_code == 404 and "This link has expired" in r.content.decode()


@pytest.mark.parametrize("step", ["", "abc", "-5", "999", "1.5", "check"])
def test_any_step_parameter_gives_a_page_never_a_500(prom_outbox, step):
    episode = accepted_episode(email="p@example.invalid")
    _, token = send_link(episode, "entry", prom_outbox)
    client = Client(raise_request_exception=False)
    assert client.get(f"/outcomes/q/{token}/?step={step}").status_code == 200
    for number in range(1, 7):
        answer(client, token, number, {})
    # Every step passed (left blank): still a page, not an error.
    assert client.get(f"/outcomes/q/{token}/?step={step}").status_code == 200


@pytest.mark.parametrize(
    "step, data",
    [
        (1, {"pseq_item_1": "abc"}),
        (1, {"pseq_item_1": "7"}),
        (3, {"bpi_severity_1": "-1"}),
        (5, {"eq5d_mobility": "6"}),
        (6, {"eq5d_vas": "50.5"}),
        (6, {"eq5d_vas": "1e3"}),
        (6, {"eq5d_vas": "101"}),
        (6, {"eq5d_vas": "99999999999999999999999"}),
    ],
)
def test_bad_form_answers_are_field_errors_and_nothing_saved(prom_outbox, step, data):
    episode = accepted_episode(email="p@example.invalid")
    invitation, token = send_link(episode, "entry", prom_outbox)
    r = answer(Client(), token, step, data)
    assert r.status_code == 200 and "There is a problem" in r.content.decode()
    invitation.refresh_from_db()
    assert invitation.partial_answers == {} and not PromResponse.objects.exists()


def test_no_patient_identity_logged_through_schedule_expiry_and_reuse(
    prom_outbox, caplog, django_capture_on_commit_callbacks
):
    from outcomes import tasks

    episode = accepted_episode(email="zeb@example.invalid", phone="07700900123", given_name="Zebedee")
    caplog.set_level("DEBUG")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.run_prom_schedule.delay().get()
    token = prom_outbox[-1].body.split("/outcomes/q/")[1].split("/")[0]
    client = Client()
    answer(client, token, 1, PSEQ_1)
    client.post(f"/outcomes/q/{token}/", {"action": "submit"})
    client.get(f"/outcomes/q/{token}/")
    with time_machine.travel(timezone.now() + timedelta(days=60)):
        client.get(f"/outcomes/q/{token}/")
    patient = episode.patient
    for secret in (token, patient.given_name, patient.family_name, patient.nhs_number, patient.email, patient.phone):
        assert secret not in caplog.text


def test_questionnaire_post_with_the_origin_chromium_sends_passes_csrf(prom_outbox, settings):
    """Under Referrer-Policy same-origin Chromium posts ``Origin: <scheme>://<host>``, which CSRF accepts; under
    the old no-referrer it posted ``Origin: null`` and every patient on Chrome, Edge or Android got a 403."""
    settings.CSRF_COOKIE_SECURE = False
    episode = accepted_episode(email="p@example.invalid")
    _, token = send_link(episode, "entry", prom_outbox)
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/outcomes/q/{token}/")
    assert page["Referrer-Policy"] in ("same-origin", "strict-origin", "strict-origin-when-cross-origin")
    form = {"step": 1, "action": "continue", "csrfmiddlewaretoken": page.cookies["csrftoken"].value, **PSEQ_1}
    refused = client.post(f"/outcomes/q/{token}/", form, HTTP_ORIGIN="null")
    assert refused.status_code == 403
    posted = client.post(f"/outcomes/q/{token}/", form, HTTP_ORIGIN="http://testserver")
    assert posted.status_code == 302 and posted["Location"].endswith("?step=2")
