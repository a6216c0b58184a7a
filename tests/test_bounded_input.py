"""Every input bounded, as found: onward_referral over 200 characters on discharge was a 500 on
PostgreSQL (API and form), deeply nested JSON (`[` x 50000) a RecursionError anywhere including the
unauthenticated token endpoint, a monthly data set whose file was missing a 500; and dates out of any
sense were accepted (a year-1 UBRN conversion gave a PTL wait of 739,951 days; appointments and
extensions on 9999-12-31). Each is checked on SQLite and, in CI, on PostgreSQL."""

from datetime import date

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.test import Client
from rest_framework.test import APIClient

from careplans.models import Appointment, Discharge, Extension
from careplans.tests.factories import accepted_episode
from pathway.models import Episode, Patient, Role
from pathway.tests import factories as f
from referrals.tests.factories import referral_payload
from reporting.models import MonthlyDataSet

pytestmark = pytest.mark.django_db

TODAY = "2026-12-02 10:00 +00:00"


@pytest.fixture
def lead():
    return f.UserFactory(role=Role.SERVICE_LEAD)


@pytest.fixture
def api(lead):
    client = APIClient()
    client.force_authenticate(lead)
    return client


@pytest.fixture
def web(lead):
    client = Client()
    client.force_login(lead)
    return client


# --- Lengths from the model -------------------------------------------------------------------


@time_machine.travel(TODAY)
def test_onward_referral_over_200_characters_is_400_on_the_api(api):
    episode = accepted_episode(received_on=date(2026, 10, 1))
    body = {"date": "2026-12-01", "reason": "onward_referral", "onward_referral": "x" * 201}
    r = api.post(f"/api/v1/episodes/{episode.pk}/discharge/", body, format="json")
    assert r.status_code == 400
    assert "200" in r.json()["onward_referral"][0]
    assert not Discharge.objects.exists()
    body["onward_referral"] = "x" * 200
    assert api.post(f"/api/v1/episodes/{episode.pk}/discharge/", body, format="json").status_code == 201


@time_machine.travel(TODAY)
def test_onward_referral_over_200_characters_is_an_error_on_the_form(web):
    episode = accepted_episode(received_on=date(2026, 10, 1))
    r = web.post(
        f"/care/episodes/{episode.pk}/discharge/",
        {"version": episode.version, "date": "2026-12-01", "reason": "onward_referral", "onward_referral": "x" * 201},
    )
    assert r.status_code in (200, 400)
    assert "at most 200 characters" in r.content.decode()
    assert Episode.objects.get(pk=episode.pk).state == "accepted"


@time_machine.travel(TODAY)
def test_onward_referral_over_200_characters_is_refused_by_the_service_too(lead):
    from careplans import services
    from pathway.errors import InvalidInput

    episode = accepted_episode(received_on=date(2026, 10, 1))
    with pytest.raises(InvalidInput) as caught:
        services.discharge_record(
            episode=episode, date=date(2026, 12, 1), reason="onward_referral", onward_referral="y" * 201, actor=lead
        )
    assert set(caught.value.errors) == {"onward_referral"}


# --- JSON depth and size ----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/auth/token/", "/api/v1/referrals/", "/api/v1/episodes/1/transition/"])
def test_deeply_nested_json_is_400_not_a_recursion_error(url, lead):
    client = APIClient()
    if url != "/api/v1/auth/token/":
        client.force_authenticate(lead)
    r = client.post(url, data="[" * 50000, content_type="application/json")
    assert r.status_code == 400
    assert "nested too deeply" in r.json()["non_field_errors"][0]
    # Brackets inside strings are text, not nesting.
    ok = client.post(url, data='{"username": "' + "[" * 5000 + '", "password": "x"}', content_type="application/json")
    assert ok.status_code != 500


def test_a_json_body_over_the_size_limit_is_400(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = APIClient().post(
        "/api/v1/auth/token/", data='{"username": "' + "a" * 2000 + '"}', content_type="application/json"
    )
    assert r.status_code == 400
    assert "too large" in r.json()["non_field_errors"][0]


# --- Dates within sane windows ----------------------------------------------------------------


@time_machine.travel("2026-11-05 10:00 +00:00", tick=False)
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ubrn_converted_on", "0001-01-01", "365 days before"),
        ("date_of_birth", "1899-12-31", "before 1 January 1900"),
        ("received_on", "1990-01-01", "10 years ago"),
    ],
)
def test_referral_dates_out_of_any_sense_are_400(spa_user, practice, field, value, message):
    client = APIClient()
    client.force_authenticate(spa_user)
    extra = {"ubrn": "123456789012"} if field == "ubrn_converted_on" else {}
    r = client.post("/api/v1/referrals/", referral_payload(practice, **{field: value}, **extra), format="json")
    assert r.status_code == 400, r.json()
    assert message in r.json()[field][0]
    assert not Patient.objects.exists()


@time_machine.travel("2026-11-05 10:00 +00:00", tick=False)
def test_a_ubrn_converted_shortly_before_receipt_still_starts_the_clock(spa_user, practice):
    client = APIClient()
    client.force_authenticate(spa_user)
    body = referral_payload(practice, ubrn="123456789012", ubrn_converted_on="2026-10-20")
    r = client.post("/api/v1/referrals/", body, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["rtt_clock_start"] == "2026-10-20"


@time_machine.travel(TODAY)
@pytest.mark.parametrize("day", ["9999-12-31", "2028-12-03"])
def test_appointment_more_than_two_years_ahead_is_400(api, day):
    episode = accepted_episode(received_on=date(2026, 10, 1))
    r = api.post(f"/api/v1/episodes/{episode.pk}/appointments/", {"kind": "new", "date": day}, format="json")
    assert r.status_code == 400
    assert "2 years ahead" in r.json()["date"][0]
    assert not Appointment.objects.exists()
    ok = api.post(f"/api/v1/episodes/{episode.pk}/appointments/", {"kind": "new", "date": "2028-12-02"}, format="json")
    assert ok.status_code == 201


@time_machine.travel(TODAY)
def test_appointment_before_the_referral_is_400(api):
    episode = accepted_episode(received_on=date(2026, 10, 1))
    r = api.post(f"/api/v1/episodes/{episode.pk}/appointments/", {"kind": "new", "date": "2026-09-30"}, format="json")
    assert r.status_code == 400 and "before the referral" in r.json()["date"][0]


@time_machine.travel(TODAY)
def test_extension_to_9999_is_400(api):
    episode = accepted_episode(received_on=date(2026, 1, 5), admitted_on=date(2026, 1, 20))
    r = api.post(
        f"/api/v1/episodes/{episode.pk}/extension/", {"rationale": "Awaiting PMP", "until": "9999-12-31"}, format="json"
    )
    assert r.status_code == 400
    assert "2 years ahead" in r.json()["until"][0]
    assert not Extension.objects.exists()


@time_machine.travel(TODAY)
def test_care_plan_goal_review_in_9999_is_400(api):
    episode = accepted_episode(received_on=date(2026, 10, 1))
    body = {"goals": [{"goal": "Walk to the shops", "review_on": "9999-12-31"}], "version": episode.version}
    r = api.post(f"/api/v1/episodes/{episode.pk}/careplan/", body, format="json")
    assert r.status_code == 400 and "goals" in r.json()


# --- Missing monthly data set file ------------------------------------------------------------


@pytest.fixture
def data_set(practice):
    data_set = MonthlyDataSet.objects.create(
        commissioner=practice.commissioner, month=date(2026, 10, 1), due_on=date(2026, 11, 14)
    )
    data_set.file.save("mds.csv", ContentFile(b"month\n"), save=True)
    data_set.file.storage.delete(data_set.file.name)  # generated on another host: not on this one
    return data_set


def test_missing_data_set_file_is_generated_again_when_not_yet_submitted(web, data_set):
    r = web.get(f"/reports/mds/{data_set.pk}/download/")
    assert r.status_code == 200
    assert b"".join(r.streaming_content).startswith(b"")
    data_set.refresh_from_db()
    assert data_set.file.storage.exists(data_set.file.name)


def test_missing_file_of_a_submitted_data_set_is_a_clear_404(web, data_set):
    MonthlyDataSet.objects.filter(pk=data_set.pk).update(submitted_on=date(2026, 11, 10))
    r = web.get(f"/reports/mds/{data_set.pk}/download/")
    assert r.status_code == 404
    assert "The file of this data set is missing" in r.content.decode()


@time_machine.travel(TODAY)
def test_group_session_name_longer_than_the_model_allows_is_an_error_not_a_500():
    from careplans.models import GroupSession

    user = f.UserFactory(role=Role.CLINICIAN)
    web = Client()
    web.force_login(user)
    r = web.post("/care/groups/", {"name": "n" * 121, "date": "2026-12-10", "capacity": 10})
    assert r.status_code in (200, 400)
    assert "at most 120 characters" in r.content.decode()
    assert not GroupSession.objects.exists()
