"""Second factor, as found: none. Now the service lead, admin and commissioner give a code from an
authenticator app (TOTP, django-otp) after their password; others may choose to."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from pathway.models import Role
from pathway.tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"


@pytest.fixture(autouse=True)
def _second_factor_on(settings):
    settings.OTP_ENABLED = True
    settings.OTP_REQUIRED_ROLES = ["service_lead", "admin", "commissioner"]
    # django-otp's own back-off after a wrong code (seconds): the tests answer faster than a person.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def code_now(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def sign_in(username, next_url="/"):
    client = Client()
    r = client.post(f"/sign-in/?next={next_url}", {"username": username, "password": PASSWORD, "next": next_url})
    assert r.status_code == 302
    return client, r


@pytest.mark.parametrize("role", [Role.SERVICE_LEAD, Role.ADMIN, Role.COMMISSIONER])
def test_roles_that_need_it_set_up_an_authenticator_then_reach_their_pages(role):
    user = f.UserFactory(role=role)
    client, _ = sign_in(user.username, "/patients/")
    r = client.get("/patients/")
    assert r.status_code == 302 and r["Location"].startswith("/account/two-factor/")
    setup = client.get(r["Location"])
    assert "Set up two-step sign-in" in setup.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert device.key and setup.context["secret"]

    wrong = client.post("/account/two-factor/", {"otp_token": "000000", "next": "/patients/"})
    assert wrong.status_code == 400 and "The code is not right" in wrong.content.decode()
    ok = client.post("/account/two-factor/", {"otp_token": code_now(device), "next": "/patients/"})
    assert ok.status_code == 302 and ok["Location"] == "/patients/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/", follow=True).status_code == 200


def test_a_confirmed_authenticator_asks_for_the_code_at_every_sign_in():
    user = f.UserFactory(role=Role.SERVICE_LEAD)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client, _ = sign_in(user.username)
    r = client.get("/reports/ptl/")
    assert r["Location"].startswith("/account/two-factor/")
    page = client.get(r["Location"]).content.decode()
    assert "Enter your sign-in code" in page and device.key not in page
    # The session API answers 403 until the code is given.
    api = client.get("/api/v1/reports/ptl/")
    assert api.status_code == 403 and api.json()["code"] == "second_factor_required"
    client.post("/account/two-factor/", {"otp_token": code_now(device)})
    assert client.get("/reports/ptl/").status_code == 200


def test_a_clinician_needs_no_code_but_may_set_one_up():
    user = f.UserFactory(role=Role.CLINICIAN)
    client, _ = sign_in(user.username)
    assert client.get("/patients/").status_code == 200
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=user)
    client.post("/account/two-factor/", {"otp_token": code_now(device)})
    device.refresh_from_db()
    assert device.confirmed
    # From now on their sign-ins need it too.
    again, _ = sign_in(user.username)
    assert again.get("/patients/")["Location"].startswith("/account/two-factor/")


def test_wrong_codes_count_as_failed_sign_ins_and_lock_the_user_out():
    user = f.UserFactory(role=Role.SERVICE_LEAD)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client, _ = sign_in(user.username)
    statuses = [client.post("/account/two-factor/", {"otp_token": "000000"}).status_code for _ in range(5)]
    assert statuses[-1] == 429
    # Signed out, and the password alone no longer gets in.
    assert Client().post("/sign-in/", {"username": user.username, "password": PASSWORD}).status_code == 429


def test_the_token_endpoint_needs_the_code_for_those_roles():
    user = f.UserFactory(role=Role.COMMISSIONER)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    api = APIClient()
    r = api.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json")
    assert r.status_code == 400 and set(r.json()) == {"otp"}
    r = api.post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": PASSWORD, "otp": code_now(device)},
        format="json",
    )
    assert r.status_code == 200 and r.json()["token"]


def test_totp_code_command_prints_the_current_code():
    user = f.UserFactory(role=Role.SERVICE_LEAD)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    out = StringIO()
    call_command("totp_code", user.username, stdout=out)
    assert out.getvalue().strip() == code_now(device)


def test_demo_lead_signs_in_with_the_password_and_the_code_the_command_prints():
    call_command("seed_demo", patients=5)
    for username in ("lead", "admin", "commissioner"):
        assert TOTPDevice.objects.get(user__username=username, confirmed=True).key == b"painway-demo-2fa-key".hex()
    client = Client()
    client.post("/sign-in/", {"username": "lead", "password": "painway-demo"})
    assert client.get("/")["Location"].startswith("/account/two-factor/")
    out = StringIO()
    call_command("totp_code", "lead", stdout=out)
    assert client.post("/account/two-factor/", {"otp_token": out.getvalue().strip()}).status_code == 302
    assert client.get("/").status_code == 200


def test_each_request_reads_the_user_roles_and_authenticator_afresh_in_one_round_trip():
    """accounts.backends: one statement on PostgreSQL for the user, their roles and whether they have an
    authenticator; a role taken away, a device confirmed, or the account deactivated counts from the
    very next request."""
    user = f.UserFactory(role=Role.CLINICIAN)
    client, _ = sign_in(user.username)
    assert client.get("/patients/").status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get("/patients/")
    reads = [q["sql"] for q in ctx.captured_queries if "auth_group" in q["sql"] or "otp_totp" in q["sql"]]
    if connection.vendor == "postgresql":
        assert len(reads) == 1 and '"auth_user"' in reads[0] and "otp_totp_totpdevice" in reads[0]
    # A confirmed authenticator: from the next request its code is asked for.
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    assert client.get("/patients/")["Location"].startswith("/account/two-factor/")
    TOTPDevice.objects.filter(user=user).delete()
    assert client.get("/patients/").status_code == 200
    # The clinician role taken away: the clinician's pages are gone at once.
    user.groups.remove(Group.objects.get(name=Role.CLINICIAN))
    assert client.get("/patients/").status_code == 404
    # Deactivated: signed out.
    user.groups.add(Group.objects.get(name=Role.CLINICIAN))
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/patients/")["Location"].startswith("/sign-in/")
