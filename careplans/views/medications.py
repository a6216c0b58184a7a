"""Pages for starting and stopping medication."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_http_methods

from pathway import services as core
from pathway.access import access_episode_object

from .. import forms, services
from ..models import MedicationLine
from ._common import _action, _clinical_episode, _expected


@login_required
@require_http_methods(["GET", "POST"])
def medication_new(request, pk):
    episode = _clinical_episode(request.user, pk)

    def perform(data):
        version = _expected(data)
        line = services.medication_add(episode=episode, actor=request.user, expected_version=version, **data)
        return (
            f"{line.drug.capitalize()} added: OME {line.ome_mg_per_day} mg a day; review due "
            f"{line.review_due_on:%d %B %Y}."
        )

    return _action(
        request,
        episode=episode,
        form_class=forms.MedicationForm,
        title="Add an opioid",
        initial={"started_on": core.today_london()},
        perform=perform,
    )


@login_required
@require_http_methods(["GET", "POST"])
def medication_stop(request, pk):
    line = access_episode_object(request.user, MedicationLine, pk)
    episode = line.episode

    def perform(data):
        services.medication_stop(line=line, on=data["stopped_on"], actor=request.user, expected_version=data["version"])
        return f"{line.drug.capitalize()} stopped."

    return _action(
        request,
        episode=episode,
        form_class=forms.StopMedicationForm,
        title=f"Stop {line.drug} ({line.route})",
        initial={"stopped_on": core.today_london()},
        perform=perform,
    )
