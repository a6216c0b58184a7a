"""The contract of issues 3 and 4 through the real API, at the edges: bad bodies, real calendars,
the RTT clock, the sweep and the nine-month limit, with frozen time."""

import json
from datetime import date, timedelta

import pytest
import time_machine

from pathway.models import Deadline, Episode, PathwayEvent, Patient, RttPeriod
from pathway.tasks import sweep_deadlines
from pathway.tests import factories as f
from referrals.models import Referral
from referrals.tests.factories import make_referral, referral_payload

pytestmark = pytest.mark.django_db

REFERRALS = "/api/v1/referrals/"


def at(moment: str):
    return time_machine.travel(moment, tick=False)


def written():
    return (
        Patient.objects.count(),
        Episode.objects.count(),
        Referral.objects.count(),
        RttPeriod.objects.count(),
        Deadline.objects.count(),
        PathwayEvent.objects.count(),
    )


def post_raw(client, url, body: str):
    return client.post(url, body, content_type="application/json")


NOT_OBJECTS = ["[1, 2]", '"text"', "5", "null", "{broken", "[]"]


@pytest.mark.parametrize("body", NOT_OBJECTS)
def test_referral_body_that_is_not_a_json_object_is_a_400_field_map_and_writes_nothing(api_as, spa_user, body):
    before = written()
    response = post_raw(api_as(spa_user), REFERRALS, body)
    assert response.status_code == 400
    errors = response.json()
    assert isinstance(errors, dict) and errors
    assert all(isinstance(messages, list) and messages for messages in errors.values())
    assert written() == before


@pytest.mark.parametrize("body", NOT_OBJECTS)
@pytest.mark.parametrize("path", ["triage", "info-received", "transition", "red-flags/clear"])
def test_episode_actions_refuse_bodies_that_are_not_objects_with_400(api_as, service_lead, body, path):
    with at("2026-11-05 10:00 +00:00"):
        referral = make_referral(received_on=date(2026, 11, 2))
        response = post_raw(api_as(service_lead), f"/api/v1/episodes/{referral.episode_id}/{path}/", body)
    assert response.status_code == 400, response.content
    assert all(isinstance(messages, list) for messages in response.json().values())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("date_of_birth", "2026-02-30"),
        ("received_on", "2026-02-29"),
        ("date_of_birth", "0001-01-01"),
        ("duration_months", "fourteen"),
        ("duration_months", 10**40),
        ("duration_months", -1),
        ("red_flags", "fracture"),
        ("red_flags", {"fracture": True}),
        ("nhs_number", ["9434765919"]),
        ("urgency", "soon"),
        ("sex", 3),
    ],
)
def test_wrong_types_and_impossible_values_are_400_naming_the_field(api_as, spa_user, practice, field, value):
    with at("2026-11-05 10:00 +00:00"):
        before = written()
        response = api_as(spa_user).post(REFERRALS, referral_payload(practice, **{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert written() == before


def test_impossible_date_is_named_in_plain_words(api_as, spa_user, practice):
    with at("2026-11-05 10:00 +00:00"):
        response = api_as(spa_user).post(
            REFERRALS, referral_payload(practice, date_of_birth="1970-02-30", received_on="2026-13-01"), format="json"
        )
    assert response.status_code == 400
    body = response.json()
    assert body["date_of_birth"] == ["Enter a real date in the form YYYY-MM-DD."]
    assert body["received_on"] == ["Enter a real date in the form YYYY-MM-DD."]


@pytest.mark.parametrize(
    ("received", "due", "breach"),
    [
        ("2026-12-24", "2026-12-30", "2027-04-30"),  # Christmas Day, Boxing Day on Sat, substitute Mon 28 Dec
        ("2026-12-26", "2026-12-30", "2027-05-02"),  # received on the Saturday Boxing Day
        ("2026-12-31", "2027-01-05", "2027-05-07"),  # New Year's Day 2027 across the year end
        ("2027-03-25", "2027-03-31", "2027-07-30"),  # Good Friday and Easter Monday 2027
    ],
)
def test_referral_api_dates_on_the_real_english_calendar(api_as, spa_user, practice, received, due, breach):
    with at("2027-04-01 12:00 +01:00"):
        response = api_as(spa_user).post(REFERRALS, referral_payload(practice, received_on=received), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["state"], body["triage_due_on"]) == ("triage", due)
    assert body["rtt_clock_start"] == received
    assert body["rtt_breach_on"] == breach == (date.fromisoformat(received) + timedelta(days=127)).isoformat()
    episode = api_as(spa_user).get(f"/api/v1/episodes/{body['episode_id']}/").json()
    assert (episode["rtt_clock_start"], episode["rtt_breach_on"], episode["rtt_clock_stop"]) == (received, breach, None)


def test_triage_deadline_over_christmas_breaches_once_on_the_first_day_after_it(api_as, spa_user, practice):
    with at("2026-12-24 09:00 +00:00"):
        body = api_as(spa_user).post(REFERRALS, referral_payload(practice, received_on=None), format="json").json()
    assert body["received_on"] == "2026-12-24" and body["triage_due_on"] == "2026-12-30"
    deadline = Deadline.objects.get(episode_id=body["episode_id"], kind="triage")
    for day in ("2026-12-25", "2026-12-28", "2026-12-30"):
        with at(f"{day} 23:30 +00:00"):
            sweep_deadlines()
        deadline.refresh_from_db()
        assert deadline.breached_on is None, day
    with at("2026-12-31 08:00 +00:00"):
        sweep_deadlines()
        sweep_deadlines()
        queue = api_as(spa_user).get("/api/v1/triage/queue/").json()["results"]
    deadline.refresh_from_db()
    assert deadline.breached_on == date(2026, 12, 31)
    assert PathwayEvent.objects.filter(episode_id=body["episode_id"], kind="deadline").count() == 1
    assert queue[0]["breached"] is True and queue[0]["days_left"] == -1


def test_rtt_deadline_is_in_time_on_day_126_and_breached_on_day_127(spa_user):
    with at("2026-12-24 09:00 +00:00"):
        referral = make_referral(received_on=date(2026, 12, 24), actor=spa_user)
    rtt = Deadline.objects.get(episode=referral.episode, kind="rtt")
    assert rtt.due_on == date(2027, 4, 29)
    with at("2027-04-29 22:00 +00:00"):  # 23:00 in London, still day 126
        sweep_deadlines()
    rtt.refresh_from_db()
    assert rtt.breached_on is None
    with at("2027-04-30 07:00 +01:00"):
        sweep_deadlines()
        sweep_deadlines()
    rtt.refresh_from_db()
    assert rtt.breached_on == date(2027, 4, 30)


def test_next_returns_the_episode_id_that_the_triage_endpoint_takes(api_as, spa_user, practice):
    with at("2026-11-05 10:00 +00:00"):
        f.PatientFactory()  # patients and episodes need not share numbering with referrals
        reengaged_gap = make_referral(practice=practice, received_on=date(2026, 11, 2))
        Episode.objects.filter(pk=reengaged_gap.episode_id).update(state="rejected")
        referral = make_referral(practice=practice, received_on=date(2026, 11, 3))
        client = api_as(spa_user)
        claimed = client.post("/api/v1/triage/next/").json()
        assert claimed["id"] == claimed["episode_id"] == referral.episode_id
        assert claimed["referral_id"] == referral.pk
        queue = client.get("/api/v1/triage/queue/").json()["results"]
        assert [row["id"] for row in queue] == [referral.episode_id]
        decided = client.post(
            f"/api/v1/episodes/{claimed['id']}/triage/", {"outcome": "accept", "tier": 2, "team": f.TeamFactory().code}
        )
    assert decided.status_code == 200, decided.json()
    assert (decided.json()["state"], decided.json()["admitted_on"]) == ("accepted", "2026-11-05")


@pytest.mark.parametrize(
    ("given", "stored"),
    [("MSK", "msk"), ("mental health urgent", "mental_health_urgent"), ("Other specialty", "other_specialty")],
)
def test_redirect_destination_in_plain_words(api_as, spa_user, given, stored):
    with at("2026-11-05 10:00 +00:00"):
        referral = make_referral(received_on=date(2026, 11, 2))
        response = api_as(spa_user).post(
            f"/api/v1/episodes/{referral.episode_id}/triage/",
            {"outcome": "redirect", "reason": "Needs MSK first", "redirect_to": given},
            format="json",
        )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "redirected" and body["triage_decision"]["redirect_to"] == stored
    assert body["rtt_clock_stop"] == "2026-11-05"


def test_unknown_redirect_destination_is_400_and_nothing_changes(api_as, spa_user):
    with at("2026-11-05 10:00 +00:00"):
        referral = make_referral(received_on=date(2026, 11, 2))
        response = api_as(spa_user).post(
            f"/api/v1/episodes/{referral.episode_id}/triage/",
            {"outcome": "redirect", "reason": "x", "redirect_to": "the moon"},
            format="json",
        )
    assert response.status_code == 400 and "redirect_to" in response.json()
    assert Episode.objects.get(pk=referral.episode_id).state == "triage"


@pytest.mark.parametrize(
    ("decided", "limit"),
    [
        ("2027-05-31 10:00 +01:00", "2028-02-29"),  # month end into a leap February
        ("2026-12-29 10:00 +00:00", "2027-09-29"),  # across the year end
    ],
)
def test_accepting_sets_the_nine_month_limit_in_calendar_months(api_as, spa_user, decided, limit):
    with at(decided):
        referral = make_referral(received_on=date.fromisoformat(decided[:10]) - timedelta(days=1))
        body = api_as(spa_user).post(
            f"/api/v1/episodes/{referral.episode_id}/triage/",
            {"outcome": "accept", "tier": 3, "team": f.TeamFactory().code},
            format="json",
        )
    assert body.status_code == 200, body.json()
    assert body.json()["episode_limit_on"] == limit
    assert Deadline.objects.get(episode_id=referral.episode_id, kind="episode_limit").due_on == date.fromisoformat(
        limit
    )


def test_second_referral_for_a_patient_with_an_accepted_episode_is_409(api_as, spa_user, practice):
    with at("2026-11-05 10:00 +00:00"):
        client = api_as(spa_user)
        first = client.post(REFERRALS, referral_payload(practice, n=31), format="json").json()
        client.post(f"/api/v1/episodes/{first['episode_id']}/triage/", {"outcome": "accept", "tier": 1}, format="json")
        before = written()
        again = client.post(REFERRALS, referral_payload(practice, n=31, given_name="Anne"), format="json")
    assert again.status_code == 409
    assert again.json() == {"detail": "The patient already has an open episode.", "code": "open_episode"}
    assert written() == before
    assert Patient.objects.get(pk=first["patient_id"]).given_name == "Ann"


def test_stale_version_on_triage_is_409_and_nothing_changes(api_as, spa_user):
    with at("2026-11-05 10:00 +00:00"):
        referral = make_referral(received_on=date(2026, 11, 2))
        url = f"/api/v1/episodes/{referral.episode_id}/triage/"
        version = api_as(spa_user).get(f"/api/v1/episodes/{referral.episode_id}/").json()["version"]
        stale = api_as(spa_user).post(url, {"outcome": "accept", "tier": 1, "version": version + 1}, format="json")
        fresh = api_as(spa_user).post(url, {"outcome": "accept", "tier": 1, "version": version}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert fresh.status_code == 200 and fresh.json()["version"] > version


def test_reengagement_cannot_be_dated_before_the_discharge(api_as, spa_user):
    with at("2026-11-05 10:00 +00:00"):
        referral = make_referral(received_on=date(2026, 3, 2))
        Episode.objects.filter(pk=referral.episode_id).update(
            state="discharged", discharged_on=date(2026, 10, 1), discharge_reason="completed"
        )
        response = api_as(spa_user).post(
            "/api/v1/referrals/reengage/",
            json.dumps({"nhs_number": referral.patient.nhs_number, "reason": "Flare-up", "received_on": "2026-09-30"}),
            content_type="application/json",
        )
    assert response.status_code == 400 and "received_on" in response.json()
    assert Episode.objects.filter(patient=referral.patient).count() == 1


def test_discharge_reason_is_null_until_discharge(api_as, spa_user):
    with at("2026-11-05 10:00 +00:00"):
        referral = make_referral(received_on=date(2026, 11, 2))
        body = api_as(spa_user).get(f"/api/v1/episodes/{referral.episode_id}/").json()
    assert body["discharged_on"] is None and body["discharge_reason"] is None


@pytest.mark.parametrize("role", ["spa", "lead"])
@pytest.mark.parametrize("page", ["abc", "-1", "0", "1.5", "\u0661", " 1"])
def test_a_bad_page_number_on_every_list_is_a_400_naming_page(api_as, spa_user, service_lead, role, page):
    with at("2026-11-05 10:00 +00:00"):
        episode_id = make_referral(received_on=date(2026, 11, 2)).episode_id
        client = api_as(spa_user if role == "spa" else service_lead)
        lists = (
            ["/api/v1/referrals/", "/api/v1/triage/queue/"]
            if role == "spa"
            else ["/api/v1/reports/ptl/", f"/api/v1/episodes/{episode_id}/proms/"]
        )
        for url in lists:
            response = client.get(url, {"page": page})
            assert response.status_code == 400, (url, response.content)
            assert list(response.json()) == ["page"], url
            # A page past the last is a page that does not exist; the first and "last" are there.
            assert client.get(url, {"page": "99999999999999999999"}).status_code == 404, url
            assert client.get(url, {"page": "1"}).status_code == 200, url
            assert client.get(url, {"page": "last"}).status_code == 200, url
