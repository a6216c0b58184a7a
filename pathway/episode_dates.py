"""Dates an admission sets (DESIGN.md section 4): the nine-month limit and the tier-3 MDT review.

The one definition of each: pages, API, triage, extensions, KPIs and the monthly data set all
ask these functions rather than doing the month arithmetic themselves.
"""

from __future__ import annotations

from datetime import date, timedelta

from .calendar import add_months
from .rules import rule


def limit_date(admitted_on: date, limit_months: int) -> date:
    """The day an episode admitted on ``admitted_on`` reaches its limit of ``limit_months`` (pure)."""
    return add_months(admitted_on, limit_months)


def episode_limit_date(admitted_on: date) -> date:
    """The nine-month limit (``episode_limit_months``) of an episode admitted on ``admitted_on``."""
    return limit_date(admitted_on, rule("episode_limit_months"))


def limit_reached_if_admitted_by(day: date) -> date:
    """The latest admission date whose nine-month limit falls on or before ``day``.

    For queries over ``admitted_on``: ``admitted_on <= limit_reached_if_admitted_by(day)`` is
    exactly ``episode_limit_date(admitted_on) <= day``. Admissions late in a long month reach
    their limit on the last day of a shorter one (31 May + 9 months = 28 February), so the bound
    can run past ``day`` minus nine months.
    """
    months = rule("episode_limit_months")
    latest = add_months(day, -months)
    while limit_date(latest + timedelta(days=1), months) <= day:
        latest += timedelta(days=1)
    return latest


def mdt_due_on(admitted_on: date) -> date:
    """When a tier-3 episode's MDT review is due (``mdt_review_weeks`` after admission)."""
    return admitted_on + timedelta(weeks=rule("mdt_review_weeks"))


def reengagement_window_ends(discharged_on: date) -> date:
    """The last day a discharged patient may re-engage through the SPA without a new GP referral
    (``reengagement_months`` after discharge): the referral check and the discharge letters."""
    return add_months(discharged_on, rule("reengagement_months"))
