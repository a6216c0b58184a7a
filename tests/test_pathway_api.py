"""One patient's whole pathway through the public API, on a real calendar with frozen time."""

import pytest
import time_machine

from pathway.models import Episode, Letter
from pathway.tests import factories as f

pytestmark = pytest.mark.django_db


def test_referral_to_discharge_letter_and_kpis_through_the_api(api_as, spa_user, service_lead, practice):
    spa, lead = api_as(spa_user), api_as(service_lead)
    nhs = f.next_nhs_number()
    with time_machine.travel("2026-12-24T10:00:00+00:00", tick=False):
        r = spa.post(
            "/api/v1/referrals/",
            {
                "nhs_number": f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}",
                "given_name": "Ann",
                "family_name": "Smith",
                "date_of_birth": "1970-02-01",
                "sex": "female",
                "postcode": "DL1 1AA",
                "practice_ods": practice.ods_code,
                "received_on": "2026-12-24",
                "ubrn": None,
                "pain_site": "lower back",
                "duration_months": 14,
                "impact": "Cannot work",
                "previous_treatments": "Physiotherapy",
                "medications": "Naproxen",
                "urgency": "routine",
                "red_flags": [],
                "reason": "Persistent low back pain",
            },
            format="json",
        )
        assert r.status_code == 201, r.json()
        referral = r.json()
        # Christmas Day and the Boxing Day substitute (Mon 28 Dec) are not working days.
        assert referral["triage_due_on"] == "2026-12-30"
        assert referral["state"] == "triage"
        assert (referral["rtt_clock_start"], referral["rtt_breach_on"]) == ("2026-12-24", "2027-04-30")
        episode_id = referral["episode_id"]

    with time_machine.travel("2026-12-29T10:00:00+00:00", tick=False):
        r = spa.post(
            f"/api/v1/episodes/{episode_id}/triage/",
            {"outcome": "accept", "tier": 2, "team": f.TeamFactory().code},
            format="json",
        )
        assert r.status_code == 200, r.json()
        episode = lead.get(f"/api/v1/episodes/{episode_id}/").json()
        assert (episode["state"], episode["tier"], episode["admitted_on"]) == ("accepted", 2, "2026-12-29")
        assert episode["episode_limit_on"] == "2027-09-29"

    with time_machine.travel("2027-01-11T10:00:00+00:00", tick=False):
        r = lead.post(
            f"/api/v1/episodes/{episode_id}/appointments/",
            {"kind": "new", "date": "2027-01-11", "mode": "face_to_face"},
            format="json",
        )
        assert r.status_code == 201, r.json()
        r = lead.post(f"/api/v1/appointments/{r.json()['id']}/outcome/", {"outcome": "attended"}, format="json")
        assert r.status_code == 200, r.json()
        r = lead.post(
            f"/api/v1/episodes/{episode_id}/proms/",
            {"instrument": "PSEQ", "timepoint": "entry", "answers": {"items": [2] * 10}},
            format="json",
        )
        assert r.status_code == 201 and r.json()["total"] == 20
        r = lead.post(
            f"/api/v1/episodes/{episode_id}/careplan/",
            {
                "goals": ["Walk to the shops"],
                "education": ["Group PMP"],
                "therapies": ["ACT"],
                "clinical": [],
                "interventions": [],
                "flare_up_plan": "Pace and rest",
                "emergency_plan": "Call 111",
                "shared_with_patient": True,
                "shared_with_gp": True,
            },
            format="json",
        )
        assert r.status_code in (200, 201), r.json()
        r = lead.post(
            f"/api/v1/episodes/{episode_id}/treatment-started/",
            {"date": "2027-01-11", "kind": "therapy"},
            format="json",
        )
        assert r.status_code in (200, 201), r.json()
        assert lead.get(f"/api/v1/episodes/{episode_id}/").json()["rtt_clock_stop"] == "2027-01-11"
        r = lead.post(
            f"/api/v1/episodes/{episode_id}/medications/",
            {"drug": "oxycodone", "route": "oral", "dose_mg": 20, "doses_per_day": 2},
            format="json",
        )
        assert r.status_code == 201, r.json()
        assert r.json()["ome_mg_per_day"] == 60
        assert r.json()["review_due_on"] == "2027-02-22"

    # Discharged on the Friday before Easter Monday 2027 is Thursday 25 March (Good Friday is 26 March):
    with time_machine.travel("2027-03-25T10:00:00+00:00", tick=False):
        r = lead.post(
            f"/api/v1/episodes/{episode_id}/discharge/",
            {
                "date": "2027-03-25",
                "reason": "completed",
                "summary": "Goals met",
                "medication_changes": "Oxycodone",
                "adverse_reactions": "None",
                "gp_actions": "Review oxycodone",
                "treatment_exhausted": False,
                "onward_referral": None,
                # The oxycodone's medication review is still open: the clinician confirms.
                "confirm_open_tasks": True,
            },
            format="json",
        )
        assert r.status_code in (200, 201), r.json()
        body = r.json()
        # The discharge questionnaire comes back on the day of the discharge, never before it.
        r = lead.post(
            f"/api/v1/episodes/{episode_id}/proms/",
            {"instrument": "PSEQ", "timepoint": "discharge", "answers": {"items": [4] * 10}},
            format="json",
        )
        assert r.status_code == 201 and r.json()["total"] == 40
        # Thu 25 Mar + 3 working days skips Good Friday and Easter Monday: Thursday 1 April.
        assert body["letter_due_on"] == "2027-04-01"
        letter = lead.get(f"/api/v1/letters/{body['letter_id']}/").json()
        assert (letter["kind"], letter["state"], letter["due_on"]) == ("discharge", "draft", "2027-04-01")
        pdf = lead.get(f"/api/v1/letters/{body['letter_id']}/pdf/")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        assert Episode.objects.get(pk=episode_id).state == "discharged"
        assert Letter.objects.filter(episode_id=episode_id, kind="discharge").count() == 1

    with time_machine.travel("2027-04-10T10:00:00+00:00", tick=False):
        code = practice.commissioner.code
        kpis = {k["code"]: k for k in lead.get(f"/api/v1/reports/kpis/?month=2027-03&commissioner={code}").json()}
        assert (kpis["care_plan_written"]["numerator"], kpis["care_plan_written"]["denominator"]) == (1, 1)
        assert (kpis["prom_improvement"]["numerator"], kpis["prom_improvement"]["denominator"]) == (1, 1)
        assert kpis["discharge_letter_on_time"]["denominator"] == 1
        assert kpis["discharge_letter_on_time"]["numerator"] == 0  # not delivered yet
        dec = {k["code"]: k for k in lead.get(f"/api/v1/reports/kpis/?month=2026-12&commissioner={code}").json()}
        assert (dec["triage_on_time"]["numerator"], dec["triage_on_time"]["denominator"]) == (1, 1)
        assert dec["rtt_18_weeks"]["denominator"] == 1 and dec["rtt_18_weeks"]["numerator"] == 1
