"""The consent, carers, communication, safeguarding and incident forms."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from careplans.tests.factories import accepted_episode
from safeguarding.models import Carer, Consent, Incident, SafeguardingConcern

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


def test_patient_page_records_communication_needs_consent_and_a_carer(clinician, team):
    episode = accepted_episode(team=team)
    web = _client(clinician)
    base = f"/safeguarding/patients/{episode.patient_id}/"
    assert web.get(base).status_code == 200
    r = web.post(
        base + "communication/", {"communication_format": "audio", "interpreter_needed": "on", "language": "Arabic"}
    )
    assert r.status_code == 302
    r = web.post(base + "consent/", {"scope": "share_carer", "given": "no", "method": "written", "on": "2026-10-10"})
    assert r.status_code == 302
    r = web.post(base + "carers/", {"name": "Sam", "relationship": "partner", "attends_appointments": "on"})
    assert r.status_code == 302
    page = web.get(base).content.decode()
    assert "Interpreter needed: Arabic" in page and "Letters in audio" in page
    assert "Declined or withdrawn" in page and "Sam" in page
    care = web.get(f"/care/episodes/{episode.pk}/").content.decode()
    assert "Comes to appointments:</strong> Sam (partner)" in care
    assert "Consent declined or withdrawn:</strong> sharing with relatives or carers" in care
    assert Consent.objects.get().given is False and Carer.objects.get().attends_appointments


def test_patient_page_refuses_a_consent_dated_before_the_referral(clinician, team):
    episode = accepted_episode(team=team)
    r = _client(clinician).post(
        f"/safeguarding/patients/{episode.patient_id}/consent/",
        {"scope": "treatment", "given": "yes", "method": "verbal", "on": "2026-09-01"},
    )
    assert r.status_code == 400 and "cannot be before the referral" in r.content.decode()
    assert not Consent.objects.exists()


def test_episode_page_raises_and_the_lead_closes_a_concern_and_reviews_a_death(clinician, service_lead, team):
    episode = accepted_episode(team=team, state="treatment")
    web = _client(clinician)
    url = f"/safeguarding/episodes/{episode.pk}/"
    r = web.post(
        url,
        {
            "record": "concern",
            "subject": "adult",
            "category": "domestic_abuse",
            "description": "Disclosed",
            "action": "Advised; IDVA referral",
        },
    )
    assert r.status_code == 302
    concern = SafeguardingConcern.objects.get()
    assert "1 open safeguarding concern" in web.get(url).content.decode()
    assert web.post(f"/safeguarding/concerns/{concern.pk}/close/", {"outcome": "x"}).status_code == 404
    lead = _client(service_lead)
    assert lead.post(f"/safeguarding/concerns/{concern.pk}/close/", {"outcome": "Safe at home"}).status_code == 302
    concern.refresh_from_db()
    assert not concern.is_open
    r = web.post(url, {"record": "incident", "kind": "death", "on": "2026-10-29", "description": "Died in hospital"})
    assert r.status_code == 302
    episode.refresh_from_db()
    assert episode.discharge_reason == "died"
    incident = Incident.objects.get()
    assert (
        lead.post(f"/safeguarding/incidents/{incident.pk}/review/", {"note": "Not related to treatment"}).status_code
        == 302
    )
    incident.refresh_from_db()
    assert incident.reviewed_by == service_lead


def test_episode_page_refuses_an_unknown_incident_kind(clinician, team):
    episode = accepted_episode(team=team)
    r = _client(clinician).post(
        f"/safeguarding/episodes/{episode.pk}/",
        {"record": "incident", "kind": "meteor", "on": "2026-10-29", "description": "x"},
    )
    assert r.status_code == 400 and not Incident.objects.exists()
