"""Communication needs from the referral onwards: the format arrives with the referral, and the triage card shows it."""

import pytest
import time_machine
from django.test import Client

from pathway.models import Episode, Patient
from referrals.tests.factories import referral_payload
from safeguarding.models import CommunicationNeeds

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-11-05 10:00 +00:00", tick=False):
        yield


def test_referral_brings_the_interpreter_and_format_to_the_triage_card(api_as, spa_user, practice):
    body = referral_payload(practice, interpreter_needed=True, interpreter_language="Farsi")
    body["communication_format"] = "easy_read"
    r = api_as(spa_user).post("/api/v1/referrals/", body, format="json")
    assert r.status_code == 201, r.json()
    patient = Patient.objects.get(pk=r.json()["patient_id"])
    assert patient.communication_needs.format == "easy_read"
    client = Client()
    client.force_login(spa_user)
    card = client.get(f"/triage/episodes/{r.json()['episode_id']}/").content.decode()
    assert "Interpreter needed: Farsi" in card and "Letters in easy read" in card
    queue = client.get("/triage/").content.decode()
    assert "Interpreter: Farsi" in queue


def test_referral_with_an_unknown_format_is_refused_and_nothing_written(api_as, spa_user, practice):
    body = {**referral_payload(practice), "communication_format": "smoke_signals"}
    r = api_as(spa_user).post("/api/v1/referrals/", body, format="json")
    assert r.status_code == 400 and "communication_format" in r.json()
    assert not Patient.objects.exists() and not Episode.objects.exists() and not CommunicationNeeds.objects.exists()
