from datetime import date

import pytest

from pathway.models import RecordAccess, Role
from pathway.tests import factories as f

pytestmark = pytest.mark.django_db


def test_token_sign_in_and_unauthenticated_is_401(api_client, clinician):
    assert api_client.get("/api/v1/episodes/1/").status_code == 401
    r = api_client.post(
        "/api/v1/auth/token/", {"username": clinician.username, "password": "secret-pass-123"}, format="json"
    )
    assert r.status_code == 200
    token = r.json()["token"]
    episode = f.open_episode()
    episode.team = clinician.teams.first()
    episode.save()
    r = api_client.get(f"/api/v1/episodes/{episode.pk}/", HTTP_AUTHORIZATION=f"Token {token}")
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"username": "nobody", "password": "wrong"}, {"non_field_errors"}),
        ({"username": "", "password": ""}, {"username", "password"}),
        ({}, {"username", "password"}),
        ([], {"non_field_errors"}),
    ],
)
def test_token_with_bad_credentials_is_400_naming_the_fields(api_client, body, fields):
    r = api_client.post("/api/v1/auth/token/", body, format="json")
    assert r.status_code == 400
    assert set(r.json()) == fields
    assert all(isinstance(m, list) and all(isinstance(x, str) for x in m) for m in r.json().values())


@pytest.mark.parametrize("header", ["Token abc\x00def", "Token \x00", "Token nosuchtoken"])
def test_a_malformed_or_unknown_token_is_401_on_every_database(api_client, header):
    """PostgreSQL refuses a NUL in a query: the token is refused before the lookup (a 500 before)."""
    r = api_client.get("/api/v1/referrals/", HTTP_AUTHORIZATION=header)
    assert r.status_code == 401
    assert r.json() == {"detail": "Invalid token."}


def test_episode_detail_fields_and_view_logged(api_as, service_lead):
    episode = f.open_episode(received_on=date(2026, 12, 24))
    r = api_as(service_lead).get(f"/api/v1/episodes/{episode.pk}/")
    assert r.status_code == 200
    body = r.json()
    for key in [
        "id",
        "patient_id",
        "state",
        "tier",
        "admitted_on",
        "discharged_on",
        "discharge_reason",
        "episode_limit_on",
        "rtt_clock_start",
        "rtt_clock_stop",
        "rtt_breach_on",
        "ome_total_mg_per_day",
        "version",
    ]:
        assert key in body
    assert body["state"] == "triage"
    assert body["rtt_clock_start"] == "2026-12-24"
    assert body["rtt_breach_on"] == "2027-04-30"
    assert body["ome_total_mg_per_day"] == 0
    assert RecordAccess.objects.filter(user=service_lead, episode=episode, via="api").count() == 1


def test_episode_of_another_practice_is_404_for_gp(api_as, gp_user):
    other = f.open_episode()
    assert api_as(gp_user).get(f"/api/v1/episodes/{other.pk}/").status_code == 404
    own = f.open_episode(patient=f.PatientFactory(practice=gp_user.profile.practice))
    assert api_as(gp_user).get(f"/api/v1/episodes/{own.pk}/").status_code == 200


def test_clinician_sees_only_team_episodes(api_as, clinician):
    episode = f.open_episode()
    assert api_as(clinician).get(f"/api/v1/episodes/{episode.pk}/").status_code == 404


def test_events_oldest_first(api_as, service_lead):
    episode = f.open_episode()
    client = api_as(service_lead)
    r = client.post(f"/api/v1/episodes/{episode.pk}/transition/", {"to": "assessment", "version": 1}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "transition_not_allowed"
    r = client.get(f"/api/v1/episodes/{episode.pk}/events/")
    assert r.status_code == 200
    events = r.json()
    assert events[0]["new_state"] == "triage"
    assert [e["kind"] for e in events][:2] == ["transition", "rtt"]


def test_transition_api_errors(api_as, service_lead):
    episode = f.open_episode()
    from pathway import services

    services.episode_transition(episode=episode, to="accepted")
    client = api_as(service_lead)
    url = f"/api/v1/episodes/{episode.pk}/transition/"
    r = client.post(url, {"to": "limbo"}, format="json")
    assert r.status_code == 400 and "to" in r.json()
    r = client.post(url, {"to": "assessment", "version": 1}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    r = client.post(url, {"to": "assessment", "version": 2, "reason": "seen"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "assessment" and r.json()["version"] == 3
    r = client.post(url, {"to": "discharged", "version": 3}, format="json")
    assert r.status_code == 409
    assert client.get(url).status_code == 405


def test_gp_cannot_transition(api_as, gp_user):
    own = f.open_episode(patient=f.PatientFactory(practice=gp_user.profile.practice))
    r = api_as(gp_user).post(f"/api/v1/episodes/{own.pk}/transition/", {"to": "assessment"}, format="json")
    assert r.status_code == 403


def test_pages_sign_in_home_patient(client, service_lead):
    assert client.get("/").status_code == 302
    r = client.post("/sign-in/", {"username": service_lead.username, "password": "secret-pass-123"})
    assert r.status_code == 302
    r = client.get("/")
    assert r.status_code == 200 and b"Patient tracking list" in r.content
    episode = f.open_episode()
    r = client.get(f"/patients/{episode.patient_id}/")
    assert r.status_code == 200
    assert episode.patient.nhs_number_display.encode() in r.content
    assert RecordAccess.objects.filter(user=service_lead, patient=episode.patient, via="web").exists()
    assert client.get("/patients/?q=Smith").status_code == 200
    assert client.get("/deadlines/breached/").status_code == 200


def test_patient_page_is_404_for_others(client):
    user = f.UserFactory(role=Role.COMMISSIONER)
    client.force_login(user)
    episode = f.open_episode()
    assert client.get(f"/patients/{episode.patient_id}/").status_code == 404


def test_schema_and_docs(client, service_lead):
    client.force_login(service_lead)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
