"""Patient data safety (issue 12): the seven findings, each reproduced as it was found.

Two GP practices (with two commissioners), two clinical teams, one patient seen by both.
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from careplans import services as care
from pathway.models import Episode, Patient, RecordAccess, Role
from pathway.tests import factories as f
from reporting.tests import factories as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_practices(db):
    """Practice B's discharged episode (team B: suicide risk, morphine) and practice A's open one (team A)."""
    practice_a, practice_b = f.PracticeFactory(), f.PracticeFactory()
    assert practice_a.commissioner_id != practice_b.commissioner_id
    team_a, team_b = f.TeamFactory(), f.TeamFactory()
    lead = f.UserFactory(role=Role.SERVICE_LEAD)
    clinician_a, clinician_b = f.UserFactory(role=Role.CLINICIAN), f.UserFactory(role=Role.CLINICIAN)
    team_a.members.add(clinician_a)
    team_b.members.add(clinician_b)
    with time_machine.travel("2026-03-20T10:00:00+00:00", tick=False):
        old = rf.episode(practice=practice_b, received_on=date(2026, 1, 5), given_name="Ann", family_name="Bexley")
        old = rf.accept(old, on=date(2026, 1, 12))
        old.team = team_b
        old.save(update_fields=["team"])
        care.assessment_record(
            episode=old, assessed_on=date(2026, 1, 19), clinician=clinician_b, suicide_risk=True, risk_notes="x"
        )
        care.medication_add(
            episode=Episode.objects.get(pk=old.pk),
            drug="morphine",
            route="oral",
            dose_mg=10,
            doses_per_day=2,
            started_on=date(2026, 1, 19),
            actor=clinician_b,
        )
        rf.discharge(Episode.objects.get(pk=old.pk), on=date(2026, 3, 2))
    patient = old.patient
    new = f.open_episode(patient=patient, received_on=date(2026, 4, 1))
    new.practice, new.team = practice_a, team_a
    new.save(update_fields=["practice", "team"])
    return {
        "patient": patient,
        "old": Episode.objects.get(pk=old.pk),
        "new": new,
        "gp_a": f.UserFactory(role=Role.GP_PRACTICE, practice=practice_a),
        "gp_b": f.UserFactory(role=Role.GP_PRACTICE, practice=practice_b),
        "spa": f.UserFactory(role=Role.SPA_TRIAGE),
        "clinician_a": clinician_a,
        "clinician_b": clinician_b,
        "lead": lead,
        "practice_a": practice_a,
        "practice_b": practice_b,
    }


def _page(user, url):
    client = Client()
    client.force_login(user)
    return client.get(url)


def _api(api_as, user, url):
    return api_as(user).get(url)


# --- Finding 1: the patient page and FHIR Patient showed every episode, whoever asked ---------------


def test_gp_practice_sees_on_the_patient_page_only_episodes_it_referred(two_practices):
    w = two_practices
    body = _page(w["gp_a"], f"/patients/{w['patient'].pk}/").content.decode()
    assert w["new"].reference in body
    assert w["old"].reference not in body
    assert w["practice_b"].name not in body.replace(w["patient"].practice.name, "") or (
        w["patient"].practice_id == w["practice_b"].pk
    )


def test_spa_staff_do_not_see_on_the_patient_page_discharged_episodes_they_cannot_open(two_practices, api_as):
    w = two_practices
    assert _api(api_as, w["spa"], f"/api/v1/episodes/{w['old'].pk}/").status_code == 404
    body = _page(w["spa"], f"/patients/{w['patient'].pk}/").content.decode()
    assert w["new"].reference in body
    assert w["old"].reference not in body


def test_clinician_of_another_team_sees_no_risk_or_medication_of_an_episode_outside_their_teams(two_practices, api_as):
    w = two_practices
    body = _page(w["clinician_a"], f"/patients/{w['patient'].pk}/").content.decode()
    assert w["old"].reference not in body
    assert "suicide risk" not in body.lower() and "morphine" not in body.lower()
    response = _api(api_as, w["clinician_a"], f"/api/v1/fhir/Patient/{w['patient'].pk}/$everything")
    episodes = {
        e["resource"]["id"] for e in response.json()["entry"] if e["resource"]["resourceType"] == "EpisodeOfCare"
    }
    assert episodes == {str(w["new"].pk)}
    assert "morphine" not in response.content.decode().lower()
    # The team that treated it still sees it.
    own = _page(w["clinician_b"], f"/patients/{w['patient'].pk}/").content.decode()
    assert w["old"].reference in own and "suicide risk" in own.lower()


def test_fhir_patient_everything_holds_only_the_gp_practices_own_episodes(two_practices, api_as):
    w = two_practices
    response = _api(api_as, w["gp_a"], f"/api/v1/fhir/Patient/{w['patient'].pk}/$everything")
    assert response.status_code == 200
    ids = {e["resource"]["id"] for e in response.json()["entry"] if e["resource"]["resourceType"] == "EpisodeOfCare"}
    assert ids == {str(w["new"].pk)}


# --- Finding 2: a referral with a known NHS number overwrote the identity -----------------------


def _referral(patient, practice, **changes):
    body = {
        "nhs_number": patient.nhs_number,
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "sex": patient.sex,
        "postcode": patient.postcode,
        "practice_ods": practice.ods_code,
        "pain_site": "neck",
        "duration_months": 8,
        "urgency": "routine",
        "red_flags": [],
        "reason": "Neck pain",
    }
    body.update(changes)
    return body


@time_machine.travel("2026-04-06T10:00:00+00:00", tick=False)
def test_referral_with_different_name_and_birth_date_leaves_the_record_unchanged_and_asks_spa_to_reconcile(db, api_as):
    from pathway.models import DemographicsReconciliation

    practice_a, practice_b = f.PracticeFactory(), f.PracticeFactory()
    old = rf.episode(practice=practice_b, received_on=date(2026, 1, 5), given_name="Ann", family_name="Bexley")
    rf.discharge(rf.accept(old, on=date(2026, 1, 12)), on=date(2026, 3, 2))
    patient = Patient.objects.get(pk=old.patient_id)
    gp_a = f.UserFactory(role=Role.GP_PRACTICE, practice=practice_a)

    body = _referral(patient, practice_a, given_name="Mallory", family_name="Intruder", date_of_birth="1980-05-05")
    response = api_as(gp_a).post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 201, response.json()

    patient.refresh_from_db()
    assert (patient.given_name, patient.family_name, patient.date_of_birth) == ("Ann", "Bexley", date(1970, 2, 1))
    assert patient.practice_id == practice_b.pk
    task = DemographicsReconciliation.objects.get(patient=patient)
    assert task.proposed["family_name"] == "Intruder" and task.current["family_name"] == "Bexley"
    # No sight of practice B's episode by referring.
    page = _page(gp_a, f"/patients/{patient.pk}/").content.decode()
    assert old.reference not in page and "Mallory" not in page
    assert api_as(gp_a).get(f"/api/v1/episodes/{old.pk}/").status_code == 404


@time_machine.travel("2026-04-06T10:00:00+00:00", tick=False)
def test_spa_sees_old_and_new_side_by_side_and_applying_records_before_and_after(db, api_as):
    from pathway.models import DemographicsReconciliation

    practice_a, practice_b = f.PracticeFactory(), f.PracticeFactory()
    old = rf.episode(practice=practice_b, received_on=date(2026, 1, 5), given_name="Ann", family_name="Bexley")
    rf.discharge(rf.accept(old, on=date(2026, 1, 12)), on=date(2026, 3, 2))
    patient = Patient.objects.get(pk=old.patient_id)
    gp_a = f.UserFactory(role=Role.GP_PRACTICE, practice=practice_a)
    api_as(gp_a).post("/api/v1/referrals/", _referral(patient, practice_a, family_name="Bexley-Smith"), format="json")
    task = DemographicsReconciliation.objects.get(patient=patient)

    spa = f.UserFactory(role=Role.SPA_TRIAGE)
    listing = _page(spa, "/patients/reconcile/").content.decode()
    assert f"/patients/reconcile/{task.pk}/" in listing
    page = _page(spa, f"/patients/reconcile/{task.pk}/").content.decode()
    assert "Bexley" in page and "Bexley-Smith" in page

    # A GP practice, a commissioner and the admin may neither see nor apply it.
    for role in (Role.GP_PRACTICE, Role.COMMISSIONER, Role.ADMIN):
        other = f.UserFactory(role=role, practice=practice_a)
        client = Client()
        client.force_login(other)
        assert client.get(f"/patients/reconcile/{task.pk}/").status_code == 404
        assert client.post(f"/patients/reconcile/{task.pk}/", {"decision": "apply"}).status_code == 404

    client = Client()
    client.force_login(spa)
    response = client.post(f"/patients/reconcile/{task.pk}/", {"decision": "apply"})
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.family_name == "Bexley-Smith" and patient.practice_id == practice_a.pk
    task.refresh_from_db()
    assert task.decided_by == spa and task.decision == "applied"
    assert task.before["family_name"] == "Bexley" and task.after["family_name"] == "Bexley-Smith"
    # The field history holds the same before and after (frozen time: order by history id).
    before, latest = patient.history.order_by("-history_id")[1], patient.history.order_by("-history_id")[0]
    changed = {c.field: (c.old, c.new) for c in latest.diff_against(before).changes}
    assert changed["family_name"] == ("Bexley", "Bexley-Smith")
    assert latest.history_user == spa


# --- Finding 3: a GP practice read the clinical timeline through /events/ ----------------------------


def test_gp_practice_timeline_has_only_referral_triage_discharge_and_letter_events(two_practices, api_as):
    w = two_practices
    gp_b = w["gp_b"]
    assert _api(api_as, gp_b, f"/api/v1/episodes/{w['old'].pk}/medications/").status_code == 404
    assert _api(api_as, gp_b, f"/api/v1/episodes/{w['old'].pk}/proms/").status_code == 404
    response = _api(api_as, gp_b, f"/api/v1/episodes/{w['old'].pk}/events/")
    assert response.status_code == 200
    events = response.json()
    kinds = {e["kind"] for e in events}
    assert kinds <= {"transition", "letter"}, kinds
    text = response.content.decode().lower()
    assert "suicide" not in text and "morphine" not in text and "ome" not in text.replace("home", "")
    new_states = {e["new_state"] for e in events}
    assert {"triage", "accepted", "discharged"} <= new_states
    # The team treating it sees the whole timeline.
    full = _api(api_as, w["clinician_b"], f"/api/v1/episodes/{w['old'].pk}/events/").json()
    assert len(full) > len(events)
    assert {e["kind"] for e in full} >= {"clinical", "deadline"}


# --- Finding 4: list reads, admin pages and refused attempts were not logged; no history ------------


def test_reading_the_referral_list_logs_every_patient_listed(two_practices, api_as):
    w = two_practices
    response = _api(api_as, w["lead"], "/api/v1/referrals/")
    assert response.status_code == 200 and response.json()["count"] == 1
    rows = RecordAccess.objects.filter(user=w["lead"], outcome="allowed")
    assert set(rows.values_list("patient_id", flat=True)) == {w["patient"].pk}
    assert rows.filter(action="list").exists()


def test_a_list_page_writes_one_row_per_patient_listed_with_every_column(db, api_as):
    """The audit rows of a page of 30 referrals (written by one statement on PostgreSQL, bulk_create
    elsewhere): one per patient, at the request's time, with the user, action, outcome, route and path."""
    from referrals.tests.factories import make_referral

    spa = f.UserFactory(role=Role.SPA_TRIAGE)
    practice = f.PracticeFactory()
    with time_machine.travel("2026-11-04T10:00:00+00:00", tick=False):
        patients = {make_referral(practice=practice, received_on=date(2026, 11, 3)).patient_id for _ in range(30)}
        response = _api(api_as, spa, "/api/v1/triage/queue/")
    assert response.status_code == 200 and response.json()["count"] == 30
    rows = list(RecordAccess.objects.filter(user=spa).values())
    assert sorted(r["patient_id"] for r in rows) == sorted(patients)
    for row in rows:
        assert row["at"].isoformat() == "2026-11-04T10:00:00+00:00"
        assert (row["action"], row["outcome"], row["via"], row["path"]) == (
            "list",
            "allowed",
            "api",
            "/api/v1/triage/queue/",
        )
        assert row["break_glass"] is False and row["reason"] == "" and row["episode_id"] is None


def test_a_refused_attempt_is_logged_with_the_patient_it_was_for(two_practices, api_as):
    w = two_practices
    assert _api(api_as, w["gp_a"], f"/api/v1/episodes/{w['old'].pk}/").status_code == 404
    row = RecordAccess.objects.get(user=w["gp_a"])
    assert row.outcome == "refused" and row.patient_id == w["patient"].pk and row.episode_id == w["old"].pk


def test_lead_sees_who_has_viewed_a_record_and_exports_it_as_csv(two_practices, api_as):
    w = two_practices
    _page(w["clinician_b"], f"/patients/{w['patient'].pk}/")
    _api(api_as, w["gp_a"], f"/api/v1/episodes/{w['old'].pk}/")
    page = _page(w["lead"], f"/patients/{w['patient'].pk}/access/")
    assert page.status_code == 200
    body = page.content.decode()
    assert w["clinician_b"].username in body and w["gp_a"].username in body and "Refused" in body
    csv = _page(w["lead"], f"/patients/{w['patient'].pk}/access/?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    lines = b"".join(csv.streaming_content).decode().splitlines()
    assert lines[0].startswith("at,user,role")
    assert any(w["gp_a"].username in line and "refused" in line for line in lines)
    for user in (w["clinician_b"], w["spa"], w["gp_a"]):
        assert _page(user, f"/patients/{w['patient'].pk}/access/").status_code == 404


def test_a_complaint_rewritten_keeps_its_before_and_after(db):
    from outcomes.models import Feedback

    episode = f.open_episode()
    complaint = rf.feedback(episode, kind="complaint", on=date(2026, 10, 2))
    complaint.summary = "Rewritten"
    complaint.save()
    latest = complaint.history.first()
    changes = {c.field: (c.old, c.new) for c in latest.diff_against(latest.prev_record).changes}
    assert changes["summary"][1] == "Rewritten"
    assert Feedback.history.filter(id=complaint.pk).count() == 2


def test_access_and_history_rows_cannot_be_changed_or_deleted(two_practices):
    from django.core.exceptions import ValidationError

    w = two_practices
    _page(w["lead"], f"/patients/{w['patient'].pk}/")
    row = RecordAccess.objects.first()
    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        row.delete()
    history = w["patient"].history.first()
    with pytest.raises(ValidationError):
        history.save()
    with pytest.raises(ValidationError):
        history.delete()


# --- Finding 5: search terms and questionnaire tokens reached the access log ------------------------


def test_log_filter_redacts_query_strings_and_questionnaire_tokens():
    from pathway.log_redaction import RedactingFilter

    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /patients/?q=Bexley+9434765919 HTTP/1.1", "200", "512"),
        None,
    )
    assert RedactingFilter().filter(record)
    assert "Bexley" not in record.getMessage() and "9434765919" not in record.getMessage()
    token = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, "%s", ("/outcomes/q/abcDEF123-xyz/",), None)
    RedactingFilter().filter(token)
    assert "abcDEF123" not in token.getMessage()


# --- Finding 6: the admin role read clinical data in the app and the admin site ----------------------


def test_admin_role_reads_no_clinical_data_in_the_app_or_the_admin_site(two_practices, api_as):
    w = two_practices
    admin = f.UserFactory(role=Role.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    assert _page(admin, f"/patients/{w['patient'].pk}/").status_code == 404
    assert _api(api_as, admin, f"/api/v1/episodes/{w['old'].pk}/").status_code == 404
    assert _api(api_as, admin, "/api/v1/referrals/").json()["count"] == 0
    for url in (
        "/admin/careplans/medicationline/",
        "/admin/referrals/referral/",
        "/admin/outcomes/feedback/",
        "/admin/pathway/episode/",
        "/admin/pathway/letter/",
    ):
        assert _page(admin, url).status_code in (403, 404), url
    index = _page(admin, "/admin/").content.decode()
    assert "Medication lines" not in index and "Practices" in index


def test_break_glass_read_by_the_lead_needs_a_reason_and_is_flagged(two_practices):
    w = two_practices
    lead = w["lead"]
    lead.is_staff = True
    lead.save()
    client = Client()
    client.force_login(lead)
    assert client.get("/admin/careplans/medicationline/").status_code in (403, 404)
    assert client.post("/audit/break-glass/", {"reason": ""}).status_code == 200  # the form again, naming reason
    assert client.post("/audit/break-glass/", {"reason": "Coroner's request 2026/41"}).status_code == 302
    assert client.get("/admin/careplans/medicationline/").status_code == 200
    # Episodes and letters are listed too (issue 17), read only, under the same grant.
    episodes = client.get("/admin/pathway/episode/")
    assert episodes.status_code == 200 and "Select episode to view" in episodes.content.decode()
    assert client.get("/admin/pathway/letter/").status_code == 200
    flagged = RecordAccess.objects.filter(user=lead, break_glass=True)
    assert flagged.exists()
    assert flagged.first().reason == "Coroner's request 2026/41"


# --- Finding 7: pseudonyms were keyed by the published SECRET_KEY ------------------------------------


def test_pseudonym_key_is_required_when_debug_is_off_and_never_falls_back_to_secret_key():
    from pathway.pseudonym_key import pseudonym_key_from_environment

    with pytest.raises(ImproperlyConfigured, match="PSEUDONYM_KEY"):
        pseudonym_key_from_environment({"SECRET_KEY": "published"}, debug=False)
    key, version = pseudonym_key_from_environment({"SECRET_KEY": "published"}, debug=True)
    assert key != "published"
    key, version = pseudonym_key_from_environment(
        {"PSEUDONYM_KEY": "k" * 32, "PSEUDONYM_KEY_VERSION": "3"}, debug=False
    )
    assert (key, version) == ("k" * 32, 3)


def test_pseudonyms_do_not_reverse_with_the_published_secret_key(settings):
    import hashlib
    import hmac

    from reporting.selectors import pseudonym

    published = "dev-only-insecure-secret-key-change-me"
    guesses = {
        hmac.new(published.encode(), f"patient:{i}".encode(), hashlib.sha256).hexdigest()[:32] for i in range(50)
    }
    assert not {pseudonym(i) for i in range(50)} & guesses


def test_a_new_pseudonym_key_is_refused_until_its_version_is_adopted_with_a_reason(settings, practice):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from reporting import services as reporting_services
    from reporting.models import PseudonymKeyVersion
    from reporting.pseudonyms import PseudonymKeyNotAdopted, pseudonym

    settings.PSEUDONYM_KEY, settings.PSEUDONYM_KEY_VERSION = "a" * 40, 1
    month = date(2026, 9, 1)
    first = reporting_services.mds_generate(commissioner=practice.commissioner, month=month)
    assert first.pseudonym_key_version == 1
    before = pseudonym(7)

    settings.PSEUDONYM_KEY = "b" * 40  # the key changed, the version did not: a silent change
    with pytest.raises(PseudonymKeyNotAdopted):
        reporting_services.mds_generate(commissioner=practice.commissioner, month=month)
    settings.PSEUDONYM_KEY_VERSION = 2  # a new version, not yet adopted
    with pytest.raises(PseudonymKeyNotAdopted):
        reporting_services.mds_generate(commissioner=practice.commissioner, month=month)
    with pytest.raises(CommandError):
        call_command("pseudonym_key_adopt", "--reason", " ")
    call_command("pseudonym_key_adopt", "--reason", "Key disclosed in incident 2026/7", "--by", "caldicott")
    again = reporting_services.mds_generate(commissioner=practice.commissioner, month=month)
    assert again.pseudonym_key_version == 2 and pseudonym(7) != before
    adopted = PseudonymKeyVersion.objects.get(version=2)
    assert (adopted.adopted_by, adopted.reason) == ("caldicott", "Key disclosed in incident 2026/7")
    assert "b" * 40 not in adopted.fingerprint


def test_field_history_keeps_before_and_after_for_every_clinical_and_identity_record(two_practices, api_as):
    from careplans.models import CarePlan, MedicationLine
    from outcomes.models import Feedback
    from pathway.models import Letter

    # Feedback holds the complaints.
    for model in (Patient, Episode, CarePlan, Feedback, Letter, MedicationLine):
        assert hasattr(model, "history"), model
    w = two_practices
    states = [h.state for h in Episode.history.filter(id=w["old"].pk).order_by("history_id")]
    assert states[0] == "triage" and states[-1] == "discharged"
    # A change through the API is attributed to the user who made it.
    with time_machine.travel("2026-04-08T10:00:00+00:00", tick=False):
        episode = w["new"]
        episode.state = "accepted"
        episode.save(update_fields=["state"])
        response = api_as(w["clinician_a"]).post(
            f"/api/v1/episodes/{episode.pk}/medications/",
            {"drug": "oxycodone", "route": "oral", "dose_mg": 10, "doses_per_day": 2},
            format="json",
        )
    assert response.status_code == 201, response.json()
    # The line is created, then linked to the prescribing advice letter it joined: two rows, both the user's.
    rows = list(MedicationLine.history.filter(id=response.json()["id"]).order_by("history_id"))
    assert [r.history_type for r in rows] == ["+", "~"]
    assert {r.history_user for r in rows} == {w["clinician_a"]}
    latest = rows[-1]
    assert rows[0].advice_letter_id is None and latest.advice_letter_id == response.json()["letter_id"]
    assert rows[0].ome_mg_per_day == latest.ome_mg_per_day == Decimal("30.00")
