"""Referral API: POST/GET /api/v1/referrals/, GET /api/v1/referrals/{id}/, re-engagement."""

from collections.abc import Mapping

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.fields import empty
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from pathway import services as core
from pathway.access import has_role
from pathway.api_errors import flatten_errors
from pathway.api_schema import CONFLICT, FORBIDDEN, NOT_FOUND, PAGE, PAGE_NOT_FOUND, VALIDATION_ERROR, paginated
from pathway.errors import InvalidInput
from pathway.models import Patient, Role
from pathway.pagination import Pagination
from pathway.selectors import rtt_summary

from . import services
from .models import EXCLUDED_CONDITIONS, RED_FLAGS, Referral, ReferrerType, Urgency
from .selectors import can_refer, referral_for, referrals_visible_to

DATE_ERRORS = {"invalid": "Enter a real date in the form YYYY-MM-DD."}


class ReferralInSerializer(serializers.Serializer):
    """Types and shapes only; the service checks every rule of the service."""

    nhs_number = serializers.CharField(max_length=20)
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField(error_messages=DATE_ERRORS)
    sex = serializers.ChoiceField(choices=Patient.Sex.choices)
    address = serializers.CharField(required=False, allow_blank=True, default="")
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    ethnicity = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    interpreter_needed = serializers.BooleanField(required=False, default=False)
    interpreter_language = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    veteran = serializers.BooleanField(required=False, default=False)
    communication_format = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="standard, large_print, easy_read, braille or audio: the format of letters to the patient",
    )
    practice_ods = serializers.CharField(max_length=10)
    referrer_name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    referrer_type = serializers.ChoiceField(
        choices=ReferrerType.choices,
        required=False,
        default=ReferrerType.GP,
        help_text="Who refers: urgency palliative (the fast track) needs oncologist or palliative_care.",
    )
    received_on = serializers.DateField(required=False, allow_null=True, default=None, error_messages=DATE_ERRORS)
    ubrn = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True, default="")
    ubrn_converted_on = serializers.DateField(required=False, allow_null=True, default=None, error_messages=DATE_ERRORS)
    pain_site = serializers.CharField(max_length=200)
    pain_nature = serializers.CharField(required=False, allow_blank=True, default="")
    duration_months = serializers.IntegerField(min_value=0, max_value=1200)
    impact = serializers.CharField(required=False, allow_blank=True, default="")
    previous_treatments = serializers.CharField(required=False, allow_blank=True, default="")
    medical_history = serializers.CharField(required=False, allow_blank=True, default="")
    medications = serializers.CharField(required=False, allow_blank=True, default="")
    needs_vulnerabilities = serializers.CharField(required=False, allow_blank=True, default="")
    risks = serializers.CharField(required=False, allow_blank=True, default="")
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, default=Urgency.ROUTINE)
    red_flags = serializers.ListField(
        child=serializers.ChoiceField(
            choices=list(RED_FLAGS), error_messages={"invalid_choice": "'{input}' is not a known red flag."}
        ),
        required=False,
        default=list,
    )
    excluded_conditions = serializers.ListField(
        child=serializers.ChoiceField(
            choices=list(EXCLUDED_CONDITIONS.items()),
            error_messages={"invalid_choice": "'{input}' is not a known excluded condition."},
        ),
        required=False,
        default=list,
        help_text="Conditions treated by a regional tertiary centre: offered as a tertiary redirect at triage.",
    )
    acute_mental_health = serializers.BooleanField(
        required=False, default=False, help_text="An acute mental-health episode: triage is deferred, not accepted."
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ReferralSerializer(serializers.ModelSerializer):
    episode_id = serializers.IntegerField(read_only=True)
    patient_id = serializers.IntegerField(read_only=True)
    practice_ods = serializers.CharField(source="practice.ods_code", read_only=True)
    state = serializers.CharField(source="episode.state", read_only=True)
    tier = serializers.IntegerField(
        source="episode.tier", read_only=True, allow_null=True, help_text="Set at triage; null before or if rejected."
    )
    rtt_clock_start = serializers.SerializerMethodField()
    rtt_breach_on = serializers.SerializerMethodField()
    claimed_by = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "episode_id",
            "patient_id",
            "practice_ods",
            "source",
            "received_on",
            "state",
            "tier",
            "urgency",
            "triage_due_on",
            "rtt_clock_start",
            "rtt_breach_on",
            "ubrn",
            "ubrn_converted_on",
            "pain_site",
            "pain_nature",
            "duration_months",
            "impact",
            "previous_treatments",
            "medical_history",
            "medications",
            "needs_vulnerabilities",
            "risks",
            "reason",
            "red_flags",
            "excluded_conditions",
            "acute_mental_health",
            "referrer_name",
            "referrer_type",
            "claimed_by",
            "attachments",
            "created_at",
        ]
        read_only_fields = fields

    def _rtt(self, obj):
        cache = self.context.setdefault("_rtt", {})
        if obj.episode_id not in cache:
            cache[obj.episode_id] = rtt_summary(obj.episode)
        return cache[obj.episode_id]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_rtt_clock_start(self, obj):
        value = self._rtt(obj)["rtt_clock_start"]
        return value.isoformat() if value else None

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_rtt_breach_on(self, obj):
        value = self._rtt(obj)["rtt_breach_on"]
        return value.isoformat() if value else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_claimed_by(self, obj):
        return obj.claimed_by.get_username() if obj.claimed_by_id else None

    @extend_schema_field(
        inline_serializer(
            "ReferralAttachment",
            {
                "name": serializers.CharField(),
                "content_type": serializers.CharField(),
                "size": serializers.IntegerField(),
            },
            many=True,
            allow_null=True,
            help_text="Only on GET /referrals/{id}/; null in lists and after create.",
        )
    )
    def get_attachments(self, obj):
        if not self.context.get("with_attachments"):
            return None
        return [
            {"name": a.original_name, "content_type": a.content_type, "size": a.size} for a in obj.attachments.all()
        ]


class ReengageSerializer(serializers.Serializer):
    nhs_number = serializers.CharField(max_length=20)
    reason = serializers.CharField()
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, default=Urgency.ROUTINE)
    received_on = serializers.DateField(required=False, allow_null=True, default=None, error_messages=DATE_ERRORS)
    red_flags = serializers.ListField(
        child=serializers.ChoiceField(choices=list(RED_FLAGS)), required=False, default=list
    )


def _all_referral_errors(incoming: ReferralInSerializer, user) -> dict[str, list[str]]:
    """Every bad field at once: the shape errors, plus the service's rules on the fields that had the right shape."""
    errors = flatten_errors(incoming.errors)
    if not isinstance(incoming.initial_data, Mapping):
        return errors
    typed = {}
    for name, field in incoming.fields.items():
        if name in errors or name == "attachments":
            continue
        try:
            typed[name] = field.run_validation(incoming.initial_data.get(name, empty))
        except serializers.ValidationError:
            continue
    try:
        services.referral_validate(data=typed, actor=user, today=core.today_london())
    except InvalidInput as exc:
        for name, messages in exc.errors.items():
            errors.setdefault(name, messages)
    return errors


class ReferralList(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="v1_referrals_list",
        parameters=[PAGE],
        responses={200: paginated(ReferralSerializer), 400: VALIDATION_ERROR, 404: PAGE_NOT_FOUND},
    )
    def get(self, request):
        paginator = Pagination()
        page = paginator.paginate_queryset(referrals_visible_to(request.user), request, view=self)
        return paginator.get_paginated_response(ReferralSerializer(page, many=True).data)

    @extend_schema(
        request=ReferralInSerializer,
        responses={201: ReferralSerializer, 400: VALIDATION_ERROR, 403: FORBIDDEN, 409: CONFLICT},
    )
    def post(self, request):
        if not can_refer(request.user):
            raise PermissionDenied("Only GP practices and SPA staff may make referrals.")
        incoming = ReferralInSerializer(data=request.data)
        if not incoming.is_valid():
            raise InvalidInput(_all_referral_errors(incoming, request.user))
        data = dict(incoming.validated_data)
        attachments = data.pop("attachments", [])
        referral = services.referral_create(
            data=data, actor=request.user, source=Referral.Source.API, attachments=attachments
        )
        referral = referral_for(request.user, referral.pk)
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)


class ReferralDetail(APIView):
    @extend_schema(responses={200: ReferralSerializer, 404: NOT_FOUND})
    def get(self, request, pk):
        referral = referral_for(request.user, pk)
        core.record_view(user=request.user, episode=referral.episode, via="api", path=request.path)
        return Response(ReferralSerializer(referral, context={"with_attachments": True}).data)


class ReferralReengage(APIView):
    @extend_schema(
        request=ReengageSerializer,
        responses={201: ReferralSerializer, 400: VALIDATION_ERROR, 403: FORBIDDEN, 409: CONFLICT},
    )
    def post(self, request):
        if not has_role(request.user, Role.SPA_TRIAGE, Role.SERVICE_LEAD):
            raise PermissionDenied("Only SPA staff may re-engage a patient without a GP referral.")
        incoming = ReengageSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        referral = services.referral_reengage(actor=request.user, **incoming.validated_data)
        referral = referral_for(request.user, referral.pk)
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("referrals/", ReferralList.as_view(), name="api-referrals"),
    path("referrals/reengage/", ReferralReengage.as_view(), name="api-referral-reengage"),
    path("referrals/<int:pk>/", ReferralDetail.as_view(), name="api-referral"),
]
