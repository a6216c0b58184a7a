"""The clinician's work list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from pathway import services as core
from pathway.access import can_act_clinically

from .. import selectors

WORKLIST_PAGE_SIZE = 20


WORKLIST_SECTIONS = (
    "appointments_today",
    "dna_decisions",
    "reviews_due",
    "mdt_due",
    "near_limit",
    "extensions_awaiting_approval",
    "letters_awaiting_approval",
)


@login_required
def worklist(request):
    if not can_act_clinically(request.user):
        raise Http404("No such page.")
    context = selectors.worklist(request.user, core.today_london())
    # Each section pages on its own (?reviews_due=2): a lead's work list can run to hundreds of rows.
    for key in WORKLIST_SECTIONS:
        context[key] = Paginator(context[key], WORKLIST_PAGE_SIZE).get_page(request.GET.get(key))
    return render(request, "careplans/worklist.html", context)
