"""Rows streamed from a server-side cursor, for exports whose size grows with the service."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import transaction
from django.db.models import QuerySet


def stream_rows(queryset: QuerySet, *, chunk_size: int = 2000) -> Iterator:
    """``queryset.iterator`` inside a transaction.

    Outside a transaction Django declares PostgreSQL's server-side cursor WITH HOLD, and the
    server then computes the whole result before the first row arrives; inside one, rows flow as
    they are produced, ``chunk_size`` at a time, and memory stays flat on both sides.
    """
    with transaction.atomic():
        yield from queryset.iterator(chunk_size=chunk_size)
