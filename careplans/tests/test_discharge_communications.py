"""Discharge communications through the API on the real calendar: the GP letter and the patient's copy
(in the patient's format), both due 3 working days later, both stating how and until when to re-engage
through the SPA and the support plan; the GP letter also states the pain problem, the risk findings,
the PROM change and the OME total with its alert. Open urgent tasks need confirmation.

Friday 27 August 2027 is followed by the summer bank holiday on Monday 30 August."""

import io
from contextlib import contextmanager
from datetime import date

import pytest
import time_machine
from pypdf import PdfReader

from careplans.models import Discharge
from pathway.calendar import add_working_days
from pathway.models import Letter, LetterKind
from referrals.tests.factories import referral_payload

pytestmark = pytest.mark.django_db

DISCHARGE = {
    "date": "2027-08-27",
    "reason": "completed",
    "summary": "Completed the pain management programme.",
    "gp_actions": "Please continue the taper.",
    "support_plan": "Monthly peer support group at the leisure centre; flare-up leaflet.",
}


@contextmanager
def on(day: str):
    with time_machine.travel(f"{day}T10:00:00+01:00", tick=False):
        yield


def post(client, day: str, url: str, body: dict, expect=(200, 201)):
    with on(day):
        r = client.post(url, body, format="json")
    assert r.status_code in expect, (url, r.status_code, r.content[:800])
    return r.json() if r.content else {}


def pdf_text(client, letter_id: int) -> str:
    r = client.get(f"/api/v1/letters/{letter_id}/pdf/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pdf = b"".join(r.streaming_content) if r.streaming else r.content
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


@pytest.fixture
def lead(api_as, service_lead):
    return api_as(service_lead)


@pytest.fixture
def episode_id(lead, practice, team):
    """Referred in March 2027 with 14 months of low back pain, accepted, assessed (suicide risk found),
    an entry PSEQ of 20, on oxycodone 40 mg twice a day (120 mg OME, over the alert threshold)."""
    body = referral_payload(practice, received_on="2027-03-01", pain_nature="Aching, worse on standing")
    episode = post(lead, "2027-03-01", "/api/v1/referrals/", body)["episode_id"]
    post(
        lead,
        "2027-03-02",
        f"/api/v1/episodes/{episode}/triage/",
        {"outcome": "accept", "tier": 3, "reason": "ok", "team": team.code},
    )
    post(
        lead,
        "2027-03-15",
        f"/api/v1/episodes/{episode}/assessments/",
        {
            "assessed_on": "2027-03-15",
            "suicide_risk": True,
            "risk_notes": "Passive thoughts, no plan; crisis line given",
        },
    )
    post(
        lead,
        "2027-03-15",
        f"/api/v1/episodes/{episode}/proms/",
        {"instrument": "PSEQ", "timepoint": "entry", "answers": {"items": [2] * 10}},
    )
    post(
        lead,
        "2027-03-20",
        f"/api/v1/episodes/{episode}/medications/",
        {"drug": "oxycodone", "route": "oral", "dose_mg": 40, "doses_per_day": 2},
    )
    return episode


def test_discharge_with_open_urgent_tasks_is_409_listing_them_until_confirmed(lead, episode_id):
    url = f"/api/v1/episodes/{episode_id}/discharge/"
    refused = post(lead, "2027-08-27", url, DISCHARGE, expect=(409,))
    assert refused["code"] == "open_tasks"
    kinds = [task["kind"] for task in refused["open_tasks"]]
    # The oxycodone's 6-week review and the opioid stewardship review its rise from 0 to 120 mg opened.
    assert kinds == ["mental_health_referral", "medication_review", "medication_review"]
    assert "Urgent mental-health referral" in refused["detail"]
    assert not Discharge.objects.exists() and not Letter.objects.filter(kind=LetterKind.DISCHARGE).exists()

    body = post(lead, "2027-08-27", url, {**DISCHARGE, "confirm_open_tasks": True})
    assert [task["kind"] for task in body["open_tasks_confirmed"]] == kinds
    assert Discharge.objects.get(episode_id=episode_id).open_tasks_confirmed == body["open_tasks_confirmed"]


def test_friday_discharge_before_the_summer_bank_holiday_gives_gp_and_patient_letters_due_thursday(lead, episode_id):
    assert add_working_days(date(2027, 8, 27), 3) == date(2027, 9, 2)
    body = post(
        lead, "2027-08-27", f"/api/v1/episodes/{episode_id}/discharge/", {**DISCHARGE, "confirm_open_tasks": True}
    )
    assert body["letter_due_on"] == "2027-09-02"
    assert body["patient_copy_due_on"] == "2027-09-02"
    assert body["reengage_until"] == "2028-08-27"
    gp = Letter.objects.get(pk=body["letter_id"])
    copy = Letter.objects.get(pk=body["patient_copy_id"])
    assert (gp.kind, gp.recipient, gp.due_on) == (LetterKind.DISCHARGE, "gp", date(2027, 9, 2))
    assert (copy.kind, copy.recipient, copy.copy_of_id, copy.due_on) == ("patient_copy", "patient", gp.pk, gp.due_on)


def test_the_discharge_letter_states_problem_risks_prom_change_ome_alert_reengagement_and_support(lead, episode_id):
    body = post(
        lead, "2027-08-27", f"/api/v1/episodes/{episode_id}/discharge/", {**DISCHARGE, "confirm_open_tasks": True}
    )
    # The discharge questionnaire comes back after the discharge: PSEQ 20 -> 30.
    post(
        lead,
        "2027-08-31",
        f"/api/v1/episodes/{episode_id}/proms/",
        {"instrument": "PSEQ", "timepoint": "discharge", "answers": {"items": [3] * 10}},
    )
    with on("2027-08-31"):
        gp = pdf_text(lead, body["letter_id"])
        copy = pdf_text(lead, body["patient_copy_id"])
    for expected in (
        "Pain problem",
        "Lower back, for 14 months at referral. Aching, worse on standing",
        "Impact: Cannot work",
        "Found at assessment: Suicide risk.",
        "Passive thoughts, no plan; crisis line given",
        "PSEQ total (0-60, higher is better) 20 30 10 (improved)",
        "Current total oral morphine equivalent (OME): 120.00 mg per 24 hours.",
        "Opioid alert: the total is at or above the alert threshold of 100 mg OME per 24 hours.",
    ):
        assert expected in gp, expected
    for text in (gp, copy):
        assert "Monthly peer support group at the leisure centre; flare-up leaflet." in text
        assert "through its single point of access (SPA) until 27 August 2028, without a new referral" in text
    assert "Your copy of the letter we sent to your GP" in copy


def test_the_patient_copy_follows_the_patients_format(lead, episode_id):
    patient_id = lead.get(f"/api/v1/episodes/{episode_id}/").json()["patient_id"]
    with on("2027-08-20"):
        r = lead.patch(f"/api/v1/patients/{patient_id}/", {"communication_format": "easy_read"}, format="json")
    assert r.status_code == 200, r.content
    body = post(
        lead, "2027-08-27", f"/api/v1/episodes/{episode_id}/discharge/", {**DISCHARGE, "confirm_open_tasks": True}
    )
    copy = Letter.objects.get(pk=body["patient_copy_id"])
    assert copy.content["format"] == "easy_read"
    assert "format" not in Letter.objects.get(pk=body["letter_id"]).content
    with on("2027-08-27"):
        assert "PRODUCE THIS LETTER IN EASY READ" in pdf_text(lead, copy.pk)


def test_no_patient_copy_when_the_patient_died(lead, episode_id):
    body = post(
        lead,
        "2027-08-27",
        f"/api/v1/episodes/{episode_id}/discharge/",
        {**DISCHARGE, "reason": "died", "confirm_open_tasks": True},
    )
    assert body["patient_copy_id"] is None
    # The prescribing advice's patient copy, still unsent, is cancelled; nothing else goes to the patient.
    to_patient = Letter.objects.filter(episode_id=episode_id, recipient="patient")
    assert to_patient.exists()
    assert set(to_patient.values_list("kind", "state")) == {("patient_copy", "cancelled")}
    assert not to_patient.filter(copy_of__kind=LetterKind.DISCHARGE).exists()


def test_the_discharge_form_lists_open_tasks_and_needs_the_confirmation(client, service_lead, episode_id):
    from pathway.models import Episode

    version = Episode.objects.get(pk=episode_id).version
    with on("2027-08-27"):
        client.force_login(service_lead)
        page = client.get(f"/care/episodes/{episode_id}/discharge/").content.decode()
        assert "Open urgent tasks" in page and "Urgent mental-health referral" in page
        assert 'name="confirm_open_tasks"' in page
        form = {**DISCHARGE, "version": version, "treatment_exhausted": ""}
        refused = client.post(f"/care/episodes/{episode_id}/discharge/", form)
        assert refused.status_code == 409 and "open urgent tasks" in refused.content.decode()
        done = client.post(f"/care/episodes/{episode_id}/discharge/", {**form, "confirm_open_tasks": "on"})
    assert done.status_code == 302
    assert len(Discharge.objects.get(episode_id=episode_id).open_tasks_confirmed) == 3
