"""Working days in England: Monday to Friday, excluding bank holidays of England and Wales.

Pure functions: every input is passed in. Bank holidays come from the `holidays` package with
``subdiv="ENG"`` (without it Easter Monday is missing), substitute days included.
"""

from __future__ import annotations

import calendar as _cal
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(start: date, n: int) -> date:
    """The date ``n`` working days after ``start`` (``start`` itself never counts).

    A Friday discharge before a bank-holiday Monday, plus 3, is the Thursday.
    ``n == 0`` gives ``start`` rolled forward to a working day.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    if n == 0:
        while not is_working_day(day):
            day += timedelta(days=1)
        return day
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``).

    The inverse of ``add_working_days``: ``working_days_between(d, add_working_days(d, n)) == n``.
    """
    if end <= start:
        return 0
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def nth_working_day_of_month(year: int, month: int, n: int) -> date:
    """The ``n``-th working day of a month (1-based)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    day = date(year, month, 1)
    seen = 0
    while True:
        if is_working_day(day):
            seen += 1
            if seen == n:
                return day
        day += timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """Calendar months later; the day is clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def month_end(year: int, month: int) -> date:
    return date(year, month, _cal.monthrange(year, month)[1])


def london_date(moment: datetime) -> date:
    """The Europe/London calendar date of an aware datetime (rules work on local dates)."""
    return moment.astimezone(LONDON).date()
