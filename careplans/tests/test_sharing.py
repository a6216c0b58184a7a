"""Sharing the care plan: with the GP by a ``care_plan`` letter (approved and sent through MESH like any
letter), with the patient, and with the tier 2 service under the patient's consent."""

import io

import pytest
import time_machine
from pypdf import PdfReader

from careplans.models import CarePlan, CarePlanShare
from careplans.tests.factories import accepted_episode
from pathway.models import Letter, LetterKind, LetterState
from pathway.tests.conftest import mesh_sandbox, mesh_sandbox_server  # noqa: F401

pytestmark = pytest.mark.django_db

TODAY = "2026-11-23 10:00 +00:00"
PLAN = {
    "goals": [{"goal": "Walk to the shops", "review_on": "2027-01-15"}],
    "therapies": ["Graded exercise"],
    "flare_up_plan": "Pace, heat, relaxation for up to five days.",
    "emergency_plan": "New leg weakness: call 999.",
}


@pytest.fixture
def episode(team):
    return accepted_episode(team=team)


@pytest.fixture
def api(api_as, clinician):
    return api_as(clinician)


def _plan(api, episode, **extra):
    r = api.post(f"/api/v1/episodes/{episode.pk}/careplan/", {**PLAN, **extra}, format="json")
    assert r.status_code == 201, r.json()
    return r.json()


def _share(api, episode, body, expect=200):
    r = api.post(f"/api/v1/episodes/{episode.pk}/careplan/share/", body, format="json")
    assert r.status_code == expect, r.content
    return r.json()


def _consent(api, episode, scope, given):
    r = api.post(
        f"/api/v1/patients/{episode.patient.pk}/consents/",
        {"scope": scope, "given": given, "method": "verbal", "on": "2026-11-20"},
        format="json",
    )
    assert r.status_code == 201, r.json()


def _pdf_text(pdf: bytes) -> str:
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


@time_machine.travel(TODAY, tick=False)
@pytest.mark.usefixtures("mesh_sandbox")
def test_sharing_with_the_gp_sends_a_care_plan_letter_through_mesh(api, episode, django_capture_on_commit_callbacks):
    plan = _plan(api, episode)
    assert plan["written_and_shared"] is False
    body = _share(api, episode, {"gp": True, "patient": True})
    assert body["shared_with_gp"] and body["shared_with_patient"] and body["written_and_shared"] is True
    shares = {s["recipient"]: s for s in body["shares"]}
    assert shares["patient"]["letter_id"] is None and shares["patient"]["shared_on"] == "2026-11-23"
    letter = Letter.objects.get(pk=shares["gp"]["letter_id"])
    assert (letter.kind, letter.recipient, letter.practice_id) == (LetterKind.CARE_PLAN, "gp", episode.practice_id)
    listed = api.get(f"/api/v1/letters/?kind=care_plan&episode={episode.pk}").json()
    assert [row["id"] for row in listed["results"]] == [letter.pk]

    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(f"/api/v1/letters/{letter.pk}/approve/")
    assert r.status_code == 200, r.content
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT and letter.mesh_message_id
    text = _pdf_text(bytes(letter.pdf))
    for expected in (
        "Care plan",
        "Written personalised care plan, version 1, shared with the patient and the GP",
        "Walk to the shops (review 15 Jan 2027)",
        "Pace, heat, relaxation for up to five days.",
        "New leg weakness: call 999.",
    ):
        assert expected in text

    # Sharing the same version again changes nothing: no second letter.
    _share(api, episode, {"gp": True})
    assert Letter.objects.filter(episode=episode, kind=LetterKind.CARE_PLAN).count() == 1


@time_machine.travel(TODAY, tick=False)
def test_the_care_plan_letter_states_the_version_shared_not_a_later_revision(api, episode):
    first = _plan(api, episode, shared_with_gp=True)
    letter = Letter.objects.get(episode=episode, kind=LetterKind.CARE_PLAN)
    _plan(api, episode, version=first["episode_version"], flare_up_plan="A later flare-up plan.")
    pdf = api.get(f"/api/v1/letters/{letter.pk}/pdf/")
    text = _pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)
    assert "Pace, heat, relaxation" in text and "A later flare-up plan." not in text


@time_machine.travel(TODAY, tick=False)
def test_a_declined_gp_consent_refuses_the_gp_share_and_writes_nothing(api, episode):
    _plan(api, episode)
    _consent(api, episode, "share_gp", False)
    body = _share(api, episode, {"gp": True, "patient": True}, expect=409)
    assert body["code"] == "consent_not_given"
    assert not Letter.objects.filter(kind=LetterKind.CARE_PLAN).exists()
    assert not CarePlanShare.objects.exists()
    assert CarePlan.objects.get(episode=episode).shared_with_patient is False


@time_machine.travel(TODAY, tick=False)
def test_sharing_with_the_tier2_service_needs_consent_and_a_service_name(api, episode):
    _plan(api, episode)
    assert _share(api, episode, {"tier2": True}, expect=400).keys() == {"tier2_service"}
    refused = _share(api, episode, {"tier2": True, "tier2_service": "Darlington MSK pain"}, expect=409)
    assert refused["code"] == "consent_not_given"
    _consent(api, episode, "share_tier2", True)
    body = _share(api, episode, {"tier2": True, "tier2_service": "Darlington MSK pain"})
    assert body["shared_with_tier2"] is True and body["written_and_shared"] is False
    assert body["shares"] == [
        {"recipient": "tier2", "shared_on": "2026-11-23", "service": "Darlington MSK pain", "letter_id": None}
    ]


@time_machine.travel(TODAY, tick=False)
def test_sharing_needs_a_plan_someone_to_share_with_and_a_date_not_in_the_future(api, episode):
    assert _share(api, episode, {"gp": True}, expect=409)["code"] == "no_care_plan"
    _plan(api, episode)
    assert "patient" in _share(api, episode, {}, expect=400)
    assert "on" in _share(api, episode, {"patient": True, "on": "2026-11-24"}, expect=400)


@time_machine.travel(TODAY, tick=False)
def test_the_share_form_records_the_sharing_and_the_episode_page_shows_it(client, clinician, episode, api):
    _plan(api, episode)
    episode.refresh_from_db()
    client.force_login(clinician)
    page = client.get(f"/care/episodes/{episode.pk}/careplan/share/")
    assert page.status_code == 200 and "Share with the GP" in page.content.decode()
    r = client.post(
        f"/care/episodes/{episode.pk}/careplan/share/",
        {"version": episode.version, "patient": "on", "gp": "on", "on": "2026-11-23"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    html = client.get(f"/care/episodes/{episode.pk}/").content.decode()
    assert "Shared with the GP" in html and "Written and shared" in html and "care plan letter" in html
    assert Letter.objects.filter(episode=episode, kind=LetterKind.CARE_PLAN).count() == 1
