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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ({f"f{i}": "x" for i in range(1200)}, None, "The request has too many fields."),
        ("&".join(f"f{i}=x" for i in range(1200)), "application/x-www-form-urlencoded", "too many fields"),
        ({"impact": "x" * 3_000_000}, None, "The request body is too large."),
        ('{"impact": "' + "x" * 3_000_000 + '"}', "application/json", "too large"),
    ],
)
def test_a_body_past_the_upload_limits_is_the_apis_400_shape(api_as, spa_user, body, content_type, message):
    client = api_as(spa_user)
    extra = {"content_type": content_type} if content_type else {}
    response = client.post("/api/v1/referrals/", body, **extra)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert list(response.json()) == ["non_field_errors"]
    assert message in response.json()["non_field_errors"][0]


@pytest.mark.django_db
def test_a_request_django_refuses_before_the_api_is_json_under_the_api(client):
    response = client.get("/api/v1/referrals/", HTTP_HOST="not-an-allowed-host.example")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert list(response.json()) == ["non_field_errors"]
    page = client.get("/triage/", HTTP_HOST="not-an-allowed-host.example")
    assert page.status_code == 400 and not page["Content-Type"].startswith("application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/patients/", "/reports/ptl/", "/triage/"])
def test_null_character_in_a_page_query_is_a_400_naming_it(client, service_lead, path):
    client.force_login(service_lead)
    response = client.get(path, {"q": "943\x00", "page": "1"})
    assert response.status_code == 400
    assert b"null character in: q" in response.content


@pytest.mark.django_db
def test_null_character_in_an_api_query_is_the_contract_400(api_as, service_lead):
    response = api_as(service_lead).get("/api/v1/referrals/", {"status": "triage\x00"})
    assert response.status_code == 400
    assert response.json() == {"status": ["Remove the null character from this value."]}
