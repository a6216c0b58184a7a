"""KPIs, PTL and data set checked against numbers worked out by hand from DESIGN.md section 8.

Every row is made through the public API on the real England calendar with frozen time, in
date order, the way a service would make them. May 2027 has bank holidays on Monday 3 May and
Monday 31 May.
"""

import csv
import io
from contextlib import contextmanager

import pytest
import time_machine

from pathway.letters import services as letter_services
from pathway.models import Letter
from pathway.tests import factories as f
from referrals.tests.factories import referral_payload

pytestmark = pytest.mark.django_db


@contextmanager
def on(day: str):
    with time_machine.travel(f"{day}T10:00:00+01:00", tick=False):
        yield


def refer(client, practice, received_on: str) -> int:
    nhs = f.next_nhs_number()
    with on(received_on):
        r = client.post(
            "/api/v1/referrals/",
            referral_payload(practice, nhs_number=nhs, received_on=received_on),
            format="json",
        )
    assert r.status_code == 201, r.json()
    return r.json()["episode_id"]


def post(client, day: str, url: str, body: dict, expect=(200, 201)) -> dict:
    with on(day):
        r = client.post(url, body, format="json")
    assert r.status_code in expect, (url, r.status_code, r.content[:500])
    return r.json() if r.content else {}


def triage(client, day: str, episode_id: int, outcome: str = "accept", tier: int = 2) -> dict:
    body = {"outcome": outcome, "tier": tier, "reason": "Triage decision", "team": f.TeamFactory(code="kpi-team").code}
    return post(client, day, f"/api/v1/episodes/{episode_id}/triage/", body)


def appointment(client, booked: str, episode_id: int, kind: str, day: str, outcome: str | None = None) -> int:
    appt = post(
        client, booked, f"/api/v1/episodes/{episode_id}/appointments/", {"kind": kind, "date": day, "mode": "phone"}
    )
    if outcome:
        post(client, day, f"/api/v1/appointments/{appt['id']}/outcome/", {"outcome": outcome})
    return appt["id"]


def discharge(client, day: str, episode_id: int, reason: str = "completed") -> dict:
    body = {
        "date": day,
        "reason": reason,
        "summary": "Goals met",
        "medication_changes": "None",
        "adverse_reactions": "None known",
        "gp_actions": "None",
        "treatment_exhausted": False,
        "onward_referral": None,
    }
    return post(client, day, f"/api/v1/episodes/{episode_id}/discharge/", body)


def kpis(client, month: str, practice) -> dict:
    r = client.get(f"/api/v1/reports/kpis/?month={month}&commissioner={practice.commissioner.code}")
    assert r.status_code == 200, r.content
    return {k["code"]: k for k in r.json()}


def counts(row: dict) -> tuple[int, int]:
    return row["numerator"], row["denominator"]


@pytest.fixture
def no_mesh_practice(db):
    """Letters to this practice go by hand, so the test decides when each is delivered."""
    return f.PracticeFactory(mesh_mailbox="")


def test_rtt_month_end_snapshot_with_dna_reset_and_later_stops(api_as, service_lead, no_mesh_practice):
    lead, practice = api_as(service_lead), no_mesh_practice
    # 31 May 2027 minus 126 days is 25 January 2027.
    refer(lead, practice, "2027-01-25")  # day 126 at month end: within
    refer(lead, practice, "2027-01-24")  # day 127: a breach
    treated = refer(lead, practice, "2027-02-01")
    triage(lead, "2027-02-02", treated)
    dna_reset = refer(lead, practice, "2027-04-01")
    triage(lead, "2027-04-05", dna_reset)
    appointment(lead, "2027-04-06", dna_reset, "new", "2027-05-05", "dna")  # clock nullified on 5 May
    appointment(lead, "2027-05-12", dna_reset, "new", "2027-06-14")  # rebooked: a new clock from 12 May
    appointment(lead, "2027-05-12", treated, "new", "2027-05-20", "attended")
    post(
        lead, "2027-05-20", f"/api/v1/episodes/{treated}/treatment-started/", {"date": "2027-05-20", "kind": "therapy"}
    )
    dna_after_month_end = refer(lead, practice, "2027-05-10")
    triage(lead, "2027-05-11", dna_after_month_end)
    appointment(lead, "2027-05-11", dna_after_month_end, "new", "2027-06-07")
    rejected_after_month_end = refer(lead, practice, "2027-05-28")
    triage(lead, "2027-06-01", rejected_after_month_end, outcome="reject")
    post(
        lead, "2027-06-07", f"/api/v1/appointments/{_appointment_id(dna_after_month_end)}/outcome/", {"outcome": "dna"}
    )

    with on("2027-06-10"):
        may = kpis(lead, "2027-05", practice)
    # Incomplete at 31 May: within_edge, the 127-day wait, dna_reset (new clock), the one whose
    # first appointment was missed in June and the one rejected in June. Treated stopped in May.
    assert counts(may["rtt_18_weeks"]) == (4, 5)
    assert may["rtt_18_weeks"]["value"] == 0.8
    assert may["rtt_18_weeks"]["target"] == 0.92
    with on("2027-06-10"):
        r = lead.get(f"/api/v1/reports/mds/?month=2027-05&commissioner={practice.commissioner.code}")
        mds = {
            row["episode_reference"]: row for row in csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode()))
        }
    waited = sorted(
        int(row["rtt_days_waited_at_month_end"]) for row in mds.values() if row["rtt_days_waited_at_month_end"]
    )
    # 31 May: 127 and 126 days, 21 days since 10 May, 19 days since the rebooking on 12 May, 3 days.
    assert waited == [3, 19, 21, 126, 127]
    with on("2027-06-10"):
        april = kpis(lead, "2027-04", practice)
    # 30 April minus 126 days is 24 December 2026: every clock then running is within.
    assert counts(april["rtt_18_weeks"]) == (4, 4)


def _appointment_id(episode_id: int) -> int:
    from careplans.models import Appointment

    return Appointment.objects.filter(episode_id=episode_id).order_by("-id").values_list("id", flat=True)[0]


def test_ptl_weeks_waited_breach_dates_and_bands_on_a_real_calendar(api_as, service_lead, no_mesh_practice):
    lead, practice = api_as(service_lead), no_mesh_practice
    today = "2027-05-31"  # 2027-05-31 minus 2027-01-24 is 127 days
    waits = {
        "2027-01-24": (127, 19, "2027-05-31"),
        "2027-01-25": (126, 18, "2027-06-01"),
        "2027-01-31": (120, 18, "2027-06-07"),
        "2027-02-01": (119, 17, "2027-06-08"),
        "2026-06-03": (362, 52, "2026-10-08"),
        "2026-06-04": (361, 52, "2026-10-09"),
        "2026-06-10": (355, 51, "2026-10-15"),
        "2027-05-31": (0, 1, "2027-10-05"),
    }
    ids = {refer(lead, practice, received): received for received in waits}
    with on(today):
        rows = lead.get("/api/v1/reports/ptl/?page_size=100").json()["results"]
        bands = {
            band: {row["episode_id"] for row in lead.get("/api/v1/reports/ptl/", {"band": band}).json()["results"]}
            for band in ("0-17", "18+", "52+")
        }
    assert [row["clock_start"] for row in rows] == sorted(waits)  # longest wait first
    for row in rows:
        days, weeks, breach_on = waits[ids[row["episode_id"]]]
        assert (row["days_waited"], row["weeks_waited"], row["rtt_breach_on"]) == (days, weeks, breach_on)
    # The filter agrees with each row's band; "18+" (18 weeks or more) includes the 52+ waits.
    for band, members in bands.items():
        wanted = {band, "52+"} if band == "18+" else {band}
        assert members == {row["episode_id"] for row in rows if row["band"] in wanted}, band
    assert {ids[e] for e in bands["52+"]} == {"2026-06-03", "2026-06-04"}
    assert {ids[e] for e in bands["0-17"]} == {"2027-02-01", "2027-05-31"}


def test_triage_on_time_across_the_spring_bank_holiday(api_as, service_lead, no_mesh_practice):
    lead, practice = api_as(service_lead), no_mesh_practice
    may = refer(lead, practice, "2027-05-24")  # due Wed 26 May, triaged then: counts in May
    triage(lead, "2027-05-26", may)
    friday = refer(lead, practice, "2027-05-28")  # due Wed 2 June (Mon 31 May is a bank holiday)
    triage(lead, "2027-06-02", friday)
    thursday = refer(lead, practice, "2027-05-27")  # due Tue 1 June
    triage(lead, "2027-06-01", thursday, outcome="reject")
    wednesday = refer(lead, practice, "2027-05-26")  # due Fri 28 May: late on 1 June
    triage(lead, "2027-06-01", wednesday)
    refer(lead, practice, "2027-06-03")  # not triaged yet: not in any denominator
    with on("2027-07-05"):
        june, may_kpis = kpis(lead, "2027-06", practice), kpis(lead, "2027-05", practice)
    assert counts(june["triage_on_time"]) == (2, 3)
    assert june["triage_on_time"]["value"] == round(2 / 3, 4)
    assert counts(may_kpis["triage_on_time"]) == (1, 1)


def test_discharge_kpis_letters_care_plans_proms_and_experience(api_as, service_lead, no_mesh_practice):
    lead, practice = api_as(service_lead), no_mesh_practice
    episodes = []
    for _ in range(4):
        e = refer(lead, practice, "2027-01-04")
        triage(lead, "2027-01-05", e)
        episodes.append(e)
    a, b, c, d = episodes
    # New-to-review in May: new attended a, b; reviews attended a x2, b x1, c x1 (a DNA and a
    # group session do not count; an April new attendance does not count) -> 4 / 2 = 2.0
    appointment(lead, "2027-04-01", c, "new", "2027-04-30", "attended")
    appointment(lead, "2027-04-01", a, "new", "2027-05-04", "attended")
    appointment(lead, "2027-04-01", b, "new", "2027-05-04", "attended")
    appointment(lead, "2027-04-01", a, "review", "2027-05-11", "attended")
    appointment(lead, "2027-04-01", a, "review", "2027-05-18", "attended")
    appointment(lead, "2027-04-01", b, "review", "2027-05-18", "attended")
    appointment(lead, "2027-04-01", c, "review", "2027-05-19", "attended")
    appointment(lead, "2027-04-01", c, "review", "2027-05-20", "dna")
    appointment(lead, "2027-04-01", b, "group", "2027-05-21", "attended")
    # Care plans: a shared with the patient and the GP, b written but not shared, c shared with the
    # patient only (not counted); d discharged in June.
    plan = {
        "goals": ["Walk"],
        "education": [],
        "therapies": [],
        "clinical": [],
        "interventions": [],
        "flare_up_plan": "Pace",
        "emergency_plan": "Call 111",
    }
    shared = {"shared_with_patient": True, "shared_with_gp": True}
    post(lead, "2027-05-04", f"/api/v1/episodes/{a}/careplan/", {**plan, **shared})
    post(lead, "2027-05-04", f"/api/v1/episodes/{b}/careplan/", {**plan, "shared_with_patient": False})
    post(lead, "2027-05-04", f"/api/v1/episodes/{c}/careplan/", {**plan, "shared_with_patient": True})
    post(lead, "2027-05-04", f"/api/v1/episodes/{d}/careplan/", {**plan, "shared_with_patient": True})
    # PROMs (PSEQ): a 20 -> 27 improved (+7), b 20 -> 26 not, c entry only; d in June.
    for e in (a, b, c):
        post(
            lead,
            "2027-01-11",
            f"/api/v1/episodes/{e}/proms/",
            {"instrument": "PSEQ", "timepoint": "entry", "answers": {"items": [2] * 10}},
        )
    # Discharges: a on Fri 28 May (letter due Thu 3 June after the bank holiday), b Wed 26 May
    # (due Mon 31 May is a bank holiday, so Tue 1 June), c Thu 27 May (due Wed 2 June); d in June.
    letters = {}
    for e, day in [(a, "2027-05-28"), (b, "2027-05-26"), (c, "2027-05-27")]:
        letters[e] = discharge(lead, day, e)
    assert {e: body["letter_due_on"] for e, body in letters.items()} == {
        a: "2027-06-03",
        b: "2027-06-01",
        c: "2027-06-02",
    }
    letters[d] = discharge(lead, "2027-06-01", d)
    # The discharge questionnaires come back on the day of the last discharge (never before a discharge).
    post(
        lead,
        "2027-05-28",
        f"/api/v1/episodes/{a}/proms/",
        {"instrument": "PSEQ", "timepoint": "discharge", "answers": {"items": [3] * 7 + [2] * 3}},
    )
    post(
        lead,
        "2027-05-28",
        f"/api/v1/episodes/{b}/proms/",
        {"instrument": "PSEQ", "timepoint": "discharge", "answers": {"items": [3] * 6 + [2] * 4}},
    )
    # Delivered: a on its 3rd working day (on time), b on its 4th (late), c never.
    for e, day in [(a, "2027-06-03"), (b, "2027-06-02"), (d, "2027-06-02")]:
        letter = Letter.objects.get(pk=letters[e]["letter_id"])
        with on(day):
            letter_services.letter_approve(letter=letter, actor=service_lead)
            letter_services.letter_mark_sent_by_hand(letter=letter, actor=service_lead)
    # Experience surveys answered in May: 2 positive of 3; one in June.
    from outcomes import services as outcome_services
    from pathway.models import Episode

    for e, positive, day in [
        (a, True, "2027-05-28"),
        (b, False, "2027-05-26"),
        (c, True, "2027-05-31"),
        (d, True, "2027-06-01"),
    ]:
        with on(day):
            outcome_services.experience_survey_create(episode=Episode.objects.get(pk=e), positive=positive)

    with on("2027-06-10"):
        may = kpis(lead, "2027-05", practice)
    assert counts(may["new_to_review_ratio"]) == (4, 2)
    assert may["new_to_review_ratio"]["value"] == 2.0
    assert may["new_to_review_ratio"]["target"] == 2.16
    assert counts(may["care_plan_written"]) == (1, 3)
    assert may["care_plan_written"]["value"] == 0.3333
    assert counts(may["prom_improvement"]) == (1, 2)
    assert counts(may["discharge_letter_on_time"]) == (1, 3)
    assert counts(may["positive_experience"]) == (2, 3)
    with on("2027-06-10"):
        april = kpis(lead, "2027-04", practice)
    assert counts(april["new_to_review_ratio"]) == (0, 1)
    assert april["new_to_review_ratio"]["value"] == 0.0
    assert april["care_plan_written"]["value"] is None  # no discharges: no value, not 0

    with on("2027-06-10"):
        r = lead.get(f"/api/v1/reports/mds/?month=2027-05&commissioner={practice.commissioner.code}")
        rows = list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode())))
    by_ref = {row["episode_reference"]: row for row in rows}
    late = by_ref[Letter.objects.get(pk=letters[b]["letter_id"]).episode.reference]
    on_time = by_ref[Letter.objects.get(pk=letters[a]["letter_id"]).episode.reference]
    assert (on_time["discharge_letter_sent_on"], on_time["discharge_letter_on_time"]) == ("2027-06-03", "Y")
    assert (late["discharge_letter_sent_on"], late["discharge_letter_on_time"]) == ("2027-06-02", "N")


def test_over_nine_months_counts_open_episodes_with_and_without_extension(api_as, service_lead, no_mesh_practice):
    lead, practice = api_as(service_lead), no_mesh_practice
    admitted = {}
    for received, accepted in [
        ("2026-08-24", "2026-08-28"),
        ("2026-08-24", "2026-08-31"),
        ("2026-08-24", "2026-09-01"),
        ("2026-08-24", "2026-08-27"),
    ]:
        e = refer(lead, practice, received)
        triage(lead, accepted, e)
        admitted[accepted] = e
    # 9 months after 28 Aug 2026 is 28 May 2027; 31 Aug -> 31 May (in May); 1 Sep -> 1 June.
    extension = post(
        lead,
        "2027-05-28",
        f"/api/v1/episodes/{admitted['2026-08-28']}/extension/",
        {"rationale": "Completing the PMP", "until": "2027-08-31"},
    )
    # In force only once the patient's commissioner agrees (not on the lead's word alone).
    commissioner = f.UserFactory(role="commissioner", commissioner=practice.commissioner)
    post(api_as(commissioner), "2027-05-28", f"/api/v1/extensions/{extension['id']}/decision/", {"decision": "agreed"})
    discharge(lead, "2027-05-20", admitted["2026-08-27"])  # closed before month end
    with on("2027-06-10"):
        may = kpis(lead, "2027-05", practice)
    assert counts(may["over_9_months"]) == (1, 2)
    assert may["over_9_months"]["value"] == 2


@pytest.mark.parametrize("month", ["2026-13", "x", "2026-00", "2026-1", "", "2026-10-01", "２０２６-10"])
@pytest.mark.parametrize("path", ["/api/v1/reports/kpis/", "/api/v1/reports/mds/"])
def test_bad_months_are_400_naming_month_on_kpis_and_data_set(api_as, service_lead, no_mesh_practice, path, month):
    r = api_as(service_lead).get(path, {"month": month, "commissioner": no_mesh_practice.commissioner.code})
    assert r.status_code == 400
    assert list(r.json()) == ["month"]
