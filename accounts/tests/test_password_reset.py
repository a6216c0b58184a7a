"""Password reset, as found: none. Now by e-mail with Django's own views; the link starts with
PUBLIC_BASE_URL, and the new password ends the user's API tokens."""

import re

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from pathway.models import Role
from pathway.tests import factories as f

pytestmark = pytest.mark.django_db


def test_reset_by_email_sets_a_new_password_and_ends_old_tokens(settings):
    settings.PUBLIC_BASE_URL = "https://painway.nhs.example"
    user = f.UserFactory(role=Role.CLINICIAN, email="clin@example.invalid")
    token = (
        APIClient()
        .post("/api/v1/auth/token/", {"username": user.username, "password": "secret-pass-123"}, format="json")
        .json()["token"]
    )
    client = Client()
    assert "Forgotten your password?" in client.get("/sign-in/").content.decode()
    r = client.post("/account/password-reset/", {"email": "clin@example.invalid"})
    assert r.status_code == 302 and r["Location"] == "/account/password-reset/sent/"
    assert len(mail.outbox) == 1
    link = re.search(r"https://painway\.nhs\.example(/account/password-reset/\S+/)", mail.outbox[0].body).group(1)

    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "Longer-new-pass-789", "new_password2": "Longer-new-pass-789"}
    )
    assert done.status_code == 302 and done["Location"] == "/account/password-reset/done/"
    assert Client().post("/sign-in/", {"username": user.username, "password": "Longer-new-pass-789"}).status_code == 302
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/auth/tokens/").status_code == 401


def test_reset_for_an_unknown_address_says_the_same_and_sends_nothing():
    r = Client().post("/account/password-reset/", {"email": "nobody@example.invalid"})
    assert r.status_code == 302
    assert mail.outbox == []
