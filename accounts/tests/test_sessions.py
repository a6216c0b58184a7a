"""Sessions, as found: they lasted 14 days with no idle timeout. Now 30 minutes without a request (the
session_idle_minutes rule) signs the user out, and the warning page says why."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from pathway.models import Role
from pathway.tests import factories as f

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def signed_in():
    user = f.UserFactory(role=Role.CLINICIAN)
    client = Client()
    client.force_login(user)
    return client


def test_activity_within_30_minutes_keeps_the_session(signed_in):
    with time_machine.travel(START, tick=False) as clock:
        assert signed_in.get("/patients/").status_code == 200
        for _ in range(4):
            clock.shift(timedelta(minutes=29))
            assert signed_in.get("/patients/").status_code == 200


def test_31_idle_minutes_sign_the_user_out_with_the_warning_page(signed_in):
    with time_machine.travel(START, tick=False) as clock:
        assert signed_in.get("/patients/").status_code == 200
        clock.shift(timedelta(minutes=31))
        r = signed_in.get("/patients/?q=smith")
        assert r.status_code == 302
        assert r["Location"].startswith("/account/signed-out/?next=")
        page = signed_in.get(r["Location"])
        text = page.content.decode()
        assert "You have been signed out" in text and "30 minutes without activity" in text
        assert "/sign-in/?next=%2Fpatients%2F%3Fq%3Dsmith" in text
        # Signed out for real: the next page asks to sign in.
        assert signed_in.get("/patients/")["Location"].startswith("/sign-in/")


def test_idle_timeout_follows_the_rule(signed_in, settings):
    settings.PATHWAY_RULES = {**settings.PATHWAY_RULES, "session_idle_minutes": 10}
    with time_machine.travel(START, tick=False) as clock:
        signed_in.get("/patients/")
        clock.shift(timedelta(minutes=11))
        assert signed_in.get("/patients/").status_code == 302


def test_idle_session_on_the_api_is_401(signed_in):
    with time_machine.travel(START, tick=False) as clock:
        signed_in.get("/patients/")
        clock.shift(timedelta(minutes=31))
        r = signed_in.get("/api/v1/auth/tokens/")
        assert r.status_code == 401
        assert r.json()["code"] == "session_idle"


def test_pages_carry_the_idle_warning_script_without_inline_script(signed_in):
    page = signed_in.get("/patients/").content.decode()
    assert 'data-idle-seconds="1800"' in page
    assert "js/idle-warning.js" in page
    assert "<script>" not in page


def test_the_triage_queue_refreshing_itself_does_not_keep_the_session_alive():
    user = f.UserFactory(role=Role.SPA_TRIAGE)
    client = Client()
    client.force_login(user)
    with time_machine.travel(START, tick=False) as clock:
        page = client.get("/triage/").content.decode()
        assert "X-Painway-Poll" in page
        polls = []
        for _ in range(62):  # every 30 seconds for 31 minutes
            clock.shift(timedelta(seconds=30))
            polls.append(client.get("/triage/queue/table/", HTTP_HX_REQUEST="true", HTTP_X_PAINWAY_POLL="1"))
        assert all(p.status_code == 200 for p in polls[:59])
        # After 30 minutes the whole page goes to the warning page (htmx follows HX-Redirect).
        ended = polls[60]
        assert ended.status_code == 200 and ended["HX-Redirect"].startswith("/account/signed-out/")
        assert "HX-Redirect" not in polls[59]
