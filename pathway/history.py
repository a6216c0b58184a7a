"""Field-level history (django-simple-history): before and after of every change, append-only like the audit."""

from __future__ import annotations

from simple_history.models import HistoricalRecords

from .governance_models import AppendOnly


def field_history(**kwargs) -> HistoricalRecords:
    """History of a clinical or identity record; who made each change comes from the request."""
    return HistoricalRecords(bases=[AppendOnly], **kwargs)
