"""A discharge made through the public API gives a letter whose PDF holds what was entered."""

import io

import pytest
import time_machine
from pypdf import PdfReader

from pathway.tests import factories as f
from reporting.tests.test_kpis_acceptance import post, refer, triage

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    return " ".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def test_discharge_through_the_api_puts_every_design_field_in_the_pdf(api_as, practice):
    lead_user = f.UserFactory(role="service_lead", first_name="Chris", last_name="Okafor")
    lead = api_as(lead_user)
    episode_id = refer(lead, practice, "2027-01-04")
    triage(lead, "2027-01-06", episode_id)
    plan = {
        "goals": ["Walk to the shops"],
        "education": ["Group PMP"],
        "therapies": ["ACT"],
        "clinical": ["Medication review"],
        "interventions": ["Medial branch block"],
        "flare_up_plan": "Pace and rest for two days",
        "emergency_plan": "New leg weakness: call 999",
        "shared_with_patient": True,
    }
    post(lead, "2027-02-01", f"/api/v1/episodes/{episode_id}/careplan/", plan)
    body = {
        "date": "2027-05-28",
        "reason": "onward_referral",
        "summary": "Completed the group programme",
        "medication_changes": "Pregabalin stopped",
        "adverse_reactions": "Dizziness with pregabalin",
        "gp_actions": "Please review amitriptyline in 3 months",
        "treatment_exhausted": True,
        "onward_referral": "Community physiotherapy",
    }
    letter = post(lead, "2027-05-28", f"/api/v1/episodes/{episode_id}/discharge/", body)
    # Friday 28 May 2027 before the spring bank holiday: 1, 2, 3 June.
    assert letter["letter_due_on"] == "2027-06-03"
    with time_machine.travel("2027-05-28T12:00:00+01:00", tick=False):
        detail = lead.get(f"/api/v1/letters/{letter['letter_id']}/").json()
        assert {"id", "kind", "episode_id", "state", "due_on", "sent_at", "acknowledged_at", "mesh_message_id"} <= set(
            detail
        )
        assert (detail["kind"], detail["due_on"], detail["episode_id"]) == ("discharge", "2027-06-03", episode_id)
        response = lead.get(f"/api/v1/letters/{letter['letter_id']}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(response.streaming_content) if response.streaming else response.content)
    expected = [
        "Admission date 6 January 2027",
        "Discharge date 28 May 2027",
        "Completed the group programme",
        "Pregabalin stopped",
        "Dizziness with pregabalin",
        "Walk to the shops",
        "Group PMP",
        "Medial branch block",
        "Pace and rest for two days",
        "Emergency plan",
        "New leg weakness: call 999",
        "Please review amitriptyline in 3 months",
        "Re-referral is not indicated",
        "Community physiotherapy",
        "Chris Okafor",
    ]
    assert [item for item in expected if item not in text] == []
