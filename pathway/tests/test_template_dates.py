"""The ``date`` filter of ``pathway.template_dates`` writes what Django's own writes, faster."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import defaultfilters, engines
from django.utils import timezone, translation

from pathway import template_dates

LONDON = ZoneInfo("Europe/London")


def _render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def _outcome(filter_, value, fmt):
    try:
        return filter_(value, fmt)
    except Exception as exc:  # noqa: BLE001  (the same error as Django's is part of the behaviour)
        return type(exc), str(exc)


def _same(value, fmt) -> None:
    assert _outcome(template_dates.date, value, fmt) == _outcome(defaultfilters.date, value, fmt), (value, fmt)


def test_every_date_format_the_templates_use_is_made_directly():
    """A format added to a template and not to the filter would still be right (Django's), but slow:
    this lists what the templates ask for."""
    used = set()
    for folder in [settings.BASE_DIR / "templates", *Path(settings.BASE_DIR).glob("*/templates")]:
        for path in Path(folder).rglob("*.html"):
            used |= set(re.findall(r'\|date:"([^"]*)"', path.read_text()))
    assert used and used <= set(template_dates._FORMATS)


@pytest.mark.parametrize("fmt", sorted(template_dates._FORMATS))
def test_each_format_writes_what_django_writes_for_every_day_of_four_years(fmt):
    day = dt.date(2024, 1, 1)  # a leap year, and every weekday and month name
    while day < dt.date(2028, 1, 1):
        moment = dt.datetime(day.year, day.month, day.day, day.toordinal() % 24, day.toordinal() % 60)
        _same(day, fmt)
        _same(moment, fmt)
        day += dt.timedelta(days=1)
    _same(dt.date(987, 3, 9), fmt)
    _same(dt.datetime(987, 3, 9, 7, 5), fmt)


@pytest.mark.parametrize(
    "utc",
    [
        dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC),  # the last minute of GMT
        dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC),  # 02:00 BST
        dt.datetime(2026, 10, 24, 23, 30, tzinfo=dt.UTC),  # 00:30 BST on the 25th
        dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC),  # 01:30 GMT, after the clocks go back
        dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC),
    ],
)
def test_a_moment_is_written_in_london_time_in_a_template_as_django_writes_it(utc):
    source = '{{ at|date:"j M Y H:i" }}|{{ at|date:"H:i" }}|{{ at|date:"l j F Y" }}'
    ours = _render(source, at=utc)
    local = timezone.localtime(utc, LONDON)
    assert ours == (
        f"{defaultfilters.date(local, 'j M Y H:i')}|{defaultfilters.date(local, 'H:i')}|"
        f"{defaultfilters.date(local, 'l j F Y')}"
    )
    assert ours.startswith(f"{local.day} ")


@pytest.mark.parametrize("value", [None, "", "2026-11-20", 3, dt.time(9, 5)])
@pytest.mark.parametrize("fmt", ["j M Y", "H:i", "j M Y H:i", None, "D d/m/Y", "N jS, Y"])
def test_anything_else_is_django_s_filter(value, fmt):
    _same(value, fmt)
    _same(dt.date(2026, 11, 20), fmt)


def test_a_date_asked_for_a_time_of_day_is_refused_as_django_refuses_it():
    with pytest.raises(TypeError, match="time-related"):
        template_dates.date(dt.date(2026, 11, 20), "j M Y H:i")


def test_templates_use_this_filter_and_another_language_goes_to_django_s(monkeypatch):
    calls = []
    real = defaultfilters.date
    monkeypatch.setattr(defaultfilters, "date", lambda value, arg=None: calls.append(arg) or real(value, arg))
    assert _render('{{ d|date:"j M Y" }}', d=dt.date(2026, 9, 7)) == "7 Sep 2026"
    assert calls == []
    with translation.override("fr"):
        assert _render('{{ d|date:"j F Y" }}', d=dt.date(2026, 9, 7)) == real(dt.date(2026, 9, 7), "j F Y")
    assert calls == ["j F Y"]
