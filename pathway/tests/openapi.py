"""Check an API response against what the OpenAPI schema documents for it (status, media type, body)."""

import functools

import jsonschema
from drf_spectacular.generators import SchemaGenerator


@functools.cache
def openapi() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _json_schema(node):
    """OpenAPI 3.0 to JSON Schema: ``nullable: true`` becomes "or null"; $refs point into components."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _json_schema(value) for key, value in node.items() if key not in ("nullable", "readOnly", "writeOnly")}
    for bound, exclusive in (("maximum", "exclusiveMaximum"), ("minimum", "exclusiveMinimum")):
        # OpenAPI 3.0 writes a flag; JSON Schema wants the bound itself.
        flag = out.pop(exclusive) if isinstance(out.get(exclusive), bool) else False
        if flag and bound in out:
            out[exclusive] = out.pop(bound)
    if "$ref" in out:
        out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/definitions/")
    if node.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]}
    return out


def assert_documented(response, path: str, method: str = "get") -> None:
    """``path`` as the schema writes it, e.g. ``/api/v1/referrals/{id}/``."""
    documented = openapi()["paths"][path][method]["responses"]
    status = str(response.status_code)
    assert status in documented, f"{method.upper()} {path}: {status} is not documented ({sorted(documented)})"
    content = documented[status].get("content")
    if not content:
        return
    media_type = response["Content-Type"].split(";")[0]
    assert media_type in content, f"{method.upper()} {path} {status}: {media_type} is not documented"
    schema = content[media_type].get("schema")
    if not schema or media_type not in ("application/json", "application/fhir+json"):
        return
    definitions = {name: _json_schema(s) for name, s in openapi()["components"]["schemas"].items()}
    jsonschema.validate(response.json(), {**_json_schema(schema), "definitions": definitions})
