"""MDT pages: the reviews due and recording a review."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from pathway import services as core
from pathway.access import can_act_clinically

from .. import forms, selectors, services
from ._common import _action, _clinical_episode, _expected


@login_required
@require_http_methods(["GET", "POST"])
def mdt_review_new(request, pk):
    episode = _clinical_episode(request.user, pk)

    def perform(data):
        version = _expected(data)
        review = services.mdt_review_record(episode=episode, actor=request.user, expected_version=version, **data)
        return f"MDT review recorded (tier {review.tier_after or 'not set'})."

    return _action(
        request,
        episode=episode,
        form_class=forms.MdtReviewForm,
        title="Record an MDT review",
        initial={"reviewed_on": core.today_london()},
        perform=perform,
    )


@login_required
def mdt_list(request):
    if not can_act_clinically(request.user):
        raise Http404("No such page.")
    today = core.today_london()
    page = Paginator(selectors.mdt_due(request.user, today), 50).get_page(request.GET.get("page"))
    return render(request, "careplans/mdt.html", {"page": page, "today": today})
