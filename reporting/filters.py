"""Query filters of the reports (KPIs, activity, data set, PTL), shared by the pages and the API.

The API takes commissioner and practice codes as text and answers 404 for one the user may not
see; a page offers them as choices of what the user may see, so another is a 400 on its form.
"""

from __future__ import annotations

from datetime import date

import django_filters
from django import forms
from django.http import Http404

from pathway.calendar import add_months
from pathway.errors import InvalidInput
from pathway.filters import QueryFilterSet
from pathway.models import Episode, Practice, RttPeriod

from . import selectors
from .kpis import Scope, parse_month

PTL_BANDS = {"0-17": "0 to 17 weeks", "18+": "18 weeks or more", "52+": "52 weeks or more"}


class MonthField(forms.CharField):
    """YYYY-MM in ASCII digits, cleaned to the month's first day."""

    def clean(self, value) -> date:
        try:
            return parse_month(value)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.errors["month"][0], code="invalid") from None


class MonthFilter(django_filters.Filter):
    field_class = MonthField


def _tier_filter():
    return django_filters.ChoiceFilter(
        label="Tier",
        choices=[("1", "1"), ("2", "2"), ("3", "3")],
        empty_label="All tiers",
        error_messages={"invalid_choice": "'%(value)s' is not a tier. Choose 1, 2 or 3."},
    )


class ScopeFilterSet(QueryFilterSet):
    """Commissioner, practice and tier; ``scope()`` resolves them for the user (404 for one not theirs)."""

    commissioner = django_filters.CharFilter(label="Commissioner")
    practice = django_filters.CharFilter(label="Practice")
    tier = _tier_filter()

    def __init__(self, data, *, user, queryset=None, **kwargs):
        self.user = user
        super().__init__(data, queryset=queryset, **kwargs)

    def validated(self):
        # Who may not see reports learns nothing of their parameters: 404 before any 400.
        if not selectors.can_see_reports(self.user):
            raise Http404("No such report.")
        return super().validated()

    def scope(self) -> Scope:
        data = self.cleaned_data
        return selectors.resolve_scope(
            self.user,
            commissioner=data.get("commissioner") or None,
            practice=data.get("practice") or None,
            tier=data.get("tier") or None,
        )


class ReportFilter(ScopeFilterSet):
    """A month of reports for a scope: the KPIs, their episodes, activity and the monthly data set.

    The KPIs are computed over the scope and month, not filtered from a queryset: read
    ``scope()`` and ``cleaned_data["month"]``.
    """

    month = MonthFilter(
        label="Month",
        required=True,
        help_text="For example 2026-10",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
    )

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, user=user, queryset=Episode.objects.none(), **kwargs)


class PtlFilter(ScopeFilterSet):
    """The patient tracking list: open RTT periods of a scope, by weeks-waited band."""

    band = django_filters.ChoiceFilter(
        label="Weeks waited",
        choices=list(PTL_BANDS.items()),
        empty_label="All",
        error_messages={"invalid_choice": "'%(value)s' is not a band. Choose 0-17, 18+ or 52+."},
    )

    def __init__(self, data, *, user, today: date, **kwargs):
        self.today = today
        super().__init__(data, user=user, queryset=RttPeriod.objects.none(), **kwargs)

    @property
    def qs(self):
        return selectors.ptl(self.scope(), band=self.cleaned_data.get("band") or None, today=self.today)


def _set(filterset: ScopeFilterSet, name: str, filter_: django_filters.Filter) -> None:
    filter_.parent, filter_.model = filterset, filterset.queryset.model
    filterset.filters[name] = filter_


def _offer_codes(filterset: ScopeFilterSet, *, practice: bool) -> None:
    """On a page: commissioners and practices are choices of those the user may see."""
    user = filterset.user
    commissioners = selectors.commissioners_for(user)
    if selectors.is_report_staff(user):
        _set(
            filterset,
            "commissioner",
            django_filters.ChoiceFilter(
                label="Commissioner", choices=[(c.code, str(c)) for c in commissioners], empty_label="Whole service"
            ),
        )
    else:
        del filterset.filters["commissioner"]
    if not practice:
        for name in ("practice", "tier"):
            filterset.filters.pop(name, None)
        return
    practices = Practice.objects.filter(commissioner__in=commissioners).order_by("name")
    code = filterset.data.get("commissioner") if "commissioner" in filterset.filters else None
    if code:
        practices = practices.filter(commissioner__code=code)
    _set(
        filterset,
        "practice",
        django_filters.ChoiceFilter(
            label="Practice", choices=[(p.ods_code, str(p)) for p in practices], empty_label="All practices"
        ),
    )


class ReportPageFilter(ReportFilter):
    """The report pages' filters: the month defaults to last month; codes are choices."""

    def __init__(self, data, *, user, today: date, **kwargs):
        if not data.get("month"):
            data = data.copy()
            data["month"] = add_months(today.replace(day=1), -1).strftime("%Y-%m")
        super().__init__(data, user=user, **kwargs)
        _offer_codes(self, practice=True)
        order = ("month", "commissioner", "practice", "tier")
        self.filters = {name: self.filters[name] for name in order if name in self.filters}


class PtlPageFilter(PtlFilter):
    """The PTL page and its CSV: commissioner (a choice) and band."""

    def __init__(self, data, *, user, today: date, **kwargs):
        super().__init__(data, user=user, today=today, **kwargs)
        _offer_codes(self, practice=False)
        self.filters = {"commissioner": self.filters["commissioner"], "band": self.filters["band"]}
