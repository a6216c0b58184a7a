"""Pages for the care plan (edit, print) and the start of treatment."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from pathway import services as core

from .. import forms, selectors, services
from ._common import _action, _clinical_episode, _expected


@login_required
@require_http_methods(["GET", "POST"])
def careplan_edit(request, pk):
    episode = _clinical_episode(request.user, pk)
    latest = selectors.latest_care_plan(episode)

    def perform(data):
        version = _expected(data)
        plan = services.careplan_save(episode=episode, actor=request.user, expected_version=version, **data)
        return f"Care plan version {plan.version} saved."

    return _action(
        request,
        episode=episode,
        form_class=forms.CarePlanForm,
        title="Revise the care plan" if latest else "Write the care plan",
        initial=forms.CarePlanForm.initial_from(latest),
        perform=perform,
    )


@login_required
@require_http_methods(["GET", "POST"])
def careplan_share(request, pk):
    episode = _clinical_episode(request.user, pk)

    def perform(data):
        version = _expected(data)
        plan, made = services.careplan_share(episode=episode, actor=request.user, expected_version=version, **data)
        if not made:
            return f"Care plan version {plan.version} had already been shared with them; nothing changed."
        who = ", ".join(share.get_recipient_display().lower() for share in made)
        return f"Care plan version {plan.version} shared with: {who}."

    return _action(
        request,
        episode=episode,
        form_class=forms.CarePlanShareForm,
        title="Share the care plan",
        initial={"on": core.today_london()},
        intro="The latest version of the care plan is shared. Sharing with the GP creates a care plan letter to "
        "the practice, approved and sent like other letters.",
        perform=perform,
    )


@login_required
def careplan_print(request, pk):
    episode = _clinical_episode(request.user, pk)
    core.record_view(user=request.user, episode=episode, path=request.path, action="print")
    plan = selectors.latest_care_plan(episode)
    if plan is None:
        raise Http404("No care plan yet.")
    return render(
        request, "careplans/careplan_print.html", {"episode": episode, "patient": episode.patient, "plan": plan}
    )


@login_required
@require_http_methods(["GET", "POST"])
def treatment_started(request, pk):
    episode = _clinical_episode(request.user, pk)

    def perform(data):
        version = _expected(data)
        started, created = services.treatment_start(
            episode=episode, actor=request.user, expected_version=version, **data
        )
        if not created:
            return f"Treatment had already started on {started.date:%d %B %Y}; nothing changed."
        return f"First definitive treatment recorded ({started.date:%d %B %Y}); the RTT clock has stopped."

    return _action(
        request,
        episode=episode,
        form_class=forms.TreatmentStartedForm,
        title="Record the first definitive treatment",
        initial={"date": core.today_london()},
        intro="This stops the referral-to-treatment clock.",
        perform=perform,
    )
