"""Communication needs: interpreter and language (on the patient), format and other needs."""

from __future__ import annotations

from django.db import transaction

from pathway.errors import InvalidInput
from pathway.models import PathwayEvent, Patient
from pathway.services import event_record

from ..models import CommunicationFormat, CommunicationNeeds, InterpreterBooking
from .checks import check_choice

FLAGS = ("hearing_impairment", "visual_impairment", "learning_disability")


@transaction.atomic
def communication_needs_update(*, patient: Patient, actor, **changes) -> CommunicationNeeds:
    """Change what is given (``communication_format``, ``language``, ``interpreter_needed``, ``needs`` and
    the flags); the rest stays."""
    errors: dict[str, list[str]] = {}
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    needs, _ = CommunicationNeeds.objects.get_or_create(patient=locked)
    if "communication_format" in changes:
        check_choice(errors, "communication_format", changes["communication_format"], CommunicationFormat, "format")
    language = (changes.get("language", locked.interpreter_language) or "").strip()
    interpreter = bool(changes.get("interpreter_needed", locked.interpreter_needed))
    asked = "language" in changes or "interpreter_needed" in changes
    if asked and interpreter and not language:
        errors["language"] = ["Give the language the interpreter is needed for."]
    elif asked and len(language) > 60:
        errors["language"] = ["Write the language in at most 60 characters."]
    if errors:
        raise InvalidInput(errors)
    locked.interpreter_needed, locked.interpreter_language = interpreter, language
    locked.save(update_fields=["interpreter_needed", "interpreter_language"])
    if "communication_format" in changes:
        needs.format = changes["communication_format"]
    if "needs" in changes:
        needs.needs = (changes["needs"] or "").strip()
    for flag in FLAGS:
        if flag in changes:
            setattr(needs, flag, bool(changes[flag]))
    needs.updated_by = actor
    needs.save()
    episode = locked.episodes.order_by("-received_on", "-id").first()
    if episode is not None:
        event_record(episode=episode, kind=PathwayEvent.Kind.NOTE, actor=actor, reason="Communication needs updated")
    patient.interpreter_needed, patient.interpreter_language = interpreter, language
    return needs


def appointment_interpreter_book(*, appointment) -> InterpreterBooking | None:
    """Book an interpreter with a new appointment of a patient who needs one (same transaction)."""
    patient = appointment.episode.patient
    if not patient.interpreter_needed:
        return None
    booking, _ = InterpreterBooking.objects.get_or_create(
        appointment=appointment, defaults={"language": patient.interpreter_language}
    )
    event_record(
        episode=appointment.episode,
        kind=PathwayEvent.Kind.APPOINTMENT,
        reason=f"{booking.language} interpreter booked for the appointment on {appointment.date:%d %b %Y}",
        data={"appointment": appointment.pk, "interpreter": booking.pk},
    )
    return booking
