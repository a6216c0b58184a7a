"""Stored monthly KPI counts give the same figures as the live computation, for every scope."""

from datetime import date

import pytest
import time_machine

from pathway.errors import DomainError
from reporting import services
from reporting.kpis import KPIS, Scope, compute_kpis
from reporting.models import KpiSnapshot
from reporting.tasks import refresh_kpi_snapshots

OCTOBER = date(2026, 10, 1)


def _scopes(data):
    a, a2 = data["a"], data["a2"]
    return [
        Scope(),
        Scope(commissioner=a.commissioner),
        Scope(commissioner=data["b"].commissioner),
        Scope(commissioner=a.commissioner, practice=a2),
        Scope(tier=2),
        Scope(tier=3),
        Scope(commissioner=a.commissioner, tier=3),
    ]


@pytest.mark.django_db
def test_snapshot_of_october_gives_the_live_figures_for_every_scope(data, django_assert_num_queries):
    scopes = _scopes(data)
    live = [compute_kpis(scope, OCTOBER) for scope in scopes]
    services.kpi_snapshot_refresh(month=OCTOBER, today=date(2026, 11, 2))
    for scope, expected in zip(scopes, live, strict=True):
        with django_assert_num_queries(2):
            assert compute_kpis(scope, OCTOBER) == expected


@pytest.mark.django_db
def test_refreshing_a_snapshot_takes_in_a_late_correction(data):
    services.kpi_snapshot_refresh(month=OCTOBER, today=date(2026, 11, 2))
    before = {row["code"]: row for row in compute_kpis(Scope(), OCTOBER)}
    data["e1"].experience_surveys.update(positive=False)
    assert {row["code"]: row for row in compute_kpis(Scope(), OCTOBER)} == before
    services.kpi_snapshot_refresh(month=OCTOBER, today=date(2026, 11, 3))
    after = {row["code"]: row for row in compute_kpis(Scope(), OCTOBER)}
    assert after["positive_experience"]["numerator"] == before["positive_experience"]["numerator"] - 1
    assert KpiSnapshot.objects.filter(month=OCTOBER).count() == 1


@pytest.mark.django_db
def test_a_month_still_running_is_never_stored(data):
    with pytest.raises(DomainError):
        services.kpi_snapshot_refresh(month=OCTOBER, today=date(2026, 10, 31))
    assert not KpiSnapshot.objects.exists()


@pytest.mark.django_db
def test_nightly_task_stores_the_thirteen_ended_months_of_the_trend(data):
    with time_machine.travel("2026-11-02 01:30 +00:00", tick=False):
        assert refresh_kpi_snapshots.delay().get() == 13
    months = list(KpiSnapshot.objects.order_by("month").values_list("month", flat=True))
    assert months[0] == date(2025, 10, 1) and months[-1] == OCTOBER and len(months) == 13
    assert len(KPIS) == len(compute_kpis(Scope(), OCTOBER))
