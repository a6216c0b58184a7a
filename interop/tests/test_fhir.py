"""FHIR R4 export through the real API: resources parse back with fhir.resources, statuses map, access holds."""

from datetime import date, time

import pytest
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan as FhirCarePlan
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.episodeofcare import EpisodeOfCare
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhir.resources.R4B.servicerequest import ServiceRequest

from careplans import services as care
from careplans.models import Appointment
from interop.fhir import resources as fhir
from outcomes import services as outcomes
from pathway import services
from pathway.models import EpisodeState, LetterKind, RecordAccess, Role
from pathway.tests import factories as f
from referrals.tests.factories import make_referral

pytestmark = pytest.mark.django_db

MODELS = {
    "Patient": FhirPatient,
    "EpisodeOfCare": EpisodeOfCare,
    "ServiceRequest": ServiceRequest,
    "CarePlan": FhirCarePlan,
    "QuestionnaireResponse": QuestionnaireResponse,
    "Appointment": FhirAppointment,
    "DocumentReference": DocumentReference,
}


def in_care(referral, team):
    """The referral's episode accepted and in assessment with ``team``, as triage and clinic leave it."""
    episode = referral.episode
    services.episode_admit(
        episode=episode, tier=2, admitted_on=referral.received_on, team=team, reason="Accepted at triage"
    )
    services.episode_transition(episode=episode.pk, to=EpisodeState.ASSESSMENT, reason="First seen")
    episode.refresh_from_db()
    return episode


def appointment(episode, outcome="", **kwargs):
    return Appointment.objects.create(
        episode=episode, kind=kwargs.pop("kind", "review"), date=date(2026, 11, 10), outcome=outcome, **kwargs
    )


@pytest.fixture
def record(team, clinician, practice):
    """One patient in the clinician's team with one of everything, and another patient in another team."""
    referral = make_referral(practice=practice, urgency="palliative", referrer_type="oncologist", ubrn="000012345678")
    episode = in_care(referral, team)
    plan_v1 = care.careplan_save(episode=episode, actor=clinician, goals=["Walk to the shops"], therapies=["ACT"])
    plan_v2 = care.careplan_save(
        episode=episode,
        actor=clinician,
        goals=[{"goal": "Return to work", "review_on": "2027-01-15"}],
        education=["Group PMP"],
        flare_up_plan="Pace and rest",
        expected_version=episode.version,
    )
    appointments = {
        "fulfilled": appointment(episode, "attended", kind="new", time=time(10, 30), clinician=clinician),
        "noshow": appointment(episode, "dna"),
        "booked": appointment(episode),
        "cancelled": appointment(episode, "patient_cancelled"),
    }
    prom = outcomes.prom_response_create(
        episode=episode, instrument="PSEQ", timepoint="entry", answers={"items": [3] * 10}, actor=clinician
    )
    letter = services.letter_create(
        kind=LetterKind.TRIAGE_OUTCOME, episode=episode, content={"outcome": "accept"}, started_on=date(2026, 11, 3)
    )

    other_team = f.TeamFactory()
    other = in_care(make_referral(), other_team)
    other_appointment = appointment(other, "dna")
    other_plan = care.careplan_save(episode=other, goals=["Sleep better"])
    other_prom = outcomes.prom_response_create(
        episode=other, instrument="PSEQ", timepoint="entry", answers={"items": [1] * 10}
    )
    other_letter = services.letter_create(kind=LetterKind.TRIAGE_OUTCOME, episode=other, content={})
    return {
        "referral": referral,
        "episode": episode,
        "patient": episode.patient,
        "plans": (plan_v1, plan_v2),
        "appointments": appointments,
        "prom": prom,
        "letter": letter,
        "other": {
            "Patient": other.patient_id,
            "EpisodeOfCare": other.pk,
            "ServiceRequest": other.referral.pk,
            "CarePlan": other_plan.pk,
            "QuestionnaireResponse": other_prom.pk,
            "Appointment": other_appointment.pk,
            "DocumentReference": other_letter.pk,
        },
    }


def urls(record) -> dict[str, str]:
    return {
        "Patient": f"/api/v1/fhir/Patient/{record['patient'].pk}",
        "EpisodeOfCare": f"/api/v1/fhir/EpisodeOfCare/{record['episode'].pk}",
        "ServiceRequest": f"/api/v1/fhir/ServiceRequest/{record['referral'].pk}",
        "CarePlan": f"/api/v1/fhir/CarePlan/{record['plans'][1].pk}",
        "QuestionnaireResponse": f"/api/v1/fhir/QuestionnaireResponse/{record['prom'].pk}",
        "Appointment": f"/api/v1/fhir/Appointment/{record['appointments']['noshow'].pk}",
        "DocumentReference": f"/api/v1/fhir/DocumentReference/{record['letter'].pk}",
    }


def read(client, url, model):
    r = client.get(url)
    assert r.status_code == 200, r.content
    assert r["Content-Type"] == "application/fhir+json"
    return model.model_validate_json(r.content)


@pytest.mark.parametrize("resource_type", list(MODELS))
def test_each_resource_is_valid_r4_fhir_json_and_logs_the_view(api_as, clinician, record, resource_type):
    url = urls(record)[resource_type]
    resource = read(api_as(clinician), url, MODELS[resource_type])
    assert resource.get_resource_type() == resource_type
    assert resource.id == url.rsplit("/", 1)[1]

    log = RecordAccess.objects.get(user=clinician)
    assert (log.patient_id, log.via, log.path) == (record["patient"].pk, "api", url)
    assert log.episode_id in (record["episode"].pk, None)
    assert record["patient"].nhs_number not in log.path and record["patient"].family_name not in log.path


def test_patient_and_episode_identifiers_and_references(api_as, clinician, record):
    client, patient, episode = api_as(clinician), record["patient"], record["episode"]
    resource = read(client, urls(record)["Patient"], FhirPatient)
    assert [(i.system, i.value) for i in resource.identifier] == [
        ("https://fhir.nhs.uk/Id/nhs-number", patient.nhs_number)
    ]
    assert resource.generalPractitioner[0].identifier.value == patient.practice.ods_code

    eoc = read(client, urls(record)["EpisodeOfCare"], EpisodeOfCare)
    assert eoc.status == "active"
    assert eoc.patient.reference == f"Patient/{patient.pk}"
    assert [r.reference for r in eoc.referralRequest] == [f"ServiceRequest/{record['referral'].pk}"]
    assert eoc.identifier[0].value == episode.reference


def test_service_request_from_the_referral(api_as, clinician, record):
    request = read(api_as(clinician), urls(record)["ServiceRequest"], ServiceRequest)
    assert (request.status, request.intent, request.priority) == ("active", "order", "asap")
    assert request.subject.reference == f"Patient/{record['patient'].pk}"
    assert ("https://fhir.nhs.uk/Id/UBRN", "000012345678") in [(i.system, i.value) for i in request.identifier]
    assert request.requester.identifier.value == record["referral"].practice.ods_code


def test_appointment_statuses_dna_is_noshow(api_as, clinician, record):
    client = api_as(clinician)
    for status, booked in record["appointments"].items():
        resource = read(client, f"/api/v1/fhir/Appointment/{booked.pk}", FhirAppointment)
        assert resource.status == status
        assert resource.participant[0].actor.reference == f"Patient/{record['patient'].pk}"
        assert resource.start and resource.end
    cancelled = read(client, f"/api/v1/fhir/Appointment/{record['appointments']['cancelled'].pk}", FhirAppointment)
    assert cancelled.cancelationReason.coding[0].code == "pat"


def test_care_plan_versions_goals_and_activities(api_as, clinician, record):
    client = api_as(clinician)
    v1, v2 = record["plans"]
    old = read(client, f"/api/v1/fhir/CarePlan/{v1.pk}", FhirCarePlan)
    current = read(client, f"/api/v1/fhir/CarePlan/{v2.pk}", FhirCarePlan)
    assert (old.status, current.status) == ("revoked", "active")
    assert current.intent == "plan"
    assert [r.reference for r in current.replaces] == [f"CarePlan/{v1.pk}"]
    assert current.contained[0].description.text == "Return to work"
    assert [a.detail.description for a in current.activity] == ["Education: Group PMP"]


def test_questionnaire_response_answers(api_as, clinician, record):
    response = read(api_as(clinician), urls(record)["QuestionnaireResponse"], QuestionnaireResponse)
    assert response.status == "completed"
    assert response.questionnaire.startswith(fhir.system_base() + "/Questionnaire/PSEQ")
    assert [item.linkId for item in response.item] == [f"items.{n}" for n in range(1, 11)]
    assert {item.answer[0].valueInteger for item in response.item} == {3}


def test_document_reference_points_at_the_letter_pdf(api_as, clinician, record):
    letter = record["letter"]
    document = read(api_as(clinician), urls(record)["DocumentReference"], DocumentReference)
    attachment = document.content[0].attachment
    assert attachment.contentType == "application/pdf"
    assert attachment.url == f"http://testserver/api/v1/letters/{letter.pk}/pdf/"
    assert document.context.encounter[0].reference == f"EpisodeOfCare/{record['episode'].pk}"


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("triage", "waitlist"),
        ("info_requested", "waitlist"),
        ("accepted", "active"),
        ("treatment", "active"),
        ("discharged", "finished"),
        ("rejected", "cancelled"),
        ("redirected", "cancelled"),
    ],
)
def test_episode_status_table(state, status):
    episode = f.open_episode()
    episode.state = state
    assert fhir.episode_of_care_resource(episode).status == status


@pytest.mark.parametrize("resource_type", list(MODELS))
def test_another_teams_record_and_unknown_ids_are_404(api_as, clinician, record, resource_type):
    client = api_as(clinician)
    for pk in (record["other"][resource_type], 999999):
        r = client.get(f"/api/v1/fhir/{resource_type}/{pk}")
        assert r.status_code == 404
        assert r.json()["resourceType"] == "OperationOutcome"
    r = client.get(f"/api/v1/fhir/Patient/{record['other']['Patient']}/$everything")
    assert r.status_code == 404
    assert not RecordAccess.objects.filter(user=clinician, outcome=RecordAccess.Outcome.ALLOWED).exists()
    refused = RecordAccess.objects.filter(user=clinician, outcome=RecordAccess.Outcome.REFUSED)
    assert refused.filter(patient_id=record["other"]["Patient"]).exists()


def test_gp_practice_sees_the_episode_but_not_clinical_detail(api_as, gp_user, record):
    client = api_as(gp_user)
    assert client.get(urls(record)["EpisodeOfCare"]).status_code == 200
    assert client.get(urls(record)["CarePlan"]).status_code == 404
    assert client.get(urls(record)["Appointment"]).status_code == 404
    # A draft letter is not the practice's to see yet.
    assert client.get(urls(record)["DocumentReference"]).status_code == 404


def test_unauthenticated_is_401_and_post_is_405(api_client, api_as, clinician, record):
    for url in [*urls(record).values(), f"/api/v1/fhir/Patient/{record['patient'].pk}/$everything"]:
        r = api_client.get(url)
        assert r.status_code == 401
        assert r.json()["issue"][0]["code"] == "login"
        r = api_as(clinician).post(url, {}, format="json")
        assert r.status_code == 405


def entries(bundle: Bundle) -> set[tuple[str, str]]:
    return {(e.resource.get_resource_type(), e.resource.id) for e in bundle.entry}


def test_everything_bundle_holds_the_patients_record_only(api_as, clinician, record):
    url = f"/api/v1/fhir/Patient/{record['patient'].pk}/$everything"
    bundle = read(api_as(clinician), url, Bundle)
    assert bundle.type == "searchset" and bundle.total == len(bundle.entry)
    expected = {
        ("Patient", str(record["patient"].pk)),
        ("EpisodeOfCare", str(record["episode"].pk)),
        ("ServiceRequest", str(record["referral"].pk)),
        *{("CarePlan", str(plan.pk)) for plan in record["plans"]},
        *{("Appointment", str(a.pk)) for a in record["appointments"].values()},
        ("QuestionnaireResponse", str(record["prom"].pk)),
        ("DocumentReference", str(record["letter"].pk)),
    }
    assert entries(bundle) == expected
    assert {e.fullUrl for e in bundle.entry} >= {"http://testserver" + u for u in urls(record).values()}
    patient_ref = f"Patient/{record['patient'].pk}"
    for entry in bundle.entry[1:]:
        data = entry.resource.model_dump()
        subject = data.get("subject") or data.get("patient") or data["participant"][0]["actor"]
        assert subject["reference"] == patient_ref

    log = RecordAccess.objects.get(user=clinician)
    assert (log.patient_id, log.episode_id, log.action) == (record["patient"].pk, None, "fhir_everything")


def test_everything_for_a_gp_practice_leaves_out_clinical_detail(api_as, gp_user, record):
    bundle = read(api_as(gp_user), f"/api/v1/fhir/Patient/{record['patient'].pk}/$everything", Bundle)
    assert {kind for kind, _ in entries(bundle)} == {
        "Patient",
        "EpisodeOfCare",
        "ServiceRequest",
    }


def test_service_lead_sees_every_patient(api_as, record):
    lead = f.UserFactory(role=Role.SERVICE_LEAD)
    bundle = read(api_as(lead), f"/api/v1/fhir/Patient/{record['other']['Patient']}/$everything", Bundle)
    assert ("Appointment", str(record["other"]["Appointment"])) in entries(bundle)
    assert ("Patient", str(record["patient"].pk)) not in entries(bundle)


def test_plain_json_is_offered_as_the_schema_documents(api_as, clinician, record):
    """?format=json (a documented parameter) and Accept: application/json answer the same bodies as plain JSON."""
    client = api_as(clinician)
    url = urls(record)["Patient"]
    fhir_body = client.get(url).json()
    for r in (client.get(url, {"format": "json"}), client.get(url, HTTP_ACCEPT="application/json")):
        assert r.status_code == 200 and r["Content-Type"] == "application/json"
        assert r.json() == fhir_body
    r = client.get("/api/v1/fhir/Patient/999999", {"format": "json"})
    assert r.status_code == 404 and r["Content-Type"] == "application/json"
    assert r.json()["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize(
    ("url", "documented"),
    [
        ("/api/v1/fhir/Patient/abc", "/api/v1/fhir/Patient/{id}"),
        ("/api/v1/fhir/EpisodeOfCare/null,null", "/api/v1/fhir/EpisodeOfCare/{id}"),
        ("/api/v1/fhir/Patient/-1/$everything", "/api/v1/fhir/Patient/{id}/$everything"),
        ("/api/v1/fhir/Observation/1", None),
    ],
)
def test_an_id_that_is_not_a_number_is_an_operation_outcome_404(api_as, clinician, url, documented):
    from pathway.tests.openapi import assert_documented

    r = api_as(clinician).get(url)
    assert r.status_code == 404 and r["Content-Type"] == "application/fhir+json"
    assert r.json()["resourceType"] == "OperationOutcome" and r.json()["issue"][0]["code"] == "not-found"
    if documented:
        assert_documented(r, documented)
