"""The episode's clinical page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from pathway import services as core
from pathway.access import can_act_clinically, has_role
from pathway.models import Role

from .. import selectors
from ._common import _clinical_episode


@login_required
def episode_page(request, pk):
    episode = _clinical_episode(request.user, pk)
    core.record_view(user=request.user, episode=episode, path=request.path)
    today = core.today_london()
    context = {
        "episode": episode,
        "patient": episode.patient,
        "today": today,
        "can_act": can_act_clinically(request.user),
        "is_lead": has_role(request.user, Role.SERVICE_LEAD),
        **selectors.episode_overview(episode, today),
    }
    return render(request, "careplans/episode.html", context)
