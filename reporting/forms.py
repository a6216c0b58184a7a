"""Filters of the report pages (GET forms, so a filtered page can be bookmarked)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django import forms

from pathway.calendar import add_months
from pathway.errors import InvalidInput
from pathway.forms import NhsFormMixin

from .kpis import parse_month


class ReportFilterForm(NhsFormMixin, forms.Form):
    month = forms.CharField(
        label="Month", help_text="For example 2026-10", max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )
    commissioner = forms.ChoiceField(label="Commissioner", required=False)
    practice = forms.ChoiceField(label="Practice", required=False)
    tier = forms.ChoiceField(
        label="Tier", required=False, choices=[("", "All tiers"), ("1", "1"), ("2", "2"), ("3", "3")]
    )

    def __init__(self, data, *, commissioners, practices, show_commissioner: bool, today: date, **kwargs):
        data = data.copy()
        if not data.get("month"):
            data["month"] = add_months(today.replace(day=1), -1).strftime("%Y-%m")
        super().__init__(data, **kwargs)
        self.fields["practice"].choices = [("", "All practices")] + [(p.ods_code, str(p)) for p in practices]
        if show_commissioner:
            self.fields["commissioner"].choices = [("", "Whole service")] + [(c.code, str(c)) for c in commissioners]
        else:
            del self.fields["commissioner"]

    def clean_month(self) -> date:
        try:
            return parse_month(self.cleaned_data["month"])
        except InvalidInput as exc:
            raise forms.ValidationError(exc.errors["month"][0]) from None

    def query_string(self) -> str:
        keep = {k: v for k, v in self.data.items() if k in self.fields and v}
        return "&".join(f"{k}={v}" for k, v in keep.items())


class HalfYearForm(NhsFormMixin, forms.Form):
    period = forms.CharField(label="Half-year", help_text="For example 2026-H1", max_length=7, required=False)


class PtlFilterForm(NhsFormMixin, forms.Form):
    """Filters of the patient tracking list page and its CSV: commissioner and weeks-waited band."""

    commissioner = forms.ChoiceField(label="Commissioner", required=False)
    band = forms.ChoiceField(
        label="Weeks waited",
        required=False,
        choices=[("", "All"), ("0-17", "0 to 17 weeks"), ("18+", "18 weeks or more"), ("52+", "52 weeks or more")],
    )

    def __init__(self, data, *, commissioners, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["commissioner"].choices = [("", "Whole service")] + [(c.code, str(c)) for c in commissioners]

    def query_string(self) -> str:
        keep = {k: self.cleaned_data[k] for k in self.fields if self.cleaned_data.get(k)}
        return urlencode(keep)
