"""The one definition of the nine-month limit and the MDT review date (pure, over the local rules)."""

from datetime import date

import pytest

from pathway.episode_dates import episode_limit_date, limit_reached_if_admitted_by, mdt_due_on


@pytest.mark.parametrize(
    ("admitted_on", "limit_on"),
    [
        (date(2026, 1, 15), date(2026, 10, 15)),
        (date(2026, 5, 31), date(2027, 2, 28)),  # month end clamps
        (date(2027, 5, 31), date(2028, 2, 29)),  # to a leap day
        (date(2026, 4, 30), date(2027, 1, 30)),
    ],
)
def test_nine_month_limit_is_nine_calendar_months_after_admission(admitted_on, limit_on):
    assert episode_limit_date(admitted_on) == limit_on


@pytest.mark.parametrize(
    ("day", "latest_admission"),
    [
        (date(2026, 12, 31), date(2026, 3, 31)),
        (date(2026, 11, 30), date(2026, 2, 28)),
        (date(2027, 2, 27), date(2026, 5, 27)),
        (date(2027, 2, 28), date(2026, 5, 31)),  # 29, 30 and 31 May all reach their limit on 28 Feb
        (date(2028, 2, 29), date(2027, 5, 31)),
        (date(2027, 3, 31), date(2026, 6, 30)),
    ],
)
def test_limit_reached_by_a_day_is_exactly_the_admissions_whose_limit_date_is_not_after_it(day, latest_admission):
    assert limit_reached_if_admitted_by(day) == latest_admission
    assert episode_limit_date(latest_admission) <= day
    assert episode_limit_date(date.fromordinal(latest_admission.toordinal() + 1)) > day


def test_limit_follows_the_local_rule(settings):
    settings.PATHWAY_RULES = {"episode_limit_months": 6}
    assert episode_limit_date(date(2026, 1, 31)) == date(2026, 7, 31)
    assert limit_reached_if_admitted_by(date(2026, 7, 31)) == date(2026, 1, 31)


def test_mdt_review_is_due_four_weeks_after_a_tier_3_admission():
    assert mdt_due_on(date(2026, 11, 27)) == date(2026, 12, 25)
