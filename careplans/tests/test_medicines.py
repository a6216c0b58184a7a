"""Medicines optimisation (issue 14): the local formulary, prescribing decisions for any pain
medicine, medication reviews that meet their deadlines, and prescribing advice to the GP."""

from datetime import date

import pytest
import time_machine

from careplans import ome
from careplans.models import FormularyDrug, MedicationLine, MedicationReview
from careplans.tests.factories import accepted_episode
from pathway.calendar import add_working_days
from pathway.letters.rendering import letter_html
from pathway.models import Deadline, Letter, LetterState
from pathway.tasks import sweep_deadlines

pytestmark = pytest.mark.django_db

TODAY = "2026-11-23 10:00 +00:00"


@pytest.fixture
def lead(api_as, service_lead):
    return api_as(service_lead)


def add(client, episode, **body):
    return client.post(f"/api/v1/episodes/{episode.pk}/medications/", body, format="json")


def review(client, episode, **body):
    return client.post(f"/api/v1/episodes/{episode.pk}/medication-reviews/", body, format="json")


# --- The formulary ---------------------------------------------------------------------------


def test_formulary_lists_each_drug_with_class_routes_maximum_and_the_factor_tables_factor(lead):
    r = lead.get("/api/v1/formulary/")
    assert r.status_code == 200
    rows = {row["drug"]: row for row in r.json()}
    assert rows["pregabalin"] == {
        "drug": "pregabalin",
        "class": "gabapentinoid",
        "routes": ["oral"],
        "max_daily_mg": 600.0,
        "ome_factor": None,
    }
    assert rows["oxycodone"]["class"] == "opioid" and rows["oxycodone"]["ome_factor"] == 1.5
    assert rows["fentanyl"]["routes"] == ["transdermal"] and rows["fentanyl"]["ome_factor"] == 2.5
    assert rows["methadone"]["ome_factor"] is None  # clinician entry
    assert {rows[d]["class"] for d in rows} == {
        "opioid", "gabapentinoid", "tricyclic", "snri", "nsaid", "paracetamol", "topical", "other"
    }  # fmt: skip
    # The formulary's opioids are exactly the factor table's drugs, by the same routes.
    opioids = {d.name: d.routes for d in FormularyDrug.objects.filter(drug_class="opioid")}
    assert opioids == {name: list(routes) for name, routes in ome.DEFAULT_FACTORS.items()}


# --- Prescribing decisions -------------------------------------------------------------------


@time_machine.travel(TODAY)
def test_pregabalin_75_mg_twice_daily_is_accepted_with_a_review_in_six_weeks_and_no_ome(lead):
    episode = accepted_episode()
    r = add(lead, episode, drug="pregabalin", route="oral", dose_mg=75, doses_per_day=2, reason="Neuropathic pain")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["drug"] == "pregabalin" and body["class"] == "gabapentinoid"
    assert body["ome_mg_per_day"] is None
    assert body["review_due_on"] == "2027-01-04"
    letter = Letter.objects.get(pk=body["letter_id"])
    assert letter.kind == "prescribing_advice"
    line = MedicationLine.objects.get(pk=body["id"])
    assert (line.ome_mg_per_day, line.drug_class, line.above_usual_max) == (None, "gabapentinoid", False)
    deadline = Deadline.objects.get(kind="medication_review", subject=f"medication:{line.pk}")
    assert deadline.due_on == date(2027, 1, 4)
    episode.refresh_from_db()
    assert episode.ome_total_mg_per_day == 0
    assert not Deadline.objects.filter(subject="opioid_review").exists()


@time_machine.travel(TODAY)
def test_unknown_drug_is_400_naming_drug_with_close_matches_and_nothing_written(lead):
    episode = accepted_episode()
    r = add(lead, episode, drug="pregabalen", route="oral", dose_mg=75, doses_per_day=2)
    assert r.status_code == 400
    assert "pregabalin" in r.json()["drug"][0] and "not in the local formulary" in r.json()["drug"][0]
    assert not MedicationLine.objects.exists() and not Letter.objects.exists()


@time_machine.travel(TODAY)
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"drug": "pregabalin", "route": "transdermal", "dose_mg": 75, "doses_per_day": 2}, "route"),
        ({"drug": "lidocaine plaster", "route": "oral", "dose_mg": 700, "doses_per_day": 1}, "route"),
        ({"drug": "pregabalin", "route": "oral", "dose_mg": 0, "doses_per_day": 2}, "dose_mg"),
        ({"drug": "amitriptyline", "route": "oral", "dose_mg": -10, "doses_per_day": 1}, "dose_mg"),
        ({"drug": "paracetamol", "route": "oral", "dose_mg": 500, "doses_per_day": 25}, "doses_per_day"),
        ({"drug": "oxycodone", "route": "oral", "dose_mg": 5, "doses_per_day": 30}, "doses_per_day"),
        ({"drug": "ibuprofen", "route": "oral", "dose_mg": 800, "doses_per_day": 4}, "reason"),
        ({"drug": "pregabalin", "route": "oral", "dose_mg": 75, "doses_per_day": 2, "change": "double"}, "change"),
    ],
)
def test_bad_prescribing_decision_is_400_naming_the_field_and_nothing_is_written(lead, payload, field):
    episode = accepted_episode()
    r = add(lead, episode, **payload)
    assert r.status_code == 400 and field in r.json(), r.json()
    assert not MedicationLine.objects.exists()
    assert not Letter.objects.exists()
    assert not Deadline.objects.filter(kind__in=["medication_review", "prescribing_advice"]).exists()


@time_machine.travel(TODAY)
def test_dose_above_the_usual_maximum_with_a_reason_is_accepted_and_flagged(lead):
    episode = accepted_episode()
    r = add(
        lead, episode, drug="ibuprofen", dose_mg=800, doses_per_day=4, reason="Short course agreed with rheumatology"
    )
    assert r.status_code == 201, r.json()
    assert r.json()["above_usual_max"] is True
    assert MedicationLine.objects.get().above_usual_max is True
    change = Letter.objects.get(kind="prescribing_advice").content["changes"][0]
    assert change["above_usual_max"] is True and change["reason"] == "Short course agreed with rheumatology"


@time_machine.travel(TODAY)
def test_increase_replaces_the_current_line_and_stop_by_decision_joins_the_advice(lead):
    episode = accepted_episode()
    first = add(lead, episode, drug="gabapentin", dose_mg=300, doses_per_day=3).json()
    second = add(lead, episode, drug="gabapentin", dose_mg=600, doses_per_day=3, change="increase", reason="Partial")
    assert second.status_code == 201
    assert MedicationLine.objects.get(pk=first["id"]).stopped_on == date(2026, 11, 23)
    stopped = add(lead, episode, drug="gabapentin", change="stop", reason="Drowsy")
    assert stopped.status_code == 201 and stopped.json()["id"] == second.json()["id"]
    letter = Letter.objects.get(kind="prescribing_advice")
    assert [c["change"] for c in letter.content["changes"]] == ["start", "increase", "stop"]
    assert "Please stop gabapentin from 23 November 2026." in [c["gp_action"] for c in letter.content["changes"]]


# --- Medication reviews ----------------------------------------------------------------------


@time_machine.travel(TODAY)
def test_review_before_the_due_date_meets_the_deadline_and_the_sweep_leaves_it_met(lead):
    episode = accepted_episode()
    line = add(lead, episode, drug="pregabalin", dose_mg=75, doses_per_day=2).json()
    deadline = Deadline.objects.get(kind="medication_review", subject=f"medication:{line['id']}")
    with time_machine.travel("2026-12-21 11:00 +00:00"):
        r = review(lead, episode, date="2026-12-21", outcome="continue", notes="Sleeping better", lines=[line["id"]])
    assert r.status_code == 201, r.json()
    assert r.json()["met_deadline_ids"] == [deadline.pk]
    assert MedicationReview.objects.get(pk=r.json()["id"]).lines.get().pk == line["id"]
    with time_machine.travel("2027-02-01 09:00 +00:00"):
        sweep_deadlines.delay().get()
        sweep_deadlines.delay().get()
    deadline.refresh_from_db()
    assert deadline.met_on == date(2026, 12, 21) and deadline.breached_on is None


@time_machine.travel(TODAY)
def test_unreviewed_change_is_breached_by_the_sweep(lead):
    episode = accepted_episode()
    line = add(lead, episode, drug="duloxetine", dose_mg=30, doses_per_day=1).json()
    with time_machine.travel("2027-01-05 09:00 +00:00"):
        sweep_deadlines.delay().get()
    deadline = Deadline.objects.get(kind="medication_review", subject=f"medication:{line['id']}")
    assert deadline.breached_on == date(2027, 1, 5) and deadline.met_on is None


@time_machine.travel(TODAY)
@pytest.mark.parametrize("when", ["2026-11-22", "2026-11-24"])
def test_review_before_the_change_or_in_the_future_is_400_naming_date(lead, when):
    episode = accepted_episode()
    line = add(lead, episode, drug="naproxen", dose_mg=250, doses_per_day=2).json()
    r = review(lead, episode, date=when, outcome="continue", lines=[line["id"]])
    assert r.status_code == 400 and "date" in r.json(), r.json()
    r = review(lead, episode, date=when, outcome="continue")
    assert r.status_code == 400 and "date" in r.json(), r.json()
    assert not MedicationReview.objects.exists()
    assert Deadline.objects.open().filter(kind="medication_review").count() == 1


@time_machine.travel(TODAY)
def test_review_meets_only_deadlines_of_changes_on_or_before_its_date(lead):
    episode = accepted_episode()
    with time_machine.travel("2026-11-16 10:00 +00:00"):
        early = add(lead, episode, drug="amitriptyline", dose_mg=10, doses_per_day=1).json()
    late = add(lead, episode, drug="paracetamol", dose_mg=1000, doses_per_day=4).json()
    r = review(lead, episode, date="2026-11-20", outcome="adjust")
    assert r.status_code == 201
    met = Deadline.objects.filter(pk__in=r.json()["met_deadline_ids"])
    assert [d.subject for d in met] == [f"medication:{early['id']}"]
    assert Deadline.objects.open().get(kind="medication_review").subject == f"medication:{late['id']}"


@time_machine.travel("2026-12-14 10:00 +00:00")
def test_attended_review_appointment_records_the_review_in_the_same_step(lead):
    episode = accepted_episode()
    with time_machine.travel("2026-11-23 10:00 +00:00"):
        line = add(lead, episode, drug="nortriptyline", dose_mg=10, doses_per_day=1).json()
        appt = lead.post(
            f"/api/v1/episodes/{episode.pk}/appointments/", {"kind": "review", "date": "2026-12-14"}, format="json"
        ).json()
    r = lead.post(
        f"/api/v1/appointments/{appt['id']}/outcome/",
        {"outcome": "attended", "medication_review_outcome": "continue", "medication_review_notes": "Fine"},
        format="json",
    )
    assert r.status_code == 200, r.json()
    review_row = MedicationReview.objects.get(pk=r.json()["medication_review_id"])
    assert review_row.appointment_id == appt["id"] and review_row.date == date(2026, 12, 14)
    deadline = Deadline.objects.get(kind="medication_review", subject=f"medication:{line['id']}")
    assert deadline.met_on == date(2026, 12, 14)
    # A review cannot ride on a DNA.
    appt2 = lead.post(
        f"/api/v1/episodes/{episode.pk}/appointments/", {"kind": "review", "date": "2026-12-14"}, format="json"
    ).json()
    r = lead.post(
        f"/api/v1/appointments/{appt2['id']}/outcome/",
        {"outcome": "dna", "medication_review_outcome": "continue"},
        format="json",
    )
    assert r.status_code == 400 and "medication_review_outcome" in r.json()


@time_machine.travel("2026-12-14 10:00 +00:00")
def test_attended_review_appointment_form_records_the_review(client, clinician):
    from careplans.models import Appointment

    episode = accepted_episode(team=clinician.teams.first())
    client.force_login(clinician)
    with time_machine.travel("2026-11-23 10:00 +00:00"):
        r = client.post(
            f"/care/episodes/{episode.pk}/medications/new/",
            {
                "version": episode.version,
                "drug": "pregabalin",
                "change": "start",
                "dose_mg": "75",
                "doses_per_day": "2",
                "started_on": "2026-11-23",
                "reason": "Neuropathic pain",
                "urgent": "on",
            },
        )
        assert r.status_code == 302
    appt = Appointment.objects.create(episode=episode, kind="review", date=date(2026, 12, 14))
    episode.refresh_from_db()
    client.force_login(clinician)  # a new session: the old one ended while idle
    r = client.post(
        f"/care/appointments/{appt.pk}/outcome/",
        {"version": episode.version, "outcome": "attended", "medication_review_outcome": "adjust"},
    )
    assert r.status_code == 302 and r.url == f"/care/episodes/{episode.pk}/"
    assert MedicationReview.objects.get().appointment == appt
    assert not Deadline.objects.open().filter(kind="medication_review").exists()
    assert MedicationLine.objects.get().urgent is True


# --- Prescribing advice to the GP ----------------------------------------------------------------


@pytest.mark.slow
@time_machine.travel("2026-12-24 10:00 +00:00", tick=False)
def test_two_changes_on_one_day_make_one_advice_letter_due_in_3_working_days_and_mesh_sends_it(
    lead, mesh_sandbox, django_capture_on_commit_callbacks
):
    episode = accepted_episode()
    a = add(lead, episode, drug="pregabalin", dose_mg=75, doses_per_day=2, reason="Neuropathic leg pain")
    b = add(lead, episode, drug="lidocaine plaster", dose_mg=700, doses_per_day=1, urgent=True, reason="Allodynia")
    assert a.status_code == b.status_code == 201
    assert a.json()["letter_id"] == b.json()["letter_id"]
    letter = Letter.objects.get(kind="prescribing_advice", recipient="gp")
    # Thursday 24 Dec 2026: Christmas (Fri), the weekend and Boxing Day's substitute (Mon 28) are not working days.
    assert add_working_days(date(2026, 12, 24), 3) == date(2026, 12, 31)
    assert letter.due_on == date(2026, 12, 31)
    deadline = Deadline.objects.get(kind="prescribing_advice", subject=f"letter:{letter.pk}")
    assert (deadline.started_on, deadline.due_on) == (date(2026, 12, 24), date(2026, 12, 31))
    changes = letter.content["changes"]
    assert [c["drug"] for c in changes] == ["pregabalin", "lidocaine plaster"]
    html = letter_html(letter)
    for text in ("pregabalin", "75 mg", "twice a day", "Neuropathic leg pain", "4 February 2027", "renal function"):
        assert text in html
    assert "Please prescribe pregabalin 75 mg oral twice a day from 24 December 2026." in html
    actions = html.split("Actions for the practice")[1].split("Current medicines")[0]
    assert "lidocaine" not in actions.split("</ul>")[0]  # the urgent medicine asks nothing of the GP
    assert "supplied by the hospital pharmacy" in html
    # The patient's copy says when medicines may be available.
    copy = Letter.objects.get(kind="patient_copy", copy_of=letter)
    copy_html = letter_html(copy)
    assert "may not be available until 5 working days after your GP receives this letter" in copy_html
    assert "pregabalin" in copy_html
    # Approval sends it through MESH; delivery meets the deadline.
    with django_capture_on_commit_callbacks(execute=True):
        r = lead.post(f"/api/v1/letters/{letter.pk}/approve/")
    assert r.status_code == 200, r.content
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT and letter.mesh_message_id
    deadline.refresh_from_db()
    assert deadline.met_on == date(2026, 12, 24) and deadline.breached_on is None
    # A decision after approval starts a new draft for the day.
    c = add(lead, episode, drug="paracetamol", dose_mg=1000, doses_per_day=4)
    assert c.json()["letter_id"] != letter.pk


@time_machine.travel("2026-12-24 10:00 +00:00")
def test_unsent_advice_letter_is_breached_by_the_sweep_after_its_due_day(lead):
    episode = accepted_episode()
    add(lead, episode, drug="pregabalin", dose_mg=75, doses_per_day=2)
    letter = Letter.objects.get(kind="prescribing_advice")
    with time_machine.travel("2027-01-01 09:00 +00:00"):
        sweep_deadlines.delay().get()
    deadline = Deadline.objects.get(kind="prescribing_advice", subject=f"letter:{letter.pk}")
    assert deadline.breached_on == date(2027, 1, 1)


# --- Opioids: the alert, stewardship and OME over time ---------------------------------------------


@time_machine.travel(TODAY)
def test_opioid_alert_asks_the_practice_to_add_the_patient_to_its_register_with_total_and_lines(lead):
    episode = accepted_episode()
    add(lead, episode, drug="oxycodone", route="oral", dose_mg=20, doses_per_day=2)
    add(lead, episode, drug="fentanyl", patch_mcg_per_hour=25)
    alert = Letter.objects.get(kind="opioid_alert")
    html = letter_html(alert)
    assert "to add the patient to its persistent pain management register" in html
    assert "122.50 mg oral morphine equivalent" in html
    assert "Oxycodone (oral) 20 mg twice a day: 60.00 mg OME/24 h" in html
    assert "Fentanyl (transdermal) 25 micrograms/hour patch" in html


@time_machine.travel(TODAY)
def test_rising_opioid_use_or_a_third_opioid_line_prompts_a_review_task(lead):
    episode = accepted_episode()
    add(lead, episode, drug="codeine", dose_mg=30, doses_per_day=4)
    task = Deadline.objects.get(kind="medication_review", subject="opioid_review")
    assert "total OME rose from 0.00 to 12.00" in task.note
    # The review meets it; a later increase asks again.
    review(lead, episode, date="2026-11-23", outcome="continue")
    add(lead, episode, drug="codeine", dose_mg=60, doses_per_day=4, change="increase", reason="Pain")
    assert Deadline.objects.open().get(subject="opioid_review").note.endswith("12.00 to 24.00 mg/24 h")
    review(lead, episode, date="2026-11-23", outcome="continue")
    add(lead, episode, drug="codeine", dose_mg=30, doses_per_day=4, change="decrease", reason="Taper")
    assert not Deadline.objects.open().filter(subject="opioid_review").exists()  # a reduction asks nothing
    add(lead, episode, drug="tramadol", dose_mg=50, doses_per_day=1)
    review(lead, episode, date="2026-11-23", outcome="continue")
    add(lead, episode, drug="morphine", dose_mg=5, doses_per_day=1)
    assert "3 opioid lines at once" in Deadline.objects.open().get(subject="opioid_review").note


@time_machine.travel(TODAY)
def test_episode_page_shows_ome_over_time_as_a_chart_and_a_table(client, clinician):
    episode = accepted_episode(team=clinician.teams.first())
    client.force_login(clinician)
    with time_machine.travel("2026-11-02 10:00 +00:00"):
        from careplans import services

        services.medication_add(episode=episode, drug="morphine", dose_mg=10, doses_per_day=2, actor=clinician)
    services.medication_add(episode=episode, drug="morphine", dose_mg=20, doses_per_day=2, change="increase",
                            reason="Pain", actor=clinician)  # fmt: skip
    body = client.get(f"/care/episodes/{episode.pk}/").content.decode()
    section = body.split('id="ome-history"')[1]
    assert "<svg" in section and "<polyline" in section
    assert "2 Nov 2026" in section and "20.00" in section and "23 Nov 2026" in section and "40.00" in section
    assert "<script" not in section.split("</section>")[0]


# --- KPI: prescribing advice on time ---------------------------------------------------------------


@time_machine.travel("2026-12-24 10:00 +00:00")
def test_prescribing_advice_on_time_kpi_counts_decisions_letters_delivered_within_3_working_days(lead):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from pathway.letters.services import letter_mark_sent
    from reporting.kpis import KPI_BY_CODE, Scope
    from reporting.services import kpi_snapshot_refresh
    from reporting.snapshots import snapshot_counts

    london = ZoneInfo("Europe/London")
    on_time, late, other_month = accepted_episode(), accepted_episode(), accepted_episode()
    add(lead, on_time, drug="pregabalin", dose_mg=75, doses_per_day=2)
    add(lead, on_time, drug="paracetamol", dose_mg=1000, doses_per_day=4)
    add(lead, late, drug="duloxetine", dose_mg=30, doses_per_day=1)
    with time_machine.travel("2026-11-30 10:00 +00:00"):
        add(lead, other_month, drug="naproxen", dose_mg=250, doses_per_day=2)
    letters = {
        e: Letter.objects.get(kind="prescribing_advice", episode=e, recipient="gp")
        for e in (on_time, late, other_month)
    }
    Letter.objects.filter(pk__in=[x.pk for x in letters.values()]).update(state=LetterState.APPROVED)
    # Due Thursday 31 Dec: delivered that evening is on time; on 4 Jan is late.
    letter_mark_sent(letter=letters[on_time], sent_at=datetime(2026, 12, 31, 23, 30, tzinfo=london))
    letter_mark_sent(letter=letters[late], sent_at=datetime(2027, 1, 4, 9, 0, tzinfo=london))
    kpi = KPI_BY_CODE["prescribing_advice_on_time"]
    result = kpi.result(Scope(), date(2026, 12, 1))
    assert (result["numerator"], result["denominator"], result["value"], result["target"]) == (1, 2, 0.5, 1.0)
    behind = set(kpi.episode_ids(Scope(), date(2026, 12, 1), part="numerator").values_list("episode_id", flat=True))
    assert behind == {on_time.pk}
    # The monthly snapshot holds the same counts, and the API lists the KPI.
    with time_machine.travel("2027-01-05 10:00 +00:00"):
        kpi_snapshot_refresh(month=date(2026, 12, 1), today=date(2027, 1, 5))
    assert snapshot_counts(Scope(), date(2026, 12, 1))["prescribing_advice_on_time"] == (1, 2)


@time_machine.travel("2026-11-23 10:00 +00:00")
def test_six_monthly_opioid_comparison_uses_the_figures_of_the_ome_history(lead):
    from careplans.models import OmeRecord
    from reporting.kpis import Scope as ReportScope
    from reporting.selectors import opioid_comparison

    episode = accepted_episode()
    add(lead, episode, drug="morphine", dose_mg=30, doses_per_day=2)
    appt = lead.post(
        f"/api/v1/episodes/{episode.pk}/appointments/", {"kind": "new", "date": "2026-11-23"}, format="json"
    ).json()
    lead.post(f"/api/v1/appointments/{appt['id']}/outcome/", {"outcome": "attended"}, format="json")
    add(lead, episode, drug="morphine", dose_mg=15, doses_per_day=2, change="decrease", reason="Taper")
    lead.post(
        f"/api/v1/episodes/{episode.pk}/discharge/",
        {"date": "2026-11-23", "reason": "completed", "confirm_open_tasks": True},
        format="json",
    )
    history = [r.total_mg_per_day for r in OmeRecord.objects.filter(episode=episode).order_by("id")]
    assert [str(v) for v in history] == ["60.00", "30.00"]
    totals = opioid_comparison(ReportScope(), date(2026, 7, 1), date(2026, 12, 31))
    assert (totals["episodes"], totals["mean_first"], totals["mean_discharge"], totals["reduced"]) == (1, 60.0, 30.0, 1)


@time_machine.travel(TODAY)
def test_review_of_another_episodes_line_or_a_bad_outcome_is_400_and_nothing_written(lead):
    episode, other = accepted_episode(), accepted_episode()
    theirs = add(lead, other, drug="paracetamol", dose_mg=1000, doses_per_day=4).json()
    add(lead, episode, drug="paracetamol", dose_mg=1000, doses_per_day=4)
    r = review(lead, episode, date="2026-11-23", outcome="continue", lines=[theirs["id"]])
    assert r.status_code == 400 and "lines" in r.json()
    r = review(lead, episode, date="2026-11-23", outcome="carry on")
    assert r.status_code == 400 and "outcome" in r.json()
    assert not MedicationReview.objects.exists()
    assert Deadline.objects.open().filter(kind="medication_review").count() == 2


@time_machine.travel(TODAY)
def test_switch_stops_the_replaced_line_and_delete_joins_the_days_advice(lead):
    episode = accepted_episode()
    amitriptyline = add(lead, episode, drug="amitriptyline", dose_mg=25, doses_per_day=1).json()
    switched = add(
        lead,
        episode,
        drug="duloxetine",
        dose_mg=30,
        doses_per_day=1,
        change="switch",
        replaces=amitriptyline["id"],
        reason="Anticholinergic effects",
    )
    assert switched.status_code == 201, switched.json()
    assert MedicationLine.objects.get(pk=amitriptyline["id"]).stopped_on == date(2026, 11, 23)
    assert lead.delete(f"/api/v1/medications/{switched.json()['id']}/").status_code == 204
    letter = Letter.objects.get(kind="prescribing_advice")
    actions = [c["gp_action"] for c in letter.content["changes"]]
    assert "Please stop amitriptyline and prescribe duloxetine 30 mg oral once a day from 23 November 2026." in actions
    assert actions[-1] == "Please stop duloxetine from 23 November 2026."
    bad = add(lead, episode, drug="duloxetine", dose_mg=30, doses_per_day=1, change="switch", replaces=999999)
    assert bad.status_code == 400 and "replaces" in bad.json()


def test_admin_keeps_the_formulary_and_refuses_an_opioid_without_a_factor(db):
    from careplans.admin import FormularyDrugForm

    good = FormularyDrugForm(
        data={"name": "Mirtazapine", "drug_class": "other", "routes": '["oral"]', "max_daily_mg": "45", "active": "on"}
    )
    assert good.is_valid(), good.errors
    assert good.save().name == "mirtazapine"
    bad = FormularyDrugForm(data={"name": "pethidine", "drug_class": "opioid", "routes": '["oral"]', "active": "on"})
    assert not bad.is_valid() and "routes" in bad.errors
    assert "factor table" in bad.errors["routes"][0]
