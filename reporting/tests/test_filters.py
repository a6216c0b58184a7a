"""Report and PTL filters (reporting/filters.py): the same FilterSet refuses bad input on the API
(400 naming the parameter) and on the page (the NHS.UK error summary with a 400)."""

import pytest
import time_machine

from pathway.models import Role
from pathway.tests import factories as f

pytestmark = pytest.mark.django_db

FULL_WIDTH_MONTH = "\uff12\uff10\uff12\uff16-10"  # 2026-10 in full-width digits


@pytest.mark.parametrize(
    "params, errors",
    [
        (
            {"month": FULL_WIDTH_MONTH},
            {"month": [f"'{FULL_WIDTH_MONTH}' is not a month. Write it as YYYY-MM, for example 2026-10."]},
        ),
        ({"month": "2026-10", "tier": "4"}, {"tier": ["'4' is not a tier. Choose 1, 2 or 3."]}),
        (
            {"month": "2026-00", "tier": "x"},
            {
                "month": ["'2026-00' is not a month. Write it as YYYY-MM, for example 2026-10."],
                "tier": ["'x' is not a tier. Choose 1, 2 or 3."],
            },
        ),
    ],
)
def test_kpi_and_data_set_api_refuse_bad_filters_naming_each(api_as, service_lead, params, errors):
    client = api_as(service_lead)
    response = client.get("/api/v1/reports/kpis/", params)
    assert response.status_code == 400 and response.json() == errors
    mds = client.get("/api/v1/reports/mds/", params)
    assert mds.status_code == 400 and mds.json() == errors


def test_ptl_api_refuses_a_bad_band_or_tier_naming_each(api_as, service_lead):
    response = api_as(service_lead).get("/api/v1/reports/ptl/", {"band": "17+", "tier": "0"})
    assert response.status_code == 400
    assert response.json() == {
        "band": ["'17+' is not a band. Choose 0-17, 18+ or 52+."],
        "tier": ["'0' is not a tier. Choose 1, 2 or 3."],
    }


def test_who_may_not_see_reports_gets_404_even_for_bad_filters(api_as):
    spa = f.UserFactory(role=Role.SPA_TRIAGE)
    assert api_as(spa).get("/api/v1/reports/kpis/", {"month": "bad"}).status_code == 404
    assert api_as(spa).get("/api/v1/reports/ptl/", {"band": "bad"}).status_code == 404


@time_machine.travel("2026-11-05 10:00 +00:00")
@pytest.mark.parametrize("path", ["/reports/kpis/", "/reports/activity/"])
def test_report_pages_show_bad_filters_in_the_error_summary(client, service_lead, path):
    client.force_login(service_lead)
    response = client.get(path, {"month": FULL_WIDTH_MONTH, "tier": "7", "commissioner": "NOPE"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "is not a month" in html and "is not a tier" in html
    assert set(response.context["form"].errors) == {"month", "tier", "commissioner"}
    # No month given is last month, not an error.
    assert client.get(path).status_code == 200
    assert client.get(path).context["month"].isoformat() == "2026-10-01"


def test_kpi_drill_down_page_refuses_a_bad_month(client, service_lead):
    client.force_login(service_lead)
    response = client.get("/reports/kpis/rtt_18_weeks/episodes/", {"month": "2026-13"})
    assert response.status_code == 400 and "is not a month" in response.content.decode()


def test_ptl_page_and_csv_name_a_bad_band_in_the_error_summary(client, service_lead):
    client.force_login(service_lead)
    response = client.get("/reports/ptl/", {"band": "17+"})
    assert response.status_code == 400
    assert "&#x27;17+&#x27; is not a band. Choose 0-17, 18+ or 52+." in response.content.decode()
    assert client.get("/reports/ptl/export.csv", {"band": "17+"}).status_code == 400
    ok = client.get("/reports/ptl/", {"band": "52+"})
    assert ok.status_code == 200 and ok.context["query_string"] == "band=52%2B"
