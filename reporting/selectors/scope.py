"""Who may see reports and for which commissioner, practice and tier."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from pathway.access import has_role
from pathway.errors import InvalidInput
from pathway.models import Commissioner, Practice, Role

from ..kpis import Scope


def is_report_staff(user) -> bool:
    """Staff who see the whole service and the rows behind the numbers."""
    return has_role(user, Role.SERVICE_LEAD)


def can_see_reports(user) -> bool:
    return has_role(user, Role.SERVICE_LEAD, Role.COMMISSIONER)


def commissioners_for(user) -> QuerySet[Commissioner]:
    if not user or not user.is_authenticated:
        return Commissioner.objects.none()
    if is_report_staff(user):
        return Commissioner.objects.all()
    if has_role(user, Role.COMMISSIONER):
        # Read the profile afresh: the bound commissioner decides what the user may see.
        return Commissioner.objects.filter(staff__user=user)
    return Commissioner.objects.none()


def resolve_scope(user, *, commissioner: str | None, practice: str | None = None, tier: str | None = None) -> Scope:
    """The scope a user asked for; 404 for a commissioner or practice the user may not see.

    A commissioner user without a code gets their own commissioner; the service lead without a
    code gets the whole service.
    """
    allowed = commissioners_for(user)
    if not can_see_reports(user):
        raise Http404("No such report.")
    chosen = None
    if commissioner:
        chosen = allowed.filter(code=commissioner.strip()).first()
        if chosen is None:
            raise Http404("No such commissioner.")
    elif not is_report_staff(user):
        chosen = allowed.first()
        if chosen is None:
            raise Http404("No such commissioner.")
    chosen_practice = None
    if practice:
        practices = Practice.objects.filter(ods_code=practice.strip().upper())
        practices = practices.filter(commissioner=chosen) if chosen else practices.filter(commissioner__in=allowed)
        chosen_practice = practices.first()
        if chosen_practice is None:
            raise Http404("No such practice.")
    chosen_tier = None
    if tier not in (None, ""):
        if str(tier).strip() not in {"1", "2", "3"}:
            raise InvalidInput({"tier": [f"'{tier}' is not a tier. Choose 1, 2 or 3."]})
        chosen_tier = int(tier)
    return Scope(commissioner=chosen, practice=chosen_practice, tier=chosen_tier)
