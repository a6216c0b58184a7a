"""Pages for booking appointments, recording attendance and deciding after a DNA."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_http_methods

from pathway.access import access_episode_object

from .. import forms, services
from ..models import Appointment
from ._common import _action, _clinical_episode, _expected


@login_required
@require_http_methods(["GET", "POST"])
def appointment_new(request, pk):
    episode = _clinical_episode(request.user, pk)

    def perform(data):
        version = _expected(data)
        appt = services.appointment_book(
            episode=episode, clinician=request.user, actor=request.user, expected_version=version, **data
        )
        return f"{appt.get_kind_display()} appointment booked for {appt.date:%d %B %Y}."

    return _action(
        request, episode=episode, form_class=forms.AppointmentForm, title="Book an appointment", perform=perform
    )


def _appointment(request, pk) -> Appointment:
    return access_episode_object(request.user, Appointment, pk)


@login_required
@require_http_methods(["GET", "POST"])
def appointment_outcome(request, pk):
    appointment = _appointment(request, pk)
    episode = appointment.episode

    def perform(data):
        if data.get("medication_review_outcome"):
            appt, _, met = services.appointment_attended_with_review(
                appointment=appointment,
                review_outcome=data["medication_review_outcome"],
                notes=data.get("medication_review_notes", ""),
                actor=request.user,
                expected_version=data["version"],
            )
            return f"Outcome recorded: {appt.get_outcome_display()}; medication review recorded ({len(met)} met)."
        appt = services.appointment_record_outcome(
            appointment=appointment, outcome=data["outcome"], actor=request.user, expected_version=data["version"]
        )
        if appt.outcome == Appointment.Outcome.DNA:
            return "DNA recorded. Decide what happens next: rebook, contact the patient or discharge as disengaged."
        return f"Outcome recorded: {appt.get_outcome_display()}."

    return _action(
        request,
        episode=episode,
        form_class=forms.OutcomeForm,
        title=f"Outcome of the {appointment.get_kind_display().lower()} appointment on {appointment.date:%d %B %Y}",
        perform=perform,
    )


@login_required
@require_http_methods(["GET", "POST"])
def appointment_dna_decision(request, pk):
    appointment = _appointment(request, pk)
    episode = appointment.episode

    def perform(data):
        appt = services.appointment_dna_decide(
            appointment=appointment,
            decision=data["decision"],
            reason=data["reason"],
            actor=request.user,
            expected_version=data["version"],
        )
        if appt.dna_decision == Appointment.DnaDecision.DISCHARGE:
            return "Decision recorded. Complete the discharge form (reason: disengaged) to discharge the patient."
        return "Decision recorded."

    return _action(
        request,
        episode=episode,
        form_class=forms.DnaDecisionForm,
        title="Decision after a missed appointment",
        intro="The patient did not attend. A clinician decides what happens next; nobody is discharged automatically.",
        perform=perform,
    )
