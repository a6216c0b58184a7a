"""The discharge page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_http_methods

from pathway import services as core

from .. import forms, services
from ._common import _action, _clinical_episode, _expected


@login_required
@require_http_methods(["GET", "POST"])
def discharge(request, pk):
    episode = _clinical_episode(request.user, pk)

    open_tasks = services.open_urgent_tasks(episode)

    def perform(data):
        version = _expected(data)
        _, letter = services.discharge_record(episode=episode, actor=request.user, expected_version=version, **data)
        return (
            f"Patient discharged. The discharge letter is due to the GP by {letter.due_on:%d %B %Y}, "
            "with the patient's copy."
        )

    initial = {"date": core.today_london()}
    if request.GET.get("reason") in dict(forms.DischargeForm.base_fields["reason"].choices):
        initial["reason"] = request.GET["reason"]
    return _action(
        request,
        episode=episode,
        form_class=forms.DischargeConfirmForm if open_tasks else forms.DischargeForm,
        title="Discharge",
        initial=initial,
        perform=perform,
        extra={"open_tasks": open_tasks},
    )
