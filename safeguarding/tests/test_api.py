"""Consent, carers, communication needs, safeguarding and incidents through the API."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from careplans.tests.factories import accepted_episode
from outcomes.models import PromInvitation
from outcomes.services import prom_invitation_create, prom_schedule_run
from pathway.models import Episode, Letter, LetterKind, LetterState
from pathway.tests import factories as f
from safeguarding.models import Carer, Consent, Incident, InterpreterBooking, SafeguardingConcern

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
# Monday 2 November 2026; the episodes are received on Thursday 1 October 2026.
TODAY = datetime(2026, 11, 2, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def episode(team):
    return accepted_episode(team=team, state="treatment")


@pytest.fixture
def api(api_as, clinician):
    return api_as(clinician)


def _carer(api, patient, **extra):
    body = {
        "name": "Jo Carer",
        "relationship": "daughter",
        "phone": "07700 900123",
        "address": "1 High Street\nDarlington",
        "postcode": "dl1 1aa",
        "receives_copies": True,
        **extra,
    }
    r = api.post(f"/api/v1/patients/{patient.pk}/carers/", body, format="json")
    assert r.status_code == 201, r.json()
    return r.json()


def _consent(api, patient, scope, given, on="2026-10-05"):
    r = api.post(
        f"/api/v1/patients/{patient.pk}/consents/",
        {"scope": scope, "given": given, "method": "verbal", "on": on},
        format="json",
    )
    assert r.status_code == 201, r.json()
    return r.json()


def _patient_copy(user, episode):
    """A GP letter and its patient copy, made through the letter pages."""
    from pathway.services import letter_create

    gp_letter = letter_create(kind=LetterKind.DISCHARGE, episode=episode, content={"summary": "Done"})
    client = Client()
    client.force_login(user)
    r = client.post(f"/letters/{gp_letter.pk}/patient-copy/")
    assert r.status_code == 302
    return Letter.objects.get(kind=LetterKind.PATIENT_COPY, copy_of=gp_letter)


# --- Consent and carers ---------------------------------------------------------------------------


def test_carer_copy_follows_a_patient_letter_while_the_patient_consents(api, clinician, episode):
    carer = _carer(api, episode.patient)
    _consent(api, episode.patient, "share_carer", True)
    copy = _patient_copy(clinician, episode)
    carer_copy = Letter.objects.get(kind=LetterKind.CARER_COPY)
    assert carer_copy.recipient == Letter.Recipient.CARER
    assert carer_copy.content["carer_id"] == carer["id"]
    assert carer_copy.copy_of_id == copy.copy_of_id


def test_consent_withdrawal_stops_a_carer_copy(api, clinician, episode):
    _carer(api, episode.patient)
    _consent(api, episode.patient, "share_carer", True)
    _patient_copy(clinician, episode)
    earlier = Letter.objects.get(kind=LetterKind.CARER_COPY)

    withdrawn = _consent(api, episode.patient, "share_carer", False, on="2026-10-20")
    assert withdrawn["in_force"] is True and withdrawn["given"] is False
    earlier.refresh_from_db()
    assert earlier.state == LetterState.CANCELLED
    _patient_copy(clinician, episode)
    assert Letter.objects.filter(kind=LetterKind.PATIENT_COPY).count() == 2
    assert Letter.objects.filter(kind=LetterKind.CARER_COPY).count() == 1

    listed = api.get(f"/api/v1/patients/{episode.patient_id}/consents/").json()
    assert listed["count"] == 2
    assert [(c["given"], c["in_force"]) for c in listed["results"]] == [(False, True), (True, False)]


def test_without_recorded_consent_a_carer_gets_no_copy(api, clinician, episode):
    _carer(api, episode.patient)
    _patient_copy(clinician, episode)
    assert not Letter.objects.filter(kind=LetterKind.CARER_COPY).exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"scope": "share_neighbour", "given": True, "method": "verbal", "on": "2026-10-05"}, "scope"),
        ({"scope": "treatment", "given": True, "method": "telepathy", "on": "2026-10-05"}, "method"),
        ({"scope": "treatment", "given": True, "method": "verbal", "on": "2026-09-30"}, "on"),
        ({"scope": "treatment", "given": True, "method": "verbal", "on": "2026-11-03"}, "on"),
        ({"scope": "treatment", "method": "verbal", "on": "2026-10-05"}, "given"),
    ],
)
def test_bad_consent_is_refused_naming_the_field(api, episode, body, field):
    r = api.post(f"/api/v1/patients/{episode.patient_id}/consents/", body, format="json")
    assert r.status_code == 400 and field in r.json(), r.json()
    assert not Consent.objects.exists()


def test_carer_receiving_copies_needs_an_address(api, episode):
    r = api.post(
        f"/api/v1/patients/{episode.patient_id}/carers/",
        {"name": "Jo", "relationship": "son", "receives_copies": True},
        format="json",
    )
    assert r.status_code == 400 and "address" in r.json()
    assert not Carer.objects.exists()


# --- Communication needs --------------------------------------------------------------------------


def test_interpreter_need_appears_on_booking(api, episode):
    r = api.patch(
        f"/api/v1/patients/{episode.patient_id}/",
        {"interpreter_needed": True, "language": "Polish", "communication_format": "large_print"},
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert r.json()["summary"] == ["Interpreter needed: Polish", "Letters in large print"]
    r = api.post(
        f"/api/v1/episodes/{episode.pk}/appointments/", {"kind": "review", "date": "2026-11-10"}, format="json"
    )
    assert r.status_code == 201, r.json()
    assert r.json()["interpreter"] == "Polish"
    assert InterpreterBooking.objects.get().language == "Polish"
    listed = api.get(f"/api/v1/episodes/{episode.pk}/appointments/").json()
    assert listed[0]["interpreter"] == "Polish"


def test_no_interpreter_is_booked_for_a_patient_who_needs_none(api, episode):
    r = api.post(
        f"/api/v1/episodes/{episode.pk}/appointments/", {"kind": "review", "date": "2026-11-10"}, format="json"
    )
    assert r.status_code == 201 and r.json()["interpreter"] is None
    assert not InterpreterBooking.objects.exists()


def test_interpreter_without_language_and_unknown_format_are_refused(api, episode):
    r = api.patch(
        f"/api/v1/patients/{episode.patient_id}/",
        {"interpreter_needed": True, "communication_format": "semaphore"},
        format="json",
    )
    assert r.status_code == 400 and "communication_format" in r.json()
    r = api.patch(f"/api/v1/patients/{episode.patient_id}/", {"interpreter_needed": True}, format="json")
    assert r.status_code == 400 and "language" in r.json()
    episode.patient.refresh_from_db()
    assert not episode.patient.interpreter_needed


def test_letters_to_a_large_print_patient_are_larger_type_and_braille_is_marked_for_the_admin_team(
    api, clinician, episode
):
    from pathway.letters.rendering import letter_html

    api.patch(f"/api/v1/patients/{episode.patient_id}/", {"communication_format": "large_print"}, format="json")
    copy = _patient_copy(clinician, episode)
    assert copy.content["format"] == "large_print"
    assert "body.large-print { font-size: 16pt" in letter_html(copy) and 'class="large-print"' in letter_html(copy)
    api.patch(f"/api/v1/patients/{episode.patient_id}/", {"communication_format": "braille"}, format="json")
    braille = _patient_copy(clinician, episode)
    html = letter_html(braille)
    assert "PRODUCE THIS LETTER IN BRAILLE" in html and "large-print" not in html
    from pathway.letters.services import letter_approve

    letter_approve(letter=braille, actor=clinician)
    braille.refresh_from_db()
    assert braille.state == LetterState.MANUAL and "braille" in braille.last_error


# --- Safeguarding ---------------------------------------------------------------------------------

CONCERN = {
    "subject": "adult",
    "category": "financial",
    "description": "Son controls the patient's money and medication.",
    "action": "Discussed with the safeguarding lead; referred.",
    "referred_to_local_authority_on": "2026-10-30",
    "reference": "DCC-123",
}


def test_safeguarding_concern_is_open_until_the_lead_closes_it(api, api_as, service_lead, episode):
    r = api.post(f"/api/v1/episodes/{episode.pk}/safeguarding/", CONCERN, format="json")
    assert r.status_code == 201, r.json()
    concern_id = r.json()["id"]
    assert r.json()["is_open"] is True
    r = api.post(f"/api/v1/safeguarding/{concern_id}/close/", {"outcome": "Closed"}, format="json")
    assert r.status_code == 403
    lead = api_as(service_lead)
    r = lead.post(f"/api/v1/safeguarding/{concern_id}/close/", {"outcome": "LA enquiry complete"}, format="json")
    assert r.status_code == 200 and r.json()["is_open"] is False
    r = lead.post(f"/api/v1/safeguarding/{concern_id}/close/", {"outcome": "Again"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "concern_closed"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"category": "gossip"}, "category"),
        ({"subject": "pet"}, "subject"),
        ({"referred_to_local_authority_on": "2026-09-01"}, "referred_to_local_authority_on"),
        ({"referred_to_local_authority_on": "2026-11-03"}, "referred_to_local_authority_on"),
        ({"description": ""}, "description"),
    ],
)
def test_bad_safeguarding_concern_is_refused_naming_the_field(api, episode, change, field):
    r = api.post(f"/api/v1/episodes/{episode.pk}/safeguarding/", {**CONCERN, **change}, format="json")
    assert r.status_code == 400 and field in r.json(), r.json()
    assert not SafeguardingConcern.objects.exists()


def test_safeguarding_counts_appear_in_the_commissioner_report_without_identifiers(
    api, api_as, commissioner_user, episode
):
    r1 = api.post(f"/api/v1/episodes/{episode.pk}/safeguarding/", CONCERN, format="json")
    r2 = api.post(
        f"/api/v1/episodes/{episode.pk}/safeguarding/",
        {**CONCERN, "subject": "child", "category": "neglect", "referred_to_local_authority_on": None, "reference": ""},
        format="json",
    )
    r3 = api.post(
        f"/api/v1/episodes/{episode.pk}/incidents/",
        {"kind": "adverse_reaction", "severity": "moderate", "on": "2026-10-21", "description": "Rash after patch"},
        format="json",
    )
    assert (r1.status_code, r2.status_code, r3.status_code) == (201, 201, 201), (r1.json(), r2.json(), r3.json())
    own = episode.practice.commissioner
    commissioner_user.profile.commissioner = own
    commissioner_user.profile.save()
    r = api_as(commissioner_user).get("/api/v1/reports/safety/?month=2026-11")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["commissioner"] == own.code
    assert body["safeguarding"]["raised"] == 2
    assert body["safeguarding"]["by_subject"] == {"adult": 1, "child": 1}
    assert body["safeguarding"]["by_category"]["financial"] == 1
    assert body["safeguarding"]["open_at_month_end"] == 2
    october = api_as(commissioner_user).get("/api/v1/reports/safety/?month=2026-10").json()
    assert october["safeguarding"]["referred_to_local_authority"] == 1
    assert october["incidents"] == {"adverse_reaction": 1, "unplanned_admission": 0, "death": 0, "other": 0}
    text = r.content.decode() + str(october)
    patient = episode.patient
    for secret in (patient.nhs_number, patient.family_name, patient.given_name, "DCC-123", "money"):
        assert secret not in text
    # Commissioners see counts only: the concerns themselves do not exist for them.
    r = api_as(commissioner_user).get(f"/api/v1/episodes/{episode.pk}/safeguarding/")
    assert r.status_code == 404


def test_another_commissioner_gets_404_for_the_report(api_as, episode):
    other = f.UserFactory(role="commissioner", commissioner=f.PracticeFactory().commissioner)
    r = api_as(other).get(f"/api/v1/reports/safety/?month=2026-11&commissioner={episode.practice.commissioner.code}")
    assert r.status_code == 404


# --- Incidents ------------------------------------------------------------------------------------


def test_death_closes_the_episode_and_cancels_the_follow_up_prom(api, api_as, clinician, service_lead, episode, frozen):
    entry = prom_invitation_create(episode=episode, timepoint="entry", today=date(2026, 10, 2))
    _consent(api, episode.patient, "share_carer", True)
    _carer(api, episode.patient)
    _patient_copy(clinician, episode)

    r = api.post(
        f"/api/v1/episodes/{episode.pk}/incidents/",
        {"kind": "death", "on": "2026-10-30", "description": "Died at home.", "action": "Family contacted"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["severity"] == "death"
    assert r.json()["episode_state"] == "discharged" and r.json()["discharge_reason"] == "died"
    episode.refresh_from_db()
    assert episode.discharged_on == date(2026, 10, 30)
    assert Letter.objects.filter(kind=LetterKind.DISCHARGE, recipient="gp").exclude(state="cancelled").count() == 2
    household = Letter.objects.filter(recipient__in=["patient", "carer"])
    assert household.count() == 2 and set(household.values_list("state", flat=True)) == {LetterState.CANCELLED}
    entry.refresh_from_db()
    assert entry.expires_at <= datetime.now(tz=LONDON)

    frozen.move_to(datetime(2027, 2, 1, 9, 0, tzinfo=LONDON))
    prom_schedule_run(today=date(2027, 2, 1))
    assert not PromInvitation.objects.filter(timepoint__in=["discharge", "followup"]).exists()

    r = api.post(f"/api/v1/incidents/{r.json()['id']}/review/", {"note": "Reviewed"}, format="json")
    assert r.status_code == 403
    r = api_as(service_lead).post(
        f"/api/v1/incidents/{Incident.objects.get().pk}/review/", {"note": "Expected death"}, format="json"
    )
    assert r.status_code == 200 and r.json()["review_note"] == "Expected death"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "meteor", "severity": "low", "on": "2026-10-20"}, "kind"),
        ({"kind": "other", "severity": "apocalyptic", "on": "2026-10-20"}, "severity"),
        ({"kind": "other", "severity": "death", "on": "2026-10-20"}, "kind"),
        ({"kind": "death", "severity": "low", "on": "2026-10-20"}, "severity"),
        ({"kind": "other", "severity": "low", "on": "2026-09-01"}, "on"),
        ({"kind": "death", "on": "2026-11-05"}, "on"),
    ],
)
def test_bad_incident_is_refused_and_nothing_is_written(api, episode, body, field):
    r = api.post(f"/api/v1/episodes/{episode.pk}/incidents/", {"description": "x", **body}, format="json")
    assert r.status_code == 400 and field in r.json(), r.json()
    assert not Incident.objects.exists()
    assert Episode.objects.get(pk=episode.pk).state == "treatment"


def test_death_notified_after_discharge_cancels_the_pending_and_the_follow_up_proms(api, clinician, episode, frozen):
    from careplans.services import discharge_record

    discharge_record(episode=episode, date=date(2026, 10, 26), reason="completed", actor=clinician)
    prom_schedule_run(today=date(2026, 10, 27))
    discharge_link = PromInvitation.objects.get(timepoint="discharge")
    r = api.post(
        f"/api/v1/episodes/{episode.pk}/incidents/",
        {"kind": "death", "on": "2026-10-31", "description": "Notified by the GP."},
        format="json",
    )
    assert r.status_code == 201, r.json()
    episode.refresh_from_db()
    assert episode.discharge_reason == "completed"
    assert episode.patient.date_of_death == date(2026, 10, 31)
    discharge_link.refresh_from_db()
    assert discharge_link.expires_at <= datetime.now(tz=LONDON)
    frozen.move_to(datetime(2027, 1, 26, 9, 0, tzinfo=LONDON))
    assert prom_schedule_run(today=date(2027, 1, 26))["followup"] == 0
    assert not PromInvitation.objects.filter(timepoint="followup").exists()

    again = api.post(
        f"/api/v1/episodes/{episode.pk}/incidents/",
        {"kind": "death", "on": "2026-10-31", "description": "Duplicate"},
        format="json",
    )
    assert again.status_code == 409 and again.json()["code"] == "death_recorded"
    assert Incident.objects.count() == 1


def test_carer_copy_is_exported_in_the_patients_fhir_record(api, clinician, episode):
    _carer(api, episode.patient)
    _consent(api, episode.patient, "share_carer", True)
    _patient_copy(clinician, episode)
    r = api.get(f"/api/v1/fhir/Patient/{episode.patient_id}/$everything")
    assert r.status_code == 200
    descriptions = [
        e["resource"].get("description", "")
        for e in r.json()["entry"]
        if e["resource"]["resourceType"] == "DocumentReference"
    ]
    assert "Carer copy to the patient's carer or representative" in descriptions
