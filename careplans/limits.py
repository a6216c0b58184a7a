"""The nine-month episode limit: warnings at 7 and 8 months, extension needed from 9.

``episode_limit_status`` is a pure rule; ``limit_status`` applies it to an episode under the local rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pathway.calendar import add_months
from pathway.episode_dates import limit_date
from pathway.models import Episode
from pathway.rules import rule


@dataclass(frozen=True)
class LimitStatus:
    level: int | None  # 7, 8 or 9 (months reached), None before the first warning
    warnings: dict[int, date]  # months -> date the warning applies from
    limit_on: date
    needs_extension: bool

    @property
    def message(self) -> str:
        if self.level is None:
            return ""
        if self.needs_extension:
            return f"Past the 9-month limit ({self.limit_on:%d %b %Y}): an approved extension is needed."
        return f"{self.level} months since admission: the 9-month limit is {self.limit_on:%d %b %Y}."


def episode_limit_status(
    admitted_on: date,
    today: date,
    *,
    warning_months: tuple[int, ...] = (7, 8),
    limit_months: int = 9,
    extended_until: date | None = None,
) -> LimitStatus:
    """Which month warning applies on ``today``; each month is ``add_months(admitted_on, n)``."""
    warnings = {m: add_months(admitted_on, m) for m in warning_months}
    limit_on = limit_date(admitted_on, limit_months)
    level = None
    for months, starts in sorted(warnings.items()):
        if today >= starts:
            level = months
    past_limit = today >= limit_on
    if past_limit:
        level = limit_months
    covered = extended_until is not None and today <= extended_until
    return LimitStatus(level=level, warnings=warnings, limit_on=limit_on, needs_extension=past_limit and not covered)


def limit_status(episode: Episode, today: date, extended_until: date | None = None) -> LimitStatus | None:
    """The episode's limit status under the local rules; None before admission."""
    if episode.admitted_on is None:
        return None
    return episode_limit_status(
        episode.admitted_on,
        today,
        warning_months=tuple(rule("episode_warning_months")),
        limit_months=rule("episode_limit_months"),
        extended_until=extended_until,
    )
