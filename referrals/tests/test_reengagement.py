from datetime import date

import pytest
import time_machine

from pathway import services as core
from pathway.models import Episode
from referrals.models import Referral
from referrals.tests.factories import make_referral

pytestmark = pytest.mark.django_db
URL = "/api/v1/referrals/reengage/"


def discharged(on: date) -> Referral:
    referral = make_referral(received_on=date(2025, 1, 6), pain_site="neck", duration_months=8)
    episode = referral.episode
    core.episode_transition(episode=episode, to="accepted", reason="setup")
    core.episode_transition(episode=episode, to="discharged", reason="setup")
    Episode.objects.filter(pk=episode.pk).update(discharged_on=on, discharge_reason="completed")
    return referral


def test_spa_reengages_patient_discharged_within_window(api_as, spa_user):
    old = discharged(date(2025, 12, 1))
    with time_machine.travel("2026-11-30 10:00 +00:00", tick=False):
        response = api_as(spa_user).post(
            URL, {"nhs_number": old.patient.nhs_number_display, "reason": "Flare-up"}, format="json"
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["source"] == "reengagement" and body["state"] == "triage"
    assert body["rtt_clock_start"] == "2026-11-30" and body["triage_due_on"] == "2026-12-02"
    episode = Episode.objects.get(pk=body["episode_id"])
    assert episode.previous_episode_id == old.episode_id
    assert episode.rtt_periods.count() == 1
    new = Referral.objects.get(pk=body["id"])
    assert (new.pain_site, new.duration_months, new.reason) == ("neck", 8, "Flare-up")


def test_reengagement_after_window_is_refused_with_a_clear_message(api_as, spa_user):
    old = discharged(date(2025, 12, 1))
    with time_machine.travel("2026-12-02 10:00 +00:00", tick=False):
        response = api_as(spa_user).post(URL, {"nhs_number": old.patient.nhs_number, "reason": "x"}, format="json")
    assert response.status_code == 400
    message = response.json()["nhs_number"][0]
    assert "more than 12 months ago" in message and "GP referral is needed" in message
    assert Episode.objects.count() == 1


def test_reengagement_with_open_episode_is_409(api_as, spa_user):
    with time_machine.travel("2026-11-05 10:00 +00:00", tick=False):
        referral = make_referral(received_on=date(2026, 11, 2))
        response = api_as(spa_user).post(URL, {"nhs_number": referral.patient.nhs_number, "reason": "x"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "open_episode"


def test_only_spa_staff_reengage(api_as, gp_user):
    old = discharged(date(2025, 12, 1))
    response = api_as(gp_user).post(URL, {"nhs_number": old.patient.nhs_number, "reason": "x"}, format="json")
    assert response.status_code == 403


def test_reengagement_page_opens_linked_episode_or_explains_refusal(client, spa_user):
    old = discharged(date(2025, 12, 1))
    client.force_login(spa_user)
    with time_machine.travel("2026-12-02 10:00 +00:00", tick=False):
        refused = client.post("/referrals/reengage/", {"nhs_number": old.patient.nhs_number, "reason": "Flare"})
        assert refused.status_code == 400 and "A new GP referral is needed" in refused.content.decode()
    with time_machine.travel("2026-11-30 10:00 +00:00", tick=False):
        response = client.post(
            "/referrals/reengage/", {"nhs_number": old.patient.nhs_number, "reason": "Flare", "urgency": "routine"}
        )
    assert response.status_code == 302
    assert Episode.objects.get(state="triage").previous_episode_id == old.episode_id
