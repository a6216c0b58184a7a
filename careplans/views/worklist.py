"""The clinician's work list."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from pathway import services as core
from pathway.access import can_act_clinically
from pathway.audit import AuditedPaginator

from .. import selectors

WORKLIST_PAGE_SIZE = 20


WORKLIST_SECTIONS = (
    "appointments_today",
    "dna_decisions",
    "tasks_overdue",
    "tasks_due_soon",
    "mdt_due",
    "near_limit",
    "extensions_awaiting_approval",
    "letters_awaiting_approval",
)


@login_required
def worklist(request):
    if not can_act_clinically(request.user):
        raise Http404("No such page.")
    context = selectors.worklist(
        request.user, core.today_london(), kind=request.GET.get("task", ""), sort=request.GET.get("sort", "due")
    )
    # Each section pages on its own (?reviews_due=2): a lead's work list can run to hundreds of rows.
    for key in WORKLIST_SECTIONS:
        context[key] = AuditedPaginator(context[key], WORKLIST_PAGE_SIZE, user=request.user).get_page(
            request.GET.get(key)
        )
    context["task_sections"] = [
        (
            {"title": "Overdue", "anchor": "tasks-overdue", "param": "tasks_overdue"},
            context["tasks_overdue"],
            "Nothing overdue.",
        ),
        (
            {"title": "Due in the next 7 days", "anchor": "tasks-due-soon", "param": "tasks_due_soon"},
            context["tasks_due_soon"],
            "Nothing due in the next 7 days.",
        ),
    ]
    context["task_query"] = urlencode({"task": context["task_kind"], "sort": context["task_sort"]})
    return render(request, "careplans/worklist.html", context)
