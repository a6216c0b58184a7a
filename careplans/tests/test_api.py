"""Clinical care through the API: service rules, RTT, OME, discharge, concurrency."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from careplans.models import Appointment, CarePlan, Discharge, MedicationLine
from careplans.tests.factories import accepted_episode
from pathway.models import Deadline, Episode, Letter, PathwayEvent, RttPeriod
from pathway.tests import factories as f
from pathway.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

TODAY = "2026-11-23 10:00 +00:00"


@pytest.fixture
def lead(api_as, service_lead):
    return api_as(service_lead)


def book(client, episode, when, kind="new", **extra):
    r = client.post(
        f"/api/v1/episodes/{episode.pk}/appointments/",
        {"kind": kind, "date": when, "mode": "video", **extra},
        format="json",
    )
    assert r.status_code == 201, r.json()
    return r.json()


def outcome(client, appointment_id, value):
    return client.post(f"/api/v1/appointments/{appointment_id}/outcome/", {"outcome": value}, format="json")


# --- DNA rules -------------------------------------------------------------------------------


@time_machine.travel("2026-11-02 10:00 +00:00")
def test_dna_of_first_appointment_nullifies_clock_and_rebooking_starts_a_new_one(lead):
    episode = accepted_episode(received_on=date(2026, 10, 1))
    first = book(lead, episode, "2026-10-20")
    with time_machine.travel("2026-10-20 15:00 +00:00"):
        r = outcome(lead, first["id"], "dna")
    assert r.status_code == 200 and r.json()["decision_required"] is True
    period = RttPeriod.objects.get(episode=episode)
    assert (period.nullified, period.status_code, period.clock_stop) == (True, "33", date(2026, 10, 20))
    assert Deadline.objects.get(kind="rtt", subject=f"rtt:{period.pk}").cancelled_on is not None
    episode.refresh_from_db()
    assert episode.state == "accepted"  # never an automatic discharge
    assert PathwayEvent.objects.filter(episode=episode, data__decision_required=True).exists()

    book(lead, episode, "2026-11-16")
    periods = list(RttPeriod.objects.filter(episode=episode).order_by("id"))
    assert len(periods) == 2
    assert periods[1].clock_start == date(2026, 11, 2) and periods[1].clock_stop is None
    body = lead.get(f"/api/v1/episodes/{episode.pk}/").json()
    assert body["rtt_clock_start"] == "2026-11-02"
    assert body["rtt_breach_on"] == "2027-03-09"


@time_machine.travel("2026-11-23 10:00 +00:00")
def test_later_dna_does_not_stop_the_clock(lead):
    episode = accepted_episode(received_on=date(2026, 10, 1))
    first = book(lead, episode, "2026-10-20")
    assert outcome(lead, first["id"], "attended").status_code == 200
    review = book(lead, episode, "2026-11-10", kind="review")
    second_new = book(lead, episode, "2026-11-12")
    assert outcome(lead, review["id"], "dna").status_code == 200
    assert outcome(lead, second_new["id"], "dna").status_code == 200
    period = RttPeriod.objects.get(episode=episode)
    assert period.clock_stop is None and not period.nullified


@time_machine.travel("2026-11-23 10:00 +00:00")
def test_patient_cancellation_is_not_a_dna(lead):
    episode = accepted_episode(received_on=date(2026, 10, 1))
    first = book(lead, episode, "2026-10-20")
    r = outcome(lead, first["id"], "patient_cancelled")
    assert r.status_code == 200 and r.json()["decision_required"] is False
    assert RttPeriod.objects.get(episode=episode).clock_stop is None
    rebooked = book(lead, episode, "2026-11-20")
    assert outcome(lead, rebooked["id"], "dna").status_code == 200
    # The rebooked one was the first appointment actually held or missed, so its DNA nullifies.
    assert RttPeriod.objects.get(episode=episode).nullified


@time_machine.travel("2026-11-23 10:00 +00:00")
def test_dna_decision_is_recorded_and_discharge_decision_needs_a_reason(lead):
    episode = accepted_episode()
    appt = book(lead, episode, "2026-11-20")
    outcome(lead, appt["id"], "dna")
    url = f"/api/v1/appointments/{appt['id']}/dna-decision/"
    r = lead.post(url, {"decision": "discharge"}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = lead.post(url, {"decision": "contact", "reason": "phone the patient"}, format="json")
    assert r.status_code == 200 and r.json()["dna_decision"] == "contact"
    assert Episode.objects.get(pk=episode.pk).state == "accepted"


@time_machine.travel(TODAY)
def test_outcome_twice_is_409_and_first_outcome_kept(lead):
    episode = accepted_episode()
    appt = book(lead, episode, "2026-11-20")
    assert outcome(lead, appt["id"], "attended").status_code == 200
    r = outcome(lead, appt["id"], "dna")
    assert r.status_code == 409 and r.json()["code"] == "outcome_recorded"
    assert Appointment.objects.get(pk=appt["id"]).outcome == "attended"


@time_machine.travel(TODAY)
def test_appointment_before_referral_is_400(lead):
    episode = accepted_episode(received_on=date(2026, 10, 1))
    r = lead.post(f"/api/v1/episodes/{episode.pk}/appointments/", {"kind": "new", "date": "2026-09-30"}, format="json")
    assert r.status_code == 400 and "date" in r.json()
    assert not Appointment.objects.exists()


@time_machine.travel(TODAY)
def test_attendance_cannot_be_recorded_before_the_appointment(lead):
    episode = accepted_episode()
    appt = book(lead, episode, "2026-12-01")
    r = outcome(lead, appt["id"], "attended")
    assert r.status_code == 400 and "outcome" in r.json()


@time_machine.travel(TODAY)
def test_first_attendance_records_the_ome_at_that_time(lead):
    episode = accepted_episode()
    lead.post(
        f"/api/v1/episodes/{episode.pk}/medications/",
        {"drug": "morphine", "route": "oral", "dose_mg": 20, "doses_per_day": 2},
        format="json",
    )
    appt = book(lead, episode, "2026-11-20")
    outcome(lead, appt["id"], "attended")
    lead.post(
        f"/api/v1/episodes/{episode.pk}/medications/",
        {"drug": "codeine", "route": "oral", "dose_mg": 60, "doses_per_day": 4},
        format="json",
    )
    episode.refresh_from_db()
    assert episode.ome_first_attendance_mg == Decimal("40.00")
    assert episode.ome_total_mg_per_day == Decimal("64.00")


# --- RTT stop at first treatment ---------------------------------------------------------------


@time_machine.travel(TODAY)
def test_treatment_started_stops_the_rtt_clock_with_status_30_once(lead):
    episode = accepted_episode(received_on=date(2026, 10, 1), state="assessment")
    url = f"/api/v1/episodes/{episode.pk}/treatment-started/"
    r = lead.post(url, {"date": "2026-11-16", "kind": "pmp"}, format="json")
    assert r.status_code == 201 and r.json()["state"] == "treatment"
    period = RttPeriod.objects.get(episode=episode)
    assert (period.clock_stop, period.status_code, period.nullified) == (date(2026, 11, 16), "30", False)
    assert Deadline.objects.get(kind="rtt").met_on == date(2026, 11, 16)
    r = lead.post(url, {"date": "2026-11-20", "kind": "therapy"}, format="json")
    assert r.status_code == 200 and r.json()["date"] == "2026-11-16" and r.json()["created"] is False
    assert RttPeriod.objects.get(episode=episode).clock_stop == date(2026, 11, 16)
    body = lead.get(f"/api/v1/episodes/{episode.pk}/").json()
    assert body["rtt_clock_stop"] == "2026-11-16"


@time_machine.travel(TODAY)
def test_treatment_start_in_triage_is_409(lead):
    episode = f.open_episode()
    r = lead.post(
        f"/api/v1/episodes/{episode.pk}/treatment-started/", {"date": "2026-11-16", "kind": "pmp"}, format="json"
    )
    assert r.status_code == 409
    assert RttPeriod.objects.get(episode=episode).clock_stop is None


# --- Medications and OME ----------------------------------------------------------------------


@time_machine.travel("2026-11-23 10:00 +00:00")
def test_ome_sums_mixed_oral_and_patch_lines_and_review_is_six_weeks_later(lead):
    episode = accepted_episode()
    url = f"/api/v1/episodes/{episode.pk}/medications/"
    r = lead.post(url, {"drug": "oxycodone", "route": "oral", "dose_mg": 20, "doses_per_day": 2}, format="json")
    assert r.status_code == 201
    assert r.json()["ome_mg_per_day"] == 60.0
    assert r.json()["review_due_on"] == "2027-01-04"
    line = MedicationLine.objects.get(pk=r.json()["id"])
    assert line.factor_version == "2026.1"
    assert Deadline.objects.get(kind="medication_review", subject=f"medication:{line.pk}").due_on == date(2027, 1, 4)
    r = lead.post(url, {"drug": "buprenorphine", "route": "transdermal", "patch_mcg_per_hour": 10}, format="json")
    assert r.json()["ome_mg_per_day"] == 24.0
    r = lead.post(url, {"drug": "fentanyl", "route": "transdermal", "patch_mcg_per_hour": 12}, format="json")
    assert r.json()["ome_mg_per_day"] == 30.0
    episode.refresh_from_db()
    assert episode.ome_total_mg_per_day == Decimal("114.00")
    assert lead.get(f"/api/v1/episodes/{episode.pk}/").json()["ome_total_mg_per_day"] == 114.0


@time_machine.travel("2026-12-24 10:00 +00:00")
def test_opioid_alert_at_exactly_the_threshold_once(lead):
    episode = accepted_episode()
    url = f"/api/v1/episodes/{episode.pk}/medications/"
    lead.post(url, {"drug": "morphine", "route": "oral", "dose_mg": 30, "doses_per_day": 2}, format="json")
    assert not Letter.objects.filter(kind="opioid_alert").exists()
    # 60 + 40 = 100 mg exactly: the alert is due 3 working days later (25, 28 Dec are bank holidays).
    lead.post(url, {"drug": "tapentadol", "route": "oral", "dose_mg": 50, "doses_per_day": 2}, format="json")
    letter = Letter.objects.get(kind="opioid_alert", episode=episode)
    assert letter.due_on == date(2026, 12, 31)
    assert letter.content["ome_total_mg_per_day"] == "100.00"
    assert Deadline.objects.get(kind="opioid_alert", subject=f"letter:{letter.pk}").due_on == date(2026, 12, 31)
    # Staying above the threshold does not alert again.
    lead.post(url, {"drug": "codeine", "route": "oral", "dose_mg": 30, "doses_per_day": 4}, format="json")
    assert Letter.objects.filter(kind="opioid_alert").count() == 1


@time_machine.travel(TODAY)
def test_just_below_the_threshold_no_alert_and_stopping_recomputes_total(lead):
    episode = accepted_episode()
    url = f"/api/v1/episodes/{episode.pk}/medications/"
    a = lead.post(url, {"drug": "morphine", "route": "oral", "dose_mg": 49.99, "doses_per_day": 2}, format="json")
    assert a.json()["ome_total_mg_per_day"] == 99.98
    assert not Letter.objects.filter(kind="opioid_alert").exists()
    r = lead.delete(f"/api/v1/medications/{a.json()['id']}/")
    assert r.status_code == 204
    episode.refresh_from_db()
    assert episode.ome_total_mg_per_day == Decimal("0.00")
    assert MedicationLine.objects.get(pk=a.json()["id"]).stopped_on == date(2026, 11, 23)
    assert Deadline.objects.open().filter(kind="medication_review", subject__endswith=":stopped").get().due_on == date(
        2027, 1, 4
    )
    assert lead.delete(f"/api/v1/medications/{a.json()['id']}/").status_code == 409


@time_machine.travel(TODAY)
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"drug": "unobtainium", "route": "oral", "dose_mg": 10, "doses_per_day": 2}, "drug"),
        ({"drug": "oxycodone", "route": "oral", "dose_mg": 0, "doses_per_day": 2}, "dose_mg"),
        ({"drug": "oxycodone", "route": "oral", "dose_mg": 5000, "doses_per_day": 2}, "dose_mg"),
        ({"drug": "oxycodone", "route": "oral", "dose_mg": 10, "doses_per_day": 48}, "doses_per_day"),
        ({"drug": "fentanyl", "route": "transdermal"}, "patch_mcg_per_hour"),
        ({"drug": "fentanyl", "route": "oral", "dose_mg": 10, "doses_per_day": 1}, "route"),
        ({"drug": "methadone", "route": "oral", "dose_mg": 10, "doses_per_day": 2}, "ome_mg_per_day"),
    ],
)
def test_unknown_drug_or_impossible_dose_is_400_naming_the_field(lead, payload, field):
    episode = accepted_episode()
    r = lead.post(f"/api/v1/episodes/{episode.pk}/medications/", payload, format="json")
    assert r.status_code == 400 and field in r.json(), r.json()
    assert not MedicationLine.objects.exists()


@time_machine.travel(TODAY)
def test_methadone_takes_the_clinician_entered_ome(lead):
    episode = accepted_episode()
    r = lead.post(
        f"/api/v1/episodes/{episode.pk}/medications/",
        {"drug": "methadone", "route": "oral", "dose_mg": 10, "doses_per_day": 2, "ome_mg_per_day": 80},
        format="json",
    )
    assert r.status_code == 201 and r.json()["ome_mg_per_day"] == 80.0
    assert MedicationLine.objects.get().clinician_ome_entry is True


# --- Care plan, assessment, MDT ----------------------------------------------------------------


@time_machine.travel(TODAY)
def test_blank_care_plan_is_400(lead):
    episode = accepted_episode()
    r = lead.post(f"/api/v1/episodes/{episode.pk}/careplan/", {"goals": [], "shared_with_gp": True}, format="json")
    assert r.status_code == 400 and "goals" in r.json()
    assert not CarePlan.objects.exists()


@time_machine.travel(TODAY)
def test_care_plan_is_versioned(lead):
    episode = accepted_episode()
    url = f"/api/v1/episodes/{episode.pk}/careplan/"
    body = {
        "goals": [{"goal": "Walk to the shops", "review_on": "2027-01-15"}],
        "education": ["group PMP"],
        "therapies": ["ACT"],
        "clinical": ["medication review"],
        "interventions": [],
        "flare_up_plan": "Pace, heat, short rests",
        "emergency_plan": "Call 111",
        "shared_with_patient": True,
    }
    r = lead.post(url, body, format="json")
    assert r.status_code == 201 and r.json()["version"] == 1
    loaded = r.json()["episode_version"]
    r = lead.post(url, {**body, "therapies": ["ACT", "exercise"], "version": loaded}, format="json")
    assert r.json()["version"] == 2
    plan = CarePlan.objects.get(episode=episode, version=2)
    assert plan.therapies == ["ACT", "exercise"] and plan.shared_with_patient
    assert plan.goals == [{"goal": "Walk to the shops", "review_on": "2027-01-15"}]


@time_machine.travel(TODAY)
def test_assessment_with_suicide_risk_creates_urgent_mental_health_deadline(lead):
    episode = accepted_episode()
    r = lead.post(
        f"/api/v1/episodes/{episode.pk}/assessments/",
        {"assessed_on": "2026-11-20", "biological": "L4/5", "suicide_risk": True},
        format="json",
    )
    assert r.status_code == 201 and r.json()["state"] == "assessment"
    deadline = Deadline.objects.get(kind="mental_health_referral", episode=episode)
    assert deadline.due_on == date(2026, 11, 23)  # Friday + 1 working day
    assert PathwayEvent.objects.filter(episode=episode, reason__startswith="Urgent mental-health").exists()


@time_machine.travel(TODAY)
def test_assessment_without_risk_creates_no_mental_health_deadline(lead):
    episode = accepted_episode()
    lead.post(f"/api/v1/episodes/{episode.pk}/assessments/", {"assessed_on": "2026-11-20"}, format="json")
    assert not Deadline.objects.filter(kind="mental_health_referral").exists()


@time_machine.travel(TODAY)
def test_mdt_step_down_is_a_tier_event(lead):
    episode = accepted_episode(tier=3)
    r = lead.post(
        f"/api/v1/episodes/{episode.pk}/mdt-reviews/",
        {"reviewed_on": "2026-11-20", "decision": "Step down to community team", "tier_after": 2},
        format="json",
    )
    assert r.status_code == 201 and (r.json()["tier_before"], r.json()["tier_after"]) == (3, 2)
    assert Episode.objects.get(pk=episode.pk).tier == 2
    admission, event = PathwayEvent.objects.filter(episode=episode, kind="tier").order_by("id")
    assert admission.data["tier"] == 3
    assert event.data == {"mdt_review": r.json()["id"], "tier_before": 3, "tier_after": 2}


# --- Discharge ---------------------------------------------------------------------------------

OPEN_STATES = ["triage", "info_requested", "accepted", "assessment", "treatment"]


def episode_in(state):
    if state in ("triage", "info_requested"):
        episode = f.open_episode(received_on=date(2026, 10, 1))
        if state == "info_requested":
            from pathway import services

            services.episode_transition(episode=episode, to="info_requested")
        return Episode.objects.get(pk=episode.pk)
    return accepted_episode(received_on=date(2026, 10, 1), state=state)


@time_machine.travel("2026-12-24 10:00 +00:00")
@pytest.mark.parametrize("state", OPEN_STATES)
def test_discharge_from_each_open_state(lead, state):
    episode = episode_in(state)
    r = lead.post(
        f"/api/v1/episodes/{episode.pk}/discharge/",
        {
            "date": "2026-12-24",
            "reason": "completed",
            "summary": "Self-managing",
            "medication_changes": "Codeine stopped",
            "adverse_reactions": "None",
            "gp_actions": "Review in 3 months",
            "treatment_exhausted": True,
            "onward_referral": None,
            "version": episode.version,
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    # Thursday 24 Dec + 3 working days: 25 and 28 Dec are bank holidays -> Thursday 31 Dec.
    assert r.json()["letter_due_on"] == "2026-12-31"
    episode.refresh_from_db()
    assert (episode.state, episode.discharged_on, episode.discharge_reason) == (
        "discharged",
        date(2026, 12, 24),
        "completed",
    )
    letter = Letter.objects.get(pk=r.json()["letter_id"])
    assert letter.kind == "discharge" and letter.state == "draft"
    assert letter.content["gp_actions"] == "Review in 3 months" and letter.content["treatment_exhausted"] is True
    assert Deadline.objects.get(kind="discharge_letter", subject=f"letter:{letter.pk}").due_on == date(2026, 12, 31)
    assert Discharge.objects.get(episode=episode).reason == "completed"
    period = RttPeriod.objects.get(episode=episode)
    assert (period.clock_stop, period.status_code) == (date(2026, 12, 24), "34")


@time_machine.travel(TODAY)
@pytest.mark.parametrize(("reason", "code"), [("declined", "35"), ("died", "36"), ("disengaged", "34")])
def test_discharge_before_treatment_stops_the_clock_with_the_right_status(lead, reason, code):
    episode = accepted_episode()
    r = lead.post(f"/api/v1/episodes/{episode.pk}/discharge/", {"date": "2026-11-23", "reason": reason}, format="json")
    assert r.status_code == 201
    assert RttPeriod.objects.get(episode=episode).status_code == code


@time_machine.travel(TODAY)
def test_discharge_after_treatment_keeps_the_treatment_stop(lead):
    episode = accepted_episode(state="assessment")
    lead.post(
        f"/api/v1/episodes/{episode.pk}/treatment-started/", {"date": "2026-11-02", "kind": "therapy"}, format="json"
    )
    lead.post(f"/api/v1/episodes/{episode.pk}/discharge/", {"date": "2026-11-23", "reason": "completed"}, format="json")
    period = RttPeriod.objects.get(episode=episode)
    assert (period.clock_stop, period.status_code) == (date(2026, 11, 2), "30")


@time_machine.travel(TODAY)
def test_discharge_without_reason_is_400_and_closed_episode_is_409(lead):
    episode = accepted_episode()
    url = f"/api/v1/episodes/{episode.pk}/discharge/"
    r = lead.post(url, {"date": "2026-11-23"}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    assert Episode.objects.get(pk=episode.pk).state == "accepted"
    assert lead.post(url, {"date": "2026-11-23", "reason": "left_area"}, format="json").status_code == 201
    r = lead.post(url, {"date": "2026-11-23", "reason": "left_area"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "transition_not_allowed"
    assert Letter.objects.filter(kind="discharge").count() == 1


@time_machine.travel(TODAY)
def test_discharge_records_ome_at_discharge(lead):
    episode = accepted_episode()
    lead.post(
        f"/api/v1/episodes/{episode.pk}/medications/",
        {"drug": "tramadol", "route": "oral", "dose_mg": 100, "doses_per_day": 4},
        format="json",
    )
    url = f"/api/v1/episodes/{episode.pk}/discharge/"
    # The medication review the change needs is still open: the discharge asks for confirmation.
    assert lead.post(url, {"date": "2026-11-23", "reason": "completed"}, format="json").status_code == 409
    body = {"date": "2026-11-23", "reason": "completed", "confirm_open_tasks": True}
    assert lead.post(url, body, format="json").status_code == 201
    episode.refresh_from_db()
    assert episode.ome_discharge_mg == Decimal("40.00")
    assert not Deadline.objects.open().filter(episode=episode, kind="medication_review").exists()


# --- Optimistic concurrency --------------------------------------------------------------------


@time_machine.travel(TODAY)
@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("discharge/", {"date": "2026-11-23", "reason": "completed"}),
        ("medications/", {"drug": "morphine", "route": "oral", "dose_mg": 10, "doses_per_day": 2}),
        ("careplan/", {"goals": [], "emergency_plan": "111"}),
        ("appointments/", {"kind": "new", "date": "2026-12-01"}),
        ("assessments/", {"assessed_on": "2026-11-20"}),
        ("treatment-started/", {"date": "2026-11-20", "kind": "therapy"}),
    ],
)
def test_stale_version_is_409_and_nothing_is_written(lead, path, payload):
    episode = accepted_episode()
    stale = episode.version
    lead.post(f"/api/v1/episodes/{episode.pk}/careplan/", {"emergency_plan": "999"}, format="json")
    episode.refresh_from_db()
    before = (episode.state, episode.version, episode.ome_total_mg_per_day, PathwayEvent.objects.count())
    r = lead.post(f"/api/v1/episodes/{episode.pk}/{path}", {**payload, "version": stale}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    assert "changed by someone else" in r.json()["detail"]
    episode.refresh_from_db()
    assert (episode.state, episode.version, episode.ome_total_mg_per_day, PathwayEvent.objects.count()) == before
    assert CarePlan.objects.count() == 1 and not Appointment.objects.exists() and not MedicationLine.objects.exists()


# --- Access ------------------------------------------------------------------------------------


@time_machine.travel(TODAY)
def test_clinician_outside_the_team_gets_404_and_gp_gets_403(api_as, clinician, gp_user):
    episode = accepted_episode()
    r = api_as(clinician).post(f"/api/v1/episodes/{episode.pk}/careplan/", {}, format="json")
    assert r.status_code == 404
    own = accepted_episode(patient=PatientFactory(practice=gp_user.profile.practice))
    r = api_as(gp_user).post(f"/api/v1/episodes/{own.pk}/careplan/", {}, format="json")
    assert r.status_code == 403
    assert not CarePlan.objects.exists()


@time_machine.travel(TODAY)
def test_a_local_factor_table_in_force_is_used_and_its_version_stored(lead):
    from careplans.models import OmeFactorTable

    OmeFactorTable.objects.create(
        version="local-2026-11", effective_from=date(2026, 11, 1), factors={"oxycodone": {"oral": 2}}
    )
    OmeFactorTable.objects.create(version="future", effective_from=date(2027, 1, 1), factors={"oxycodone": {"oral": 3}})
    episode = accepted_episode()
    r = lead.post(
        f"/api/v1/episodes/{episode.pk}/medications/",
        {"drug": "oxycodone", "route": "oral", "dose_mg": 10, "doses_per_day": 2},
        format="json",
    )
    assert r.json()["ome_mg_per_day"] == 40.0 and r.json()["factor_version"] == "local-2026-11"


def test_gp_cannot_read_the_clinical_lists(api_as, gp_user):
    own = accepted_episode(patient=PatientFactory(practice=gp_user.profile.practice))
    assert api_as(gp_user).get(f"/api/v1/episodes/{own.pk}/medications/").status_code == 404


@time_machine.travel(TODAY)
def test_stale_outcome_and_stop_are_409_and_change_nothing(lead):
    episode = accepted_episode()
    appt = book(lead, episode, "2026-11-20")
    line = lead.post(
        f"/api/v1/episodes/{episode.pk}/medications/",
        {"drug": "morphine", "route": "oral", "dose_mg": 10, "doses_per_day": 2},
        format="json",
    ).json()
    r = lead.post(f"/api/v1/appointments/{appt['id']}/outcome/", {"outcome": "dna", "version": 1}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    assert Appointment.objects.get(pk=appt["id"]).outcome == ""
    r = lead.delete(f"/api/v1/medications/{line['id']}/", {"version": 1}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    assert MedicationLine.objects.get(pk=line["id"]).stopped_on is None
    current = Episode.objects.get(pk=episode.pk).version
    assert lead.delete(f"/api/v1/medications/{line['id']}/", {"version": current}, format="json").status_code == 204


@time_machine.travel(TODAY)
@pytest.mark.parametrize("bad", [1.5, 0, -3, True, "x", [1], {"n": 1}])
def test_a_bad_version_on_stopping_a_line_is_400_naming_it_and_changes_nothing(lead, bad):
    episode = accepted_episode()
    line = lead.post(
        f"/api/v1/episodes/{episode.pk}/medications/",
        {"drug": "morphine", "route": "oral", "dose_mg": 10, "doses_per_day": 2},
        format="json",
    ).json()
    r = lead.delete(f"/api/v1/medications/{line['id']}/", {"version": bad}, format="json")
    assert r.status_code == 400 and list(r.json()) == ["version"], r.json()
    assert MedicationLine.objects.get(pk=line["id"]).stopped_on is None


@time_machine.travel(TODAY)
@pytest.mark.parametrize("body", [[], "x", [{"version": 1}]])
def test_a_body_that_is_not_an_object_on_stopping_a_line_is_400(lead, body):
    episode = accepted_episode()
    line = lead.post(
        f"/api/v1/episodes/{episode.pk}/medications/",
        {"drug": "morphine", "route": "oral", "dose_mg": 10, "doses_per_day": 2},
        format="json",
    ).json()
    r = lead.delete(f"/api/v1/medications/{line['id']}/", body, format="json")
    assert r.status_code == 400 and "non_field_errors" in r.json()
    assert MedicationLine.objects.get(pk=line["id"]).stopped_on is None


@time_machine.travel(TODAY)
def test_care_plan_revision_needs_the_version_so_a_concurrent_edit_is_not_dropped(lead):
    """As found: a save without `version` silently replaced a concurrent writer's plan."""
    episode = accepted_episode()
    url = f"/api/v1/episodes/{episode.pk}/careplan/"
    first = lead.post(url, {"emergency_plan": "Call 111"}, format="json").json()
    loaded = first["episode_version"]
    # Another clinician revises the plan from the same load.
    assert lead.post(url, {"emergency_plan": "Call 999", "version": loaded}, format="json").status_code == 201
    # A revision without the version is refused, naming the field ...
    r = lead.post(url, {"emergency_plan": "Call GP"}, format="json")
    assert r.status_code == 400 and set(r.json()) == {"version"}
    # ... and one made from the stale load is a conflict.
    r = lead.post(url, {"emergency_plan": "Call GP", "version": loaded}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    assert list(
        CarePlan.objects.filter(episode=episode).values_list("emergency_plan", flat=True).order_by("version")
    ) == [
        "Call 111",
        "Call 999",
    ]
