"""Request guards that apply to every page and API call."""

import re

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse


class RejectNullCharactersMiddleware:
    """A NUL character in a query parameter is bad input everywhere: PostgreSQL refuses it in a
    query (a 500 otherwise), and no field of the service may hold one. Answer 400 naming the
    parameter: the API's field map under /api/, a plain page elsewhere. Form bodies are covered
    by Django's own validator on every CharField."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = sorted({key for key, values in request.GET.lists() if "\x00" in key or any("\x00" in v for v in values)})
        if bad:
            names = [name.replace("\x00", "") or "query" for name in bad]
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {name: ["Remove the null character from this value."] for name in names}, status=400
                )
            return HttpResponseBadRequest(
                "<!DOCTYPE html><title>Bad request - Painway</title><h1>Bad request</h1>"
                f"<p>The web address contains a null character in: {', '.join(names)}. Remove it and try again.</p>",
            )
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django has no setting for: Permissions-Policy, and ``Cache-Control: no-store`` on every
    response the app renders (pages and API answers hold patient data; static files are answered
    before this by WhiteNoise and stay cacheable). A view that sets its own Cache-Control keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store, private"
        return response


_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """True when arrays and objects nest deeper than ``limit`` (brackets inside strings do not count)."""
    depth = 0
    for match in _JSON_TOKENS.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


class BoundedJsonMiddleware:
    """A JSON body larger than DATA_UPLOAD_MAX_MEMORY_SIZE or nested deeper than JSON_MAX_DEPTH is a 400
    naming the problem, before any parser runs: Python's parser answers a deep body (``[`` x 50000)
    with a RecursionError, a 500, even on the unauthenticated token endpoint."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and (
            content_type == "application/json" or content_type.endswith("+json")
        ):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if limit is not None and length > limit:
                return JsonResponse(
                    {"non_field_errors": [f"The request body is too large (over {limit} bytes)."]}, status=400
                )
            if json_depth_exceeds(request.body, settings.JSON_MAX_DEPTH):
                message = f"The JSON body is nested too deeply (more than {settings.JSON_MAX_DEPTH} levels)."
                return JsonResponse({"non_field_errors": [message]}, status=400)
        return self.get_response(request)
