"""Conditions for a regional tertiary centre (captured on the referral, offered as a tertiary
redirect) and an acute mental-health episode (triage deferred, not accepted)."""

from datetime import date

import pytest
import time_machine

from pathway.models import Episode, Letter
from referrals.models import Referral
from referrals.tests.factories import referral_payload
from referrals.tests.test_referral_pages import form_data
from triage.models import TriageDecision

pytestmark = pytest.mark.django_db

TUE = "2026-11-03 10:00 +00:00"
TERTIARY = "The referral is for a condition treated by a regional tertiary centre: Phantom limb pain."


def refer(api, practice, n=61, **overrides) -> dict:
    with time_machine.travel("2026-11-02 10:00 +00:00", tick=False):
        response = api.post(
            "/api/v1/referrals/", referral_payload(practice, n=n, received_on="2026-11-02", **overrides), format="json"
        )
    assert response.status_code == 201, response.json()
    return response.json()


def triage(api, episode_id, **body):
    with time_machine.travel(TUE, tick=False):
        return api.post(f"/api/v1/episodes/{episode_id}/triage/", body, format="json")


def test_tertiary_conditions_are_captured_and_redirected_to_the_tertiary_centre(api_as, spa_user, team, practice):
    bad = referral_payload(practice, n=60, excluded_conditions=["phantom_limb_pain", "gout"])
    with time_machine.travel("2026-11-02 10:00 +00:00", tick=False):
        refused = api_as(spa_user).post("/api/v1/referrals/", bad, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["excluded_conditions"]
    assert not Referral.objects.exists()

    body = refer(api_as(spa_user), practice, excluded_conditions=["phantom_limb_pain"])
    assert body["excluded_conditions"] == ["phantom_limb_pain"]
    episode_id = body["episode_id"]
    accept = triage(api_as(spa_user), episode_id, outcome="accept", tier=2, team=team.code)
    assert accept.status_code == 409 and accept.json()["criteria"] == [TERTIARY]

    client = api_as(spa_user)
    client.force_login(spa_user)
    page = client.get(f"/triage/episodes/{episode_id}/").content.decode()
    assert "For a regional tertiary centre" in page and "Regional tertiary pain centre" in page

    redirected = triage(
        api_as(spa_user), episode_id, outcome="redirect", redirect_to="tertiary", reason="Phantom limb pain"
    )
    assert redirected.status_code == 200, redirected.json()
    assert redirected.json()["state"] == "redirected"
    assert redirected.json()["triage_decision"]["redirect_to"] == "tertiary"
    letter = Letter.objects.get(episode_id=episode_id, kind="triage_outcome")
    assert letter.content["redirect_to_label"] == "Regional tertiary pain centre"


def test_the_referral_form_captures_tertiary_conditions_and_an_acute_mental_health_episode(client, gp_user, practice):
    client.force_login(gp_user)
    page = client.get("/referrals/new/").content.decode()
    assert 'name="excluded_conditions"' in page and 'name="acute_mental_health"' in page
    assert "Complex regional pain syndrome (CRPS)" in page and "Spinal cord stimulator review" in page
    data = form_data(
        practice,
        n=62,
        red_flags=[],
        excluded_conditions=["complex_regional_pain_syndrome", "spinal_cord_stimulator_review"],
        acute_mental_health="on",
    )
    with time_machine.travel("2026-11-05 10:00 +00:00", tick=False):
        response = client.post("/referrals/new/", data)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.excluded_conditions == ["complex_regional_pain_syndrome", "spinal_cord_stimulator_review"]
    assert referral.acute_mental_health is True


def test_an_acute_mental_health_episode_defers_triage_until_it_settles(api_as, spa_user, service_lead, team, practice):
    episode_id = refer(api_as(spa_user), practice, acute_mental_health=True)["episode_id"]
    refused = triage(api_as(spa_user), episode_id, outcome="accept", tier=2, team=team.code)
    assert refused.status_code == 409 and refused.json()["code"] == "acute_mental_health"
    assert "defer triage by requesting information" in refused.json()["detail"]
    # Not even the lead's override accepts it.
    overridden = triage(api_as(service_lead), episode_id, outcome="accept", tier=2, team=team.code, override_reason="x")
    assert overridden.status_code == 409 and overridden.json()["code"] == "acute_mental_health"
    assert Episode.objects.get(pk=episode_id).state == "triage" and not TriageDecision.objects.exists()

    no_reason = triage(api_as(spa_user), episode_id, outcome="request_info")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    deferred = triage(
        api_as(spa_user), episode_id, outcome="request_info", reason="Acute mental-health crisis: re-refer when settled"
    )
    assert deferred.status_code == 200 and deferred.json()["state"] == "info_requested"

    # Fri 6 Nov: information received, but the episode has not settled.
    with time_machine.travel("2026-11-06 10:00 +00:00", tick=False):
        back = api_as(spa_user).post(f"/api/v1/episodes/{episode_id}/info-received/", {"note": "GP letter"})
    assert back.status_code == 200 and back.json()["state"] == "triage"
    assert Referral.objects.get(episode_id=episode_id).triage_due_on == date(2026, 11, 10)
    assert triage(api_as(spa_user), episode_id, outcome="accept", tier=2, team=team.code).status_code == 409
    triage(api_as(spa_user), episode_id, outcome="request_info", reason="Still in crisis")
    with time_machine.travel("2026-11-06 10:00 +00:00", tick=False):
        settled = api_as(spa_user).post(
            f"/api/v1/episodes/{episode_id}/info-received/",
            {"note": "Crisis team discharged the patient", "mental_health_settled": True},
            format="json",
        )
    assert settled.status_code == 200
    assert Referral.objects.get(episode_id=episode_id).acute_mental_health is False
    with time_machine.travel("2026-11-09 10:00 +00:00", tick=False):
        ok = api_as(spa_user).post(
            f"/api/v1/episodes/{episode_id}/triage/", {"outcome": "accept", "tier": 2, "team": team.code}, format="json"
        )
    assert ok.status_code == 200 and ok.json()["admitted_on"] == "2026-11-09"
