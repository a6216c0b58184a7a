"""The ``date`` template filter, with the service's own formats made directly.

Django's ``date`` filter takes about 70 microseconds a value on our machines (the format is looked up
for the active language, parsed, and each month name translated on each call). A list page shows up
to 150 dates (the PTL: three a row), so formatting them was a fifth of the page's time.

This library is loaded as a template builtin after Django's own (``TEMPLATES`` ``builtins``), so
``{{ value|date:"j M Y" }}`` uses the filter below. The formats the templates use are made here
with the English names Django gives them under ``en-gb`` (the service's only language); any other
format, any value that is not a date or datetime, and any other language go to Django's filter.
``pathway/tests/test_template_dates.py`` checks every format against Django's for every day of
several years, and datetimes either side of the clock changes.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.conf import settings
from django.template import defaultfilters
from django.utils import translation

register = template.Library()

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _day_month_year(value: dt.date) -> str:
    return f"{value.day} {MONTHS[value.month - 1][:3]} {value.year:04d}"


def _hours_minutes(value: dt.datetime) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


# Format -> (how it is made, whether it needs a time of day).
_FORMATS = {
    "j M Y": (_day_month_year, False),
    "j F Y": (lambda v: f"{v.day} {MONTHS[v.month - 1]} {v.year:04d}", False),
    "j M Y H:i": (lambda v: f"{_day_month_year(v)} {_hours_minutes(v)}", True),
    "F Y": (lambda v: f"{MONTHS[v.month - 1]} {v.year:04d}", False),
    "j M": (lambda v: f"{v.day} {MONTHS[v.month - 1][:3]}", False),
    "l j F Y": (lambda v: f"{WEEKDAYS[v.weekday()]} {v.day} {MONTHS[v.month - 1]} {v.year:04d}", False),
    "H:i": (_hours_minutes, True),
}


def _english() -> bool:
    return (translation.get_language() or settings.LANGUAGE_CODE).lower() in ("en", "en-gb", "en-us")


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """As Django's ``date`` filter (datetimes arrive in local time, as there)."""
    made = _FORMATS.get(arg)
    if made is not None:
        make, needs_time = made
        kind = type(value)
        if (kind is dt.datetime or (kind is dt.date and not needs_time)) and _english():
            return make(value)
    return defaultfilters.date(value, arg)
