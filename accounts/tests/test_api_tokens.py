"""API tokens, as found: they never expired and survived a password change. Now they expire (the
api_token_days rule), their owner lists and revokes them, and a password change ends them."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from pathway.models import Role
from pathway.tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"


def issue(user, **extra):
    r = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD, **extra}, format="json"
    )
    assert r.status_code == 200, r.content
    return r.json()


def using(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_token_expires_after_the_api_token_days_rule(settings):
    settings.PATHWAY_RULES = {**settings.PATHWAY_RULES, "api_token_days": 30}
    user = f.UserFactory(role=Role.CLINICIAN)
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), tick=False):
        body = issue(user)
        assert body["expires_at"].startswith("2026-12-31")
        assert using(body["token"]).get("/api/v1/auth/tokens/").status_code == 200
    with time_machine.travel(datetime(2026, 12, 31, 8, 59, tzinfo=UTC), tick=False):
        assert using(body["token"]).get("/api/v1/auth/tokens/").status_code == 200
    with time_machine.travel(datetime(2026, 12, 31, 9, 0, 1, tzinfo=UTC), tick=False):
        r = using(body["token"]).get("/api/v1/auth/tokens/")
        assert r.status_code == 401
        assert "expired" in r.json()["detail"]


def test_a_password_change_ends_every_token_of_the_user():
    user = f.UserFactory(role=Role.CLINICIAN)
    token = issue(user)["token"]
    assert using(token).get("/api/v1/auth/tokens/").status_code == 200
    user.set_password("a-new-password-456")
    user.save()
    r = using(token).get("/api/v1/auth/tokens/")
    assert r.status_code == 401
    assert "password has changed" in r.json()["detail"]


def test_owner_lists_their_tokens_without_the_keys_and_revokes_one():
    user = f.UserFactory(role=Role.CLINICIAN)
    first = issue(user, name="GP system")["token"]
    second = issue(user, name="reporting")["token"]
    other_users_token = issue(f.UserFactory(role=Role.CLINICIAN))["token"]

    listed = using(first).get("/api/v1/auth/tokens/").json()
    assert listed["count"] == 2
    assert [t["name"] for t in listed["results"]] == ["reporting", "GP system"]
    assert all(t["active"] for t in listed["results"])
    assert first not in str(listed) and second not in str(listed)
    assert {t["prefix"] for t in listed["results"]} == {first[:8], second[:8]}

    second_id = next(t["id"] for t in listed["results"] if t["name"] == "reporting")
    assert using(first).delete(f"/api/v1/auth/tokens/{second_id}/").status_code == 204
    assert using(second).get("/api/v1/auth/tokens/").status_code == 401
    assert using(first).get("/api/v1/auth/tokens/").json()["results"][0]["active"] is False
    # Another user's token is not theirs to see or revoke.
    assert using(other_users_token).delete(f"/api/v1/auth/tokens/{second_id}/").status_code == 404


def test_owner_revokes_a_token_on_the_tokens_page(client):
    user = f.UserFactory(role=Role.CLINICIAN)
    token = issue(user, name="GP system")["token"]
    client.force_login(user)
    page = client.get("/account/tokens/")
    assert page.status_code == 200
    assert token[:8] in page.content.decode() and token not in page.content.decode()
    token_id = user.api_tokens.get().pk
    r = client.post(f"/account/tokens/{token_id}/revoke/")
    assert r.status_code == 302
    assert using(token).get("/api/v1/auth/tokens/").status_code == 401


def test_only_a_digest_of_the_token_is_stored():
    user = f.UserFactory(role=Role.CLINICIAN)
    token = issue(user)["token"]
    stored = user.api_tokens.get()
    assert token not in (stored.key_digest, stored.prefix, stored.password_fingerprint)


def test_token_last_used_is_recorded():
    user = f.UserFactory(role=Role.CLINICIAN)
    token = issue(user)["token"]
    assert user.api_tokens.get().last_used_at is None
    using(token).get("/api/v1/auth/tokens/")
    assert user.api_tokens.get().last_used_at is not None
    assert user.api_tokens.get().expires_at - user.api_tokens.get().created_at == timedelta(days=30)
