from datetime import date

import pytest
import time_machine

from outcomes.models import PromResponse
from pathway.models import PathwayEvent
from pathway.tests import factories as f

from .factories import accepted_episode

pytestmark = pytest.mark.django_db

EQ5D = {"mobility": 2, "self_care": 1, "usual_activities": 1, "pain_discomfort": 4, "anxiety_depression": 3, "vas": 60}


def url(episode):
    return f"/api/v1/episodes/{episode.pk}/proms/"


def test_pseq_posted_returns_total_and_is_stored_with_version(api_as, clinician, team):
    episode = accepted_episode(team=team)
    r = api_as(clinician).post(
        url(episode),
        {"instrument": "PSEQ", "timepoint": "entry", "answers": {"items": [3, 3, 3, 3, 3, 3, 3, 3, 3, 4]}},
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["total"] == 31 and body["instrument"] == "PSEQ" and body["timepoint"] == "entry"
    assert body["complete"] is True and body["id"]
    stored = PromResponse.objects.get(pk=body["id"])
    assert stored.scores == {"total": 31, "band": "31-40"}
    assert stored.instrument_version == "PSEQ-10 v1" and stored.entered_by == clinician
    assert PathwayEvent.objects.filter(episode=episode, kind="prom").exists()


def test_bpi_interference_null_when_fewer_than_four_answered(api_as, service_lead):
    episode = accepted_episode()
    client = api_as(service_lead)
    answers = {"severity": [8, 2, 5, 6], "interference": [5, 6, 7, None, None, None, None]}
    r = client.post(url(episode), {"instrument": "BPI", "timepoint": "entry", "answers": answers}, format="json")
    assert r.status_code == 201
    assert r.json()["severity"] == 5.25 and r.json()["interference"] is None and r.json()["complete"] is False
    answers["interference"][3] = 6
    r = client.post(url(episode), {"instrument": "BPI", "timepoint": "entry", "answers": answers}, format="json")
    assert r.status_code == 201 and r.json()["interference"] == 6.0 and r.json()["complete"] is True


def test_eq5d_index_three_places_default_uk_and_england_selectable(api_as, service_lead):
    episode = accepted_episode()
    client = api_as(service_lead)
    r = client.post(url(episode), {"instrument": "EQ5D5L", "timepoint": "entry", "answers": EQ5D}, format="json")
    assert r.status_code == 201
    assert {k: r.json()[k] for k in ("profile", "index", "vas", "value_set")} == {
        "profile": "21143",
        "index": 0.471,
        "vas": 60,
        "value_set": "UK2026",
    }
    other = accepted_episode()
    body = {"instrument": "EQ5D5L", "timepoint": "entry", "answers": EQ5D, "value_set": "ENG2018"}
    r = client.post(url(other), body, format="json")
    assert r.json()["index"] == 0.562 and r.json()["value_set"] == "ENG2018"
    assert PromResponse.objects.get(pk=r.json()["id"]).value_set == "ENG2018"


@pytest.mark.parametrize(
    "instrument, answers, expected",
    [
        ("PSEQ", {"items": [3, 3, 9, 3, 3, 3, 3, 3, 3, 3]}, {"items": ["Item 3 must be a whole number from 0 to 6."]}),
        (
            "PSEQ",
            {"items": [3, 3, 3, None, 3, 3, 3, 3, 3, 3]},
            {"items": ["Item 4 is missing: answer 0 to 6."]},
        ),
        ("PSEQ", {}, {"items": ["Give a list of answers."]}),
        (
            "BPI",
            {"severity": [11, 1, 1, 1], "interference": [1, 1, 1, 1, 1, 1, -2]},
            {
                "severity": ["Severity item 1 must be a whole number from 0 to 10."],
                "interference": ["Interference item 7 must be a whole number from 0 to 10."],
            },
        ),
        (
            "EQ5D5L",
            {**EQ5D, "mobility": 6, "vas": 101},
            {
                "mobility": ["Mobility must be a level from 1 to 5."],
                "vas": ["The health scale (VAS) must be a whole number from 0 to 100."],
            },
        ),
        (
            "EQ5D5L",
            {k: v for k, v in EQ5D.items() if k != "self_care"},
            {"self_care": ["Self care is missing: give a level from 1 to 5."]},
        ),
    ],
)
def test_bad_answers_are_400_naming_each_item_and_nothing_stored(api_as, service_lead, instrument, answers, expected):
    episode = accepted_episode()
    body = {"instrument": instrument, "timepoint": "entry", "answers": answers}
    r = api_as(service_lead).post(url(episode), body, format="json")
    assert r.status_code == 400
    assert r.json() == expected
    assert not PromResponse.objects.exists()


def test_unknown_instrument_and_value_set_are_400(api_as, service_lead):
    episode = accepted_episode()
    r = api_as(service_lead).post(
        url(episode), {"instrument": "SF36", "timepoint": "later", "answers": {}, "value_set": "US"}, format="json"
    )
    assert r.status_code == 400 and {"instrument", "timepoint", "value_set"} <= set(r.json())


def test_second_complete_response_for_a_timepoint_is_409(api_as, service_lead):
    episode = accepted_episode()
    body = {"instrument": "PSEQ", "timepoint": "entry", "answers": {"items": [2] * 10}}
    client = api_as(service_lead)
    assert client.post(url(episode), body, format="json").status_code == 201
    r = client.post(url(episode), body, format="json")
    assert r.status_code == 409 and r.json()["code"] == "prom_exists"


def test_proms_list_paginated_and_access_checked(api_as, clinician, gp_user, service_lead):
    episode = accepted_episode()
    api_as(service_lead).post(
        url(episode), {"instrument": "PSEQ", "timepoint": "entry", "answers": {"items": [2] * 10}}, format="json"
    )
    r = api_as(service_lead).get(url(episode))
    assert r.status_code == 200 and r.json()["count"] == 1 and r.json()["results"][0]["total"] == 20
    # A clinician outside the episode's team does not see it at all.
    assert api_as(clinician).get(url(episode)).status_code == 404
    assert api_as(clinician).post(url(episode), {}, format="json").status_code == 404


def test_gp_practice_sees_no_proms_of_its_own_patients(api_as, gp_user):
    """DESIGN.md section 10: a GP practice sees its referrals and letters, not the clinical record."""
    episode = accepted_episode(practice=gp_user.profile.practice)
    assert api_as(gp_user).get(f"/api/v1/episodes/{episode.pk}/").status_code == 200
    assert api_as(gp_user).get(url(episode)).status_code == 404
    body = {"instrument": "PSEQ", "timepoint": "entry", "answers": {"items": [2] * 10}}
    assert api_as(gp_user).post(url(episode), body, format="json").status_code == 404
    assert not PromResponse.objects.exists()


def test_episode_rejected_at_triage_takes_no_proms(api_as, service_lead):
    from pathway import services

    episode = f.open_episode()
    services.episode_transition(episode=episode, to="rejected")
    body = {"instrument": "PSEQ", "timepoint": "entry", "answers": {"items": [2] * 10}}
    r = api_as(service_lead).post(url(episode), body, format="json")
    assert r.status_code == 409 and r.json()["code"] == "episode_closed"


@time_machine.travel(date(2026, 11, 2))
def test_completed_on_in_future_is_400(api_as, service_lead):
    episode = accepted_episode()
    body = {"instrument": "PSEQ", "timepoint": "entry", "answers": {"items": [2] * 10}, "completed_on": "2026-11-03"}
    r = api_as(service_lead).post(url(episode), body, format="json")
    assert r.status_code == 400 and "completed_on" in r.json()


def test_only_the_instruments_answers_are_stored(api_as, service_lead):
    episode = accepted_episode()
    answers = {**EQ5D, "note": "patient said more"}
    r = api_as(service_lead).post(
        url(episode), {"instrument": "EQ5D5L", "timepoint": "entry", "answers": answers}, format="json"
    )
    assert r.status_code == 201
    assert PromResponse.objects.get().answers == EQ5D


@pytest.mark.parametrize(
    "profile, value_set, index",
    [
        ("11111", "UK2026", 1.0),
        ("55555", "UK2026", -0.567),
        ("12345", "UK2026", 0.114),
        ("54321", "UK2026", 0.417),
        ("21312", "UK2026", 0.841),
        ("11111", "ENG2018", 1.0),
        ("55555", "ENG2018", -0.285),
        ("12345", "ENG2018", 0.322),
        ("54321", "ENG2018", 0.436),
        ("21312", "ENG2018", 0.801),
    ],
)
def test_eq5d_index_through_the_api_matches_the_reference_table(api_as, service_lead, profile, value_set, index):
    episode = accepted_episode()
    dims = ["mobility", "self_care", "usual_activities", "pain_discomfort", "anxiety_depression"]
    answers = {dim: int(level) for dim, level in zip(dims, profile, strict=True)} | {"vas": 0}
    body = {"instrument": "EQ5D5L", "timepoint": "entry", "answers": answers, "value_set": value_set}
    r = api_as(service_lead).post(url(episode), body, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["profile"] == profile and r.json()["index"] == index and r.json()["vas"] == 0
    assert r.json()["value_set"] == value_set


def post(client, episode, body):
    return client.post(url(episode), body, format="json")


def test_every_bad_field_is_named_at_once(api_as, service_lead):
    episode = accepted_episode()
    client = api_as(service_lead)
    r = post(client, episode, {"instrument": "PSEQ", "timepoint": "later", "answers": {"items": [9] + [1] * 9}})
    assert r.status_code == 400
    assert set(r.json()) == {"timepoint", "items"} and r.json()["items"] == [
        "Item 1 must be a whole number from 0 to 6."
    ]
    # Out of range and missing together, across both BPI parts.
    answers = {"severity": [5, None, 5, 5], "interference": [1, 1, 1, 1, 1, 1, 11]}
    r = post(client, episode, {"instrument": "BPI", "timepoint": "entry", "answers": answers})
    assert r.json() == {
        "severity": ["Severity item 2 is missing: answer 0 to 10."],
        "interference": ["Interference item 7 must be a whole number from 0 to 10."],
    }
    r = post(client, episode, {"instrument": "BPI", "timepoint": "entry", "answers": {"severity": [1, 2, 3]}})
    assert set(r.json()) == {"severity", "interference"}
    # One dimension out of range and the rest left out: each one named.
    r = post(client, episode, {"instrument": "EQ5D5L", "timepoint": "entry", "answers": {"mobility": 9}})
    assert r.status_code == 400
    assert set(r.json()) == {
        "mobility",
        "self_care",
        "usual_activities",
        "pain_discomfort",
        "anxiety_depression",
        "vas",
    }
    r = post(client, episode, {"instrument": "PSEQ", "timepoint": "entry", "answers": {"items": [9, None] + [1] * 8}})
    assert r.json() == {"items": ["Item 1 must be a whole number from 0 to 6.", "Item 2 is missing: answer 0 to 6."]}
    assert not PromResponse.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"instrument": "PSEQ", "timepoint": "entry", "answers": {"items": ["3"] * 10}}, "items"),
        ({"instrument": "PSEQ", "timepoint": "entry", "answers": {"items": "3333333333"}}, "items"),
        ({"instrument": "PSEQ", "timepoint": "entry", "answers": {"items": [3.0] * 10}}, "items"),
        ({"instrument": "PSEQ", "timepoint": "entry", "answers": {"items": [[1]] * 10}}, "items"),
        ({"instrument": "PSEQ", "timepoint": "entry", "answers": [1] * 10}, "answers"),
        ({"instrument": "PSEQ", "timepoint": "entry", "answers": None}, "answers"),
        ({"instrument": "PSEQ", "timepoint": "entry"}, "answers"),
        ({"instrument": ["PSEQ"], "timepoint": "entry", "answers": {}}, "instrument"),
        ({"instrument": "BPI", "timepoint": "entry", "answers": {"severity": "1234", "interference": {}}}, "severity"),
        ({"instrument": "EQ5D5L", "timepoint": "entry", "answers": {**EQ5D, "mobility": "2"}}, "mobility"),
        ({"instrument": "EQ5D5L", "timepoint": "entry", "answers": {**EQ5D, "vas": 60.5}}, "vas"),
        ({"instrument": "EQ5D5L", "timepoint": "entry", "answers": EQ5D, "value_set": ["UK2026"]}, "value_set"),
        (
            {"instrument": "PSEQ", "timepoint": "entry", "answers": {"items": [1] * 10}, "value_set": "UK2026"},
            "value_set",
        ),
        (
            {"instrument": "PSEQ", "timepoint": "entry", "answers": {"items": [1] * 10}, "completed_on": "2026-13-01"},
            "completed_on",
        ),
    ],
)
def test_wrong_types_are_400_naming_the_field_never_500(api_as, service_lead, body, field):
    r = post(api_as(service_lead), accepted_episode(), body)
    assert r.status_code == 400 and field in r.json(), r.content
    assert all(isinstance(m, str) for messages in r.json().values() for m in messages)
    assert not PromResponse.objects.exists()


@pytest.mark.parametrize("raw", ['{"instrument": "PSEQ", ', "[1, 2]", '"PSEQ"', "null", ""])
def test_malformed_json_is_400_in_the_error_shape(api_as, service_lead, raw):
    r = api_as(service_lead).post(url(accepted_episode()), raw, content_type="application/json")
    assert r.status_code == 400
    body = r.json()
    assert body and all(isinstance(v, list) and all(isinstance(m, str) for m in v) for v in body.values())


@time_machine.travel(date(2026, 12, 1))
def test_followup_needs_a_discharged_episode_and_a_date_after_discharge(api_as, service_lead):
    from .factories import discharged_episode

    body = {"instrument": "PSEQ", "timepoint": "followup", "answers": {"items": [2] * 10}}
    client = api_as(service_lead)
    r = post(client, accepted_episode(), body)
    assert r.status_code == 409 and r.json()["code"] == "not_discharged" and r.json()["detail"]
    episode = discharged_episode(discharged_on=date(2026, 11, 2))
    r = post(client, episode, {**body, "completed_on": "2026-11-01"})
    assert r.status_code == 400 and list(r.json()) == ["completed_on"]
    r = post(client, episode, body)
    assert r.status_code == 201 and r.json()["timepoint"] == "followup" and r.json()["total"] == 20
    # A discharge questionnaire before the discharge is out of order (issue 15).
    r = post(client, accepted_episode(), {**body, "timepoint": "discharge"})
    assert r.status_code == 409 and r.json()["code"] == "prom_out_of_order"


@time_machine.travel(date(2026, 11, 2))
def test_completed_before_the_referral_was_received_is_400(api_as, service_lead):
    episode = accepted_episode(received_on=date(2026, 10, 1))
    body = {"instrument": "PSEQ", "timepoint": "entry", "answers": {"items": [2] * 10}, "completed_on": "2026-09-30"}
    r = post(api_as(service_lead), episode, body)
    assert r.status_code == 400 and "completed_on" in r.json()
    r = post(api_as(service_lead), episode, {**body, "completed_on": "2026-10-01"})
    assert r.status_code == 201


def test_wrong_method_is_405_and_unknown_episode_404(api_as, service_lead):
    client = api_as(service_lead)
    assert client.put(url(accepted_episode()), {}, format="json").status_code == 405
    assert client.post("/api/v1/episodes/999999/proms/", {}, format="json").status_code == 404


def test_eq5d_value_set_may_be_given_among_the_answers(api_as, service_lead):
    client = api_as(service_lead)
    body = {"instrument": "EQ5D5L", "timepoint": "entry", "answers": {**EQ5D, "value_set": "ENG2018"}}
    r = post(client, accepted_episode(), body)
    assert r.status_code == 201 and r.json()["value_set"] == "ENG2018" and r.json()["index"] == 0.562
    r = post(client, accepted_episode(), {**body, "value_set": "UK2026"})
    assert r.status_code == 400 and list(r.json()) == ["value_set"]
    r = post(client, accepted_episode(), {**body, "answers": {**EQ5D, "value_set": 5}})
    assert r.status_code == 400 and list(r.json()) == ["value_set"]
    r = post(client, accepted_episode(), {**body, "answers": {**EQ5D, "value_set": "US"}})
    assert r.status_code == 400 and list(r.json()) == ["value_set"]
    assert PromResponse.objects.count() == 1


@time_machine.travel(date(2026, 12, 1))
def test_an_entry_prom_after_discharge_or_a_discharge_prom_before_it_is_409(api_as, service_lead):
    from .factories import discharged_episode

    client = api_as(service_lead)
    pseq = {"instrument": "PSEQ", "answers": {"items": [2] * 10}}
    episode = discharged_episode(discharged_on=date(2026, 11, 2))
    for timepoint, completed_on in (("entry", "2026-11-03"), ("discharge", "2026-11-01")):
        r = post(client, episode, {**pseq, "timepoint": timepoint, "completed_on": completed_on})
        assert r.status_code == 409, (timepoint, r.content)
        assert r.json()["code"] == "prom_out_of_order" and "discharge on 2 November 2026" in r.json()["detail"]
    assert not episode.prom_responses.exists()
    # On the day of the discharge both are in order.
    for timepoint in ("entry", "discharge"):
        r = post(client, episode, {**pseq, "timepoint": timepoint, "completed_on": "2026-11-02"})
        assert r.status_code == 201, r.content
