from datetime import date

import pytest

from pathway.calendar import (
    add_months,
    add_working_days,
    is_working_day,
    nth_working_day_of_month,
    working_days_between,
)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Christmas 2026: Fri 25 Dec and the substitute Mon 28 Dec (Boxing Day on a Saturday).
        (date(2026, 12, 23), 2, date(2026, 12, 29)),
        (date(2026, 12, 24), 2, date(2026, 12, 30)),
        (date(2026, 12, 24), 1, date(2026, 12, 29)),
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # New Year's Day Friday
        # Easter 2027: Good Friday 26 Mar, Easter Monday 29 Mar.
        (date(2027, 3, 25), 1, date(2027, 3, 30)),
        (date(2027, 3, 24), 3, date(2027, 3, 31)),
        # Summer bank holiday 2026: Monday 31 August.
        (date(2026, 8, 28), 3, date(2026, 9, 3)),  # Friday discharge + 3 = Thursday
        (date(2026, 8, 27), 2, date(2026, 9, 1)),
        # An ordinary weekend.
        (date(2026, 11, 20), 2, date(2026, 11, 24)),
        (date(2026, 11, 21), 2, date(2026, 11, 24)),  # Saturday start
        (date(2026, 11, 22), 1, date(2026, 11, 23)),  # Sunday start
        (date(2026, 11, 23), 2, date(2026, 11, 25)),
        # Early May 2026 bank holiday (Mon 4 May) and spring (Mon 25 May).
        (date(2026, 5, 1), 1, date(2026, 5, 5)),
        (date(2026, 5, 22), 1, date(2026, 5, 26)),
    ],
)
def test_add_working_days_on_english_calendar(start, n, expected):
    assert add_working_days(start, n) == expected


def test_add_zero_working_days_rolls_forward_to_a_working_day():
    assert add_working_days(date(2026, 12, 25), 0) == date(2026, 12, 29)
    assert add_working_days(date(2026, 11, 23), 0) == date(2026, 11, 23)


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 1), -1)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 12, 25),
        date(2026, 12, 28),
        date(2027, 3, 26),
        date(2027, 3, 29),
        date(2026, 8, 31),
        date(2026, 11, 21),
    ],
)
def test_holidays_and_weekends_are_not_working_days(day):
    assert not is_working_day(day)


def test_easter_monday_is_a_holiday_in_england():
    # Without subdiv="ENG" the GB calendar would treat Easter Monday as a working day.
    assert not is_working_day(date(2026, 4, 6))


@pytest.mark.parametrize(
    ("start", "n"),
    [(date(2026, 12, 23), 2), (date(2027, 3, 25), 4), (date(2026, 8, 28), 3), (date(2026, 11, 21), 10)],
)
def test_working_days_between_inverts_add_working_days(start, n):
    assert working_days_between(start, add_working_days(start, n)) == n


def test_working_days_between_counts_nothing_backwards():
    assert working_days_between(date(2026, 12, 30), date(2026, 12, 23)) == 0


def test_nth_working_day_of_january_skips_new_year():
    assert nth_working_day_of_month(2027, 1, 1) == date(2027, 1, 4)
    assert nth_working_day_of_month(2026, 12, 10) == date(2026, 12, 14)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2027, 5, 31), 9, date(2028, 2, 29)),
        (date(2026, 3, 15), 9, date(2026, 12, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_add_months_clamps_to_month_end(day, months, expected):
    assert add_months(day, months) == expected
