"""Map domain and validation errors to the API contract's error shapes."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError, InvalidInput


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [
            f"Item {int(key) + 1}: {message}" if str(key).isdigit() else f"{key}: {message}"
            for key, inner in value.items()
            for message in _messages(inner)
        ]
    if isinstance(value, list | tuple):
        return [message for inner in value for message in _messages(inner)]
    return [str(value)]


def flatten_errors(errors) -> dict[str, list[str]]:
    """``{"field": ["message", ...]}`` with plain messages, also for list items and nested objects."""
    if not isinstance(errors, dict):
        return {"non_field_errors": _messages(errors)}
    return {field: _messages(value) for field, value in errors.items()}


# Django refuses a body past DATA_UPLOAD_MAX_MEMORY_SIZE / _NUMBER_FIELDS / _NUMBER_FILES while DRF parses it;
# left alone, Django answers with its HTML "Bad Request (400)" page.
TOO_MUCH = {
    RequestDataTooBig: "The request body is too large.",
    TooManyFieldsSent: "The request has too many fields.",
    TooManyFilesSent: "The request has too many files.",
}


def exception_handler(exc, context):
    for kind, message in TOO_MUCH.items():
        if isinstance(exc, kind):
            return Response({"non_field_errors": [message]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.ValidationError):
        return Response(flatten_errors(exc.detail), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.ParseError):
        # Malformed JSON is bad input like any other: the contract's 400 shape, not a bare detail.
        return Response({"non_field_errors": [str(exc.detail)]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, InvalidInput):
        return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DomainError):
        return Response({"detail": exc.detail, "code": exc.code, **exc.extra}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response({"non_field_errors": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    return drf_exception_handler(exc, context)
