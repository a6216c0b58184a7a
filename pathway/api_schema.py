"""Shared pieces of the OpenAPI schema (drf-spectacular): error shapes and paginated lists.

Documentation only: nothing here changes what a view accepts or returns.
"""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """A conflict with the current state (API.md "Errors"), e.g. ``{"detail": "...", "code": "open_episode"}``."""

    detail = serializers.CharField(help_text="What went wrong, in plain words.")
    code = serializers.CharField(
        help_text="Machine-readable reason, e.g. open_episode, transition_not_allowed, stale_version."
    )


# 400: {"field": ["message", ...]} with every bad field named.
VALIDATION_ERROR = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "example": {"field_name": ["What is wrong with it, in plain words."]},
    },
    description="Invalid input: every bad field named, with its messages.",
)
FORBIDDEN = OpenApiResponse(description="Your role may not do this.")
NOT_FOUND = OpenApiResponse(description="No such object, or not one you may see.")
CONFLICT = OpenApiResponse(
    response=ErrorSerializer,
    description="Conflict with the current state (duplicate open episode, move not allowed, stale version).",
)
NO_CONTENT = OpenApiResponse(description="No content.")

# Lists (pathway.pagination.Pagination): ?page=N from 1; a bad page number is a 400, a page past the last a 404.
PAGE = OpenApiParameter(
    "page",
    {"type": "integer", "minimum": 1},
    description="Page number, from 1 (50 results a page). Not a whole number from 1: 400; past the last page: 404.",
)
PAGE_NOT_FOUND = OpenApiResponse(description="No such page: past the last one.")


def action_responses(ok_status: int, output) -> dict:
    """The responses of a write on an object: its answer, and the contract's 400, 403, 404 and 409."""
    return {ok_status: output, 400: VALIDATION_ERROR, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT}


def paginated(serializer_class, name: str | None = None):
    """The page envelope of PageNumberPagination around ``serializer_class``: count, next, previous, results."""
    return inline_serializer(
        name=name or f"Paginated{serializer_class.__name__.removesuffix('Serializer')}List",
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )
