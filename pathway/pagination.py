"""The API's page envelope: DRF's PageNumberPagination, with a bad page number answered as bad input."""

from django.core.paginator import Paginator
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from . import audit


class Pagination(PageNumberPagination):
    """``?page=N`` from 1 (or ``last``): anything else is a 400 naming ``page``; a page past the last is a 404.

    Every API list is paginated here, so the patients on each page served are noted in the access audit."""

    invalid_page_message = "There is no page {page_number}."

    def __init__(self, *, count: int | None = None):
        """``count``: the number of rows, when the caller knows it more cheaply than a COUNT of the list."""
        self.count = count

    def django_paginator_class(self, object_list, per_page):
        paginator = Paginator(object_list, per_page)
        if self.count is not None:
            paginator.count = self.count  # a cached property: this is its value for this paginator
        return paginator

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        given = raw not in (None, "") and raw not in self.last_page_strings
        if given and not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
            raise ValidationError({"page": [f"'{raw}' is not a page number. Give a whole number from 1."]})
        page = super().paginate_queryset(queryset, request, view=view)
        audit.note_list(user=request.user, patient_ids=audit.patient_ids_of(page or []))
        return page
