"""The half-year form of the opioid comparison page (a GET form, so the page can be bookmarked)."""

from __future__ import annotations

from django import forms

from pathway.forms import NhsFormMixin


class HalfYearForm(NhsFormMixin, forms.Form):
    period = forms.CharField(label="Half-year", help_text="For example 2026-H1", max_length=7, required=False)
