"""``Authorization: Token <key>`` for the API, with tokens that expire, are revocable, and end when the
owner's password changes."""

from datetime import timedelta

from django.utils import timezone
from django.utils.crypto import constant_time_compare
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication as DrfTokenAuthentication

from .models import ApiToken
from .services import token_digest

# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=5)


class TokenAuthentication(DrfTokenAuthentication):
    model = ApiToken

    def authenticate_credentials(self, key):
        # A NUL is refused before the lookup, where PostgreSQL would raise instead of finding nothing.
        if "\x00" in key:
            raise exceptions.AuthenticationFailed("Invalid token.")
        token = ApiToken.objects.select_related("user").filter(key_digest=token_digest(key)).first()
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed("This token has expired: ask for a new one at /api/v1/auth/token/.")
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if not constant_time_compare(token.password_fingerprint, user.get_session_auth_hash()):
            raise exceptions.AuthenticationFailed(
                "The password has changed since this token was issued: ask for a new one at /api/v1/auth/token/."
            )
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token
