"""Clinical care through the browser forms and pages."""

import re
from datetime import date, time
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careplans import services
from careplans.models import Appointment, CarePlan, Extension, GroupSession, MedicationLine
from careplans.tests.factories import accepted_episode
from pathway.models import Episode, Letter, RecordAccess, Role, RttPeriod
from pathway.tests import factories as f
from pathway.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

TODAY = "2026-11-23 10:00 +00:00"


@pytest.fixture
def web(client, clinician):
    client.force_login(clinician)
    return client


@pytest.fixture
def team_episode(clinician):
    return accepted_episode(team=clinician.teams.first(), tier=3, admitted_on=date(2026, 10, 1))


def _in_care(ep, clinician):
    """An opioid on the medicines list, a care plan shared with the patient and a new appointment."""
    services.medication_add(episode=ep, drug="oxycodone", route="oral", dose_mg=40, doses_per_day=2, actor=clinician)
    services.careplan_save(episode=ep, actor=clinician, emergency_plan="Call 111", shared_with_patient=True)
    services.appointment_book(episode=ep, kind="new", date=date(2026, 11, 20), clinician=clinician)
    return ep


@time_machine.travel(TODAY)
def test_episode_page_shows_everything_and_logs_the_view(web, clinician, team_episode, django_assert_max_num_queries):
    ep = _in_care(team_episode, clinician)
    with django_assert_max_num_queries(40):
        r = web.get(f"/care/episodes/{ep.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    for text in [
        "Open deadlines",
        "Appointments",
        "Assessment",
        "Care plan",
        "Running total: 120.00 mg OME a day",
        "Shared with the patient",
        "Outcome scores",
        "Opioid alert",
        "Timeline",
        "MDT review due 29 October 2026",
        "Medication review",
    ]:
        assert text in html, text
    assert RecordAccess.objects.filter(user=clinician, episode=ep, via="web").exists()


# The episode's lists, and the patient banner's reads: each of these tables is read inside the page's
# two combined statements (pathway.batch), never by a statement of its own.
EPISODE_PAGE_LISTS = [
    "pathway_deadline",
    "careplans_medicationline",
    "careplans_appointment",
    "careplans_extension",
    "careplans_careplan",
    "careplans_careplanshare",
    "pathway_rttperiod",
    "pathway_pathwayevent",
    "careplans_assessment",
    "careplans_treatmentstart",
    "pathway_letter",
    "careplans_mdtreview",
    "careplans_medicationreview",
    "careplans_omerecord",
    "careplans_discharge",
    "triage_triagedecision",
    "safeguarding_communicationneeds",
    "safeguarding_consent",
    "safeguarding_safeguardingconcern",
    "safeguarding_carer",
]


@time_machine.travel(TODAY)
def test_episode_page_reads_its_lists_in_one_round_trip(web, clinician, team_episode, on_postgres):
    ep = _in_care(team_episode, clinician)
    web.get(f"/care/episodes/{ep.pk}/")
    with CaptureQueriesContext(connection) as ctx:
        r = web.get(f"/care/episodes/{ep.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Running total: 120.00 mg OME a day" in html and "oxycodone" in html.lower()
    assert "Shared with the patient" in html and "20 Nov 2026" in html
    alone = [
        table
        for q in ctx.captured_queries
        for table in EPISODE_PAGE_LISTS
        if re.match(rf'SELECT .*? FROM "{table}"', q["sql"]) and not q["sql"].startswith("SELECT (SELECT")
    ]
    assert alone == []
    combined = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT (SELECT")]
    # The episode's 17 lists in one statement, the banner's 4 reads in another.
    assert sum(all(f'"{t}"' in sql for t in EPISODE_PAGE_LISTS[:16]) for sql in combined) == 1
    assert sum(all(f'"{t}"' in sql for t in EPISODE_PAGE_LISTS[16:]) for sql in combined) == 1
    assert len(ctx.captured_queries) <= 14


@time_machine.travel(TODAY)
def test_episode_page_is_404_outside_the_team(client, clinician):
    other = accepted_episode()
    client.force_login(clinician)
    assert client.get(f"/care/episodes/{other.pk}/").status_code == 404
    assert client.post(f"/care/episodes/{other.pk}/discharge/", {}).status_code == 404


@time_machine.travel(TODAY)
def test_book_and_record_dna_through_forms_nullifies_first_clock(web, team_episode):
    ep = team_episode
    r = web.post(
        f"/care/episodes/{ep.pk}/appointments/new/",
        {"version": ep.version, "kind": "new", "date": "2026-11-20", "mode": "phone"},
    )
    assert r.status_code == 302
    appt = Appointment.objects.get(episode=ep)
    ep.refresh_from_db()
    r = web.post(f"/care/appointments/{appt.pk}/outcome/", {"version": ep.version, "outcome": "dna"}, follow=True)
    assert "Decide what happens next" in r.content.decode()
    assert "Clinician decision required" in r.content.decode()
    assert RttPeriod.objects.get(episode=ep).nullified
    ep.refresh_from_db()
    r = web.post(f"/care/appointments/{appt.pk}/outcome/", {"version": ep.version, "outcome": "attended"})
    assert r.status_code == 409 and "already recorded" in r.content.decode()
    assert Appointment.objects.get(pk=appt.pk).outcome == "dna"
    r = web.post(f"/care/appointments/{appt.pk}/dna-decision/", {"version": ep.version, "decision": "rebook"})
    assert r.status_code == 302
    ep.refresh_from_db()
    web.post(
        f"/care/episodes/{ep.pk}/appointments/new/",
        {"version": ep.version, "kind": "new", "date": "2026-12-01", "mode": "phone"},
    )
    running = RttPeriod.objects.get(episode=ep, clock_stop__isnull=True)
    assert running.clock_start == date(2026, 11, 23)


@time_machine.travel(TODAY)
def test_appointment_before_referral_shows_an_error_summary(web, team_episode):
    ep = team_episode
    r = web.post(
        f"/care/episodes/{ep.pk}/appointments/new/",
        {"version": ep.version, "kind": "new", "date": "2026-09-01", "mode": "phone"},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "There is a problem" in html and "before the referral was received" in html
    assert not Appointment.objects.exists()


@time_machine.travel(TODAY)
def test_stale_edit_in_a_form_is_refused_with_a_clear_message(web, clinician, team_episode):
    ep = team_episode
    loaded = ep.version
    # Someone else changes the episode after the form was loaded.
    services.careplan_save(episode=ep, actor=clinician, emergency_plan="first")
    r = web.post(f"/care/episodes/{ep.pk}/careplan/", {"version": loaded, "emergency_plan": "second"})
    assert r.status_code == 409
    assert "changed by someone else" in r.content.decode()
    assert list(CarePlan.objects.values_list("emergency_plan", flat=True)) == ["first"]
    r = web.post(f"/care/episodes/{ep.pk}/discharge/", {"version": loaded, "date": "2026-11-23", "reason": "completed"})
    assert r.status_code == 409
    assert Episode.objects.get(pk=ep.pk).state == "accepted"


@time_machine.travel(TODAY)
def test_care_plan_form_versions_and_prints(web, team_episode):
    ep = team_episode
    r = web.get(f"/care/episodes/{ep.pk}/careplan/")
    assert r.status_code == 200 and 'name="version"' in r.content.decode()
    web.post(
        f"/care/episodes/{ep.pk}/careplan/",
        {
            "version": ep.version,
            "goals": "Walk to the shops | 2027-01-15\nSleep better",
            "education": "Group PMP",
            "therapies": "ACT\nExercise",
            "flare_up_plan": "Pace",
            "emergency_plan": "Call 111",
            "shared_with_patient": "on",
        },
    )
    ep.refresh_from_db()
    web.post(
        f"/care/episodes/{ep.pk}/careplan/",
        {"version": ep.version, "goals": "Walk to the park", "emergency_plan": "Call 111"},
    )
    plans = list(CarePlan.objects.filter(episode=ep).order_by("version"))
    assert [p.version for p in plans] == [1, 2]
    assert plans[0].goals == [
        {"goal": "Walk to the shops", "review_on": "2027-01-15"},
        {"goal": "Sleep better", "review_on": ""},
    ]
    assert plans[0].therapies == ["ACT", "Exercise"] and plans[0].shared_with_patient
    r = web.get(f"/care/episodes/{ep.pk}/careplan/print/")
    assert r.status_code == 200 and "Walk to the park" in r.content.decode() and "Call 111" in r.content.decode()


@time_machine.travel(TODAY)
def test_blank_care_plan_is_refused_with_an_error_summary(web, team_episode):
    # Found by the crawl: an all-blank care plan was saved and counted as "written" by the KPI.
    ep = team_episode
    r = web.post(f"/care/episodes/{ep.pk}/careplan/", {"version": ep.version, "goals": " ", "shared_with_gp": "on"})
    assert r.status_code == 400
    body = r.content.decode()
    assert "nhsuk-error-summary" in body and 'href="#id_goals"' in body
    assert "Write at least one part of the care plan" in body
    assert re.search(r'name="shared_with_gp"[^>]*checked', body)  # what was typed is kept
    assert not CarePlan.objects.filter(episode=ep).exists()


@time_machine.travel(TODAY)
def test_medication_form_shows_ome_and_unknown_drug_error(web, team_episode):
    ep = team_episode
    r = web.post(
        f"/care/episodes/{ep.pk}/medications/new/",
        {
            "version": ep.version,
            "drug": "fentanyl",
            "route": "transdermal",
            "patch_mcg_per_hour": "25",
            "started_on": "2026-11-23",
        },
        follow=True,
    )
    assert "OME 62.50 mg a day; review due 04 January 2027" in r.content.decode()
    assert "added to the prescribing advice to the GP" in r.content.decode()
    ep.refresh_from_db()
    assert ep.ome_total_mg_per_day == Decimal("62.50")
    r = web.post(
        f"/care/episodes/{ep.pk}/medications/new/",
        {
            "version": ep.version,
            "drug": "snake oil",
            "route": "oral",
            "dose_mg": "5",
            "doses_per_day": "2",
            "started_on": "2026-11-23",
        },
    )
    assert r.status_code == 400 and "snake oil is not one of the available choices" in r.content.decode()
    line = MedicationLine.objects.get()
    r = web.post(f"/care/medications/{line.pk}/stop/", {"version": ep.version, "stopped_on": "2026-11-23"})
    assert r.status_code == 302
    assert Episode.objects.get(pk=ep.pk).ome_total_mg_per_day == 0


@time_machine.travel(TODAY)
def test_discharge_form_closes_episode_and_needs_a_reason(web, team_episode):
    ep = team_episode
    r = web.post(f"/care/episodes/{ep.pk}/discharge/", {"version": ep.version, "date": "2026-11-23", "reason": ""})
    assert r.status_code == 400 and "Choose the reason for discharge." in r.content.decode()
    r = web.post(
        f"/care/episodes/{ep.pk}/discharge/",
        {
            "version": ep.version,
            "date": "2026-11-23",
            "reason": "onward_referral",
            "onward_referral": "",
        },
    )
    assert r.status_code == 400 and "Say where the patient is referred on to." in r.content.decode()
    r = web.post(
        f"/care/episodes/{ep.pk}/discharge/",
        {
            "version": ep.version,
            "date": "2026-11-20",
            "reason": "completed",
            "summary": "Done",
            "gp_actions": "None",
        },
        follow=True,
    )
    assert "due to the GP by 25 November 2026" in r.content.decode()
    ep.refresh_from_db()
    assert (ep.state, ep.discharged_on) == ("discharged", date(2026, 11, 20))
    assert Letter.objects.get(kind="discharge").due_on == date(2026, 11, 25)


@time_machine.travel("2027-05-03 10:00 +00:00")
def test_extension_requested_by_clinician_and_agreed_by_the_commissioner(client, clinician, service_lead, team_episode):
    ep = team_episode  # admitted 1 Oct 2026: past 9 months on 1 Jul 2027, 7 months on 1 May 2027
    client.force_login(clinician)
    r = client.get("/care/worklist/")
    assert "7 months" in r.content.decode()
    r = client.get(f"/care/episodes/{ep.pk}/")
    assert "7-month warning" in r.content.decode()
    r = client.post(
        f"/care/episodes/{ep.pk}/extension/", {"version": ep.version, "rationale": "", "until": "2027-06-01"}
    )
    assert r.status_code == 400 and "Give the clinical rationale" in r.content.decode()
    r = client.post(
        f"/care/episodes/{ep.pk}/extension/", {"version": ep.version, "rationale": "x", "until": "2027-06-01"}
    )
    assert r.status_code == 400 and "must run past the 9-month limit" in r.content.decode()
    r = client.post(
        f"/care/episodes/{ep.pk}/extension/",
        {"version": ep.version, "rationale": "Awaiting RF denervation", "until": "2027-09-30"},
    )
    assert r.status_code == 302
    ext = Extension.objects.get()
    assert ext.approved_at is None and not Letter.objects.filter(kind="extension").exists()
    assert "Waiting for the commissioner" in client.get(f"/care/episodes/{ep.pk}/").content.decode()
    # The service, the lead included, cannot agree it.
    client.force_login(service_lead)
    assert client.post(f"/care/extensions/{ext.pk}/decision/", {"decision": "agreed"}).status_code == 403
    assert client.get("/care/extensions/pending/").status_code == 403
    commissioner = f.UserFactory(role=Role.COMMISSIONER, commissioner=ep.practice.commissioner)
    client.force_login(commissioner)
    page = client.get("/care/extensions/pending/").content.decode()
    patient = ep.patient
    assert "Awaiting RF denervation" in page and "30 Sep 2027" in page and "1 Jul 2027" in page
    for identifier in (patient.nhs_number, patient.family_name, patient.given_name, f"/care/episodes/{ep.pk}/"):
        assert identifier not in page
    r = client.post(f"/care/extensions/{ext.pk}/decision/", {"decision": "agreed", "note": "Agreed for RF"})
    assert r.status_code == 302
    assert "No extensions are waiting" in client.get("/care/extensions/pending/").content.decode()
    ext.refresh_from_db()
    assert ext.approved_by == commissioner
    letter = Letter.objects.get(kind="extension", episode=ep)
    assert letter.content["until"] == "2027-09-30" and letter.content["rationale"] == "Awaiting RF denervation"
    assert Episode.objects.get(pk=ep.pk).episode_limit_on == date(2027, 9, 30)


@time_machine.travel("2027-07-01 10:00 +00:00")
def test_past_nine_months_shows_extension_needed(client, clinician, team_episode):
    client.force_login(clinician)
    r = client.get(f"/care/episodes/{team_episode.pk}/")
    assert "Past the 9-month limit" in r.content.decode()


@time_machine.travel("2026-10-28 10:00 +00:00")
def test_mdt_list_and_recording_a_step_down(web, team_episode, django_assert_max_num_queries):
    ep = team_episode
    for _ in range(3):
        accepted_episode(team=ep.team, tier=3, admitted_on=date(2026, 10, 5))
    with django_assert_max_num_queries(12):
        r = web.get("/care/mdt/")
    html = r.content.decode()
    assert r.status_code == 200 and "29 Oct 2026" in html and html.count("Record the decision") == 4
    r = web.post(
        f"/care/episodes/{ep.pk}/mdt/",
        {"version": ep.version, "reviewed_on": "2026-10-28", "decision": "Step down", "tier_after": "2"},
    )
    assert r.status_code == 302
    assert Episode.objects.get(pk=ep.pk).tier == 2
    assert web.get("/care/mdt/").content.decode().count("Record the decision") == 3


@time_machine.travel(TODAY)
def test_worklist_sections(web, clinician, team_episode, django_assert_max_num_queries):
    ep = team_episode
    services.appointment_book(episode=ep, kind="review", date=date(2026, 11, 23), clinician=clinician)
    services.discharge_record(episode=accepted_episode(team=ep.team), date=date(2026, 11, 23), reason="completed")
    with django_assert_max_num_queries(25):
        r = web.get("/care/worklist/")
    html = r.content.decode()
    assert "Appointments today" in html and "Review" in html
    assert "Discharge letter" in html  # awaiting approval
    assert "MDT reviews due" in html


@time_machine.travel(TODAY)
def test_worklist_sections_page_on_their_own(web, team_episode, django_assert_max_num_queries):
    # Found by the crawl: the demo lead's work list ran to 136 reviews and 118 letters on one page.
    for _ in range(25):
        accepted_episode(team=team_episode.team, tier=3, admitted_on=date(2026, 10, 1))
    with django_assert_max_num_queries(30):
        html = web.get("/care/worklist/").content.decode()
    mdt = html[html.index('id="mdt-due"') : html.index('id="near-limit"')]
    assert mdt.count("<li>") == 20
    assert 'href="?mdt_due=2#mdt-due"' in mdt and "26 in all" in mdt
    assert 'aria-label="MDT reviews due: pages"' in mdt
    html = web.get("/care/worklist/", {"mdt_due": "2"}).content.decode()
    mdt = html[html.index('id="mdt-due"') : html.index('id="near-limit"')]
    assert mdt.count("<li>") == 6
    for odd in ("abc", "-1", "0", "99999"):
        assert web.get("/care/worklist/", {"mdt_due": odd}).status_code == 200


def test_worklist_is_404_for_gp(client, gp_user):
    client.force_login(gp_user)
    assert client.get("/care/worklist/").status_code == 404


@time_machine.travel(TODAY)
def test_group_session_register_enforces_capacity(web, clinician):
    team = clinician.teams.first()
    r = web.post("/care/groups/", {"name": "PMP week 1", "date": "2026-12-01", "capacity": "13"})
    assert r.status_code == 400 and not GroupSession.objects.exists()
    r = web.post("/care/groups/", {"name": "PMP week 1", "date": "2026-12-01", "capacity": "8"})
    session = GroupSession.objects.get()
    episodes = [accepted_episode(team=team) for _ in range(9)]
    for ep in episodes[:8]:
        assert web.post(f"/care/groups/{session.pk}/", {"episode": ep.reference}).status_code == 302
    r = web.post(f"/care/groups/{session.pk}/", {"episode": episodes[8].reference})
    assert r.status_code == 400 and "full" in r.content.decode()
    assert Appointment.objects.filter(group_session=session).count() == 8
    r = web.get(f"/care/groups/{session.pk}/")
    assert "8 of 8 places booked" in r.content.decode()


@time_machine.travel(TODAY)
def test_assessment_form_moves_to_assessment_and_flags_risk(web, team_episode):
    ep = team_episode
    r = web.post(
        f"/care/episodes/{ep.pk}/assessment/",
        {
            "version": ep.version,
            "assessed_on": "2026-11-23",
            "biological": "Back pain",
            "drug_misuse": "on",
        },
        follow=True,
    )
    assert "urgent mental-health referral is now due" in r.content.decode()
    ep.refresh_from_db()
    assert ep.state == "assessment"
    r = web.post(f"/care/episodes/{ep.pk}/mental-health-referral/", {"version": ep.version})
    assert r.status_code == 302
    assert not ep.deadlines.open().filter(kind="mental_health_referral").exists()


@time_machine.travel(TODAY)
def test_treatment_started_form_stops_clock(web, team_episode):
    ep = team_episode
    r = web.post(
        f"/care/episodes/{ep.pk}/treatment-started/",
        {"version": ep.version, "date": "2026-11-20", "kind": "intervention"},
    )
    assert r.status_code == 302
    assert RttPeriod.objects.get(episode=ep).status_code == "30"
    assert Episode.objects.get(pk=ep.pk).state == "treatment"


def test_patient_page_links_to_the_episode_page(client, service_lead):
    ep = f.open_episode()
    client.force_login(service_lead)
    assert f"/care/episodes/{ep.pk}/" in client.get(f"/patients/{ep.patient_id}/").content.decode()


def test_gp_does_not_see_the_clinical_episode_page(client, gp_user):
    own = accepted_episode(patient=PatientFactory(practice=gp_user.profile.practice))
    client.force_login(gp_user)
    assert client.get(f"/care/episodes/{own.pk}/").status_code == 404


@time_machine.travel(TODAY)
def test_episode_page_shows_prom_scores(web, team_episode):
    from outcomes.models import PromResponse

    PromResponse.objects.create(
        episode=team_episode,
        instrument="PSEQ",
        timepoint="entry",
        instrument_version="1",
        answers={"items": [3] * 10},
        scores={"total": 30},
        completed_on=date(2026, 11, 2),
    )
    html = web.get(f"/care/episodes/{team_episode.pk}/").content.decode()
    assert "painway-prom-chart" in html
    assert '<td class="nhsuk-table__cell">30</td>' in html  # the entry PSEQ total in the chart's table
    assert f"/outcomes/episodes/{team_episode.pk}/proms/new/" in html


@time_machine.travel(TODAY)
@pytest.mark.parametrize(
    "path, field",
    [
        ("assessment/", "assessed_on"),
        ("mdt/", "reviewed_on"),
        ("medications/new/", "started_on"),
        ("treatment-started/", "date"),
        ("discharge/", "date"),
        ("appointments/new/", "date"),
    ],
)
def test_date_defaults_render_iso_so_a_native_date_picker_shows_them(web, team_episode, path, field):
    """As found: the en-gb locale rendered 23/11/2026 into <input type="date">, which Chromium shows blank
    and posts as nothing ("This field is required")."""
    html = web.get(f"/care/episodes/{team_episode.pk}/{path}").content.decode()
    tag = re.search(rf'<input[^>]*name="{field}"[^>]*>', html).group(0)
    assert 'type="date"' in tag
    if path != "appointments/new/":
        assert 'value="2026-11-23"' in tag
    assert "23/11/2026" not in html


@time_machine.travel(TODAY)
def test_medication_that_reaches_the_ome_threshold_shows_the_opioid_alert_until_it_drops(web, team_episode):
    """As found: reaching 100 mg OME showed nothing on screen; the only sign was a draft letter."""
    ep = team_episode
    line = {"route": "oral", "doses_per_day": "2", "started_on": "2026-11-23"}
    r = web.post(
        f"/care/episodes/{ep.pk}/medications/new/",
        {"version": ep.version, "drug": "morphine", "dose_mg": "30", **line},
        follow=True,
    )
    assert 'class="nhsuk-warning-callout app-ome-alert"' not in r.content.decode()  # 60 mg
    ep.refresh_from_db()
    r = web.post(
        f"/care/episodes/{ep.pk}/medications/new/",
        {"version": ep.version, "drug": "morphine", "dose_mg": "20", **line},
        follow=True,
    )
    html = r.content.decode()
    assert r.redirect_chain[-1][0] == f"/care/episodes/{ep.pk}/"
    alert = re.search(r'<div class="nhsuk-warning-callout app-ome-alert".*?</div>', html, re.S).group(0)
    text = re.sub(r"<[^>]+>", " ", alert).split()
    assert " ".join(text).startswith("Opioid alert")
    assert "100.00 mg OME a day" in " ".join(text)
    assert "app-ome-alert" in web.get(f"/care/episodes/{ep.pk}/").content.decode()  # stays while at or over
    ep.refresh_from_db()
    first = MedicationLine.objects.order_by("id").first()
    web.post(f"/care/medications/{first.pk}/stop/", {"version": ep.version, "stopped_on": "2026-11-23"})
    assert "app-ome-alert" not in web.get(f"/care/episodes/{ep.pk}/").content.decode()


@time_machine.travel(TODAY)
def test_worklist_tasks_one_row_per_episode_overdue_apart_with_nhs_numbers_sortable_and_filterable(
    web, clinician, team_episode
):
    """As found: "reviews due in the next 7 days" listed reviews 10 months overdue, one row per drug, with no
    times, NHS numbers, sorting or filters."""
    ep = team_episode
    for drug in ("morphine", "oxycodone"):
        services.medication_add(
            episode=ep,
            drug=drug,
            route="oral",
            dose_mg=5,
            doses_per_day=2,
            started_on=date(2026, 10, 2),
            actor=clinician,
        )
    soon = accepted_episode(team=ep.team, tier=2, admitted_on=date(2026, 10, 1))
    services.medication_add(
        episode=soon,
        drug="tramadol",
        route="oral",
        dose_mg=50,
        doses_per_day=2,
        started_on=date(2026, 10, 14),
        actor=clinician,
    )
    services.appointment_book(
        episode=soon, kind="review", date=date(2026, 11, 23), time=time(14, 30), clinician=clinician
    )
    html = web.get("/care/worklist/").content.decode()
    overdue = html[html.index('id="tasks-overdue"') : html.index('id="tasks-due-soon"')]
    due_soon = html[html.index('id="tasks-due-soon"') : html.index('id="mdt-due"')]
    assert overdue.count('<tr class="nhsuk-table__row">') == 2  # header + one row for the two drugs
    assert ep.patient.nhs_number_display in overdue and "Overdue by" in overdue
    # The two drugs' reviews, and the stewardship review their rising OME opened (not a third medicine).
    assert "Medication review (2 medicines) and opioid stewardship review" in overdue
    assert soon.patient.nhs_number_display in due_soon and "In " in due_soon
    assert ep.patient.nhs_number_display not in due_soon
    today = html[html.index('id="appointments-today"') : html.index('id="dna-decisions"')]
    assert "14:30" in today and soon.patient.nhs_number_display in today
    only_mh = web.get("/care/worklist/", {"task": "mental_health_referral"}).content.decode()
    assert "Nothing overdue." in only_mh and '<option value="mental_health_referral" selected>' in only_mh
    by_name = web.get("/care/worklist/", {"sort": "name"}).content.decode()
    assert '<option value="name" selected>' in by_name
    assert web.get("/care/worklist/", {"sort": "nonsense", "task": "x"}).status_code == 200
