"""Stand-alone interventions (e.g. infrequent therapeutic injections, no other active treatment) are
flagged on the MDT review as "repatriate to tier 2", with the onward referral recorded."""

from datetime import date

import pytest
import time_machine

from careplans.models import MdtReview
from careplans.tests.factories import accepted_episode
from pathway.models import Episode, PathwayEvent

pytestmark = pytest.mark.django_db

# Wed 30 Dec 2026, between Boxing Day (substitute Mon 28) and New Year's Day.
TODAY = "2026-12-30 10:00 +00:00"


@pytest.fixture
def episode(clinician):
    return accepted_episode(received_on=date(2026, 10, 1), tier=3, team=clinician.teams.first())


def plan(api, episode, **lists):
    body = {
        "goals": [{"goal": "Keep walking the dog", "review_on": "2027-03-01"}],
        "education": [],
        "therapies": [],
        "clinical": [],
        "interventions": [],
        "flare_up_plan": "Pace and heat",
        "emergency_plan": "Call 111",
        **lists,
    }
    response = api.post(f"/api/v1/episodes/{episode.pk}/careplan/", body, format="json")
    assert response.status_code == 201, response.json()


def mdt(api, episode, **body):
    return api.post(
        f"/api/v1/episodes/{episode.pk}/mdt-reviews/",
        {"reviewed_on": "2026-12-29", "decision": "Reviewed at MDT", **body},
        format="json",
    )


@time_machine.travel(TODAY, tick=False)
def test_stand_alone_injections_are_flagged_repatriate_to_tier2_with_an_onward_referral(api_as, clinician, episode):
    api = api_as(clinician)
    plan(api, episode, interventions=["Greater occipital nerve block every 6 months"])
    missing = mdt(api, episode)
    assert missing.status_code == 400 and list(missing.json()) == ["onward_referral"]
    assert "stand-alone interventions" in missing.json()["onward_referral"][0]
    assert not MdtReview.objects.exists()

    done = mdt(api, episode, onward_referral="Darlington community pain service (tier 2)")
    assert done.status_code == 201, done.json()
    body = done.json()
    assert (body["standalone_intervention"], body["repatriate_to_tier2"]) == (True, True)
    assert body["onward_referral"] == "Darlington community pain service (tier 2)"
    event = PathwayEvent.objects.filter(episode=episode, data__mdt_review=body["id"], kind="clinical").get()
    assert "Repatriate to tier 2: onward referral to Darlington community pain service" in event.reason

    client = api_as(clinician)
    client.force_login(clinician)
    page = client.get(f"/care/episodes/{episode.pk}/").content.decode()
    assert "Repatriate to tier 2" in page and "(stand-alone interventions)" in page


@time_machine.travel(TODAY, tick=False)
def test_interventions_with_other_treatment_are_not_stand_alone_and_the_mdt_may_decide(api_as, clinician, episode):
    api = api_as(clinician)
    plan(api, episode, interventions=["Medial branch blocks"], therapies=["ACT"])
    ordinary = mdt(api, episode)
    assert ordinary.status_code == 201
    assert (ordinary.json()["standalone_intervention"], ordinary.json()["repatriate_to_tier2"]) == (False, False)
    # The MDT may repatriate anyway, with the onward referral; or keep stand-alone care on a clinical reason.
    chosen = mdt(api, episode, repatriate_to_tier2=True)
    assert chosen.status_code == 400 and "onward_referral" in chosen.json()
    plan(api, episode, interventions=["Trigger point injections"], version=Episode.objects.get(pk=episode.pk).version)
    kept = mdt(api, episode, repatriate_to_tier2=False, decision="RF denervation planned next month")
    assert kept.status_code == 201
    assert (kept.json()["standalone_intervention"], kept.json()["repatriate_to_tier2"]) == (True, False)


@time_machine.travel(TODAY, tick=False)
def test_the_mdt_form_records_the_repatriation(client, clinician, episode):
    plan_client = client
    plan_client.force_login(clinician)
    from careplans import services

    services.careplan_save(episode=episode, actor=clinician, interventions=["Facet joint injection"])
    episode.refresh_from_db()
    url = f"/care/episodes/{episode.pk}/mdt/"
    page = client.get(url).content.decode()
    assert 'name="onward_referral"' in page and 'name="repatriate_to_tier2"' in page
    refused = client.post(url, {"version": episode.version, "reviewed_on": "2026-12-29", "decision": "Reviewed"})
    assert refused.status_code == 400 and "record the onward referral" in refused.content.decode()
    done = client.post(
        url,
        {
            "version": episode.version,
            "reviewed_on": "2026-12-29",
            "decision": "Reviewed",
            "onward_referral": "Community MSK and pain service",
        },
    )
    assert done.status_code == 302
    review = MdtReview.objects.get()
    assert review.repatriate_to_tier2 and review.onward_referral == "Community MSK and pain service"
