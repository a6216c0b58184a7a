"""404 and 500 answers: the API's JSON error shape under /api/, NHS.UK pages elsewhere."""

import pytest
from django.test import RequestFactory

from pathway.views import server_error


@pytest.mark.django_db
def test_unmatched_api_path_is_a_json_404(client, clinician):
    client.force_login(clinician)
    response = client.get("/api/v1/episodes/not-a-number/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.django_db
def test_unmatched_page_is_an_nhs_page(client, clinician):
    client.force_login(clinician)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert "nhsuk-header" in body


def test_server_error_is_json_under_the_api_and_a_page_elsewhere():
    factory = RequestFactory()
    api = server_error(factory.get("/api/v1/referrals/"))
    assert api.status_code == 500
    assert api["Content-Type"].startswith("application/json")
    assert b'"code": "server_error"' in api.content
    page = server_error(factory.get("/triage/"))
    assert page.status_code == 500
    assert b"Sorry, there is a problem with the service" in page.content
