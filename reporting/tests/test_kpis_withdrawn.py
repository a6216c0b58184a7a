"""Withdrawn and rejected referrals: never in the care-plan and discharge-letter denominators, never
sent PROMs or the experience survey (DESIGN.md section 8). Through the API, on the real calendar:
Monday 30 August 2027 is the summer bank holiday."""

from datetime import date

import pytest

from outcomes.models import PromInvitation
from outcomes.services import prom_schedule_run
from pathway.letters import services as letter_services
from pathway.models import Letter
from pathway.tests import factories as f
from reporting import services as reporting_services
from reporting.kpis import Scope, compute_kpis

from .test_kpis_acceptance import counts, discharge, kpis, on, post, refer, triage

pytestmark = pytest.mark.django_db

PLAN = {
    "goals": ["Walk to the shops"],
    "flare_up_plan": "Pace, heat, relaxation",
    "emergency_plan": "Call 111",
}


def _deliver(lead, actor, letter_id: int, day: str) -> None:
    letter = Letter.objects.get(pk=letter_id)
    with on(day):
        letter_services.letter_approve(letter=letter, actor=actor)
        letter_services.letter_mark_sent_by_hand(letter=letter, actor=actor)


@pytest.fixture
def no_mesh_practice(db):
    """Letters to this practice go by hand, so the test decides when each is delivered."""
    return f.PracticeFactory(mesh_mailbox="")


@pytest.fixture
def august(api_as, service_lead, no_mesh_practice, team):
    """``cared`` accepted, planned, shared and discharged on Fri 27 Aug 2027; ``withdrawn`` closed from
    triage the same day; ``rejected`` rejected at triage. Both letters delivered on Thu 2 Sep."""
    lead, practice = api_as(service_lead), no_mesh_practice
    cared = refer(lead, practice, "2027-06-01")
    accept = {"outcome": "accept", "tier": 2, "reason": "Meets the criteria", "team": team.code}
    post(lead, "2027-06-02", f"/api/v1/episodes/{cared}/triage/", accept)
    post(
        lead,
        "2027-06-10",
        f"/api/v1/episodes/{cared}/careplan/",
        {**PLAN, "shared_with_patient": True, "shared_with_gp": True},
    )
    withdrawn = refer(lead, practice, "2027-08-24")
    rejected = refer(lead, practice, "2027-08-24")
    triage(lead, "2027-08-25", rejected, outcome="reject")
    letters = {e: discharge(lead, "2027-08-27", e) for e in (cared, withdrawn)}
    assert letters[cared]["letter_due_on"] == "2027-09-02"
    for body in letters.values():
        _deliver(lead, service_lead, body["letter_id"], "2027-09-02")
    return {"lead": lead, "practice": practice, "cared": cared, "withdrawn": withdrawn, "rejected": rejected}


def test_a_withdrawn_referral_leaves_the_letter_kpi_at_one_of_one(august):
    with on("2027-09-10"):
        got = kpis(august["lead"], "2027-08", august["practice"])
    assert counts(got["discharge_letter_on_time"]) == (1, 1)
    assert got["discharge_letter_on_time"]["value"] == 1.0
    assert counts(got["care_plan_written"]) == (1, 1)


def test_the_snapshot_of_the_month_agrees_with_the_live_figures(august):
    scope = Scope(commissioner=august["practice"].commissioner)
    live = compute_kpis(scope, date(2027, 8, 1))
    reporting_services.kpi_snapshot_refresh(month=date(2027, 8, 1), today=date(2027, 9, 10))
    assert compute_kpis(scope, date(2027, 8, 1)) == live
    stored = {row["code"]: (row["numerator"], row["denominator"]) for row in live}
    assert stored["discharge_letter_on_time"] == (1, 1) and stored["care_plan_written"] == (1, 1)


def test_withdrawn_and_rejected_referrals_are_never_sent_proms_or_the_survey(august):
    for day in (date(2027, 8, 28), date(2027, 11, 27), date(2027, 11, 29)):
        prom_schedule_run(today=day)
    invited = set(PromInvitation.objects.values_list("episode_id", "timepoint"))
    assert (august["cared"], "discharge") in invited
    assert (august["cared"], "followup") in invited
    assert not {e for e, _ in invited} & {august["withdrawn"], august["rejected"]}
