"""Acceptance criteria as data, checked on accept, with a clinician's recorded override
(DESIGN.md section 6; API.md "Triage criteria, extensions and letters")."""

from datetime import date

import pytest
import time_machine
from django.contrib.auth.models import Group

from pathway.models import Deadline, Episode, PathwayEvent, Role
from pathway.tests import factories as f
from referrals.tests.factories import make_referral, referral_payload
from triage.models import AcceptanceCriterion, TriageDecision

pytestmark = pytest.mark.django_db

PAIN = "Pain must have lasted at least 3 months: the referral says 1 month."


@pytest.fixture
def triage_clinician(team):
    """A clinician who works in the SPA: may triage, and may override the acceptance criteria."""
    user = f.UserFactory(role=Role.CLINICIAN)
    user.groups.add(Group.objects.get_or_create(name=Role.SPA_TRIAGE)[0])
    team.members.add(user)
    return user


def refer(api, practice, **overrides) -> dict:
    # Friday 24 Dec 2026: Christmas Day and the Boxing Day substitute (Mon 28) are not working days.
    with time_machine.travel("2026-12-24 10:00 +00:00", tick=False):
        body = referral_payload(practice, n=41, received_on="2026-12-24", **overrides)
        response = api.post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def accept(api, episode_id, **extra):
    with time_machine.travel("2026-12-29 10:00 +00:00", tick=False):
        body = {"outcome": "accept", "tier": 2, **extra}
        return api.post(f"/api/v1/episodes/{episode_id}/triage/", body, format="json")


def test_the_seeded_criteria_are_data():
    assert list(AcceptanceCriterion.objects.values_list("code", "active", "threshold")) == [
        ("min_age", True, None),
        ("pain_duration", True, None),
        ("commissioner_served", True, None),
        ("not_excluded_condition", True, None),
    ]


def test_one_month_pain_is_refused_then_accepted_with_a_clinicians_override(
    api_as, spa_user, triage_clinician, team, practice
):
    referral = refer(api_as(spa_user), practice, duration_months=1)
    episode_id = referral["episode_id"]
    assert referral["triage_due_on"] == "2026-12-30"

    refused = accept(api_as(spa_user), episode_id, team=team.code)
    assert refused.status_code == 409
    assert refused.json()["code"] == "criteria_not_met"
    assert refused.json()["criteria"] == [PAIN]
    assert "override reason" in refused.json()["detail"]
    # SPA staff may not override.
    forbidden = accept(api_as(spa_user), episode_id, team=team.code, override_reason="GP asked")
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "override_not_allowed"
    episode = Episode.objects.get(pk=episode_id)
    assert episode.state == "triage" and episode.admitted_on is None and not TriageDecision.objects.exists()
    assert Deadline.objects.get(episode=episode, kind="triage").met_on is None

    ok = accept(
        api_as(triage_clinician),
        episode_id,
        team=team.code,
        override_reason="Acute-on-chronic flare: pain started 1 month ago but is disabling",
    )
    assert ok.status_code == 200, ok.json()
    body = ok.json()
    assert (body["state"], body["tier"], body["admitted_on"]) == ("accepted", 2, "2026-12-29")
    assert body["triage_decision"]["criteria_overridden"] == [PAIN]
    assert body["triage_decision"]["override_reason"].startswith("Acute-on-chronic flare")
    decision = TriageDecision.objects.get()
    assert decision.decided_by == triage_clinician and decision.criteria_overridden == [PAIN]
    event = PathwayEvent.objects.get(episode_id=episode_id, data__has_key="override_reason")
    assert PAIN in event.reason and event.actor == triage_clinician

    # The override shows on the episode page.
    client = api_as(triage_clinician)
    client.force_login(triage_clinician)
    page = client.get(f"/care/episodes/{episode_id}/").content.decode()
    assert "Acceptance override" in page and "Acute-on-chronic flare" in page and "1 month" in page


def test_three_months_meets_the_at_least_three_months_rule(api_as, spa_user, team, practice):
    referral = refer(api_as(spa_user), practice, duration_months=3)
    assert accept(api_as(spa_user), referral["episode_id"], team=team.code).status_code == 200


def test_every_failed_criterion_is_listed_and_the_lead_may_override(api_as, spa_user, service_lead, team, settings):
    practice = f.PracticeFactory()
    settings.PATHWAY_RULES = {**settings.PATHWAY_RULES, "commissioners_served": ["QZZ"]}
    referral = refer(api_as(spa_user), practice, duration_months=2)
    refused = accept(api_as(spa_user), referral["episode_id"], team=team.code)
    assert refused.status_code == 409
    criteria = refused.json()["criteria"]
    assert criteria[0] == "Pain must have lasted at least 3 months: the referral says 2 months."
    assert criteria[1].startswith(f"The patient's practice ({practice.name}) is in")
    assert "a commissioner this service does not serve" in criteria[1]
    empty = accept(api_as(service_lead), referral["episode_id"], team=team.code, override_reason="   ")
    assert empty.status_code == 409
    ok = accept(api_as(service_lead), referral["episode_id"], team=team.code, override_reason="Moving into area")
    assert ok.status_code == 200
    assert len(TriageDecision.objects.get().criteria_overridden) == 2


def test_criteria_are_admin_data_switched_off_or_given_a_threshold(api_as, spa_user, team):
    four_months = make_referral(received_on=date(2026, 11, 2), duration_months=4)
    AcceptanceCriterion.objects.filter(code="pain_duration").update(threshold=6)
    with time_machine.travel("2026-11-04 10:00 +00:00", tick=False):
        url = f"/api/v1/episodes/{four_months.episode_id}/triage/"
        refused = api_as(spa_user).post(url, {"outcome": "accept", "tier": 2, "team": team.code}, format="json")
        assert refused.json()["criteria"] == ["Pain must have lasted at least 6 months: the referral says 4 months."]
        AcceptanceCriterion.objects.filter(code="pain_duration").update(active=False)
        ok = api_as(spa_user).post(url, {"outcome": "accept", "tier": 2, "team": team.code}, format="json")
    assert ok.status_code == 200


def test_the_triage_page_shows_failed_criteria_and_offers_the_override_to_clinicians_only(
    client, spa_user, triage_clinician, team
):
    episode = make_referral(received_on=date(2026, 11, 2), duration_months=1).episode
    url = f"/triage/episodes/{episode.pk}/"
    client.force_login(spa_user)
    page = client.get(url).content.decode()
    assert "Acceptance criteria not met" in page and PAIN in page
    assert 'name="override_reason"' not in page
    refused = client.post(url, {"outcome": "accept", "tier": "2", "team": team.pk, "version": 1})
    assert refused.status_code == 400
    assert PAIN in refused.content.decode() and "Only a clinician or the service lead" in refused.content.decode()

    client.force_login(triage_clinician)
    page = client.get(url).content.decode()
    assert 'name="override_reason"' in page
    no_reason = client.post(url, {"outcome": "accept", "tier": "2", "team": team.pk, "version": 1})
    assert no_reason.status_code == 400 and "give the reason for the override" in no_reason.content.decode()
    with time_machine.travel("2026-11-04 10:00 +00:00", tick=False):
        ok = client.post(
            url,
            {"outcome": "accept", "tier": "2", "team": team.pk, "version": 1, "override_reason": "Severe, disabling"},
        )
    assert ok.status_code == 302
    episode.refresh_from_db()
    assert episode.state == "accepted" and episode.admitted_on == date(2026, 11, 4)
    assert TriageDecision.objects.get().override_reason == "Severe, disabling"


def test_spa_sends_a_referral_failing_a_criterion_to_a_clinician_who_accepts_it_with_an_override(
    api_as, spa_user, team, practice
):
    """A clinician outside the SPA sees the referral once it is sent to them, and may only accept it
    with an override; SPA staff keep every other decision."""
    from triage.models import RedFlagReview
    from triage.services import red_flag_review_request

    clinician = f.UserFactory(role=Role.CLINICIAN)
    team.members.add(clinician)
    referral = refer(api_as(spa_user), practice, duration_months=1)
    episode_id = referral["episode_id"]
    # Not yet sent: the clinician cannot see it.
    assert accept(api_as(clinician), episode_id, team=team.code, override_reason="Disabling").status_code == 404
    red_flag_review_request(
        referral=Episode.objects.get(pk=episode_id).referral, clinician=clinician, note="1 month", actor=spa_user
    )
    assert RedFlagReview.objects.filter(clinician=clinician).count() == 1
    # Sent: without an override the clinician may not decide.
    plain = accept(api_as(clinician), episode_id, team=team.code)
    assert plain.status_code == 403
    with time_machine.travel("2026-12-29 10:00 +00:00", tick=False):
        reject = api_as(clinician).post(
            f"/api/v1/episodes/{episode_id}/triage/", {"outcome": "reject", "reason": "No"}, format="json"
        )
    assert reject.status_code == 403
    assert Episode.objects.get(pk=episode_id).state == "triage"
    ok = accept(api_as(clinician), episode_id, team=team.code, override_reason="Disabling flare, GP asked")
    assert ok.status_code == 200, ok.json()
    assert ok.json()["triage_decision"]["criteria_overridden"] == [PAIN]


def test_in_the_browser_spa_sends_a_failing_referral_to_a_clinician_who_accepts_it_with_an_override(
    client, spa_user, team
):
    clinician = f.UserFactory(role=Role.CLINICIAN)
    team.members.add(clinician)
    episode = make_referral(received_on=date(2026, 11, 2), duration_months=1).episode
    url = f"/triage/episodes/{episode.pk}/"
    client.force_login(spa_user)
    page = client.get(url).content.decode()
    assert 'id="send-for-override"' in page
    sent = client.post(f"/triage/episodes/{episode.pk}/red-flags/send/", {"clinician": clinician.pk, "note": "1 month"})
    assert sent.status_code == 302

    client.force_login(clinician)
    page = client.get(url).content.decode()
    assert "Accept with an override" in page and PAIN in page and 'name="override_reason"' in page
    rejected = client.post(url, {"outcome": "reject", "reason": "No", "version": 1})
    assert rejected.status_code == 400 and "A clinician may only accept the referral" in rejected.content.decode()
    with time_machine.travel("2026-11-04 10:00 +00:00", tick=False):
        ok = client.post(
            url,
            {"outcome": "accept", "tier": "2", "team": team.pk, "version": 1, "override_reason": "Disabling flare"},
        )
    assert ok.status_code == 302
    episode.refresh_from_db()
    assert episode.state == "accepted" and episode.team_id == team.pk
    assert TriageDecision.objects.get().decided_by == clinician
