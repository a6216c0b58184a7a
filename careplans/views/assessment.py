"""Pages for the assessment and the urgent mental-health referral."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from pathway import services as core
from pathway.errors import StaleVersion

from .. import forms, services
from ._common import _action, _clinical, _clinical_episode, _episode_url, _expected


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request, pk):
    episode = _clinical_episode(request.user, pk)

    def perform(data):
        version = _expected(data)
        assessment = services.assessment_record(
            episode=episode, clinician=request.user, expected_version=version, **data
        )
        risk = assessment.suicide_risk or assessment.alcohol_misuse or assessment.drug_misuse
        return "Assessment recorded." + (" An urgent mental-health referral is now due." if risk else "")

    return _action(
        request,
        episode=episode,
        form_class=forms.AssessmentForm,
        title="Biopsychosocial assessment",
        initial={"assessed_on": core.today_london()},
        perform=perform,
    )


@login_required
@require_http_methods(["POST"])
def mental_health_referral_sent(request, pk):
    episode = _clinical_episode(request.user, pk)
    _clinical(request.user)
    version = request.POST.get("version", "")
    try:
        services.mental_health_referral_made(
            episode=episode,
            on=core.today_london(),
            actor=request.user,
            expected_version=int(version) if version.isdigit() else None,
        )
    except StaleVersion as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, "Mental-health referral recorded as sent.")
    return redirect(_episode_url(episode.pk))
