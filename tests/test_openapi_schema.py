"""The OpenAPI schema is complete and warning-free: every endpoint of API.md is in it."""

import json

import pytest
from django.core.management import call_command

# (path as the schema writes it, method, takes a request body) for every endpoint of API.md.
API_MD_OPERATIONS = [
    ("/api/v1/referrals/", "post", True),
    ("/api/v1/referrals/", "get", False),
    ("/api/v1/episodes/{id}/", "get", False),
    ("/api/v1/episodes/{id}/events/", "get", False),
    ("/api/v1/triage/queue/", "get", False),
    ("/api/v1/triage/next/", "post", False),
    ("/api/v1/episodes/{id}/triage/", "post", True),
    ("/api/v1/episodes/{id}/appointments/", "post", True),
    ("/api/v1/appointments/{id}/outcome/", "post", True),
    ("/api/v1/episodes/{id}/careplan/", "post", True),
    ("/api/v1/episodes/{id}/treatment-started/", "post", True),
    ("/api/v1/episodes/{id}/medications/", "post", True),
    ("/api/v1/medications/{id}/", "delete", False),
    ("/api/v1/formulary/", "get", False),
    ("/api/v1/episodes/{id}/medication-reviews/", "post", True),
    ("/api/v1/episodes/{id}/transition/", "post", True),
    ("/api/v1/episodes/{id}/discharge/", "post", True),
    ("/api/v1/episodes/{id}/extension/", "post", True),
    ("/api/v1/episodes/{id}/proms/", "post", True),
    ("/api/v1/letters/", "get", False),
    ("/api/v1/letters/{id}/", "get", False),
    ("/api/v1/letters/{id}/pdf/", "get", False),
    ("/api/v1/reports/kpis/", "get", False),
    ("/api/v1/reports/ptl/", "get", False),
    ("/api/v1/reports/mds/", "get", False),
    ("/api/v1/fhir/EpisodeOfCare/{id}", "get", False),
    ("/api/v1/fhir/ServiceRequest/{id}", "get", False),
    ("/api/v1/fhir/CarePlan/{id}", "get", False),
    ("/api/v1/fhir/QuestionnaireResponse/{id}", "get", False),
    ("/api/v1/fhir/Appointment/{id}", "get", False),
    ("/api/v1/fhir/Patient/{id}/$everything", "get", False),
]


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    out = tmp_path_factory.mktemp("openapi") / "schema.json"
    # Raises SchemaGenerationError on any warning or error, and validates against the OpenAPI spec.
    call_command("spectacular", "--fail-on-warn", "--validate", "--format", "openapi-json", "--file", str(out))
    return json.loads(out.read_text())


@pytest.mark.parametrize(("path", "method", "has_body"), API_MD_OPERATIONS)
def test_api_md_operation_is_documented(schema, path, method, has_body):
    assert path in schema["paths"], f"{path} is missing from the schema"
    operation = schema["paths"][path].get(method)
    assert operation is not None, f"{method.upper()} {path} is missing from the schema"
    assert operation["responses"], f"{method.upper()} {path} has no responses"
    if has_body:
        body = operation.get("requestBody")
        assert body and "application/json" in body["content"], f"{method.upper()} {path} has no JSON request body"
        assert body["content"]["application/json"]["schema"], f"{method.upper()} {path} has an empty request body"
    else:
        assert "requestBody" not in operation, f"{method.upper()} {path} should take no request body"


def test_operation_ids_are_unique(schema):
    ids = [op["operationId"] for item in schema["paths"].values() for op in item.values() if "operationId" in op]
    assert len(ids) == len(set(ids))


def test_status_codes_and_shared_error_shape(schema):
    paths = schema["paths"]
    referral_post = paths["/api/v1/referrals/"]["post"]["responses"]
    assert set(referral_post) >= {"201", "400", "409"}
    conflict = referral_post["409"]["content"]["application/json"]["schema"]
    assert conflict == {"$ref": "#/components/schemas/Error"}
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {"detail", "code"}

    assert set(paths["/api/v1/triage/next/"]["post"]["responses"]) >= {"200", "204"}
    assert "204" in paths["/api/v1/medications/{id}/"]["delete"]["responses"]
    assert "201" in paths["/api/v1/episodes/{id}/discharge/"]["post"]["responses"]
    assert set(paths["/api/v1/episodes/{id}/treatment-started/"]["post"]["responses"]) >= {"200", "201"}


def test_documented_response_fields(schema):
    components = schema["components"]["schemas"]

    def fields(path, method, status):
        ref = schema["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        return set(components[ref.rsplit("/", 1)[1]]["properties"])

    assert fields("/api/v1/referrals/", "post", "201") >= {
        "id",
        "episode_id",
        "patient_id",
        "received_on",
        "state",
        "triage_due_on",
        "rtt_clock_start",
        "rtt_breach_on",
    }
    assert fields("/api/v1/episodes/{id}/medications/", "post", "201") >= {"id", "ome_mg_per_day", "review_due_on"}
    assert fields("/api/v1/episodes/{id}/discharge/", "post", "201") >= {"letter_id", "letter_due_on"}
    assert fields("/api/v1/letters/{id}/", "get", "200") >= {
        "id",
        "kind",
        "episode_id",
        "state",
        "due_on",
        "sent_at",
        "acknowledged_at",
        "mesh_message_id",
    }
    assert fields("/api/v1/triage/queue/", "get", "200") == {"count", "next", "previous", "results"}


def test_binary_and_csv_media_types(schema):
    pdf = schema["paths"]["/api/v1/letters/{id}/pdf/"]["get"]["responses"]["200"]["content"]
    assert pdf == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    csv = schema["paths"]["/api/v1/reports/mds/"]["get"]["responses"]["200"]["content"]
    assert csv == {"text/csv": {"schema": {"type": "string"}}}


def test_fhir_reads_answer_fhir_json(schema):
    fhir_paths = [(path, item) for path, item in schema["paths"].items() if path.startswith("/api/v1/fhir/")]
    assert len(fhir_paths) == 8
    for path, item in fhir_paths:
        responses = item["get"]["responses"]
        assert set(responses) >= {"200", "401", "404"}, path
        for status in ("200", "401", "404"):
            # FHIR JSON first; plain JSON too, as the views answer ?format=json and Accept: application/json.
            assert list(responses[status]["content"]) == ["application/fhir+json", "application/json"], path


def test_token_sign_in_documents_its_400_and_needs_no_auth(schema):
    operation = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert set(operation["responses"]) == {"200", "400", "429"}
    token = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][token]["properties"]) == {"token", "expires_at"}
    assert "security" not in operation or operation["security"] in ([], [{}])


@pytest.mark.parametrize(
    "path", ["/api/v1/referrals/", "/api/v1/triage/queue/", "/api/v1/reports/ptl/", "/api/v1/episodes/{id}/proms/"]
)
def test_lists_document_the_page_parameter_and_its_errors(schema, path):
    operation = schema["paths"][path]["get"]
    page = [p for p in operation["parameters"] if p["name"] == "page"]
    assert page and page[0]["in"] == "query" and page[0]["schema"] == {"type": "integer", "minimum": 1}
    assert set(operation["responses"]) >= {"200", "400", "404"}
