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


def test_gp_may_read_but_not_record(api_as, gp_user):
    episode = accepted_episode(practice=gp_user.profile.practice)
    assert api_as(gp_user).get(url(episode)).status_code == 200
    body = {"instrument": "PSEQ", "timepoint": "entry", "answers": {"items": [2] * 10}}
    assert api_as(gp_user).post(url(episode), body, format="json").status_code == 403


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
