"""Token sign-in for the API that answers a malformed token as unauthenticated (401), on every database."""

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication as DrfTokenAuthentication


class TokenAuthentication(DrfTokenAuthentication):
    """DRF's ``Authorization: Token <key>``; a key with a NUL is refused before the lookup, where PostgreSQL
    would raise instead of finding nothing."""

    def authenticate_credentials(self, key):
        if "\x00" in key:
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(key)
