"""Core API: sign-in tokens, episodes, their timeline and state transitions."""

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .access import access_episode, can_act_clinically, events_visible_to
from .api_schema import NOT_FOUND, action_responses
from .models import DischargeReason, Episode, EpisodeState, PathwayEvent
from .selectors import episode_timeline, rtt_summary


class EpisodeSerializer(serializers.ModelSerializer):
    patient_id = serializers.IntegerField(read_only=True)
    practice_ods = serializers.CharField(source="practice.ods_code", read_only=True)
    rtt_clock_start = serializers.SerializerMethodField()
    rtt_clock_stop = serializers.SerializerMethodField()
    rtt_breach_on = serializers.SerializerMethodField()
    ome_total_mg_per_day = serializers.DecimalField(
        max_digits=8, decimal_places=2, coerce_to_string=False, read_only=True
    )
    discharge_reason = serializers.SerializerMethodField()

    class Meta:
        model = Episode
        fields = [
            "id",
            "patient_id",
            "practice_ods",
            "state",
            "tier",
            "received_on",
            "admitted_on",
            "discharged_on",
            "discharge_reason",
            "episode_limit_on",
            "rtt_clock_start",
            "rtt_clock_stop",
            "rtt_breach_on",
            "ome_total_mg_per_day",
            "previous_episode",
            "version",
        ]
        read_only_fields = fields

    def _rtt(self, obj):
        cache = self.context.setdefault("_rtt", {})
        if obj.pk not in cache:
            cache[obj.pk] = rtt_summary(obj)
        return cache[obj.pk]

    @extend_schema_field(serializers.ChoiceField(choices=DischargeReason.choices, allow_null=True))
    def get_discharge_reason(self, obj):
        # null, like discharged_on, until the episode is discharged
        return obj.discharge_reason or None

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_rtt_clock_start(self, obj):
        value = self._rtt(obj)["rtt_clock_start"]
        return value.isoformat() if value else None

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_rtt_clock_stop(self, obj):
        value = self._rtt(obj)["rtt_clock_stop"]
        return value.isoformat() if value else None

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_rtt_breach_on(self, obj):
        value = self._rtt(obj)["rtt_breach_on"]
        return value.isoformat() if value else None


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = PathwayEvent
        fields = ["at", "actor", "kind", "old_state", "new_state", "reason"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, obj):
        return obj.actor.get_username() if obj.actor_id else None


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(
        choices=EpisodeState.choices, error_messages={"invalid_choice": "'{input}' is not a state of an episode."}
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, min_value=1)


# Moves with their own endpoint (triage, discharge) are not made through /transition/.
GENERIC_TRANSITIONS = {EpisodeState.ASSESSMENT, EpisodeState.TREATMENT, EpisodeState.TRIAGE}


def require_clinical(user) -> None:
    if not can_act_clinically(user):
        raise PermissionDenied("Only clinicians and service leads may change an episode.")


class EpisodeDetail(APIView):
    @extend_schema(responses={200: EpisodeSerializer, 404: NOT_FOUND})
    def get(self, request, pk):
        episode = access_episode(request.user, pk)
        services.record_view(user=request.user, episode=episode, via="api", path=request.path)
        return Response(EpisodeSerializer(episode).data)


class EpisodeEvents(APIView):
    @extend_schema(responses={200: EventSerializer(many=True), 404: NOT_FOUND})
    def get(self, request, pk):
        episode = access_episode(request.user, pk)
        services.record_view(user=request.user, episode=episode, via="api", path=request.path)
        events = events_visible_to(request.user, episode_timeline(episode))
        return Response(EventSerializer(events, many=True).data)


class EpisodeTransition(APIView):
    @extend_schema(
        request=TransitionSerializer,
        responses=action_responses(200, EpisodeSerializer),
    )
    def post(self, request, pk):
        episode = access_episode(request.user, pk)
        require_clinical(request.user)
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        to = data.validated_data["to"]
        if to not in GENERIC_TRANSITIONS:
            return Response(
                {
                    "detail": f"Use the dedicated endpoint to move an episode to '{to}'.",
                    "code": "transition_not_allowed",
                },
                status=status.HTTP_409_CONFLICT,
            )
        episode = services.episode_transition(
            episode=episode,
            to=to,
            actor=request.user,
            reason=data.validated_data["reason"],
            expected_version=data.validated_data.get("version"),
        )
        return Response(EpisodeSerializer(episode).data)


urlpatterns = [
    path("episodes/<int:pk>/", EpisodeDetail.as_view(), name="api-episode"),
    path("episodes/<int:pk>/events/", EpisodeEvents.as_view(), name="api-episode-events"),
    path("episodes/<int:pk>/transition/", EpisodeTransition.as_view(), name="api-episode-transition"),
]
