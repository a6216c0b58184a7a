"""API of the outcomes app: PROM responses of an episode (API.md "PROMs")."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from pathway.access import access_clinical_episode, can_act_clinically
from pathway.api_schema import NOT_FOUND, PAGE, VALIDATION_ERROR, action_responses, paginated
from pathway.pagination import Pagination
from pathway.rules import rule
from pathway.services import record_view

from . import services
from .models import Instrument, PromResponse, Timepoint
from .scoring import VALUE_SETS
from .selectors import episode_proms


class PromInputSerializer(serializers.Serializer):
    instrument = serializers.ChoiceField(
        choices=Instrument.choices, error_messages={"invalid_choice": "'{input}' is not an instrument."}
    )
    timepoint = serializers.ChoiceField(
        choices=Timepoint.choices, error_messages={"invalid_choice": "'{input}' is not a timepoint."}
    )
    answers = serializers.JSONField()
    value_set = serializers.ChoiceField(
        choices=list(VALUE_SETS),
        required=False,
        allow_blank=True,
        error_messages={"invalid_choice": "'{input}' is not a value set."},
        help_text="EQ-5D-5L only: the value set of the index (default UK2026); may also be given in answers.",
    )
    completed_on = serializers.DateField(required=False)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            # Name every bad field at once: the answers too, whenever the instrument is known.
            instrument = data.get("instrument") if isinstance(data, dict) else None
            if isinstance(exc.detail, dict) and instrument in Instrument.values and "answers" not in exc.detail:
                value_set = data.get("value_set") if isinstance(data.get("value_set"), str) else ""
                if value_set not in VALUE_SETS:
                    value_set = rule("eq5d_value_set")
                more = services.answer_errors(instrument, data.get("answers"), value_set, require_complete=True)
                raise serializers.ValidationError({**exc.detail, **more}) from exc
            raise


class PromResponseSerializer(serializers.ModelSerializer):
    episode_id = serializers.IntegerField(read_only=True)
    scores = serializers.SerializerMethodField()

    class Meta:
        model = PromResponse
        fields = [
            "id",
            "episode_id",
            "instrument",
            "timepoint",
            "complete",
            "scores",
            "instrument_version",
            "value_set",
            "source",
            "completed_on",
            "answers",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_scores(self, obj):
        scores = dict(obj.scores)
        if obj.instrument == Instrument.EQ5D5L:
            if scores.get("index") is not None:
                scores["index"] = round(scores["index"], 3)
            scores["value_set"] = obj.value_set
        return scores

    def to_representation(self, obj):
        data = super().to_representation(obj)
        # The contract puts the scores at the top level ({"total"}, {"severity", ...}).
        for key, value in data["scores"].items():
            data.setdefault(key, value)
        return data


class PromResponseOutput(PromResponseSerializer):
    """Schema only: a PROM response, with its scores also at the top level (those of its instrument)."""

    total = serializers.IntegerField(required=False, help_text="PSEQ: total 0-60.")
    band = serializers.CharField(required=False, help_text="PSEQ: band of the total.")
    severity = serializers.FloatField(required=False, allow_null=True, help_text="BPI: mean of the 4 severity items.")
    interference = serializers.FloatField(
        required=False, allow_null=True, help_text="BPI: mean interference; null when fewer than 4 answered."
    )
    profile = serializers.CharField(required=False, help_text="EQ-5D-5L: five levels, e.g. 21143.")
    index = serializers.FloatField(required=False, allow_null=True, help_text="EQ-5D-5L: index, 3 decimal places.")
    vas = serializers.IntegerField(required=False, help_text="EQ-5D-5L: VAS 0-100.")

    class Meta(PromResponseSerializer.Meta):
        fields = [
            *PromResponseSerializer.Meta.fields,
            "total",
            "band",
            "severity",
            "interference",
            "profile",
            "index",
            "vas",
        ]
        read_only_fields = PromResponseSerializer.Meta.fields


class EpisodeProms(APIView):
    @extend_schema(
        parameters=[PAGE],
        responses={200: paginated(PromResponseOutput), 400: VALIDATION_ERROR, 404: NOT_FOUND},
    )
    def get(self, request, pk):
        episode = access_clinical_episode(request.user, pk)
        record_view(user=request.user, episode=episode, via="api", path=request.path)
        paginator = Pagination()
        page = paginator.paginate_queryset(episode_proms(episode), request, view=self)
        return paginator.get_paginated_response(PromResponseSerializer(page, many=True).data)

    @extend_schema(
        request=PromInputSerializer,
        responses=action_responses(201, PromResponseOutput),
    )
    def post(self, request, pk):
        episode = access_clinical_episode(request.user, pk)
        if not can_act_clinically(request.user):
            raise PermissionDenied("Only clinicians and service leads may record PROMs.")
        data = PromInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        response = services.prom_response_create(
            episode=episode,
            instrument=v["instrument"],
            timepoint=v["timepoint"],
            answers=v["answers"],
            source=PromResponse.Source.API,
            actor=request.user,
            completed_on=v.get("completed_on"),
            value_set=v.get("value_set") or None,
        )
        return Response(PromResponseSerializer(response).data, status=201)


urlpatterns = [
    path("episodes/<int:pk>/proms/", EpisodeProms.as_view(), name="api-episode-proms"),
]
