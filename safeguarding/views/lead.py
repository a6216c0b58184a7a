"""Pages: the service lead's safeguarding and incident tasks, and the commissioner's monthly counts."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from pathway.access import episodes_visible_to, has_role
from pathway.models import Role
from reporting.kpis import month_last_day
from reporting.views import _filters

from .. import selectors
from ..models import Incident, SafeguardingConcern


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


@login_required
def safety_report(request):
    """Safeguarding and significant events of a month, as counts (commissioners see nothing else)."""
    filters, scope, month = _filters(request)
    context = {"form": filters.form, "scope": scope, "month": month}
    if scope is not None:
        counts = selectors.safety_counts(scope.episode_q("episode__"), month, month_last_day(month))
        context["safeguarding"] = counts["safeguarding"]
        context["categories"] = [
            (label, counts["safeguarding"]["by_category"][code]) for code, label in SafeguardingConcern.Category.choices
        ]
        context["incidents"] = [(label, counts["incidents"][code]) for code, label in Incident.Kind.choices]
    return render(request, "safeguarding/report.html", context, status=200 if scope is not None else 400)
