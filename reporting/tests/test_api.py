"""Reports API: commissioner isolation, bad input, PTL order, streamed pseudonymised data set."""

import csv
import io
from datetime import date

import pytest
import time_machine

from pathway.models import Role
from pathway.tests import factories as f
from reporting.selectors import MDS_COLUMNS, pseudonym
from reporting.tests import factories as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_commissioners():
    a = f.PracticeFactory(ods_code="A81001")
    b = f.PracticeFactory(ods_code="B82001")
    rf.episode(practice=a, received_on=date(2026, 9, 1))
    rf.episode(practice=b, received_on=date(2026, 5, 1))
    rf.episode(practice=b, received_on=date(2026, 9, 1))
    return a, b


def _codes(body):
    return {row["code"]: row for row in body}


def test_commissioner_gets_own_kpis_and_same_numbers_as_the_definitions(api_as, two_commissioners):
    a, b = two_commissioners
    user = f.UserFactory(role=Role.COMMISSIONER, commissioner=a.commissioner)
    r = api_as(user).get("/api/v1/reports/kpis/", {"month": "2026-10", "commissioner": a.commissioner.code})
    assert r.status_code == 200
    rows = _codes(r.json())
    assert set(rows) == {
        "rtt_18_weeks",
        "new_to_review_ratio",
        "care_plan_written",
        "prom_improvement",
        "positive_experience",
        "discharge_letter_on_time",
        "prescribing_advice_on_time",
        "triage_on_time",
        "over_9_months",
    }
    assert set(rows["rtt_18_weeks"]) == {"code", "name", "numerator", "denominator", "value", "target"}
    assert (rows["rtt_18_weeks"]["numerator"], rows["rtt_18_weeks"]["denominator"]) == (1, 1)
    assert rows["rtt_18_weeks"]["target"] == 0.92
    # Without a code, a commissioner gets their own commissioner.
    r = api_as(user).get("/api/v1/reports/kpis/", {"month": "2026-10"})
    assert _codes(r.json())["rtt_18_weeks"]["denominator"] == 1


def test_another_commissioners_code_is_404_and_never_their_data(api_as, two_commissioners):
    a, b = two_commissioners
    user = f.UserFactory(role=Role.COMMISSIONER, commissioner=a.commissioner)
    client = api_as(user)
    r = client.get("/api/v1/reports/kpis/", {"month": "2026-10", "commissioner": b.commissioner.code})
    assert r.status_code == 404
    assert "numerator" not in r.content.decode()
    r = client.get("/api/v1/reports/kpis/", {"month": "2026-10", "practice": b.ods_code})
    assert r.status_code == 404
    assert (
        client.get("/api/v1/reports/mds/", {"month": "2026-10", "commissioner": b.commissioner.code}).status_code == 404
    )


def test_service_lead_sees_any_commissioner(api_as, service_lead, two_commissioners):
    a, b = two_commissioners
    r = api_as(service_lead).get("/api/v1/reports/kpis/", {"month": "2026-10", "commissioner": b.commissioner.code})
    assert r.status_code == 200
    assert _codes(r.json())["rtt_18_weeks"] == {
        "code": "rtt_18_weeks",
        "name": "RTT: incomplete pathways within 18 weeks",
        "numerator": 1,
        "denominator": 2,
        "value": 0.5,
        "target": 0.92,
    }
    assert (
        api_as(service_lead).get("/api/v1/reports/kpis/", {"month": "2026-10", "commissioner": "ZZZ"}).status_code
        == 404
    )


@pytest.mark.parametrize("month", ["2026-13", "", "oct", None])
def test_invalid_or_missing_month_is_400_naming_month(api_as, commissioner_user, month):
    params = {} if month is None else {"month": month}
    r = api_as(commissioner_user).get("/api/v1/reports/kpis/", params)
    assert r.status_code == 400
    assert list(r.json()) == ["month"]
    assert "month" in r.json()["month"][0].lower()


def test_invalid_tier_is_400(api_as, service_lead):
    r = api_as(service_lead).get("/api/v1/reports/kpis/", {"month": "2026-10", "tier": "4"})
    assert r.status_code == 400 and "tier" in r.json()


def test_other_roles_cannot_read_reports(api_as, clinician, gp_user, spa_user, api_client):
    for user in (clinician, gp_user, spa_user):
        assert api_as(user).get("/api/v1/reports/kpis/", {"month": "2026-10"}).status_code == 404
        assert api_as(user).get("/api/v1/reports/ptl/").status_code == 404
        assert api_as(user).get("/api/v1/reports/mds/", {"month": "2026-10"}).status_code == 404
    assert api_client.get("/api/v1/reports/kpis/", {"month": "2026-10"}).status_code == 401


@time_machine.travel("2026-11-23 10:00 +0000", tick=False)
def test_ptl_longest_wait_first_with_weeks_bands_and_next_appointment(api_as, service_lead, commissioner_user):
    practice = f.PracticeFactory()
    short = rf.episode(practice=practice, received_on=date(2026, 11, 20))
    long = rf.episode(practice=practice, received_on=date(2025, 11, 1))
    middle = rf.episode(practice=practice, received_on=date(2026, 7, 1))
    stopped = rf.episode(practice=practice, received_on=date(2025, 1, 1))
    rf.stop_clock(stopped, on=date(2025, 3, 1))
    rf.appointment(middle, kind="new", on=date(2026, 11, 20), outcome="attended")
    rf.appointment(middle, kind="review", on=date(2026, 12, 3), outcome="")
    rf.appointment(middle, kind="review", on=date(2026, 11, 30), outcome="")
    r = api_as(service_lead).get("/api/v1/reports/ptl/")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 3
    rows = body["results"]
    assert [row["episode_id"] for row in rows] == [long.pk, middle.pk, short.pk]
    assert rows[0]["days_waited"] == 387 and rows[0]["weeks_waited"] == 56 and rows[0]["band"] == "52+"
    assert rows[0]["rtt_breach_on"] == "2026-03-08"
    assert rows[1]["band"] == "18+" and rows[1]["next_appointment"] == "2026-11-30"
    assert rows[2]["weeks_waited"] == 1 and rows[2]["band"] == "0-17" and rows[2]["next_appointment"] is None
    assert [
        x["episode_id"] for x in api_as(service_lead).get("/api/v1/reports/ptl/", {"band": "52+"}).json()["results"]
    ] == [long.pk]
    assert api_as(service_lead).get("/api/v1/reports/ptl/", {"band": "9"}).status_code == 400
    assert api_as(commissioner_user).get("/api/v1/reports/ptl/").status_code == 404


def test_mds_streams_pseudonymised_csv(api_as, service_lead, settings):
    settings.PSEUDONYM_KEY = "test-key"
    practice = f.PracticeFactory(ods_code="A81001")
    e = rf.episode(
        practice=practice,
        received_on=date(2026, 9, 1),
        given_name="Zebedee",
        family_name="Quixote",
        postcode="DL3 7QZ",
        date_of_birth=date(1961, 5, 17),
    )
    d = rf.episode(practice=practice, received_on=date(2026, 3, 2))
    d = rf.accept(d, on=date(2026, 3, 10))
    rf.appointment(d, kind="new", on=date(2026, 10, 1))
    letter = rf.discharge(d, on=date(2026, 10, 2))
    rf.letter_sent(letter, rf.london(date(2026, 10, 5)))
    gone = rf.episode(practice=practice, received_on=date(2026, 3, 2))
    rf.discharge(gone, on=date(2026, 9, 30))  # closed before October: not in October's set
    r = api_as(service_lead).get(
        "/api/v1/reports/mds/", {"month": "2026-10", "commissioner": practice.commissioner.code}
    )
    assert r.status_code == 200
    assert r.streaming
    assert r["Content-Type"].startswith("text/csv")
    content = b"".join(r.streaming_content).decode()
    for secret in (e.patient.nhs_number, "Zebedee", "Quixote", "1961-05-17", "DL3 7QZ"):
        assert secret not in content
    rows = list(csv.DictReader(io.StringIO(content)))
    assert list(rows[0]) == MDS_COLUMNS
    assert [row["episode_reference"] for row in rows] == [e.reference, d.reference]
    first = rows[0]
    assert first["patient_pseudonym"] == pseudonym(e.patient_id) and len(first["patient_pseudonym"]) == 32
    assert first["postcode_district"] == "DL3" and first["age_band"] == "60-69"
    assert first["rtt_days_waited_at_month_end"] == "60"
    second = rows[1]
    assert second["new_attendances"] == "1" and second["discharge_reason"] == "completed"
    assert second["discharge_letter_sent_on"] == "2026-10-05" and second["discharge_letter_on_time"] == "Y"
    assert second["rtt_days_waited_at_month_end"] == ""


def test_mds_for_a_commissioner_user_is_their_own(api_as, commissioner_user, practice):
    rf.episode(practice=practice, received_on=date(2026, 9, 1))
    other = f.PracticeFactory()
    rf.episode(practice=other, received_on=date(2026, 9, 1))
    r = api_as(commissioner_user).get("/api/v1/reports/mds/", {"month": "2026-10"})
    rows = list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert {row["practice_ods"] for row in rows} == {practice.ods_code}
    assert api_as(commissioner_user).get("/api/v1/reports/mds/", {"month": "2026-13"}).status_code == 400


@time_machine.travel("2026-11-23 10:00 +0000", tick=False)
def test_ptl_and_data_set_queries_do_not_grow_with_rows(api_as, service_lead, django_assert_max_num_queries):
    practice = f.PracticeFactory()
    for i in range(3):
        rf.episode(practice=practice, received_on=date(2026, 6, 1 + i))
    client = api_as(service_lead)
    client.get("/api/v1/reports/ptl/")  # warm the role cache
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/reports/ptl/").json()["count"] == 3
    # The data set also reads its pseudonym key version and streams inside a transaction; on PostgreSQL
    # it makes, analyses and drops its temporary tables (episodes, rows, pseudonyms): a fixed handful.
    with django_assert_max_num_queries(15):
        b"".join(client.get("/api/v1/reports/mds/", {"month": "2026-10"}).streaming_content)
    for i in range(12):
        rf.episode(practice=practice, received_on=date(2026, 7, 1 + i))
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/reports/ptl/").json()["count"] == 15
    with django_assert_max_num_queries(15):
        content = b"".join(client.get("/api/v1/reports/mds/", {"month": "2026-10"}).streaming_content)
    assert content.decode().count("\n") == 16


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/reports/kpis/", {"month": "2026-10", "commissioner": "A\x00"}, "commissioner"),
        ("/api/v1/reports/kpis/", {"month": "2026-10", "practice": "A81001\x00"}, "practice"),
        ("/api/v1/reports/ptl/", {"practice": "\x00"}, "practice"),
        ("/api/v1/reports/mds/", {"month": "2026-10", "commissioner": "\x00"}, "commissioner"),
    ],
)
def test_a_nul_in_a_code_is_a_400_naming_it_on_every_database(api_as, service_lead, url, params, field):
    """PostgreSQL refuses a NUL in a query (a 500 before); no code can hold one."""
    r = api_as(service_lead).get(url, params)
    assert r.status_code == 400, r.content
    assert list(r.json()) == [field]
