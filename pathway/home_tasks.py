"""The core's counts on the service lead's home: breaches, demographics to reconcile, late letters."""

from __future__ import annotations

from .access import episodes_visible_to, has_role, may_reconcile_demographics
from .demographics import reconciliations_open
from .letters.selectors import letters_late
from .models import Role
from .selectors import breached_deadlines


def breached(user) -> dict | None:
    if not has_role(user, Role.SERVICE_LEAD):
        return None
    count = breached_deadlines(user).count()
    return {"label": "Breached deadlines", "count": count, "href": "/deadlines/breached/", "urgent": True}


def reconciliations(user) -> dict | None:
    if not has_role(user, Role.SERVICE_LEAD) or not may_reconcile_demographics(user):
        return None
    count = reconciliations_open().filter(episode__in=episodes_visible_to(user).values("pk")).count()
    return {"label": "Demographics to reconcile", "count": count, "href": "/patients/reconcile/"}


def late_letters(user) -> dict | None:
    if not has_role(user, Role.SERVICE_LEAD):
        return None
    return {"label": "Late and undelivered letters", "count": letters_late(user).count(), "href": "/letters/late/"}
