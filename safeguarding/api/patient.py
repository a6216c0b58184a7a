"""API: the patient's communication needs, consents and carers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from pathway.api_schema import NOT_FOUND, PAGE, action_responses, paginated

from .. import selectors, services
from ..models import Carer, CommunicationFormat, Consent
from .common import page, patient_for_action, patient_for_reading, valid


class CommunicationSerializer(serializers.Serializer):
    patient_id = serializers.IntegerField(source="pk", read_only=True)
    communication_format = serializers.ChoiceField(choices=CommunicationFormat.choices, source="needs.format")
    language = serializers.CharField(source="interpreter_language")
    interpreter_needed = serializers.BooleanField()
    hearing_impairment = serializers.BooleanField(source="needs.hearing_impairment")
    visual_impairment = serializers.BooleanField(source="needs.visual_impairment")
    learning_disability = serializers.BooleanField(source="needs.learning_disability")
    needs = serializers.CharField(source="needs.needs")
    summary = serializers.ListField(child=serializers.CharField(), read_only=True)


class CommunicationInput(serializers.Serializer):
    communication_format = serializers.ChoiceField(
        choices=CommunicationFormat.choices,
        required=False,
        error_messages={
            "invalid_choice": "'{input}' is not a format (standard, large_print, easy_read, braille, audio)."
        },
    )
    language = serializers.CharField(required=False, allow_blank=True, max_length=60)
    interpreter_needed = serializers.BooleanField(required=False)
    hearing_impairment = serializers.BooleanField(required=False)
    visual_impairment = serializers.BooleanField(required=False)
    learning_disability = serializers.BooleanField(required=False)
    needs = serializers.CharField(required=False, allow_blank=True, max_length=2000)


def _communication(patient) -> dict:
    patient.needs = selectors.communication_needs(patient)
    patient.summary = selectors.communication_summary(patient)
    return CommunicationSerializer(patient).data


class PatientCommunication(APIView):
    """The patient's communication needs (interpreter, format, sensory and learning-disability needs)."""

    @extend_schema(responses={200: CommunicationSerializer, 404: NOT_FOUND})
    def get(self, request, pk):
        return Response(_communication(patient_for_reading(request, pk)))

    @extend_schema(request=CommunicationInput, responses=action_responses(200, CommunicationSerializer))
    def patch(self, request, pk):
        patient = patient_for_action(request, pk)
        services.communication_needs_update(patient=patient, actor=request.user, **valid(CommunicationInput, request))
        patient.refresh_from_db()
        return Response(_communication(patient))


class ConsentSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.get_username", read_only=True)
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = Consent
        fields = ["id", "scope", "given", "method", "on", "note", "recorded_by", "recorded_at", "in_force"]

    def get_in_force(self, obj) -> bool:
        return obj.pk in self.context.get("in_force", set())


class ConsentInput(serializers.Serializer):
    scope = serializers.CharField()
    given = serializers.BooleanField()
    method = serializers.CharField()
    on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class PatientConsents(APIView):
    """Consent decisions, newest first; ``in_force`` marks the latest per scope."""

    @extend_schema(parameters=[PAGE], responses={200: paginated(ConsentSerializer), 404: NOT_FOUND})
    def get(self, request, pk):
        patient = patient_for_reading(request, pk)
        in_force = {c.pk for c in selectors.consents_in_force(patient).values()}
        consents = patient.consents.select_related("recorded_by").order_by("-on", "-id")
        return page(request, self, consents, ConsentSerializer, context={"in_force": in_force})

    @extend_schema(request=ConsentInput, responses=action_responses(201, ConsentSerializer))
    def post(self, request, pk):
        patient = patient_for_action(request, pk)
        consent = services.consent_record(patient=patient, actor=request.user, **valid(ConsentInput, request))
        body = ConsentSerializer(consent, context={"in_force": {consent.pk}}).data
        return Response(body, status=status.HTTP_201_CREATED)


class CarerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Carer
        fields = [
            "id",
            "name",
            "relationship",
            "phone",
            "address",
            "postcode",
            "attends_appointments",
            "receives_copies",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"name": {"required": True}, "relationship": {"required": True}}


class PatientCarers(APIView):
    """Carers and representatives named by the patient."""

    @extend_schema(parameters=[PAGE], responses={200: paginated(CarerSerializer), 404: NOT_FOUND})
    def get(self, request, pk):
        patient = patient_for_reading(request, pk)
        return page(request, self, patient.carers.order_by("id"), CarerSerializer)

    @extend_schema(request=CarerSerializer, responses=action_responses(201, CarerSerializer))
    def post(self, request, pk):
        patient = patient_for_action(request, pk)
        carer = services.carer_add(patient=patient, actor=request.user, **valid(CarerSerializer, request))
        return Response(CarerSerializer(carer).data, status=status.HTTP_201_CREATED)
