"""The dashboard trend caches months that have ended; the current month is always live."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pathway.tests import factories as f
from reporting.kpis import Scope
from reporting.selectors import kpi_trend
from reporting.tests import factories as rf

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)
OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)


@pytest.fixture
def cached(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "trend"}}
    settings.REPORTING_TREND_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def _positive_experience(practice, *, on, positive):
    ep = rf.episode(practice=practice, received_on=date(2026, 9, 1))
    rf.survey(ep, positive=positive, on=on)


def test_ended_months_are_cached_and_the_current_month_is_live(cached):
    practice = f.PracticeFactory()
    scope = Scope(commissioner=practice.commissioner)
    _positive_experience(practice, on=date(2026, 10, 5), positive=True)
    _positive_experience(practice, on=date(2026, 11, 2), positive=True)

    first = kpi_trend(scope, NOV, months=2, today=TODAY)
    assert first["labels"] == ["2026-10", "2026-11"]
    assert first["series"]["positive_experience"] == [1.0, 1.0]

    # New answers in both months: October (ended) keeps its cached value, November (running) moves.
    _positive_experience(practice, on=date(2026, 10, 6), positive=False)
    _positive_experience(practice, on=date(2026, 11, 3), positive=False)
    with CaptureQueriesContext(connection) as queries:
        second = kpi_trend(scope, NOV, months=2, today=TODAY)
    assert second["series"]["positive_experience"] == [1.0, 0.5]
    assert len(queries) == 10  # for November only: the snapshot lookup, one aggregate per KPI
    # October chosen as the dashboard's month is computed afresh, to agree with the headline figures.
    assert kpi_trend(scope, OCT, months=1, today=TODAY)["series"]["positive_experience"] == [0.5]

    # ...while as an earlier month of November's trend it is still the cached figure.
    assert kpi_trend(scope, NOV, months=2, today=TODAY)["series"]["positive_experience"] == [1.0, 0.5]
    # Another scope is cached apart; clearing the cache shows October's new figure.
    other = kpi_trend(Scope(commissioner=practice.commissioner, tier=3), NOV, months=2, today=TODAY)
    assert other["series"]["positive_experience"] == [None, None]
    cache.clear()
    assert kpi_trend(scope, NOV, months=2, today=TODAY)["series"]["positive_experience"] == [0.5, 0.5]


def test_no_caching_when_switched_off(settings):
    settings.REPORTING_TREND_CACHE_SECONDS = 0
    practice = f.PracticeFactory()
    scope = Scope(commissioner=practice.commissioner)
    _positive_experience(practice, on=date(2026, 10, 5), positive=True)
    assert kpi_trend(scope, NOV, months=2, today=TODAY)["series"]["positive_experience"] == [1.0, None]
    _positive_experience(practice, on=date(2026, 10, 6), positive=False)
    assert kpi_trend(scope, NOV, months=2, today=TODAY)["series"]["positive_experience"] == [0.5, None]
