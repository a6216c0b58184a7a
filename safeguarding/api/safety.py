"""API: safeguarding concerns and significant events (incidents) of an episode, and the lead's actions on them.

Their monthly counts for commissioners are a report: ``reporting/api.py`` (``SafetyReportView``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from pathway.api_schema import NOT_FOUND, PAGE, action_responses, paginated

from .. import services
from ..models import Incident, SafeguardingConcern
from .common import episode_for_action, episode_for_reading, object_for_lead, page, valid


class ConcernSerializer(serializers.ModelSerializer):
    episode_id = serializers.IntegerField(read_only=True)
    raised_by = serializers.CharField(source="raised_by.get_username", read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = SafeguardingConcern
        fields = [
            "id",
            "episode_id",
            "subject",
            "category",
            "description",
            "action",
            "raised_on",
            "referred_to_local_authority_on",
            "reference",
            "raised_by",
            "is_open",
            "closed_on",
            "outcome",
        ]


class ConcernInput(serializers.Serializer):
    subject = serializers.CharField()
    category = serializers.CharField()
    description = serializers.CharField(max_length=5000)
    action = serializers.CharField(max_length=5000)
    raised_on = serializers.DateField(required=False, allow_null=True)
    referred_to_local_authority_on = serializers.DateField(required=False, allow_null=True)
    reference = serializers.CharField(required=False, allow_blank=True, default="")


class CloseInput(serializers.Serializer):
    outcome = serializers.CharField(max_length=5000)
    on = serializers.DateField(required=False, allow_null=True)


class EpisodeSafeguarding(APIView):
    """Safeguarding concerns of an episode, newest first."""

    @extend_schema(parameters=[PAGE], responses={200: paginated(ConcernSerializer), 404: NOT_FOUND})
    def get(self, request, pk):
        episode = episode_for_reading(request, pk)
        concerns = episode.safeguarding_concerns.select_related("raised_by").order_by("-raised_on", "-id")
        return page(request, self, concerns, ConcernSerializer)

    @extend_schema(request=ConcernInput, responses=action_responses(201, ConcernSerializer))
    def post(self, request, pk):
        episode = episode_for_action(request, pk)
        concern = services.safeguarding_concern_raise(
            episode=episode, actor=request.user, **valid(ConcernInput, request)
        )
        return Response(ConcernSerializer(concern).data, status=status.HTTP_201_CREATED)


class ConcernClose(APIView):
    """The service lead closes a concern with its outcome."""

    @extend_schema(request=CloseInput, responses=action_responses(200, ConcernSerializer))
    def post(self, request, pk):
        concern = object_for_lead(request, SafeguardingConcern, pk)
        concern = services.safeguarding_concern_close(concern=concern, actor=request.user, **valid(CloseInput, request))
        return Response(ConcernSerializer(concern).data)


class IncidentSerializer(serializers.ModelSerializer):
    episode_id = serializers.IntegerField(read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.get_username", read_only=True)
    episode_state = serializers.CharField(source="episode.state", read_only=True)
    discharge_reason = serializers.CharField(source="episode.discharge_reason", read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "episode_id",
            "kind",
            "severity",
            "on",
            "description",
            "action",
            "recorded_by",
            "reviewed_at",
            "review_note",
            "episode_state",
            "discharge_reason",
        ]


class IncidentInput(serializers.Serializer):
    kind = serializers.CharField()
    severity = serializers.CharField(required=False, allow_blank=True, default="")
    on = serializers.DateField()
    description = serializers.CharField(max_length=5000)
    action = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ReviewInput(serializers.Serializer):
    note = serializers.CharField(max_length=5000)


class EpisodeIncidents(APIView):
    """Significant events of an episode. A death discharges the episode with reason ``died``."""

    @extend_schema(parameters=[PAGE], responses={200: paginated(IncidentSerializer), 404: NOT_FOUND})
    def get(self, request, pk):
        episode = episode_for_reading(request, pk)
        incidents = episode.incidents.select_related("recorded_by", "episode").order_by("-on", "-id")
        return page(request, self, incidents, IncidentSerializer)

    @extend_schema(request=IncidentInput, responses=action_responses(201, IncidentSerializer))
    def post(self, request, pk):
        episode = episode_for_action(request, pk)
        incident = services.incident_record(episode=episode, actor=request.user, **valid(IncidentInput, request))
        incident.episode.refresh_from_db()
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)


class IncidentReview(APIView):
    """The service lead reviews a significant event."""

    @extend_schema(request=ReviewInput, responses=action_responses(200, IncidentSerializer))
    def post(self, request, pk):
        incident = object_for_lead(request, Incident, pk)
        incident = services.incident_review(incident=incident, actor=request.user, **valid(ReviewInput, request))
        return Response(IncidentSerializer(incident).data)
