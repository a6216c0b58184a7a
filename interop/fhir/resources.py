"""FHIR R4 export (UK Core identifiers): model instances -> validated ``fhir.resources`` objects.

Pure mapping, no access checks and no queries beyond the instance's own relations. Every
function builds its resource through the model class, so an invalid resource raises here rather
than leaving the service. fhir.resources 8 defaults to R5; the ``R4B`` package is used because
R4B is wire-compatible with R4 for every resource exported here.

Ids are the objects' own primary keys; resources point at each other as ``Patient/{id}``,
``EpisodeOfCare/{id}``, ``ServiceRequest/{id}``, ``CarePlan/{id}``. Organisations (practices) are
referenced by ODS code, staff by display name only.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan as FhirCarePlan
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.episodeofcare import EpisodeOfCare
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhir.resources.R4B.resource import Resource
from fhir.resources.R4B.servicerequest import ServiceRequest

from pathway.models import Episode, EpisodeState, Letter, LetterState, Patient

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
UBRN_SYSTEM = "https://fhir.nhs.uk/Id/UBRN"
EPISODE_OF_CARE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/workflow-episodeOfCare"
APPOINTMENT_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0276"
CANCELLATION_REASON_SYSTEM = "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"


def system_base() -> str:
    """Namespace of the service's own identifiers and questionnaire canonicals (setting FHIR_SYSTEM_BASE)."""
    return getattr(settings, "FHIR_SYSTEM_BASE", "https://painway.example.org/fhir").rstrip("/")


# --- Status tables ---------------------------------------------------------------------------

EPISODE_STATUS = {
    EpisodeState.TRIAGE: "waitlist",
    EpisodeState.INFO_REQUESTED: "waitlist",
    EpisodeState.ACCEPTED: "active",
    EpisodeState.ASSESSMENT: "active",
    EpisodeState.TREATMENT: "active",
    EpisodeState.DISCHARGED: "finished",
    EpisodeState.REJECTED: "cancelled",
    EpisodeState.REDIRECTED: "cancelled",
}

# The referral is the request the episode fulfils.
REFERRAL_STATUS = {
    EpisodeState.TRIAGE: "active",
    EpisodeState.INFO_REQUESTED: "on-hold",
    EpisodeState.ACCEPTED: "active",
    EpisodeState.ASSESSMENT: "active",
    EpisodeState.TREATMENT: "active",
    EpisodeState.DISCHARGED: "completed",
    EpisodeState.REJECTED: "revoked",
    EpisodeState.REDIRECTED: "revoked",
}

URGENCY_PRIORITY = {"routine": "routine", "urgent": "urgent", "palliative": "asap"}

# Appointment outcome -> (status, cancellation reason code); no outcome yet means booked.
APPOINTMENT_STATUS = {
    "": ("booked", None),
    "attended": ("fulfilled", None),
    "dna": ("noshow", None),
    "patient_cancelled": ("cancelled", ("pat", "Patient")),
    "service_cancelled": ("cancelled", ("prov", "Provider")),
}
APPOINTMENT_TYPE = {"new": ("ROUTINE", "Routine appointment"), "review": ("FOLLOWUP", "A follow up visit")}
# Nominal slot lengths: Painway records a start time but no end, and R4 needs both on a booked appointment.
APPOINTMENT_MINUTES = {"new": 60, "review": 30, "group": 120}

LETTER_DOC_STATUS = {LetterState.DRAFT: "preliminary"}  # every other state is an approved letter: final

RECIPIENT = {"gp": "GP practice", "patient": "patient"}

GENDER = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}

CARE_PLAN_ACTIVITIES = [
    ("education", "Education"),
    ("therapies", "Therapy"),
    ("clinical", "Clinical"),
    ("interventions", "Intervention"),
]


# --- Small builders --------------------------------------------------------------------------


def ref(resource_type: str, pk) -> dict:
    return {"reference": f"{resource_type}/{pk}"}


def local_identifier(kind: str, value) -> dict:
    return {"system": f"{system_base()}/Id/{kind}", "value": str(value)}


def organisation(practice) -> dict:
    return {
        "type": "Organization",
        "identifier": {"system": ODS_SYSTEM, "value": practice.ods_code},
        "display": practice.name,
    }


def staff(user) -> dict | None:
    if user is None:
        return None
    return {"display": user.get_full_name() or user.get_username()}


def episode_extension(episode_id) -> list[dict]:
    return [{"url": EPISODE_OF_CARE_EXTENSION, "valueReference": ref("EpisodeOfCare", episode_id)}]


def _instant(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _drop_empty(data: dict) -> dict:
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


# --- Resources -------------------------------------------------------------------------------


def patient_resource(patient: Patient) -> FhirPatient:
    address = _drop_empty(
        {
            "use": "home",
            "line": [line for line in patient.address.splitlines() if line.strip()],
            "postalCode": patient.postcode,
        }
    )
    telecom = []
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone})
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    return FhirPatient.model_validate(
        _drop_empty(
            {
                "resourceType": "Patient",
                "id": str(patient.pk),
                "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": patient.nhs_number}],
                "name": [{"use": "official", "family": patient.family_name, "given": [patient.given_name]}],
                "gender": GENDER.get(patient.sex, "unknown"),
                "birthDate": _date(patient.date_of_birth),
                "address": [address] if len(address) > 1 else [],
                "telecom": telecom,
                "generalPractitioner": [organisation(patient.practice)],
            }
        )
    )


def episode_of_care_resource(episode: Episode) -> EpisodeOfCare:
    referral = getattr(episode, "referral", None)
    period = _drop_empty(
        {"start": _date(episode.admitted_on or episode.received_on), "end": _date(episode.discharged_on)}
    )
    return EpisodeOfCare.model_validate(
        _drop_empty(
            {
                "resourceType": "EpisodeOfCare",
                "id": str(episode.pk),
                "identifier": [local_identifier("episode", episode.reference)],
                "status": EPISODE_STATUS[episode.state],
                "type": [
                    {
                        "text": f"Persistent pain service, tier {episode.tier}"
                        if episode.tier
                        else "Persistent pain service"
                    }
                ],
                "patient": ref("Patient", episode.patient_id),
                "managingOrganization": {"display": settings.SERVICE_NAME},
                "period": period,
                "referralRequest": [ref("ServiceRequest", referral.pk)] if referral else [],
                "careManager": staff(episode.responsible_clinician) if episode.responsible_clinician_id else None,
            }
        )
    )


def service_request_resource(referral) -> ServiceRequest:
    episode = referral.episode
    identifiers = [local_identifier("referral", referral.pk)]
    if referral.ubrn:
        identifiers.insert(0, {"system": UBRN_SYSTEM, "value": referral.ubrn})
    notes = [
        f"{label}: {value}"
        for label, value in (
            ("Duration", f"{referral.duration_months} months"),
            ("Impact", referral.impact),
            ("Previous treatments", referral.previous_treatments),
            ("Medications", referral.medications),
            ("Red flags", ", ".join(referral.red_flags or [])),
        )
        if value
    ]
    return ServiceRequest.model_validate(
        _drop_empty(
            {
                "resourceType": "ServiceRequest",
                "id": str(referral.pk),
                "identifier": identifiers,
                "status": REFERRAL_STATUS[episode.state],
                "intent": "order",
                "priority": URGENCY_PRIORITY[referral.urgency],
                "code": {"text": "Referral to persistent pain service"},
                "subject": ref("Patient", referral.patient_id),
                "authoredOn": _date(referral.received_on),
                "requester": organisation(referral.practice),
                "reasonCode": [{"text": referral.reason or f"Persistent pain: {referral.pain_site}"}],
                "bodySite": [{"text": referral.pain_site}],
                "note": [{"text": text} for text in notes],
                "extension": episode_extension(episode.pk),
            }
        )
    )


def care_plan_resource(plan, *, latest: bool, previous_id=None) -> FhirCarePlan:
    """``latest``: whether this is the episode's current version; older versions are revoked."""
    episode = plan.episode
    status = ("active" if episode.is_open else "completed") if latest else "revoked"
    contained, goal_refs = [], []
    for n, goal in enumerate(plan.goals or [], start=1):
        text = goal.get("goal") if isinstance(goal, dict) else str(goal)
        review_on = goal.get("review_on") if isinstance(goal, dict) else None
        contained.append(
            _drop_empty(
                {
                    "resourceType": "Goal",
                    "id": f"goal-{n}",
                    "lifecycleStatus": "active" if status == "active" else "completed",
                    "description": {"text": text},
                    "subject": ref("Patient", episode.patient_id),
                    "target": [{"dueDate": str(review_on)}] if review_on else [],
                }
            )
        )
        goal_refs.append({"reference": f"#goal-{n}"})
    activities = [
        {"detail": {"status": "unknown", "description": f"{label}: {item}"}}
        for field, label in CARE_PLAN_ACTIVITIES
        for item in getattr(plan, field) or []
    ]
    notes = [
        {"text": f"{label}: {value}"}
        for label, value in (("Flare-up plan", plan.flare_up_plan), ("Emergency plan", plan.emergency_plan))
        if value
    ]
    return FhirCarePlan.model_validate(
        _drop_empty(
            {
                "resourceType": "CarePlan",
                "id": str(plan.pk),
                "identifier": [local_identifier("care-plan", f"{episode.reference}-v{plan.version}")],
                "contained": contained,
                "status": status,
                "intent": "plan",
                "title": f"Personalised care plan, version {plan.version}",
                "subject": ref("Patient", episode.patient_id),
                "created": _instant(plan.created_at),
                "author": staff(plan.created_by) if plan.created_by_id else None,
                "replaces": [ref("CarePlan", previous_id)] if previous_id else [],
                "goal": goal_refs,
                "activity": activities,
                "note": notes,
                "extension": episode_extension(episode.pk),
            }
        )
    )


def _appointment_period(appointment) -> tuple[str, str, str | None]:
    """(start, end, comment): the booked slot, or the whole local day when no time was recorded."""
    tz = timezone.get_default_timezone()
    if appointment.time is not None:
        start = datetime.combine(appointment.date, appointment.time, tzinfo=tz)
        end = start + timedelta(minutes=APPOINTMENT_MINUTES.get(appointment.kind, 30))
        return start.isoformat(), end.isoformat(), None
    start = datetime.combine(appointment.date, time(0, 0), tzinfo=tz)
    end = datetime.combine(appointment.date, time(23, 59, 59), tzinfo=tz)
    return start.isoformat(), end.isoformat(), "Time of day not recorded."


def appointment_resource(appointment) -> FhirAppointment:
    episode = appointment.episode
    status, cancellation = APPOINTMENT_STATUS[appointment.outcome]
    start, end, comment = _appointment_period(appointment)
    participants = [{"actor": ref("Patient", episode.patient_id), "status": "accepted"}]
    if appointment.clinician_id:
        participants.append({"actor": staff(appointment.clinician), "status": "accepted"})
    type_coding = APPOINTMENT_TYPE.get(appointment.kind)
    referral = getattr(episode, "referral", None)
    return FhirAppointment.model_validate(
        _drop_empty(
            {
                "resourceType": "Appointment",
                "id": str(appointment.pk),
                "identifier": [local_identifier("appointment", appointment.pk)],
                "status": status,
                "cancelationReason": (
                    {
                        "coding": [
                            {"system": CANCELLATION_REASON_SYSTEM, "code": cancellation[0], "display": cancellation[1]}
                        ]
                    }
                    if cancellation
                    else None
                ),
                "appointmentType": _drop_empty(
                    {
                        "coding": (
                            [{"system": APPOINTMENT_TYPE_SYSTEM, "code": type_coding[0], "display": type_coding[1]}]
                            if type_coding
                            else []
                        ),
                        "text": appointment.get_kind_display(),
                    }
                ),
                "description": f"{appointment.get_kind_display()}, {appointment.get_mode_display().lower()}",
                "start": start,
                "end": end,
                "minutesDuration": APPOINTMENT_MINUTES.get(appointment.kind, 30) if appointment.time else None,
                "created": _date(appointment.booked_on),
                "comment": comment,
                "basedOn": [ref("ServiceRequest", referral.pk)] if referral else [],
                "participant": participants,
                "extension": episode_extension(episode.pk),
            }
        )
    )


def _answer(value) -> list[dict]:
    if value is None:
        return []
    if isinstance(value, bool):
        return [{"valueBoolean": value}]
    if isinstance(value, int):
        return [{"valueInteger": value}]
    if isinstance(value, float | Decimal):
        return [{"valueDecimal": value}]
    return [{"valueString": str(value)}]


def _question_texts(instrument: str) -> dict[str, str]:
    from outcomes import questionnaires as q

    if instrument == "PSEQ":
        return {f"items.{n}": text for n, text in enumerate(q.PSEQ_TEXT, start=1)}
    if instrument == "BPI":
        return {
            **{f"severity.{n}": text for n, text in enumerate(q.BPI_SEVERITY_TEXT, start=1)},
            **{f"interference.{n}": text for n, text in enumerate(q.BPI_INTERFERENCE_TEXT, start=1)},
        }
    return {**{dim: label for dim, (label, _) in q.EQ5D_TEXT.items()}, "vas": "Your health today, from 0 to 100"}


def _answer_items(instrument: str, answers: dict) -> list[dict]:
    """Stored answers as items: a list under key k gives k.1, k.2, ...; a scalar gives k."""
    texts = _question_texts(instrument)
    items = []
    for key, value in (answers or {}).items():
        values = list(enumerate(value, start=1)) if isinstance(value, list) else [(None, value)]
        for n, single in values:
            link_id = f"{key}.{n}" if n is not None else str(key)
            items.append(_drop_empty({"linkId": link_id, "text": texts.get(link_id), "answer": _answer(single)}))
    return items


def questionnaire_canonical(instrument: str, version: str) -> str:
    base = f"{system_base()}/Questionnaire/{instrument}"
    return f"{base}|{version}" if version else base


def questionnaire_response_resource(response) -> QuestionnaireResponse:
    episode = response.episode
    return QuestionnaireResponse.model_validate(
        _drop_empty(
            {
                "resourceType": "QuestionnaireResponse",
                "id": str(response.pk),
                "identifier": local_identifier("prom-response", response.pk),
                "questionnaire": questionnaire_canonical(response.instrument, response.instrument_version),
                "status": "completed" if response.complete else "in-progress",
                "subject": ref("Patient", episode.patient_id),
                "authored": _date(response.completed_on),
                "source": ref("Patient", episode.patient_id) if response.source == "patient_link" else None,
                "item": _answer_items(response.instrument, response.answers),
                "extension": episode_extension(episode.pk),
            }
        )
    )


def document_reference_resource(letter: Letter, *, pdf_url: str) -> DocumentReference:
    """``pdf_url``: where the letter's PDF is fetched (the letters API)."""
    episode = letter.episode
    return DocumentReference.model_validate(
        _drop_empty(
            {
                "resourceType": "DocumentReference",
                "id": str(letter.pk),
                "identifier": [local_identifier("letter", letter.pk)],
                "status": "current",
                "docStatus": LETTER_DOC_STATUS.get(letter.state, "final"),
                "type": {"text": letter.get_kind_display()},
                "category": [{"text": "Correspondence"}],
                "subject": ref("Patient", episode.patient_id),
                "date": _instant(letter.approved_at or letter.created_at),
                "author": [{"display": settings.SERVICE_NAME}],
                "description": f"{letter.get_kind_display()} to the {RECIPIENT[letter.recipient]}",
                "content": [
                    {
                        "attachment": _drop_empty(
                            {
                                "contentType": "application/pdf",
                                "url": pdf_url,
                                "title": f"{letter.get_kind_display()} {episode.reference}",
                                "creation": _instant(letter.rendered_at),
                            }
                        )
                    }
                ],
                "context": {"encounter": [ref("EpisodeOfCare", episode.pk)]},
            }
        )
    )


def bundle(resources: list[Resource], *, full_url) -> Bundle:
    """A searchset Bundle of ``resources``; ``full_url(resource)`` gives each entry's absolute URL."""
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(resources),
            "entry": [
                {"fullUrl": full_url(resource), "resource": resource, "search": {"mode": "match"}}
                for resource in resources
            ],
        }
    )


def to_json(resource: Resource) -> str:
    return resource.model_dump_json()
