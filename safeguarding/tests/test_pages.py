"""Banners on the patient's pages, the lead's task page and the commissioner's counts page."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from careplans.tests.factories import accepted_episode
from safeguarding.services import communication_needs_update, safeguarding_concern_raise

pytestmark = pytest.mark.django_db
TODAY = datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_communication_needs_and_open_concern_show_on_every_page_of_the_patient(clinician, team, service_lead):
    episode = accepted_episode(team=team)
    communication_needs_update(
        patient=episode.patient,
        actor=clinician,
        interpreter_needed=True,
        language="Urdu",
        communication_format="easy_read",
        learning_disability=True,
    )
    safeguarding_concern_raise(
        episode=episode, subject="adult", category="neglect", description="d", action="a", actor=clinician
    )
    client = _client(clinician)
    for url in (
        f"/patients/{episode.patient_id}/",
        f"/care/episodes/{episode.pk}/",
        f"/care/episodes/{episode.pk}/appointments/new/",
    ):
        html = client.get(url).content.decode()
        assert "Interpreter needed: Urdu" in html and "Letters in easy read" in html, url
        assert "Learning disability" in html and "1 open safeguarding concern" in html, url
    tasks = _client(service_lead).get("/safeguarding/").content.decode()
    assert "Neglect or acts of omission" in tasks and episode.reference in tasks
    assert _client(clinician).get("/safeguarding/").status_code == 404


def test_commissioner_counts_page_shows_numbers_not_patients(clinician, team, commissioner_user):
    episode = accepted_episode(team=team)
    commissioner_user.profile.commissioner = episode.practice.commissioner
    commissioner_user.profile.save()
    safeguarding_concern_raise(
        episode=episode,
        subject="child",
        category="physical",
        description="Bruising seen",
        action="Referred",
        actor=clinician,
    )
    r = _client(commissioner_user).get("/safeguarding/report/?month=2026-11")
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-count="raised">1<' in html
    for secret in (episode.patient.family_name, episode.patient.nhs_number, "Bruising", episode.reference):
        assert secret not in html
