"""FHIR R4 read API (mounted under /api/v1/fhir/): one resource per object, and a patient's $everything.

Thin views: access is checked per object (404 for what does not exist or may not be seen), each
read is logged with ``record_view``, and the mapping lives in ``interop.fhir.resources``. Responses are
``application/fhir+json``; errors are OperationOutcome resources with the API's usual status codes.
"""

from __future__ import annotations

import json

from django.urls import path, re_path, reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from careplans.models import Appointment, CarePlan
from outcomes.models import PromResponse
from pathway.access import access_episode, access_episode_object, access_patient, episodes_visible_to, may_read_clinical
from pathway.letters.selectors import access_letter, letters_visible_to
from pathway.services import record_view
from referrals.selectors import referral_for

from . import resources as fhir

FHIR_JSON = "application/fhir+json"

ISSUE_CODE = {401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported", 406: "not-supported"}


class FhirJsonRenderer(JSONRenderer):
    media_type = FHIR_JSON
    format = "fhir"


# --- Access ----------------------------------------------------------------------------------


def _episode_object(request, model, pk, *, clinical: bool, related=()):
    """The object if its episode is visible to the user (and, if ``clinical``, the user is staff); else 404."""
    return access_episode_object(request.user, model, pk, clinical=clinical, related=related)


def care_plan_resources(plans) -> list:
    """CarePlans with their version chain: the newest of each episode is current, older ones replaced."""
    by_episode: dict[int, list] = {}
    for plan in plans:
        by_episode.setdefault(plan.episode_id, []).append(plan)
    resources = []
    for versions in by_episode.values():
        versions.sort(key=lambda p: p.version)
        for i, plan in enumerate(versions):
            previous = versions[i - 1].pk if i else None
            resources.append(fhir.care_plan_resource(plan, latest=i == len(versions) - 1, previous_id=previous))
    return resources


def letter_pdf_url(request, letter) -> str:
    return request.build_absolute_uri(reverse("api-letter-pdf", args=[letter.pk]))


# --- Views -----------------------------------------------------------------------------------


class FhirView(APIView):
    renderer_classes = [FhirJsonRenderer, JSONRenderer]

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        response.data = {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error",
                    "code": ISSUE_CODE.get(response.status_code, "processing"),
                    "diagnostics": str(detail) or "The request could not be processed.",
                }
            ],
        }
        return response

    def fhir_response(self, resource) -> Response:
        return Response(json.loads(fhir.to_json(resource)))

    def full_url(self, resource) -> str:
        name = f"api-fhir-{resource.get_resource_type().lower()}"
        return self.request.build_absolute_uri(reverse(name, args=[resource.id]))


OPERATION_OUTCOME = OpenApiResponse(
    response={
        "type": "object",
        "properties": {"resourceType": {"type": "string", "enum": ["OperationOutcome"]}, "issue": {"type": "array"}},
        "required": ["resourceType", "issue"],
    },
    description="OperationOutcome: not signed in (401), or no such resource or not one you may see (404).",
)


def fhir_responses(ok) -> dict:
    """The same bodies as application/fhir+json and, for ``?format=json`` or ``Accept: application/json``,
    as application/json (FhirView renders both)."""
    responses = {}
    for media_type in (FHIR_JSON, "application/json"):
        responses.update(
            {(200, media_type): ok, (401, media_type): OPERATION_OUTCOME, (404, media_type): OPERATION_OUTCOME}
        )
    return responses


def fhir_schema(resource_type: str, operation_id: str, description: str):
    """OpenAPI documentation of a FHIR read: the resource as application/fhir+json, errors as OperationOutcome."""
    return extend_schema(
        operation_id=operation_id,
        tags=["fhir"],
        description=description,
        responses=fhir_responses(
            OpenApiResponse(
                response={
                    "type": "object",
                    "properties": {
                        "resourceType": {"type": "string", "enum": [resource_type]},
                        "id": {"type": "string"},
                    },
                    "required": ["resourceType"],
                    "additionalProperties": True,
                },
                description=f"A FHIR R4 {resource_type} resource.",
            )
        ),
    )


class FhirPatient(FhirView):
    @fhir_schema("Patient", "fhir_patient_read", "The patient, identified by NHS number.")
    def get(self, request, pk):
        patient = access_patient(request.user, pk)
        record_view(user=request.user, patient=patient, via="api", path=request.path)
        return self.fhir_response(fhir.patient_resource(patient))


class FhirEpisodeOfCare(FhirView):
    @fhir_schema("EpisodeOfCare", "fhir_episode_of_care_read", "An episode of care (status from the episode state).")
    def get(self, request, pk):
        episode = access_episode(request.user, pk)
        record_view(user=request.user, episode=episode, via="api", path=request.path)
        return self.fhir_response(fhir.episode_of_care_resource(episode))


class FhirServiceRequest(FhirView):
    @fhir_schema("ServiceRequest", "fhir_service_request_read", "A referral (priority from its urgency).")
    def get(self, request, pk):
        referral = referral_for(request.user, pk)
        record_view(user=request.user, episode=referral.episode, via="api", path=request.path)
        return self.fhir_response(fhir.service_request_resource(referral))


class FhirCarePlan(FhirView):
    @fhir_schema("CarePlan", "fhir_care_plan_read", "A version of a personalised care plan (service staff only).")
    def get(self, request, pk):
        plan = _episode_object(request, CarePlan, pk, clinical=True, related=["created_by"])
        record_view(user=request.user, episode=plan.episode, via="api", path=request.path)
        versions = CarePlan.objects.filter(episode_id=plan.episode_id)
        previous = versions.filter(version__lt=plan.version).order_by("-version").first()
        latest = not versions.filter(version__gt=plan.version).exists()
        return self.fhir_response(
            fhir.care_plan_resource(plan, latest=latest, previous_id=previous.pk if previous else None)
        )


class FhirQuestionnaireResponse(FhirView):
    @fhir_schema("QuestionnaireResponse", "fhir_questionnaire_response_read", "A PROM return with its answers.")
    def get(self, request, pk):
        response = _episode_object(request, PromResponse, pk, clinical=True)
        record_view(user=request.user, episode=response.episode, via="api", path=request.path)
        return self.fhir_response(fhir.questionnaire_response_resource(response))


class FhirAppointment(FhirView):
    @fhir_schema(
        "Appointment", "fhir_appointment_read", "An appointment; did not attend is noshow (service staff only)."
    )
    def get(self, request, pk):
        appointment = _episode_object(
            request, Appointment, pk, clinical=True, related=["clinician", "episode__referral"]
        )
        record_view(user=request.user, episode=appointment.episode, via="api", path=request.path)
        return self.fhir_response(fhir.appointment_resource(appointment))


class FhirDocumentReference(FhirView):
    @fhir_schema("DocumentReference", "fhir_document_reference_read", "A letter, with a link to its PDF.")
    def get(self, request, pk):
        letter = access_letter(request.user, pk)
        record_view(user=request.user, episode=letter.episode, via="api", path=request.path)
        return self.fhir_response(fhir.document_reference_resource(letter, pdf_url=letter_pdf_url(request, letter)))


class FhirPatientEverything(FhirView):
    @extend_schema(
        operation_id="fhir_patient_everything",
        tags=["fhir"],
        description=(
            "A searchset Bundle with the patient and everything of theirs you may see: episodes of care, "
            "referrals, care plans, appointments, PROM returns and letters."
        ),
        responses=fhir_responses(
            OpenApiResponse(
                response={
                    "type": "object",
                    "properties": {
                        "resourceType": {"type": "string", "enum": ["Bundle"]},
                        "type": {"type": "string", "enum": ["searchset"]},
                        "total": {"type": "integer"},
                        "entry": {"type": "array", "items": {"type": "object"}},
                    },
                    "required": ["resourceType", "type"],
                },
                description="A FHIR R4 Bundle.",
            )
        ),
    )
    def get(self, request, pk):
        patient = access_patient(request.user, pk)
        record_view(user=request.user, patient=patient, via="api", path=request.path, action="fhir_everything")
        user = request.user
        episodes = list(
            episodes_visible_to(user)
            .filter(patient=patient)
            .select_related("patient", "referral", "referral__practice", "responsible_clinician")
            .order_by("received_on", "id")
        )
        ids = [e.pk for e in episodes]
        resources = [fhir.patient_resource(patient)]
        for episode in episodes:
            resources.append(fhir.episode_of_care_resource(episode))
            if getattr(episode, "referral", None) is not None:
                resources.append(fhir.service_request_resource(episode.referral))
        if may_read_clinical(user):
            plans = CarePlan.objects.filter(episode_id__in=ids).select_related("episode", "created_by")
            resources += care_plan_resources(list(plans))
            appointments = Appointment.objects.filter(episode_id__in=ids).select_related(
                "episode", "episode__referral", "clinician"
            )
            resources += [fhir.appointment_resource(a) for a in appointments]
            proms = PromResponse.objects.filter(episode_id__in=ids).select_related("episode")
            resources += [fhir.questionnaire_response_resource(r) for r in proms]
        letters = letters_visible_to(user).filter(episode_id__in=ids).select_related("episode").defer("pdf")
        resources += [
            fhir.document_reference_resource(letter, pdf_url=letter_pdf_url(request, letter)) for letter in letters
        ]
        return self.fhir_response(fhir.bundle(resources, full_url=self.full_url))


urlpatterns = [
    path("fhir/Patient/<int:pk>", FhirPatient.as_view(), name="api-fhir-patient"),
    # A regex route: its escaped "$" survives into the OpenAPI path, where path()'s would be dropped.
    re_path(
        r"^fhir/Patient/(?P<pk>[0-9]+)/\$everything$",
        FhirPatientEverything.as_view(),
        name="api-fhir-patient-everything",
    ),
    path("fhir/EpisodeOfCare/<int:pk>", FhirEpisodeOfCare.as_view(), name="api-fhir-episodeofcare"),
    path("fhir/ServiceRequest/<int:pk>", FhirServiceRequest.as_view(), name="api-fhir-servicerequest"),
    path("fhir/CarePlan/<int:pk>", FhirCarePlan.as_view(), name="api-fhir-careplan"),
    path(
        "fhir/QuestionnaireResponse/<int:pk>",
        FhirQuestionnaireResponse.as_view(),
        name="api-fhir-questionnaireresponse",
    ),
    path("fhir/Appointment/<int:pk>", FhirAppointment.as_view(), name="api-fhir-appointment"),
    path("fhir/DocumentReference/<int:pk>", FhirDocumentReference.as_view(), name="api-fhir-documentreference"),
]
