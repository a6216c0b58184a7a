"""The commissioner's side of extensions past nine months: the pending list and the decision."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from pathway.api_schema import PAGE, PAGE_NOT_FOUND, VALIDATION_ERROR, action_responses, paginated
from pathway.pagination import Pagination

from .. import services
from ..commissioning import extension_for_decision, extension_row, pending_extensions_for
from ..models import Extension


class ExtensionDecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[Extension.State.AGREED.value, Extension.State.DECLINED.value],
        error_messages={"invalid_choice": "'{input}' is not a decision: choose agreed or declined."},
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="Required to decline: why."
    )


class CommissionerExtensionOutput(serializers.Serializer):
    """What the commissioner sees: a pseudonym, never an identifier."""

    id = serializers.IntegerField()
    patient_pseudonym = serializers.CharField()
    tier = serializers.IntegerField(allow_null=True)
    admitted_on = serializers.DateField(allow_null=True)
    limit_on = serializers.DateField(allow_null=True, help_text="The nine-month limit.")
    requested_on = serializers.DateField()
    until = serializers.DateField(help_text="The extension asked for runs to this date.")
    rationale = serializers.CharField()
    state = serializers.ChoiceField(choices=Extension.State.choices)


class ExtensionDecisionOutput(CommissionerExtensionOutput):
    in_force = serializers.BooleanField(help_text="Agreed: the episode limit moved to until.")
    episode_limit_on = serializers.DateField(allow_null=True)


class PendingExtensions(APIView):
    @extend_schema(
        parameters=[PAGE],
        responses={200: paginated(CommissionerExtensionOutput), 400: VALIDATION_ERROR, 404: PAGE_NOT_FOUND},
        description="Extensions of the user's own commissioner waiting for its agreement (empty for other roles).",
    )
    def get(self, request):
        paginator = Pagination()
        page = paginator.paginate_queryset(pending_extensions_for(request.user), request, view=self)
        return paginator.get_paginated_response(
            CommissionerExtensionOutput([extension_row(e) for e in page], many=True).data
        )


class ExtensionDecision(APIView):
    @extend_schema(
        request=ExtensionDecisionInput,
        responses=action_responses(200, ExtensionDecisionOutput),
        description="A commissioner user of the patient's commissioner agrees or declines (note required). "
        "Another commissioner's extension: 404. The service: 403 not_the_commissioner. Already decided: 409.",
    )
    def post(self, request, pk):
        extension = extension_for_decision(request.user, pk)
        incoming = ExtensionDecisionInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        decided = services.extension_decide(extension=extension, actor=request.user, **incoming.validated_data)
        decided.episode.refresh_from_db()
        body = extension_row(decided)
        body.update(in_force=decided.approved_at is not None, episode_limit_on=decided.episode.episode_limit_on)
        return Response(ExtensionDecisionOutput(body).data)


urlpatterns = [
    path("extensions/pending/", PendingExtensions.as_view(), name="api-extensions-pending"),
    path("extensions/<int:pk>/decision/", ExtensionDecision.as_view(), name="api-extension-decision"),
]
