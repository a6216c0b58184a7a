"""API sign-in: POST auth/token/ issues an expiring token; the owner lists and revokes theirs."""

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.urls import path
from django.utils import timezone
from django_otp import match_token
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from pathway.api_schema import NO_CONTENT, NOT_FOUND, VALIDATION_ERROR, paginated
from pathway.pagination import Pagination

from . import selectors, services
from .models import ApiToken
from .second_factor import second_factor_required

LOCKED_OUT = OpenApiResponse(description="Too many failed sign-in attempts for this user or address.")


class TokenInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        help_text="The code from the authenticator app: required for the service lead, admin and commissioner.",
    )
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="What it is for.")


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
    expires_at = serializers.DateTimeField(help_text="It stops working then (the api_token_days rule).")


class ApiTokenOutput(serializers.ModelSerializer):
    active = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at", "active"]

    def get_active(self, token) -> bool:
        return token.revoked_at is None and token.expires_at > timezone.now()


class TokenView(APIView):
    """POST {"username", "password"[, "otp"]} -> {"token", "expires_at"}."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        auth=[],
        request=TokenInput,
        responses={
            200: TokenOutput,
            400: OpenApiResponse(
                response=VALIDATION_ERROR.response,
                description="A field is missing or blank, the username and password do not match an active user, "
                "or the authenticator code is missing or wrong.",
            ),
            429: LOCKED_OUT,
        },
    )
    def post(self, request):
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        # The Django request, so that django-axes counts the failure and its middleware answers a lockout.
        user = authenticate(request._request, username=values["username"], password=values["password"])
        if user is None:
            return Response(
                {"non_field_errors": ["Unable to log in with provided credentials."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        otp = (values.get("otp") or "").strip()
        if second_factor_required(user) and not (otp and match_token(user, otp)):
            if otp:  # a wrong code counts towards the lockout like a wrong password
                user_login_failed.send(
                    sender=__name__, credentials={"username": values["username"]}, request=request._request
                )
            return Response(
                {"otp": ["Enter the current 6-digit code from your authenticator app."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token, key = services.api_token_issue(user=user, name=values.get("name", ""))
        return Response({"token": key, "expires_at": token.expires_at})


class TokenList(APIView):
    @extend_schema(responses={200: paginated(ApiTokenOutput)}, description="Your own API tokens, newest first.")
    def get(self, request):
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.api_tokens_of(request.user), request, view=self)
        return paginator.get_paginated_response(ApiTokenOutput(page, many=True).data)


class TokenDetail(APIView):
    @extend_schema(responses={204: NO_CONTENT, 404: NOT_FOUND}, description="Revoke one of your API tokens.")
    def delete(self, request, pk):
        services.api_token_revoke(user=request.user, token_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/tokens/", TokenList.as_view(), name="api-tokens"),
    path("auth/tokens/<int:pk>/", TokenDetail.as_view(), name="api-token-detail"),
]
