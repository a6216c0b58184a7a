"""The base of every list's query filters: one django-filter FilterSet serves a page and its API.

A FilterSet validates the query string once. The API raises its errors as the contract's 400
(``{"param": ["message"]}``); a page shows them in the NHS.UK error summary with a 400.
"""

from __future__ import annotations

from urllib.parse import urlencode

import django_filters
from django import forms

from .errors import InvalidInput
from .forms import NhsFormMixin


class FilterForm(NhsFormMixin, forms.Form):
    """The form behind a FilterSet, with NHS.UK classes on its widgets."""


class DateField(forms.DateField):
    """A date in ASCII digits: Python's date parsing would take full-width or Arabic-Indic digits."""

    def to_python(self, value):
        if isinstance(value, str) and not value.strip().isascii():
            raise forms.ValidationError(
                "Enter a real date, written as YYYY-MM-DD (for example 2026-11-01).", code="invalid"
            )
        return super().to_python(value)


class DateFilter(django_filters.DateFilter):
    field_class = DateField


class IdField(forms.IntegerField):
    """A record's id in ASCII digits (int() would take full-width ones)."""

    default_error_messages = {"invalid": "Enter a whole number, for example 42."}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str) and not value.strip().isascii():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class IdFilter(django_filters.NumberFilter):
    field_class = IdField


class QueryFilterSet(django_filters.FilterSet):
    """A list's filters: ``validated()`` for the API, ``is_valid()`` and ``form`` for a page."""

    class Meta:
        form = FilterForm

    @property
    def cleaned_data(self) -> dict:
        return self.form.cleaned_data

    def error_dict(self) -> dict[str, list[str]]:
        return {field: [str(e) for e in errors] for field, errors in self.form.errors.items()}

    def validated(self):
        """This FilterSet, or the API's 400 naming each bad parameter."""
        if not self.is_valid():
            raise InvalidInput(self.error_dict())
        return self

    def query_string(self) -> str:
        """The filters given (this FilterSet's own, non-empty) as a query string, for page and export links."""
        return urlencode({k: self.form.data[k] for k in self.form.fields if self.form.data.get(k)})
