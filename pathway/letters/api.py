"""Letters API: read a letter and its PDF, approve a draft (mounted under /api/v1/)."""

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from pathway.api import require_clinical
from pathway.api_schema import CONFLICT, FORBIDDEN, NOT_FOUND, PAGE, PAGE_NOT_FOUND, VALIDATION_ERROR, paginated
from pathway.models import Letter, LetterKind, LetterState
from pathway.pagination import Pagination
from pathway.services import record_view

from . import services
from .filters import LetterFilter
from .selectors import access_letter, letters_newest_first


class LetterSerializer(serializers.ModelSerializer):
    episode_id = serializers.IntegerField(read_only=True)
    practice_ods = serializers.SerializerMethodField()

    class Meta:
        model = Letter
        fields = [
            "id",
            "kind",
            "episode_id",
            "recipient",
            "practice_ods",
            "state",
            "due_on",
            "approved_at",
            "queued_at",
            "sent_at",
            "acknowledged_at",
            "mesh_message_id",
            "attempts",
            "last_error",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_practice_ods(self, obj):
        return obj.practice.ods_code if obj.practice_id else None


def pdf_response(letter: Letter, pdf: bytes) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{letter.kind}-{letter.episode.reference}-L{letter.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def letter_pdf_bytes(letter: Letter) -> bytes:
    """The stored PDF once approved; a draft is rendered on demand so it can be previewed."""
    if letter.pdf:
        return bytes(letter.pdf)
    return services.letter_render(letter=letter)


class LetterList(APIView):
    """The letters the user may see, newest first (a GP practice: its own delivered letters)."""

    @extend_schema(
        operation_id="v1_letters_list",
        parameters=[
            OpenApiParameter("kind", str, enum=LetterKind.values),
            OpenApiParameter("state", str, enum=LetterState.values),
            OpenApiParameter("episode", int, description="Only this episode's letters"),
            PAGE,
        ],
        responses={200: paginated(LetterSerializer), 400: VALIDATION_ERROR, 404: PAGE_NOT_FOUND},
    )
    def get(self, request):
        filters = LetterFilter(request.query_params, queryset=letters_newest_first(request.user)).validated()
        paginator = Pagination()
        page = paginator.paginate_queryset(filters.qs, request, view=self)
        return paginator.get_paginated_response(LetterSerializer(page, many=True).data)


class LetterDetail(APIView):
    @extend_schema(responses={200: LetterSerializer, 404: NOT_FOUND})
    def get(self, request, pk):
        letter = access_letter(request.user, pk)
        record_view(user=request.user, episode=letter.episode, via="api", path=request.path)
        return Response(LetterSerializer(letter).data)


class LetterPdf(APIView):
    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The letter as a PDF (a draft is rendered for preview)."
            ),
            404: NOT_FOUND,
            409: CONFLICT,
        }
    )
    def get(self, request, pk):
        letter = access_letter(request.user, pk)
        record_view(user=request.user, episode=letter.episode, via="api", path=request.path, action="letter_pdf")
        return pdf_response(letter, letter_pdf_bytes(letter))


class LetterApprove(APIView):
    @extend_schema(
        request=None,
        responses={200: LetterSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request, pk):
        letter = access_letter(request.user, pk)
        require_clinical(request.user)
        letter = services.letter_approve(letter=letter, actor=request.user)
        letter.refresh_from_db()
        return Response(LetterSerializer(letter).data)


urlpatterns = [
    path("letters/", LetterList.as_view(), name="api-letters"),
    path("letters/<int:pk>/", LetterDetail.as_view(), name="api-letter"),
    path("letters/<int:pk>/pdf/", LetterPdf.as_view(), name="api-letter-pdf"),
    path("letters/<int:pk>/approve/", LetterApprove.as_view(), name="api-letter-approve"),
]
