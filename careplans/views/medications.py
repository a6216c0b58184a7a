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
        if data.get("change") == "stop":
            return f"{line.drug.capitalize()} stopped; the advice to the GP was updated."
        ome_text = f": OME {line.ome_mg_per_day} mg a day" if line.ome_mg_per_day is not None else ""
        flag = " Dose above the usual maximum (reason recorded)." if line.above_usual_max else ""
        return (
            f"{line.drug.capitalize()} {line.get_change_display().lower()} recorded{ome_text}; review due "
            f"{line.review_due_on:%d %B %Y}; added to the prescribing advice to the GP.{flag}"
        )

    return _action(
        request,
        episode=episode,
        form_class=forms.MedicationForm,
        title="Record a prescribing decision",
        initial={"started_on": core.today_london()},
        perform=perform,
    )


@login_required
@require_http_methods(["GET", "POST"])
def medication_stop(request, pk):
    line = access_episode_object(request.user, MedicationLine, pk)
    episode = line.episode

    def perform(data):
        services.medication_stop(
            line=line,
            on=data["stopped_on"],
            reason=data.get("reason", ""),
            actor=request.user,
            expected_version=data["version"],
        )
        return f"{line.drug.capitalize()} stopped."

    return _action(
        request,
        episode=episode,
        form_class=forms.StopMedicationForm,
        title=f"Stop {line.drug} ({line.route})",
        initial={"stopped_on": core.today_london()},
        perform=perform,
    )


@login_required
@require_http_methods(["GET", "POST"])
def medication_review_new(request, pk):
    episode = _clinical_episode(request.user, pk)

    def perform(data):
        version = _expected(data)
        _, met = services.medication_review_record(
            episode=episode, actor=request.user, expected_version=version, **data
        )
        return f"Medication review recorded; {len(met)} review deadline(s) met."

    return _action(
        request,
        episode=episode,
        form_class=forms.MedicationReviewForm,
        title="Record a medication review",
        initial={"date": core.today_london()},
        intro="Every open medication review of a change made on or before this date is met.",
        perform=perform,
    )
