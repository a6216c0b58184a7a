"""Keyset ("seek") pagination: the next page starts after the last row shown, found through the
index of the list's order, so page 400 costs what page 1 costs and no COUNT of the whole list
is needed. Lists whose order is ``(a date, id)`` ascending use it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from .errors import InvalidInput


@dataclass(frozen=True)
class KeysetPage:
    rows: list
    next_after: str | None
    first: bool


def parse_after(value: str | None, *, field_name: str = "after") -> tuple[date, int] | None:
    """'2026-05-01.1234' -> (date(2026, 5, 1), 1234); InvalidInput naming the field otherwise."""
    if not value:
        return None
    day, _, pk = value.partition(".")
    try:
        return date.fromisoformat(day), int(pk)
    except ValueError:
        raise InvalidInput(
            {field_name: [f"'{value}' is not a place in this list. Start again from the first page."]}
        ) from None


def keyset_page(queryset: QuerySet, *, date_field: str, after: tuple[date, int] | None, size: int) -> KeysetPage:
    """``size`` rows of ``queryset`` (ordered by ``date_field``, ``id``) after ``after``."""
    if after is not None:
        day, pk = after
        queryset = queryset.filter(Q(**{f"{date_field}__gt": day}) | Q(**{date_field: day, "id__gt": pk}))
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    last = rows[-1] if rows else None
    next_after = f"{getattr(last, date_field).isoformat()}.{last.pk}" if more and last is not None else None
    return KeysetPage(rows=rows, next_after=next_after, first=after is None)
