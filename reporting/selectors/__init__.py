"""Reads for the reports, one module per noun: who may see which commissioner, KPI trends, PTL, lists, the data set."""

from .activity import activity, half_year_bounds, months_open, opioid_comparison, over_9_months
from .experience import experience_report
from .mds import (
    AGE_BANDS,
    MDS_COLUMNS,
    age_band,
    data_sets_for,
    mds_on_time,
    mds_queryset,
    postcode_district,
    pseudonym,
)
from .mds_copy import mds_csv, mds_csv_chunks
from .ptl import PtlRows, ptl, ptl_row, ptl_values
from .scope import can_see_reports, commissioners_for, is_report_staff, resolve_scope
from .trends import kpi_episodes, kpi_trend, trend_cache_key

__all__ = [
    "AGE_BANDS",
    "MDS_COLUMNS",
    "activity",
    "age_band",
    "can_see_reports",
    "commissioners_for",
    "data_sets_for",
    "experience_report",
    "half_year_bounds",
    "is_report_staff",
    "kpi_episodes",
    "kpi_trend",
    "mds_csv",
    "mds_csv_chunks",
    "mds_on_time",
    "mds_queryset",
    "months_open",
    "opioid_comparison",
    "over_9_months",
    "postcode_district",
    "pseudonym",
    "ptl",
    "ptl_row",
    "ptl_values",
    "PtlRows",
    "resolve_scope",
    "trend_cache_key",
]
