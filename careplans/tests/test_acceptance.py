"""Acceptance audit of clinical care through the API: rule edges and bad input never a 500."""

from datetime import date

import pytest
import time_machine

from careplans.models import CarePlan, Extension, MedicationLine
from careplans.tests.factories import accepted_episode
from pathway.models import Letter, Role, RttPeriod
from pathway.tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = "2026-11-23 10:00 +00:00"


@pytest.fixture
def lead(api_as, service_lead):
    return api_as(service_lead)


def add_line(client, episode, **payload):
    return client.post(f"/api/v1/episodes/{episode.pk}/medications/", payload, format="json")


def attend_first_appointment(client, episode, when="2026-11-02"):
    r = client.post(f"/api/v1/episodes/{episode.pk}/appointments/", {"kind": "new", "date": when}, format="json")
    assert r.status_code == 201, r.json()
    assert client.post(f"/api/v1/appointments/{r.json()['id']}/outcome/", {"outcome": "attended"}).status_code == 200


# --- OME: every factor of DESIGN.md section 6 through the API -----------------------------------


@time_machine.travel(TODAY)
@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"drug": "codeine", "route": "oral", "dose_mg": 30, "doses_per_day": 4}, 12.0),
        ({"drug": "dihydrocodeine", "route": "oral", "dose_mg": 30, "doses_per_day": 4}, 12.0),
        ({"drug": "tramadol", "route": "oral", "dose_mg": 50, "doses_per_day": 4}, 20.0),
        ({"drug": "tapentadol", "route": "oral", "dose_mg": 50, "doses_per_day": 2}, 40.0),
        ({"drug": "oxycodone", "route": "oral", "dose_mg": 20, "doses_per_day": 2}, 60.0),
        ({"drug": "hydromorphone", "route": "oral", "dose_mg": 2, "doses_per_day": 4}, 40.0),
        ({"drug": "morphine", "route": "oral", "dose_mg": 15, "doses_per_day": 2}, 30.0),
        ({"drug": "buprenorphine", "route": "transdermal", "patch_mcg_per_hour": 10}, 24.0),
        ({"drug": "fentanyl", "route": "transdermal", "patch_mcg_per_hour": 12}, 30.0),
        ({"drug": "fentanyl", "route": "transdermal", "patch_mcg_per_hour": 25}, 62.5),
        ({"drug": "Oxycodone", "route": "ORAL", "dose_mg": "5", "doses_per_day": "4"}, 30.0),
    ],
)
def test_ome_of_each_drug_and_route_matches_the_design_factors(lead, payload, expected):
    episode = accepted_episode()
    r = add_line(lead, episode, **payload)
    assert r.status_code == 201, r.json()
    assert r.json()["ome_mg_per_day"] == expected
    assert r.json()["review_due_on"] == "2027-01-04"
    assert lead.get(f"/api/v1/episodes/{episode.pk}/").json()["ome_total_mg_per_day"] == expected


@time_machine.travel(TODAY)
def test_a_patch_without_a_route_is_transdermal_and_an_oral_only_drug_is_oral(lead):
    episode = accepted_episode()
    r = add_line(lead, episode, drug="fentanyl", patch_mcg_per_hour=25)
    assert r.status_code == 201, r.json()
    assert r.json()["ome_mg_per_day"] == 62.5
    r = add_line(lead, episode, drug="oxycodone", dose_mg=10, doses_per_day=2)
    assert r.status_code == 201 and r.json()["ome_mg_per_day"] == 30.0
    assert {(m.drug, m.route) for m in MedicationLine.objects.all()} == {
        ("fentanyl", "transdermal"),
        ("oxycodone", "oral"),
    }


@time_machine.travel(TODAY)
def test_mixed_oral_and_patch_total_reaching_the_threshold_alerts_the_gp(lead):
    episode = accepted_episode()
    add_line(lead, episode, drug="fentanyl", route="transdermal", patch_mcg_per_hour=25)  # 62.5
    assert not Letter.objects.filter(kind="opioid_alert").exists()
    r = add_line(lead, episode, drug="tramadol", route="oral", dose_mg=93.75, doses_per_day=4)  # 37.5
    assert r.json()["ome_total_mg_per_day"] == 100.0
    letter = Letter.objects.get(kind="opioid_alert", episode=episode)
    assert letter.due_on == date(2026, 11, 26)


@time_machine.travel("2027-02-19 10:00 +00:00")
def test_review_due_six_weeks_after_the_change_across_a_month_end(lead):
    episode = accepted_episode(received_on=date(2027, 1, 4))
    r = add_line(lead, episode, drug="codeine", route="oral", dose_mg=30, doses_per_day=4, started_on="2027-01-31")
    assert r.json()["review_due_on"] == "2027-03-14"


@time_machine.travel(TODAY)
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"drug": "oxycodone", "route": "oral", "dose_mg": -5, "doses_per_day": 2}, "dose_mg"),
        ({"drug": "oxycodone", "route": "oral", "dose_mg": "NaN", "doses_per_day": 2}, "dose_mg"),
        ({"drug": "oxycodone", "route": "oral", "dose_mg": 1e300, "doses_per_day": 2}, "dose_mg"),
        ({"drug": "fentanyl", "route": "transdermal", "patch_mcg_per_hour": 1e9}, "patch_mcg_per_hour"),
        ({"drug": "fentanyl", "route": "transdermal", "patch_mcg_per_hour": -12}, "patch_mcg_per_hour"),
        ({"drug": "heroin", "route": "oral", "dose_mg": 5, "doses_per_day": 2}, "drug"),
        ({"drug": ["oxycodone"], "route": "oral", "dose_mg": 5, "doses_per_day": 2}, "drug"),
        ({"drug": "oxycodone", "route": "rectal", "dose_mg": 5, "doses_per_day": 2}, "route"),
        (
            {"drug": "oxycodone", "route": "oral", "dose_mg": 5, "doses_per_day": 2, "started_on": "9999-12-31"},
            "started_on",
        ),
        (
            {"drug": "oxycodone", "route": "oral", "dose_mg": 5, "doses_per_day": 2, "started_on": "2026-02-30"},
            "started_on",
        ),
    ],
)
def test_impossible_medication_lines_are_400_naming_the_field(lead, payload, field):
    episode = accepted_episode()
    r = add_line(lead, episode, **payload)
    assert r.status_code == 400 and field in r.json(), r.json()
    assert not MedicationLine.objects.exists()


# --- RTT: a medication change by the service is a first definitive treatment --------------------


@time_machine.travel(TODAY)
def test_medication_change_after_first_attendance_stops_the_rtt_clock(lead):
    episode = accepted_episode(received_on=date(2026, 10, 1))
    attend_first_appointment(lead, episode)
    assert add_line(lead, episode, drug="morphine", route="oral", dose_mg=10, doses_per_day=2).status_code == 201
    period = RttPeriod.objects.get(episode=episode)
    assert (period.clock_stop, period.status_code) == (date(2026, 11, 23), "30")
    assert lead.get(f"/api/v1/episodes/{episode.pk}/").json()["rtt_clock_stop"] == "2026-11-23"


@time_machine.travel(TODAY)
def test_medication_recorded_before_first_attendance_leaves_the_clock_running(lead):
    episode = accepted_episode(received_on=date(2026, 10, 1))
    assert add_line(lead, episode, drug="morphine", route="oral", dose_mg=10, doses_per_day=2).status_code == 201
    assert RttPeriod.objects.get(episode=episode).clock_stop is None
    assert lead.get(f"/api/v1/episodes/{episode.pk}/").json()["rtt_clock_stop"] is None


@time_machine.travel(TODAY)
def test_stopping_a_line_after_first_attendance_stops_the_rtt_clock(lead):
    episode = accepted_episode(received_on=date(2026, 10, 1))
    line = add_line(lead, episode, drug="codeine", route="oral", dose_mg=30, doses_per_day=4).json()
    attend_first_appointment(lead, episode)
    assert RttPeriod.objects.get(episode=episode).clock_stop is None
    assert lead.delete(f"/api/v1/medications/{line['id']}/").status_code == 204
    assert RttPeriod.objects.get(episode=episode).clock_stop == date(2026, 11, 23)


# --- Care plan ---------------------------------------------------------------------------------


@time_machine.travel(TODAY)
def test_care_plan_answer_and_read_back_hold_its_written_contents(lead):
    episode = accepted_episode()
    url = f"/api/v1/episodes/{episode.pk}/careplan/"
    assert lead.get(url).status_code == 404
    payload = {
        "goals": [{"goal": "Walk 1 km", "review_on": "2027-01-15"}, "Return to work"],
        "education": ["Group PMP"],
        "therapies": ["ACT"],
        "clinical": ["Medication review"],
        "interventions": ["Medial branch block"],
        "flare_up_plan": "Pace, heat, rest",
        "emergency_plan": "Call 111",
        "shared_with_patient": True,
    }
    r = lead.post(url, payload, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["version"] == 1 and body["shared_with_patient"] is True
    assert body["goals"] == [
        {"goal": "Walk 1 km", "review_on": "2027-01-15"},
        {"goal": "Return to work", "review_on": ""},
    ]
    assert (body["interventions"], body["emergency_plan"]) == (["Medial branch block"], "Call 111")
    revision = {**payload, "emergency_plan": "Call 999", "version": body["episode_version"]}
    assert lead.post(url, revision, format="json").json()["version"] == 2
    latest = lead.get(url).json()
    assert (latest["version"], latest["emergency_plan"]) == (2, "Call 999")


@time_machine.travel(TODAY)
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"goals": {"goal": "x"}}, "goals"),
        ({"goals": [{"goal": "x", "review_on": "2026-02-30"}]}, "goals"),
        ({"goals": [{"review_on": "2027-01-01"}]}, "goals"),
        ({"education": "Group PMP"}, "education"),
        ({"therapies": [{"a": 1}]}, "therapies"),
        ({"shared_with_patient": "perhaps"}, "shared_with_patient"),
    ],
)
def test_bad_care_plan_is_400_naming_the_field(lead, payload, field):
    episode = accepted_episode()
    r = lead.post(f"/api/v1/episodes/{episode.pk}/careplan/", payload, format="json")
    assert r.status_code == 400 and field in r.json(), r.json()
    assert not CarePlan.objects.exists()


# --- Nine-month limit and extensions -----------------------------------------------------------


@time_machine.travel("2027-02-28 10:00 +00:00")
def test_extension_past_a_month_end_limit_and_a_second_must_run_past_the_first(lead, api_as):
    episode = accepted_episode(received_on=date(2026, 5, 20), admitted_on=date(2026, 5, 31))
    assert lead.get(f"/api/v1/episodes/{episode.pk}/").json()["episode_limit_on"] == "2027-02-28"
    url = f"/api/v1/episodes/{episode.pk}/extension/"
    r = lead.post(url, {"rationale": "Awaiting RF denervation", "until": "2027-02-28"}, format="json")
    assert r.status_code == 400 and "until" in r.json()
    r = lead.post(url, {"rationale": "Awaiting RF denervation", "until": "2027-05-31"}, format="json")
    # Not in force until the commissioner agrees, even when the lead asks.
    assert r.status_code == 201 and r.json()["approved"] is False and r.json()["letter_id"] is None
    assert r.json()["state"] == "requested"
    commissioner = f.UserFactory(role=Role.COMMISSIONER, commissioner=episode.practice.commissioner)
    agreed = api_as(commissioner).post(
        f"/api/v1/extensions/{r.json()['id']}/decision/", {"decision": "agreed"}, format="json"
    )
    assert agreed.status_code == 200, agreed.json()
    assert lead.get(f"/api/v1/episodes/{episode.pk}/").json()["episode_limit_on"] == "2027-05-31"
    r = lead.post(url, {"rationale": "More time", "until": "2027-04-30"}, format="json")
    assert r.status_code == 400 and "until" in r.json()
    assert Extension.objects.count() == 1


@time_machine.travel(TODAY)
def test_extension_without_rationale_or_with_impossible_date_is_400_naming_both(lead):
    episode = accepted_episode()
    r = lead.post(f"/api/v1/episodes/{episode.pk}/extension/", {"rationale": "", "until": "2027-02-30"}, format="json")
    assert r.status_code == 400 and {"rationale", "until"} <= set(r.json())


# --- Bad input is never a 500 ------------------------------------------------------------------

BAD_BODIES = ["[]", "[1, 2]", "null", "1", '"text"', '{"date": "2026-02-30", "version": "x"}', '{"version": 1e40}']


@time_machine.travel(TODAY)
@pytest.mark.parametrize(
    "path",
    ["appointments/", "careplan/", "treatment-started/", "medications/", "discharge/", "extension/", "mdt-reviews/"],
)
def test_lists_scalars_and_impossible_values_are_400_not_500(lead, path):
    episode = accepted_episode()
    for body in BAD_BODIES:
        r = lead.post(f"/api/v1/episodes/{episode.pk}/{path}", body, content_type="application/json")
        assert r.status_code == 400, (body, r.status_code, r.content[:200])
        assert all(isinstance(v, list) for v in r.json().values())
    r = lead.post(f"/api/v1/episodes/{episode.pk}/{path}", "{not json", content_type="application/json")
    assert r.status_code == 400


@time_machine.travel(TODAY)
def test_wrong_method_is_405_and_unknown_objects_404(lead):
    episode = accepted_episode()
    assert lead.put(f"/api/v1/episodes/{episode.pk}/medications/", {}, format="json").status_code == 405
    assert lead.get(f"/api/v1/episodes/{episode.pk}/discharge/").status_code == 405
    assert lead.post("/api/v1/episodes/999999/medications/", {"drug": "morphine"}, format="json").status_code == 404
    assert lead.post("/api/v1/appointments/999999/outcome/", {"outcome": "dna"}, format="json").status_code == 404
    assert lead.delete("/api/v1/medications/999999/").status_code == 404


@time_machine.travel(TODAY)
def test_unauthenticated_is_401(api_client):
    episode = accepted_episode()
    r = api_client.post(f"/api/v1/episodes/{episode.pk}/careplan/", {}, format="json")
    assert r.status_code == 401
