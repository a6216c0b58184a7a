"""Query filters of the complaints and compliments log (kind, open or closed, received between)."""

from __future__ import annotations

import django_filters

from pathway.filters import DateFilter, FilterForm, QueryFilterSet

from .forms import DATE_WIDGET
from .models import Feedback


class FeedbackFilterForm(FilterForm):
    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", "Received to must be the same as or after received from.")
        return data


class FeedbackFilter(QueryFilterSet):
    kind = django_filters.ChoiceFilter(choices=Feedback.Kind.choices, empty_label="All")
    status = django_filters.ChoiceFilter(
        choices=[("open", "Open"), ("closed", "Closed")], empty_label="All", method="filter_status"
    )
    received_from = DateFilter(field_name="received_on", lookup_expr="gte", label="Received from", widget=DATE_WIDGET)
    received_to = DateFilter(field_name="received_on", lookup_expr="lte", label="Received to", widget=DATE_WIDGET)

    class Meta:
        model = Feedback
        fields: list[str] = []
        form = FeedbackFilterForm

    def filter_status(self, queryset, name, value):
        return queryset.filter(closed_on__isnull=value == "open")
