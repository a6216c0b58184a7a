"""Endpoints of clinical care: thin views over the same services as the forms."""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from pathway import services as core
from pathway.access import access_clinical_episode, access_episode, access_episode_object
from pathway.api import require_clinical
from pathway.api_schema import NO_CONTENT, NOT_FOUND, action_responses
from pathway.episode_dates import reengagement_window_ends
from pathway.models import LetterKind

from .. import selectors, services
from ..models import Appointment, Extension, GroupSession, MedicationLine
from .extensions import urlpatterns as extension_urls
from .serializers import (
    AppointmentBookedOutput,
    AppointmentInput,
    AppointmentOutcomeOutput,
    AppointmentOutput,
    AssessmentInput,
    AssessmentOutput,
    CarePlanInput,
    CarePlanOutput,
    CarePlanShareInput,
    DischargeInput,
    DischargeOutput,
    DnaDecisionInput,
    ExtensionInput,
    ExtensionOutput,
    FormularyDrugOutput,
    MdtReviewInput,
    MdtReviewOutput,
    MedicationAddedOutput,
    MedicationInput,
    MedicationLineOutput,
    MedicationReviewInput,
    MedicationReviewOutput,
    OpenTasksConflict,
    OutcomeInput,
    TreatmentStartedInput,
    TreatmentStartedOutput,
    VersionInput,
)


def _valid(serializer_class, request):
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    values = dict(data.validated_data)
    return values, values.pop("version", None)


def _version_of(request) -> int | None:
    """The optional ``{"version": N}`` of a body-less action, checked like every other version field."""
    data = request.data
    if data is None or (hasattr(data, "get") and data.get("version") in (None, "")):
        return None
    return _valid(VersionInput, request)[1]


def _episode_for_reading(request, pk):
    episode = access_clinical_episode(request.user, pk)
    core.record_view(user=request.user, episode=episode, via="api", path=request.path)
    return episode


def _episode_for_action(request, pk):
    episode = access_episode(request.user, pk)
    require_clinical(request.user)
    return episode


def _object_for_action(request, model, pk):
    """A clinical object (appointment, medication, extension): 404 unless the user may see it, then
    403 unless they may act on it."""
    obj = access_episode_object(request.user, model, pk)
    require_clinical(request.user)
    return obj


class EpisodeAppointments(APIView):
    @extend_schema(responses={200: AppointmentOutput(many=True), 404: NOT_FOUND})
    def get(self, request, pk):
        episode = _episode_for_reading(request, pk)
        appointments = episode.appointments.select_related("interpreter_booking")
        return Response(AppointmentOutput(appointments, many=True).data)

    @extend_schema(request=AppointmentInput, responses=action_responses(201, AppointmentBookedOutput))
    def post(self, request, pk):
        episode = _episode_for_action(request, pk)
        values, version = _valid(AppointmentInput, request)
        session = None
        if values.get("group_session"):
            session = GroupSession.objects.filter(pk=values["group_session"]).first()
            if session is None:
                return Response({"group_session": ["No such group session."]}, status=status.HTTP_400_BAD_REQUEST)
        appointment = services.appointment_book(
            episode=episode,
            kind=values["kind"],
            date=values["date"],
            time=values.get("time"),
            mode=values["mode"],
            clinician=request.user,
            group_session=session,
            actor=request.user,
            expected_version=version,
        )
        return Response(
            {**AppointmentOutput(appointment).data, "episode_version": episode.version}, status=status.HTTP_201_CREATED
        )


class AppointmentOutcome(APIView):
    @extend_schema(request=OutcomeInput, responses=action_responses(200, AppointmentOutcomeOutput))
    def post(self, request, pk):
        appointment = _object_for_action(request, Appointment, pk)
        values, version = _valid(OutcomeInput, request)
        review_outcome = values.get("medication_review_outcome")
        if review_outcome and values["outcome"] != Appointment.Outcome.ATTENDED:
            return Response(
                {
                    "medication_review_outcome": [
                        "A medication review can only be recorded with an attended appointment."
                    ]
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        review_id = None
        if review_outcome:
            appointment, review, _ = services.appointment_attended_with_review(
                appointment=appointment,
                review_outcome=review_outcome,
                notes=values.get("medication_review_notes", ""),
                actor=request.user,
                expected_version=version,
            )
            review_id = review.pk
        else:
            appointment = services.appointment_record_outcome(
                appointment=appointment, outcome=values["outcome"], actor=request.user, expected_version=version
            )
        body = AppointmentOutput(appointment).data
        body["medication_review_id"] = review_id
        body["decision_required"] = appointment.outcome == Appointment.Outcome.DNA
        return Response(body)


class AppointmentDnaDecision(APIView):
    @extend_schema(request=DnaDecisionInput, responses=action_responses(200, AppointmentOutput))
    def post(self, request, pk):
        appointment = _object_for_action(request, Appointment, pk)
        values, version = _valid(DnaDecisionInput, request)
        appointment = services.appointment_dna_decide(
            appointment=appointment, actor=request.user, expected_version=version, **values
        )
        return Response(AppointmentOutput(appointment).data)


class EpisodeAssessments(APIView):
    @extend_schema(request=AssessmentInput, responses=action_responses(201, AssessmentOutput))
    def post(self, request, pk):
        episode = _episode_for_action(request, pk)
        values, version = _valid(AssessmentInput, request)
        assessment = services.assessment_record(
            episode=episode, clinician=request.user, expected_version=version, **values
        )
        return Response(
            {"id": assessment.pk, "assessed_on": assessment.assessed_on, "state": episode.state},
            status=status.HTTP_201_CREATED,
        )


class EpisodeCarePlan(APIView):
    @extend_schema(responses={200: CarePlanOutput, 404: NOT_FOUND}, description="The latest version of the care plan.")
    def get(self, request, pk):
        episode = _episode_for_reading(request, pk)
        plan = selectors.latest_care_plan(episode)
        if plan is None:
            raise Http404("This episode has no care plan yet.")
        return Response(CarePlanOutput(plan).data)

    @extend_schema(request=CarePlanInput, responses=action_responses(201, CarePlanOutput))
    def post(self, request, pk):
        episode = _episode_for_action(request, pk)
        values, version = _valid(CarePlanInput, request)
        values["goals"] = [
            {"goal": g["goal"], "review_on": g["review_on"].isoformat() if g.get("review_on") else ""}
            for g in values["goals"]
        ]
        plan = services.careplan_save(episode=episode, actor=request.user, expected_version=version, **values)
        return Response(CarePlanOutput(plan).data, status=status.HTTP_201_CREATED)


class EpisodeCarePlanShare(APIView):
    @extend_schema(
        request=CarePlanShareInput,
        responses=action_responses(200, CarePlanOutput),
        description="Share the latest care plan version with the patient, the GP (a `care_plan` letter to the "
        "practice) and/or the community tier 2 service. 409 `consent_not_given` when the patient declined "
        "sharing with the GP or has no `share_tier2` consent in force; 409 `no_care_plan` without a plan.",
    )
    def post(self, request, pk):
        episode = _episode_for_action(request, pk)
        values, version = _valid(CarePlanShareInput, request)
        plan, _ = services.careplan_share(episode=episode, actor=request.user, expected_version=version, **values)
        plan.episode = episode
        return Response(CarePlanOutput(plan).data)


class EpisodeTreatmentStarted(APIView):
    @extend_schema(
        request=TreatmentStartedInput,
        responses={200: TreatmentStartedOutput, **action_responses(201, TreatmentStartedOutput)},
        description="201 when the first definitive treatment is recorded (stops the RTT clock); "
        "200 when it was already recorded.",
    )
    def post(self, request, pk):
        episode = _episode_for_action(request, pk)
        values, version = _valid(TreatmentStartedInput, request)
        started, created = services.treatment_start(
            episode=episode, actor=request.user, expected_version=version, **values
        )
        episode.refresh_from_db()
        return Response(
            {"id": started.pk, "date": started.date, "kind": started.kind, "state": episode.state, "created": created},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def _float(value):
    return float(value) if value is not None else None


class Formulary(APIView):
    @extend_schema(responses={200: FormularyDrugOutput(many=True)})
    def get(self, request):
        return Response(selectors.formulary_rows(core.today_london()))


class EpisodeMedications(APIView):
    @extend_schema(responses={200: MedicationLineOutput(many=True), 404: NOT_FOUND})
    def get(self, request, pk):
        episode = _episode_for_reading(request, pk)
        lines = episode.medications.all()
        return Response(
            [
                {
                    "id": m.pk,
                    "drug": m.drug,
                    "drug_class": m.drug_class,
                    "route": m.route,
                    "change": m.change,
                    "urgent": m.urgent,
                    "above_usual_max": m.above_usual_max,
                    "ome_mg_per_day": _float(m.ome_mg_per_day),
                    "factor_version": m.factor_version,
                    "started_on": m.started_on,
                    "stopped_on": m.stopped_on,
                    "review_due_on": m.review_due_on,
                }
                for m in lines
            ]
        )

    @extend_schema(request=MedicationInput, responses=action_responses(201, MedicationAddedOutput))
    def post(self, request, pk):
        episode = _episode_for_action(request, pk)
        values, version = _valid(MedicationInput, request)
        line = services.medication_add(episode=episode, actor=request.user, expected_version=version, **values)
        stopped = values.get("change") == "stop"
        return Response(
            {
                "id": line.pk,
                "drug": line.drug,
                "class": line.drug_class,
                "ome_mg_per_day": _float(line.ome_mg_per_day),
                "review_due_on": getattr(line, "stop_review_due_on", None) if stopped else line.review_due_on,
                "letter_id": line.advice_letter_id,
                "change": values.get("change", "start"),
                "above_usual_max": line.above_usual_max,
                "factor_version": line.factor_version,
                "ome_total_mg_per_day": float(episode.ome_total_mg_per_day),
                "episode_version": episode.version,
            },
            status=status.HTTP_201_CREATED,
        )


class EpisodeMedicationReviews(APIView):
    @extend_schema(request=MedicationReviewInput, responses=action_responses(201, MedicationReviewOutput))
    def post(self, request, pk):
        episode = _episode_for_action(request, pk)
        values, version = _valid(MedicationReviewInput, request)
        review, met = services.medication_review_record(
            episode=episode, actor=request.user, expected_version=version, **values
        )
        return Response({"id": review.pk, "met_deadline_ids": met}, status=status.HTTP_201_CREATED)


class MedicationDetail(APIView):
    @extend_schema(
        responses=action_responses(204, NO_CONTENT),
        description='Stops the medication line. An optional JSON body `{"version": N}` guards against a stale episode.',
    )
    def delete(self, request, pk):
        line = _object_for_action(request, MedicationLine, pk)
        services.medication_stop(line=line, actor=request.user, expected_version=_version_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EpisodeDischarge(APIView):
    @extend_schema(
        request=DischargeInput,
        responses={**action_responses(201, DischargeOutput), 409: OpenTasksConflict},
        description="Discharge: the letter to the GP and the patient's copy, both due 3 working days after the "
        "date. 409 `open_tasks` (with `open_tasks`: [{kind, label, due_on, note}]) when urgent tasks are open and "
        "`confirm_open_tasks` is not true.",
    )
    def post(self, request, pk):
        episode = _episode_for_action(request, pk)
        values, version = _valid(DischargeInput, request)
        discharge, letter = services.discharge_record(
            episode=episode, actor=request.user, expected_version=version, **values
        )
        copy = letter.copies.filter(kind=LetterKind.PATIENT_COPY).first()
        return Response(
            {
                "letter_id": letter.pk,
                "letter_due_on": letter.due_on,
                "discharge_id": discharge.pk,
                "patient_copy_id": copy.pk if copy else None,
                "patient_copy_due_on": copy.due_on if copy else None,
                "reengage_until": reengagement_window_ends(discharge.date),
                "open_tasks_confirmed": discharge.open_tasks_confirmed,
            },
            status=status.HTTP_201_CREATED,
        )


class EpisodeExtension(APIView):
    @extend_schema(request=ExtensionInput, responses=action_responses(201, ExtensionOutput))
    def post(self, request, pk):
        episode = _episode_for_action(request, pk)
        values, version = _valid(ExtensionInput, request)
        extension = services.extension_request(episode=episode, actor=request.user, expected_version=version, **values)
        return Response(_extension_body(extension), status=status.HTTP_201_CREATED)


def _extension_body(extension: Extension) -> dict:
    letter = (
        extension.episode.letters.filter(kind="extension").order_by("-id").first() if extension.approved_at else None
    )
    return {
        "id": extension.pk,
        "until": extension.until,
        "approved": extension.approved_at is not None,
        "state": extension.state,
        "letter_id": letter.pk if letter else None,
    }


class EpisodeMdtReviews(APIView):
    @extend_schema(request=MdtReviewInput, responses=action_responses(201, MdtReviewOutput))
    def post(self, request, pk):
        episode = _episode_for_action(request, pk)
        values, version = _valid(MdtReviewInput, request)
        review = services.mdt_review_record(episode=episode, actor=request.user, expected_version=version, **values)
        return Response(
            {
                "id": review.pk,
                "tier_before": review.tier_before,
                "tier_after": review.tier_after,
                "standalone_intervention": review.standalone_intervention,
                "repatriate_to_tier2": review.repatriate_to_tier2,
                "onward_referral": review.onward_referral,
            },
            status=status.HTTP_201_CREATED,
        )


urlpatterns = [
    *extension_urls,
    path("episodes/<int:pk>/appointments/", EpisodeAppointments.as_view(), name="api-episode-appointments"),
    path("appointments/<int:pk>/outcome/", AppointmentOutcome.as_view(), name="api-appointment-outcome"),
    path("appointments/<int:pk>/dna-decision/", AppointmentDnaDecision.as_view(), name="api-appointment-dna-decision"),
    path("episodes/<int:pk>/assessments/", EpisodeAssessments.as_view(), name="api-episode-assessments"),
    path("episodes/<int:pk>/careplan/", EpisodeCarePlan.as_view(), name="api-episode-careplan"),
    path("episodes/<int:pk>/careplan/share/", EpisodeCarePlanShare.as_view(), name="api-episode-careplan-share"),
    path("episodes/<int:pk>/treatment-started/", EpisodeTreatmentStarted.as_view(), name="api-episode-treatment"),
    path("episodes/<int:pk>/medications/", EpisodeMedications.as_view(), name="api-episode-medications"),
    path("medications/<int:pk>/", MedicationDetail.as_view(), name="api-medication"),
    path(
        "episodes/<int:pk>/medication-reviews/",
        EpisodeMedicationReviews.as_view(),
        name="api-episode-medication-reviews",
    ),
    path("formulary/", Formulary.as_view(), name="api-formulary"),
    path("episodes/<int:pk>/discharge/", EpisodeDischarge.as_view(), name="api-episode-discharge"),
    path("episodes/<int:pk>/extension/", EpisodeExtension.as_view(), name="api-episode-extension"),
    path("episodes/<int:pk>/mdt-reviews/", EpisodeMdtReviews.as_view(), name="api-episode-mdt-reviews"),
]
