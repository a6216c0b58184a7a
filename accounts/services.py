"""Every write of signing in: API tokens issued and revoked."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from pathway.errors import DomainError
from pathway.rules import rule

from .models import ApiToken


class TokenNotFound(DomainError):
    status_code = 404
    code = "not_found"


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``, valid for the ``api_token_days`` rule. Returns (token, key): the key is
    shown once and never stored."""
    key = secrets.token_hex(20)
    now = timezone.now()
    token = ApiToken.objects.create(
        created_at=now,
        user=user,
        name=name[:100],
        key_digest=token_digest(key),
        prefix=key[:8],
        password_fingerprint=user.get_session_auth_hash(),
        expires_at=now + timedelta(days=rule("api_token_days")),
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, user, token_id: int) -> ApiToken:
    """The owner ends one of their tokens; another user's token is not found."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
    if token is None:
        raise TokenNotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
