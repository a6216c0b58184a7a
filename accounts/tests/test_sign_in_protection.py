"""Sign-in protection, as found: 90 wrong passwords across the sign-in page, the token endpoint and the
admin, then the right one worked. Now django-axes locks the user, and the address, after 5 failures."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.test import APIClient

from pathway.models import Role
from pathway.tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"


def sign_in_page(username, password, address="10.0.0.1"):
    return Client(REMOTE_ADDR=address).post("/sign-in/", {"username": username, "password": password})


def token_endpoint(username, password, address="10.0.0.1"):
    return APIClient(REMOTE_ADDR=address).post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def admin_login(username, password, address="10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(
        "/admin/login/", {"username": username, "password": password, "next": "/admin/"}
    )


def test_right_password_signs_in_before_any_failure():
    user = f.UserFactory(role=Role.CLINICIAN)
    assert sign_in_page(user.username, PASSWORD).status_code == 302
    assert token_endpoint(user.username, PASSWORD).status_code == 200


def test_failures_across_sign_in_page_token_endpoint_and_admin_lock_the_user_out_of_all_three():
    user = f.UserFactory(role=Role.CLINICIAN, is_staff=True)
    # Five failures spread over the three doors, each from a different address: the user is locked.
    assert sign_in_page(user.username, "wrong", "10.0.0.1").status_code == 200
    assert token_endpoint(user.username, "wrong", "10.0.0.2").status_code == 400
    assert admin_login(user.username, "wrong", "10.0.0.3").status_code == 200
    assert sign_in_page(user.username, "wrong", "10.0.0.4").status_code == 200
    locked = token_endpoint(user.username, "wrong", "10.0.0.5")
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"

    # Now even the right password is refused, at every door and from any address.
    page = sign_in_page(user.username, PASSWORD, "10.9.9.9")
    assert page.status_code == 429
    assert "Too many failed sign-in attempts" in page.content.decode()
    assert token_endpoint(user.username, PASSWORD, "10.9.9.8").status_code == 429
    assert admin_login(user.username, PASSWORD, "10.9.9.7").status_code == 429


def test_failures_from_one_address_lock_that_address_for_every_user():
    users = [f.UserFactory(role=Role.CLINICIAN) for _ in range(5)]
    for user in users:
        sign_in_page(user.username, "wrong", "10.1.1.1")
    other = f.UserFactory(role=Role.CLINICIAN)
    assert sign_in_page(other.username, PASSWORD, "10.1.1.1").status_code == 429
    assert token_endpoint(other.username, PASSWORD, "10.1.1.1").status_code == 429
    # The same user from another address is not locked (fewer than 5 failures as a user).
    assert sign_in_page(other.username, PASSWORD, "10.2.2.2").status_code == 302


def test_failed_attempts_are_recorded_and_visible_to_the_admin():
    user = f.UserFactory(role=Role.CLINICIAN)
    for _ in range(3):
        token_endpoint(user.username, "wrong", "10.3.3.3")
    attempt = AccessAttempt.objects.get(username=user.username)
    assert attempt.failures_since_start == 3
    assert attempt.ip_address == "10.3.3.3"
    superuser = f.UserFactory(is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(superuser)
    page = admin.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    assert user.username in page.content.decode()


def test_a_success_before_the_limit_clears_the_users_failures():
    user = f.UserFactory(role=Role.CLINICIAN)
    for _ in range(4):
        sign_in_page(user.username, "wrong")
    assert sign_in_page(user.username, PASSWORD).status_code == 302
    for _ in range(4):
        sign_in_page(user.username, "wrong", "10.4.4.4")
    assert sign_in_page(user.username, PASSWORD, "10.4.4.5").status_code == 302
