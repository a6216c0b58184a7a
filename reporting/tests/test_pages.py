"""Report pages: commissioner pages without identifiers, drill-down for the service lead, PTL CSV."""

import csv
import io
from datetime import date, timedelta

import pytest
import time_machine

from pathway.models import Role
from pathway.tests import factories as f
from reporting import services
from reporting.tests import factories as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def commissioner_a(data):
    return f.UserFactory(role=Role.COMMISSIONER, commissioner=data["a"].commissioner)


def _identifiers():
    from pathway.models import Patient

    for patient in Patient.objects.all():
        yield patient.nhs_number
        yield patient.family_name


@time_machine.travel("2026-11-23 10:00 +0000", tick=False)
def test_commissioner_dashboard_shows_kpis_trend_and_no_identifiers(client, data, commissioner_a):
    client.force_login(commissioner_a)
    r = client.get("/reports/kpis/", {"month": "2026-10"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-kpi="rtt_18_weeks"' in html and "88%" in html and "92%" in html
    assert 'id="kpi-trend-data"' in html and "chart.umd.min.js" in html
    assert "/episodes/" not in html and "/patients/" not in html
    for secret in _identifiers():
        assert secret not in html
    trend = r.context["trend"]
    assert trend["labels"][0] == "2025-11" and trend["labels"][-1] == "2026-10"
    assert trend["series"]["rtt_18_weeks"][-1] == 0.875
    # Other commissioners' practices are not offered, and asking for one shows no numbers.
    assert data["b"].ods_code not in html
    r = client.get("/reports/kpis/", {"month": "2026-10", "practice": data["b"].ods_code})
    assert r.status_code == 400 and "kpis" not in r.context
    assert "nhsuk-error-summary" in r.content.decode() and 'data-kpi="' not in r.content.decode()


def test_dashboard_invalid_month_shows_error_summary(client, commissioner_user):
    client.force_login(commissioner_user)
    r = client.get("/reports/kpis/", {"month": "2026-13"})
    assert r.status_code == 400
    assert "nhsuk-error-summary" in r.content.decode() and "is not a month" in r.content.decode()


def test_service_lead_drills_down_to_the_episodes_behind_a_number(client, data):
    client.force_login(data["lead"])
    code = data["a"].commissioner.code
    r = client.get("/reports/kpis/", {"month": "2026-10", "commissioner": code})
    assert r.status_code == 200 and "/reports/kpis/care_plan_written/episodes/" in r.content.decode()
    r = client.get(
        "/reports/kpis/care_plan_written/episodes/", {"month": "2026-10", "commissioner": code, "part": "numerator"}
    )
    assert r.status_code == 200
    shown = {e.pk for e in r.context["page"].object_list}
    d1, d2, d3, d4, d5 = data["d"]
    assert shown == {d1.pk, d3.pk, d4.pk}


def test_drill_down_is_not_for_commissioners(client, commissioner_a):
    client.force_login(commissioner_a)
    assert client.get("/reports/kpis/care_plan_written/episodes/", {"month": "2026-10"}).status_code == 404


@time_machine.travel("2026-11-23 10:00 +0000", tick=False)
def test_over_9_months_list_is_pseudonymised_for_the_commissioner(client, data, commissioner_a):
    client.force_login(commissioner_a)
    r = client.get("/reports/over-9-months/")
    assert r.status_code == 200
    html = r.content.decode()
    o = data["o"]
    # Today (23 Nov) the cut-off is 23 Feb: o1, o2, o3, o5 are open and over; o4 discharged; ob is B's.
    for name in ("o1", "o2", "o3", "o5"):
        assert o[name].reference in html
    assert o["o4"].reference not in html and o["ob"].reference not in html
    assert "Needs PMP" in html and "Requested, waiting for the commissioner's agreement" in html
    assert "/patients/" not in html
    for secret in _identifiers():
        assert secret not in html
    months = {row["episode"].pk: row["months_open"] for row in r.context["rows"]}
    assert months[o["o1"].pk] == 9 and months[o["o2"].pk] == 10


def test_activity_page_counts_discharges_referrals_and_feedback(client, data, commissioner_a):
    rf.feedback(data["d"][0], kind="complaint", on=date(2026, 10, 7), action="Apology and clinic times changed")
    rf.feedback(None, kind="compliment", on=date(2026, 10, 8))
    client.force_login(commissioner_a)
    r = client.get("/reports/activity/", {"month": "2026-10"})
    assert r.status_code == 200
    october = r.context["months"][-1]
    assert october["month"] == "2026-10"
    assert october["discharges"][0] == 6  # completed: d1-d5 and o4
    assert october["referrals"] == 3  # t1, t2 and the withdrawn referral were received in October
    assert october["triage"] == [1, 1, 0, 1]  # first decisions: t1 accept, t2 reject, t3 request info
    html = r.content.decode()
    assert "Apology and clinic times changed" in html and "About the service" not in html
    assert len(r.context["feedback"]) == 1


def test_opioid_comparison_for_a_half_year(client, service_lead, practice):
    for first, last, on in [
        ("120", "60", date(2026, 2, 3)),
        ("40", "40", date(2026, 6, 30)),
        ("30", "45", date(2026, 7, 1)),
    ]:
        e = rf.episode(practice=practice, received_on=date(2025, 12, 1))
        rf.discharge(e, on=on, ome_first=first, ome_discharge=last)
    client.force_login(service_lead)
    r = client.get("/reports/opioids/", {"period": "2026-H1"})
    assert r.status_code == 200
    totals = r.context["totals"]
    assert (totals["episodes"], totals["reduced"], totals["unchanged"], totals["increased"]) == (2, 1, 1, 0)
    assert (totals["mean_first"], totals["mean_discharge"]) == (80.0, 50.0)
    assert (totals["over_threshold_first"], totals["over_threshold_discharge"]) == (1, 0)
    assert client.get("/reports/opioids/", {"period": "2026-H3"}).status_code == 400


@time_machine.travel("2026-11-23 10:00 +0000", tick=False)
def test_ptl_page_and_csv_export_for_the_service_lead(client, service_lead, commissioner_user, practice):
    old = rf.episode(practice=practice, received_on=date(2025, 11, 1))
    new = rf.episode(practice=practice, received_on=date(2026, 11, 16))
    client.force_login(service_lead)
    r = client.get("/reports/ptl/")
    assert r.status_code == 200
    assert [row["episode_id"] for row in r.context["rows"]] == [old.pk, new.pk]
    r = client.get("/reports/ptl/export.csv")
    assert r.status_code == 200 and r.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert [row["episode_reference"] for row in rows] == [old.reference, new.reference]
    assert rows[0]["band"] == "52+" and rows[0]["rtt_breach_on"] == "2026-03-08"
    client.force_login(commissioner_user)
    assert client.get("/reports/ptl/").status_code == 404
    assert client.get("/reports/ptl/export.csv").status_code == 404


@time_machine.travel("2026-11-23 10:00 +0000", tick=False)
def test_ptl_csv_rows_read_as_plain_values_equal_the_api_rows(client, api_as, service_lead, practice):
    """The CSV builds its rows from plain values, the API and page from model objects (ptl_row): the
    same columns, every wait band and warning, accepted episodes with a tier and a booked appointment."""
    today = date(2026, 11, 23)
    waits = (0, 83, 84, 112, 126, 127, 364, 400)
    episodes = [rf.episode(practice=practice, received_on=today - timedelta(days=days)) for days in waits]
    rf.accept(episodes[1], on=today - timedelta(days=80), tier=3)
    rf.accept(episodes[6], on=today - timedelta(days=300), tier=1)
    rf.appointment(episodes[6], kind="new", on=today + timedelta(days=9), outcome="")
    rf.appointment(episodes[6], kind="review", on=today + timedelta(days=3), outcome="")

    api_rows = api_as(service_lead).get("/api/v1/reports/ptl/").json()["results"]
    client.force_login(service_lead)
    body = b"".join(client.get("/reports/ptl/export.csv").streaming_content).decode()
    csv_rows = list(csv.DictReader(io.StringIO(body)))
    assert len(csv_rows) == len(waits) == len(api_rows)
    for api_row, csv_row in zip(api_rows, csv_rows, strict=True):
        assert set(csv_row) <= set(api_row)
        assert csv_row == {k: "" if api_row[k] is None else str(api_row[k]) for k in csv_row}
    by_ref = {row["episode_reference"]: row for row in csv_rows}
    booked = by_ref[episodes[6].reference]
    assert (booked["tier"], booked["next_appointment"], booked["band"]) == ("1", "2026-11-26", "52+")
    assert by_ref[episodes[1].reference]["tier"] == "3"


@time_machine.travel("2026-11-23 10:00 +0000", tick=False)
def test_ptl_shows_the_12_and_16_week_warnings_and_the_breach(client, api_as, service_lead, practice):
    today = date(2026, 11, 23)
    waits = {83: None, 84: "12_weeks", 112: "16_weeks", 127: "breached"}
    episodes = {days: rf.episode(practice=practice, received_on=today - timedelta(days=days)) for days in waits}
    stopped = rf.episode(practice=practice, received_on=today - timedelta(days=200))
    rf.stop_clock(stopped, on=today - timedelta(days=100))

    rows = api_as(service_lead).get("/api/v1/reports/ptl/").json()["results"]
    assert {row["episode_id"]: row["rtt_warning"] for row in rows} == {episodes[d].pk: w for d, w in waits.items()}

    client.force_login(service_lead)
    page = client.get("/reports/ptl/").content.decode()
    assert page.count("12-week warning") == 1 and page.count("16-week warning") == 1
    assert "Breached 18 weeks" in page
    csv_rows = list(
        csv.DictReader(io.StringIO(b"".join(client.get("/reports/ptl/export.csv").streaming_content).decode()))
    )
    assert sorted(row["rtt_warning"] for row in csv_rows) == ["", "12_weeks", "16_weeks", "breached"]

    # The episode's own pages carry the same warning; a stopped clock has none.
    record = client.get(f"/patients/{episodes[112].patient_id}/").content.decode()
    assert "16-week warning" in record
    stopped_record = client.get(f"/patients/{stopped.patient_id}/").content.decode()
    assert "-week warning" not in stopped_record and "Breached 18 weeks" not in stopped_record


@time_machine.travel("2026-11-23 10:00 +0000", tick=False)
def test_ptl_filtered_by_commissioner_and_band_on_the_page_and_in_the_csv(client, service_lead, practice):
    other_practice = f.PracticeFactory()  # another commissioner
    mine_old = rf.episode(practice=practice, received_on=date(2025, 11, 1))
    mine_new = rf.episode(practice=practice, received_on=date(2026, 11, 16))
    theirs = rf.episode(practice=other_practice, received_on=date(2026, 1, 5))
    client.force_login(service_lead)
    everyone = client.get("/reports/ptl/")
    assert [row["episode_id"] for row in everyone.context["rows"]] == [mine_old.pk, theirs.pk, mine_new.pk]

    code = practice.commissioner.code
    r = client.get("/reports/ptl/", {"commissioner": code})
    assert [row["episode_id"] for row in r.context["rows"]] == [mine_old.pk, mine_new.pk]
    r = client.get("/reports/ptl/", {"commissioner": code, "band": "52+"})
    assert [row["episode_id"] for row in r.context["rows"]] == [mine_old.pk]
    page = r.content.decode()
    assert f"/reports/ptl/export.csv?commissioner={code}&amp;band=52%2B" in page

    csv_rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(client.get("/reports/ptl/export.csv", {"commissioner": code}).streaming_content).decode()
            )
        )
    )
    assert [row["episode_reference"] for row in csv_rows] == [mine_old.reference, mine_new.reference]

    # An unknown commissioner or band is a 400 with the NHS.UK error summary, not an empty list.
    bad = client.get("/reports/ptl/", {"commissioner": "NOPE", "band": "99+"})
    assert bad.status_code == 400
    assert "There is a problem" in bad.content.decode()
    assert set(bad.context["form"].errors) == {"commissioner", "band"}
    assert client.get("/reports/ptl/export.csv", {"band": "99+"}).status_code == 400


@time_machine.travel("2026-11-23 10:00 +0000", tick=False)
def test_data_set_list_download_and_mark_submitted(client, service_lead, commissioner_user, practice):
    rf.episode(practice=practice, received_on=date(2026, 10, 5))
    data_set = services.mds_generate(commissioner=practice.commissioner, month=date(2026, 10, 1))
    other = services.mds_generate(commissioner=f.PracticeFactory().commissioner, month=date(2026, 10, 1))
    client.force_login(commissioner_user)
    r = client.get("/reports/mds/")
    assert r.status_code == 200 and [d.pk for d in r.context["page"].object_list] == [data_set.pk]
    r = client.get(f"/reports/mds/{data_set.pk}/download/")
    assert r.status_code == 200
    assert b"".join(r.streaming_content).decode().startswith("month,commissioner_code")
    assert client.get(f"/reports/mds/{other.pk}/download/").status_code == 404
    assert client.post(f"/reports/mds/{data_set.pk}/submitted/").status_code == 404
    client.force_login(service_lead)
    r = client.post(f"/reports/mds/{data_set.pk}/submitted/")
    assert r.status_code == 302
    data_set.refresh_from_db()
    assert data_set.submitted_on == date(2026, 11, 23)
    r = client.get("/reports/mds/")
    # Both were due on 13 Nov: one submitted late, one not at all.
    assert (r.context["on_time"]["numerator"], r.context["on_time"]["denominator"]) == (0, 2)


def test_other_roles_get_404_on_report_pages(client, clinician, gp_user):
    for user in (clinician, gp_user):
        client.force_login(user)
        for url in (
            "/reports/kpis/",
            "/reports/over-9-months/",
            "/reports/activity/",
            "/reports/mds/",
            "/reports/opioids/",
        ):
            assert client.get(url).status_code == 404


def test_ptl_pages_go_on_after_the_last_row_shown_longest_wait_first(client, service_lead, practice):
    for day in range(1, 56):
        f.open_episode(practice=practice, received_on=date(2026, 9, 1) + timedelta(days=day % 50))
    client.force_login(service_lead)
    first = client.get("/reports/ptl/")
    assert first.status_code == 200
    rows = first.context["rows"]
    assert len(rows) == 50
    assert [r["clock_start"] for r in rows] == sorted(r["clock_start"] for r in rows)
    after = first.context["page"].next_after
    assert f"after={after}" in first.content.decode()
    second = client.get("/reports/ptl/", {"after": after})
    more = second.context["rows"]
    assert len(more) == 5 and second.context["page"].next_after is None
    shown = [r["episode_id"] for r in rows + more]
    assert len(set(shown)) == 55
    assert (more[0]["clock_start"], more[0]["episode_id"]) > (rows[-1]["clock_start"], rows[-1]["episode_id"])
    assert "First page" in second.content.decode()


@pytest.mark.parametrize("after", ["yesterday", "2026-13-01.4", "2026-10-01.x", "2026-10-01"])
def test_ptl_page_with_a_bad_place_is_400_naming_it(client, service_lead, after):
    client.force_login(service_lead)
    response = client.get("/reports/ptl/", {"after": after})
    assert response.status_code == 400
    assert "is not a place in this list" in response.content.decode()
