"""Reports API: KPIs, the patient tracking list, the monthly data set and the safety counts (mounted under /api/v1/)."""

import csv

from django.http import Http404, StreamingHttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from pathway.api_schema import NOT_FOUND, PAGE, VALIDATION_ERROR, paginated
from pathway.pagination import Pagination
from pathway.services import today_london
from safeguarding.selectors import safety_counts

from . import selectors
from .filters import PTL_BANDS, PtlFilter, ReportFilter
from .kpis import compute_kpis, month_last_day, parse_month


class KpiSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    value = serializers.FloatField(allow_null=True)
    target = serializers.FloatField(allow_null=True)


MONTH = OpenApiParameter("month", str, description="YYYY-MM, e.g. 2026-10", required=True)
COMMISSIONER = OpenApiParameter("commissioner", str, description="Commissioner code (default: your own)")


class KpiView(APIView):
    """KPIs of one month for a commissioner (commissioner users: their own only)."""

    serializer_class = KpiSerializer

    @extend_schema(
        parameters=[
            MONTH,
            COMMISSIONER,
            OpenApiParameter("practice", str, description="Practice ODS code"),
            OpenApiParameter("tier", int, description="1, 2 or 3"),
        ],
        responses={200: KpiSerializer(many=True), 400: VALIDATION_ERROR, 404: NOT_FOUND},
    )
    def get(self, request):
        filters = ReportFilter(request.query_params, user=request.user).validated()
        kpis = compute_kpis(filters.scope(), filters.cleaned_data["month"])
        return Response(KpiSerializer(kpis, many=True).data)


class PtlRowSerializer(serializers.Serializer):
    episode_id = serializers.IntegerField()
    episode_reference = serializers.CharField()
    patient_id = serializers.IntegerField()
    practice_ods = serializers.CharField()
    state = serializers.CharField()
    tier = serializers.IntegerField(allow_null=True)
    clock_start = serializers.DateField()
    days_waited = serializers.IntegerField()
    weeks_waited = serializers.IntegerField()
    rtt_breach_on = serializers.DateField()
    next_appointment = serializers.DateField(allow_null=True)
    band = serializers.CharField()
    rtt_warning = serializers.CharField(
        allow_null=True,
        help_text="null, '12_weeks' or '16_weeks' (the rtt_warning_weeks rule) once that many whole weeks have passed, "
        "or 'breached' from day 127.",
    )


class PtlView(APIView):
    """The patient tracking list: open RTT pathways, longest wait first (service lead)."""

    serializer_class = PtlRowSerializer

    @extend_schema(
        parameters=[COMMISSIONER, OpenApiParameter("band", str, enum=sorted(PTL_BANDS)), PAGE],
        responses={200: paginated(PtlRowSerializer), 400: VALIDATION_ERROR, 404: NOT_FOUND},
    )
    def get(self, request):
        if not selectors.is_report_staff(request.user):
            raise Http404("No such report.")
        today = today_london()
        queryset = PtlFilter(request.query_params, user=request.user, today=today).validated().qs
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        rows = [selectors.ptl_row(period, today) for period in page]
        return paginator.get_paginated_response(PtlRowSerializer(rows, many=True).data)


class Echo:
    """A file-like object whose write returns the line, for streaming a csv.writer."""

    def write(self, value):
        return value


def csv_download(chunks, filename: str) -> StreamingHttpResponse:
    """CSV text, already written, streamed as a download that no cache keeps."""
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def stream_csv(rows, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(Echo())
    return csv_download((writer.writerow(row) for row in rows), filename)


class MdsView(APIView):
    """The monthly data set of one month as CSV, streamed (pseudonymised)."""

    @extend_schema(
        parameters=[MONTH, COMMISSIONER],
        responses={(200, "text/csv"): OpenApiTypes.STR, 400: VALIDATION_ERROR, 404: NOT_FOUND},
    )
    def get(self, request):
        filters = ReportFilter(request.query_params, user=request.user).validated()
        # The data set is per commissioner: practice and tier do not narrow it.
        scope = selectors.resolve_scope(request.user, commissioner=filters.cleaned_data["commissioner"] or None)
        month = filters.cleaned_data["month"]
        code = scope.commissioner.code if scope.commissioner else "all"
        return csv_download(selectors.mds_csv_chunks(scope.commissioner, month), f"mds-{code}-{month:%Y-%m}.csv")


SafetyReport = inline_serializer(
    name="SafetyReport",
    fields={
        "month": serializers.CharField(),
        "commissioner": serializers.CharField(allow_null=True),
        "safeguarding": inline_serializer(
            name="SafeguardingCounts",
            fields={
                "raised": serializers.IntegerField(),
                "by_subject": serializers.DictField(child=serializers.IntegerField()),
                "by_category": serializers.DictField(child=serializers.IntegerField()),
                "referred_to_local_authority": serializers.IntegerField(),
                "open_at_month_end": serializers.IntegerField(),
            },
        ),
        "incidents": serializers.DictField(child=serializers.IntegerField()),
    },
)


class SafetyReportView(APIView):
    """Safeguarding concerns and significant events of a month, as counts without identifiers."""

    @extend_schema(
        parameters=[MONTH, COMMISSIONER],
        responses={200: SafetyReport, 400: VALIDATION_ERROR, 404: NOT_FOUND},
    )
    def get(self, request):
        scope = selectors.resolve_scope(request.user, commissioner=request.query_params.get("commissioner"))
        month = parse_month(request.query_params.get("month"))
        counts = safety_counts(scope.episode_q("episode__"), month, month_last_day(month))
        code = scope.commissioner.code if scope.commissioner else None
        return Response({"month": f"{month:%Y-%m}", "commissioner": code, **counts})


urlpatterns = [
    path("reports/kpis/", KpiView.as_view(), name="api-report-kpis"),
    path("reports/ptl/", PtlView.as_view(), name="api-report-ptl"),
    path("reports/mds/", MdsView.as_view(), name="api-report-mds"),
    path("reports/safety/", SafetyReportView.as_view(), name="api-reports-safety"),
]
