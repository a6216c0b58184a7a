"""KPI values month by month (cached once a month has ended) and the episodes behind a KPI figure."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from pathway.calendar import london_date
from pathway.models import Episode

from .. import kpis
from ..kpis import KPI_BY_CODE, KPIS, Scope, months_back


def trend_cache_key(scope: Scope, month: date) -> str:
    parts = [getattr(scope.commissioner, "pk", None), getattr(scope.practice, "pk", None), scope.tier]
    return "kpi-trend:v1:" + ":".join("-" if p is None else str(p) for p in parts) + f":{month:%Y-%m}"


def _month_values(scope: Scope, month: date, *, live: bool) -> dict[str, float | int | None]:
    """One month's KPI values; unless ``live``, cached for REPORTING_TREND_CACHE_SECONDS."""

    def compute():
        return {row["code"]: row["value"] for row in kpis.compute_kpis(scope, month)}

    seconds = settings.REPORTING_TREND_CACHE_SECONDS
    if live or seconds <= 0:
        return compute()
    return cache.get_or_set(trend_cache_key(scope, month), compute, seconds)


def kpi_trend(
    scope: Scope, month: date, months: int = 12, *, today: date | None = None, current: list[dict] | None = None
) -> dict:
    """Each KPI's value over the ``months`` months ending with ``month`` (for the chart).

    Eight aggregate queries a month. Earlier months that have ended come from the cache when they
    were computed recently; ``month`` itself and a month still running are always computed, so the
    trend's last point agrees with the dashboard's headline figures. ``current``: those headline
    figures (``compute_kpis(scope, month)``) when the caller has them, so ``month`` is not computed twice.
    """
    today = today or london_date(timezone.now())
    chosen = months_back(month, months)
    series: dict[str, list] = {kpi.code: [] for kpi in KPIS}
    for m in chosen:
        if m == month and current is not None:
            values = {row["code"]: row["value"] for row in current}
        else:
            values = _month_values(scope, m, live=m == month or kpis.month_last_day(m) >= today)
        for code in series:
            series[code].append(values.get(code))
    return {"labels": [m.strftime("%Y-%m") for m in chosen], "series": series, "names": {k.code: k.name for k in KPIS}}


def kpi_episodes(scope: Scope, code: str, month: date, part: str) -> QuerySet[Episode]:
    kpi = KPI_BY_CODE.get(code)
    if kpi is None:
        raise Http404("No such KPI.")
    return (
        Episode.objects.filter(pk__in=kpi.episode_ids(scope, month, part=part))
        .select_related("practice")
        .order_by("id")
    )
