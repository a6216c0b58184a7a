"""Triage API: the queue, claim-next, release, reassign, red-flag clearance and the outcome."""

import re

from django.contrib.auth import get_user_model
from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from pathway import services as core
from pathway.access import access_episode
from pathway.api import EpisodeSerializer
from pathway.api_schema import (
    CONFLICT,
    FORBIDDEN,
    NO_CONTENT,
    NOT_FOUND,
    PAGE,
    PAGE_NOT_FOUND,
    VALIDATION_ERROR,
    action_responses,
    paginated,
)
from pathway.models import EpisodeState, Team
from pathway.pagination import Pagination
from referrals.models import RED_FLAGS, Referral, Urgency
from referrals.selectors import referral_for, referral_of_episode

from . import services
from .models import RedirectTarget, TriageOutcome
from .selectors import (
    can_clear_red_flags,
    can_override_criteria,
    can_triage,
    is_spa_lead,
    queue_item_values,
    queue_items,
    triage_queue_items,
    uncleared_red_flags,
    waiting_episodes,
)


def require_triager(user) -> None:
    if not can_triage(user):
        raise PermissionDenied("Only SPA triage staff and the SPA lead may triage referrals.")


class QueueItemSerializer(serializers.Serializer):
    # The fields are declared for the OpenAPI schema only: to_representation builds the row.
    id = serializers.IntegerField(
        read_only=True, help_text="The episode id (same as episode_id): the queue lists episodes in triage."
    )
    referral_id = serializers.IntegerField(read_only=True)
    episode_id = serializers.IntegerField(read_only=True)
    patient_id = serializers.IntegerField(read_only=True)
    practice_ods = serializers.CharField(read_only=True)
    state = serializers.ChoiceField(choices=EpisodeState.choices, read_only=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices, read_only=True)
    received_on = serializers.DateField(read_only=True)
    triage_due_on = serializers.DateField(read_only=True)
    days_left = serializers.IntegerField(read_only=True, help_text="Working days left; negative once breached.")
    breached = serializers.BooleanField(read_only=True)
    red_flags = serializers.ListField(
        child=serializers.ChoiceField(choices=list(RED_FLAGS)), read_only=True, help_text="Red flags not yet cleared."
    )
    claimed_by = serializers.CharField(read_only=True, allow_null=True)

    def to_representation(self, row):
        return row  # built by triage.selectors.queue_items


def queue_item(referral) -> dict:
    """One referral as a queue item (after a claim, release or reassignment), as the queue lists it."""
    values = list(queue_item_values(Referral.objects.filter(pk=referral.pk)))
    return queue_items(values, core.today_london())[0]


class TriageQueue(APIView):
    @extend_schema(
        parameters=[PAGE],
        responses={
            200: paginated(QueueItemSerializer),
            400: VALIDATION_ERROR,
            403: FORBIDDEN,
            404: PAGE_NOT_FOUND,
        },
    )
    def get(self, request):
        require_triager(request.user)
        # Counted from the triage-queue index, not by a COUNT joining every waiting referral.
        paginator = Pagination(count=waiting_episodes(request.user).count())
        page = paginator.paginate_queryset(triage_queue_items(request.user), request, view=self)
        return paginator.get_paginated_response(queue_items(page, core.today_london()))


class TriageNext(APIView):
    @extend_schema(
        request=None,
        responses={200: QueueItemSerializer, 204: NO_CONTENT, 403: FORBIDDEN},
        description="Claims the next unclaimed referral in the queue; 204 when the queue is empty.",
    )
    def post(self, request):
        require_triager(request.user)
        referral = services.triage_claim_next(user=request.user)
        if referral is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(queue_item(referral_for(request.user, referral.pk)))


class TriageClaim(APIView):
    @extend_schema(request=None, responses={200: QueueItemSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT})
    def post(self, request, pk):
        referral = referral_for(request.user, pk)
        require_triager(request.user)
        referral = services.triage_claim(referral=referral, user=request.user)
        return Response(queue_item(referral_for(request.user, referral.pk)))


class TriageRelease(APIView):
    @extend_schema(request=None, responses={200: QueueItemSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT})
    def post(self, request, pk):
        referral = referral_for(request.user, pk)
        require_triager(request.user)
        referral = services.triage_release(referral=referral, actor=request.user, is_lead=is_spa_lead(request.user))
        return Response(queue_item(referral_for(request.user, referral.pk)))


class ReassignSerializer(serializers.Serializer):
    user = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        error_messages={"does_not_exist": "No active user is called '{value}'."},
    )


class TriageReassign(APIView):
    @extend_schema(
        request=ReassignSerializer,
        responses={200: QueueItemSerializer, 400: VALIDATION_ERROR, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request, pk):
        referral = referral_for(request.user, pk)
        if not is_spa_lead(request.user):
            raise PermissionDenied("Only the SPA lead may reassign referrals.")
        incoming = ReassignSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        referral = services.triage_reassign(
            referral=referral, to_user=incoming.validated_data["user"], actor=request.user
        )
        return Response(queue_item(referral_for(request.user, referral.pk)))


class RedFlagClearSerializer(serializers.Serializer):
    flag = serializers.ChoiceField(choices=list(RED_FLAGS))
    reason = serializers.CharField()


class RedFlagClear(APIView):
    @extend_schema(
        request=RedFlagClearSerializer,
        responses=action_responses(
            200,
            inline_serializer(
                "RedFlagsCleared",
                {
                    "red_flags": serializers.ListField(
                        child=serializers.ChoiceField(choices=list(RED_FLAGS)), help_text="All red flags referred."
                    ),
                    "uncleared": serializers.ListField(
                        child=serializers.ChoiceField(choices=list(RED_FLAGS)), help_text="Those not yet cleared."
                    ),
                },
            ),
        ),
    )
    def post(self, request, pk):
        episode = access_episode(request.user, pk)
        if not can_clear_red_flags(request.user):
            raise PermissionDenied("Only a clinician or the service lead may clear a red flag.")
        incoming = RedFlagClearSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        referral = referral_of_episode(request.user, episode)
        services.red_flag_clear(referral=referral, actor=request.user, **incoming.validated_data)
        return Response({"red_flags": referral.red_flags, "uncleared": uncleared_red_flags(referral)})


REDIRECT_ALIASES = {
    "mental_health": RedirectTarget.MENTAL_HEALTH_URGENT,
    "urgent_mental_health": RedirectTarget.MENTAL_HEALTH_URGENT,
    "other": RedirectTarget.OTHER_SPECIALTY,
    "other_speciality": RedirectTarget.OTHER_SPECIALTY,
    "specialty": RedirectTarget.OTHER_SPECIALTY,
    "palliative_care": RedirectTarget.PALLIATIVE,
    "msk_service": RedirectTarget.MSK,
    "tertiary_centre": RedirectTarget.TERTIARY,
    "regional_tertiary_centre": RedirectTarget.TERTIARY,
    "regional_tertiary_pain_centre": RedirectTarget.TERTIARY,
}


class RedirectTargetField(serializers.ChoiceField):
    """The destinations of DESIGN.md in the service's words: 'MSK', 'mental health urgent' and
    'Other specialty' are read as their codes."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            key = re.sub(r"[^a-z]+", "_", data.strip().lower()).strip("_")
            data = REDIRECT_ALIASES.get(key, key)
        return super().to_internal_value(data)


class TriageDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=TriageOutcome.choices, error_messages={"invalid_choice": "'{input}' is not a triage outcome."}
    )
    tier = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=3)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    redirect_to = RedirectTargetField(
        choices=RedirectTarget.choices,
        required=False,
        allow_blank=True,
        allow_null=True,
        default="",
        error_messages={
            "invalid_choice": f"'{{input}}' is not a destination. Choose: {', '.join(RedirectTarget.values)}."
        },
    )
    team = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Team.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The team's code: required with accept to tier 2 or 3.",
        error_messages={"does_not_exist": "No team has the code '{value}'."},
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="Accept although acceptance criteria are not met (clinician or service lead only; "
        "otherwise 403 override_not_allowed). Without it a failed criterion is a 409 criteria_not_met.",
    )
    version = serializers.IntegerField(required=False, min_value=1)


class TriageDecisionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=TriageOutcome.choices)
    tier = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()
    redirect_to = serializers.ChoiceField(choices=RedirectTarget.choices, allow_null=True)
    decided_on = serializers.DateField()
    override_reason = serializers.CharField(help_text="Why it was accepted although criteria were not met.")
    criteria_overridden = serializers.ListField(
        child=serializers.CharField(), help_text="The criteria not met when it was accepted (plain words)."
    )


class EpisodeTriagedSerializer(EpisodeSerializer):
    """Schema only: the episode after triage, with the decision recorded."""

    triage_decision = TriageDecisionOutput(read_only=True)

    class Meta(EpisodeSerializer.Meta):
        fields = [*EpisodeSerializer.Meta.fields, "triage_decision"]
        read_only_fields = fields


class EpisodeTriage(APIView):
    @extend_schema(
        request=TriageDecisionSerializer,
        responses=action_responses(200, EpisodeTriagedSerializer),
        description="409 codes: red_flags, acute_mental_health (defer with request_info instead), "
        "criteria_not_met (with criteria: the failed criteria in plain words), "
        "transition_not_allowed, stale_version, claimed. 403 override_not_allowed: override_reason from SPA staff.",
    )
    def post(self, request, pk):
        episode = access_episode(request.user, pk)
        if not (can_triage(request.user) or can_override_criteria(request.user)):
            require_triager(request.user)
        incoming = TriageDecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        decision = services.triage_decide(
            episode=episode,
            outcome=data["outcome"],
            tier=data.get("tier"),
            reason=data["reason"],
            redirect_to=data.get("redirect_to") or "",
            team=data.get("team"),
            override_reason=data["override_reason"],
            actor=request.user,
            expected_version=data.get("version"),
        )
        episode.refresh_from_db()
        body = EpisodeSerializer(episode).data
        body["triage_decision"] = {
            "id": decision.pk,
            "outcome": decision.outcome,
            "tier": decision.tier,
            "reason": decision.reason,
            "redirect_to": decision.redirect_to or None,
            "decided_on": decision.decided_on.isoformat(),
            "override_reason": decision.override_reason,
            "criteria_overridden": decision.criteria_overridden,
        }
        return Response(body)


class InfoReceivedSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    mental_health_settled = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The acute mental-health episode that deferred triage has settled: acceptance is possible again.",
    )


class EpisodeInfoReceived(APIView):
    @extend_schema(
        request=InfoReceivedSerializer,
        responses={200: EpisodeSerializer, 400: VALIDATION_ERROR, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request, pk):
        episode = access_episode(request.user, pk)
        require_triager(request.user)
        incoming = InfoReceivedSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.triage_info_received(episode=episode, actor=request.user, **incoming.validated_data)
        episode.refresh_from_db()
        return Response(EpisodeSerializer(episode).data)


urlpatterns = [
    path("triage/queue/", TriageQueue.as_view(), name="api-triage-queue"),
    path("triage/next/", TriageNext.as_view(), name="api-triage-next"),
    path("triage/referrals/<int:pk>/claim/", TriageClaim.as_view(), name="api-triage-claim"),
    path("triage/referrals/<int:pk>/release/", TriageRelease.as_view(), name="api-triage-release"),
    path("triage/referrals/<int:pk>/reassign/", TriageReassign.as_view(), name="api-triage-reassign"),
    path("episodes/<int:pk>/triage/", EpisodeTriage.as_view(), name="api-episode-triage"),
    path("episodes/<int:pk>/red-flags/clear/", RedFlagClear.as_view(), name="api-episode-red-flag-clear"),
    path("episodes/<int:pk>/info-received/", EpisodeInfoReceived.as_view(), name="api-episode-info-received"),
]
