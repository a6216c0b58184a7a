"""Reads of the monthly KPI snapshots (``KpiSnapshot``): a scope's counts are sums of stored rows.

A snapshot is written by ``services.kpi_snapshot_refresh`` once a month has ended (nightly for
the trend's months, see ``pathway/celery.py``); a month without one is computed live.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Sum

from .models import KpiSnapshot, KpiSnapshotCount


def snapshot_counts(scope, month: date) -> dict[str, tuple[int, int]] | None:
    """``{code: (numerator, denominator)}`` for ``scope`` in ``month``, or None without a snapshot."""
    snapshot = KpiSnapshot.objects.filter(month=month).values_list("pk", flat=True).first()
    if snapshot is None:
        return None
    rows = KpiSnapshotCount.objects.filter(snapshot_id=snapshot)
    if scope.commissioner is not None:
        rows = rows.filter(practice__commissioner=scope.commissioner)
    if scope.practice is not None:
        rows = rows.filter(practice=scope.practice)
    if scope.tier is not None:
        rows = rows.filter(tier=scope.tier)
    totals = rows.order_by().values("code").annotate(numerator=Sum("numerator"), denominator=Sum("denominator"))
    return {row["code"]: (row["numerator"], row["denominator"]) for row in totals}
