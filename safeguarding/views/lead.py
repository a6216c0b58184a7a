"""Page: the service lead's safeguarding and incident tasks (their monthly counts are a report: reporting/views.py)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from pathway.access import episodes_visible_to, has_role
from pathway.models import Role

from .. import selectors
from ..models import Incident


@login_required
def lead_tasks(request):
    """Open safeguarding concerns and significant events awaiting review: the lead's tasks."""
    if not has_role(request.user, Role.SERVICE_LEAD):
        raise Http404("No such page.")
    concerns = (
        selectors.concerns_visible_to(request.user)
        .filter(closed_on__isnull=True)
        .select_related("episode__patient")
        .order_by("raised_on", "id")
    )
    incidents = (
        Incident.objects.filter(reviewed_at__isnull=True, episode__in=episodes_visible_to(request.user))
        .select_related("episode__patient")
        .order_by("on", "id")
    )
    return render(request, "safeguarding/lead_tasks.html", {"concerns": concerns, "incidents": incidents})
