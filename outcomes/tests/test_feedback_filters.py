"""The complaints and compliments log's filters (outcomes/filters.py): bad input is the NHS.UK
error summary with a 400, not a silently unfiltered list."""

from datetime import date

import pytest

from outcomes import services

from .test_pages import signed_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"kind": "praise"}, "kind", "Select a valid choice. praise is not one of the available choices."),
        ({"status": "pending"}, "status", "Select a valid choice. pending is not one of the available choices."),
        ({"received_from": "2026-02-30"}, "received_from", "Enter a valid date."),
        (
            {"received_to": "\uff12\uff10\uff12\uff16-11-01"},
            "received_to",
            "Enter a real date, written as YYYY-MM-DD (for example 2026-11-01).",
        ),
        (
            {"received_from": "2026-11-30", "received_to": "2026-11-01"},
            "received_to",
            "Received to must be the same as or after received from.",
        ),
    ],
)
def test_feedback_log_shows_a_bad_filter_in_the_error_summary(clinician, params, field, message):
    services.feedback_create(kind="compliment", received_on=date(2026, 11, 2), summary="Thanks", actor=None)
    response = signed_in(clinician).get("/outcomes/feedback/", params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and f'href="#id_{field}"' in html
    assert response.context["filters"].errors == {field: [message]}
    assert "Thanks" not in html


def test_feedback_log_keeps_its_filters_across_pages(clinician):
    for n in range(30):
        services.feedback_create(kind="complaint", received_on=date(2026, 11, 2), summary=f"Late {n}", actor=None)
    response = signed_in(clinician).get("/outcomes/feedback/", {"kind": "complaint", "status": "open"})
    assert response.status_code == 200 and response.context["page"].paginator.count == 30
    assert response.context["query_string"] == "kind=complaint&status=open"
    assert "?kind=complaint&amp;status=open&amp;page=2" in response.content.decode()
