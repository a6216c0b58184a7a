"""How consent, carers and communication needs shape the letters (hooked into the letter workflow)."""

from __future__ import annotations

from typing import Any

from pathway.models import Letter, LetterKind

from .models import Carer, CommunicationFormat, Consent
from .selectors import ALTERNATIVE_FORMATS, communication_needs, consent_given


def letter_created(letter: Letter) -> None:
    """A letter to the patient is made in the patient's format, and copied to each carer who receives
    copies, but only while the patient consents to sharing with carers."""
    from pathway.services import letter_create

    if letter.recipient != Letter.Recipient.PATIENT:
        return
    patient = letter.episode.patient
    fmt = communication_needs(patient).format
    if fmt != CommunicationFormat.STANDARD:
        label = CommunicationFormat(fmt).label.lower()
        content = {**(letter.content or {}), "format": fmt}
        if fmt in ALTERNATIVE_FORMATS:
            content["manual_instruction"] = (
                f"The patient needs letters in {label}: the admin team produces this letter in {label} and sends it."
            )
        letter.content = content
        letter.save(update_fields=["content", "updated_at"])
    if not consent_given(patient, Consent.Scope.SHARE_CARER):
        return
    for carer in Carer.objects.filter(patient=patient, receives_copies=True).order_by("id"):
        letter_create(
            kind=LetterKind.CARER_COPY,
            episode=letter.episode,
            actor=letter.created_by,
            content={"carer_id": carer.pk, "copy_of_patient_letter": letter.pk},
            recipient=Letter.Recipient.CARER,
            copy_of=letter.copy_of or letter,
        )


def letter_context(letter: Letter, context: dict[str, Any]) -> None:
    content = letter.content or {}
    fmt = content.get("format")
    if fmt == CommunicationFormat.LARGE_PRINT:
        context["large_print"] = True
    elif fmt in ALTERNATIVE_FORMATS:
        label = CommunicationFormat(fmt).label.upper()
        context["format_instruction"] = f"FOR THE ADMIN TEAM: PRODUCE THIS LETTER IN {label} BEFORE SENDING IT."
    if letter.kind == LetterKind.CARER_COPY:
        carer = Carer.objects.filter(pk=content.get("carer_id")).first()
        if carer is not None:
            context["carer"] = carer
            context["address"] = {
                "name": carer.name,
                "lines": [line for line in carer.address.splitlines() if line.strip()],
                "postcode": carer.postcode,
            }
            context["copy_banner"] = f"A copy for {carer.name} ({carer.relationship}), sent with the patient's consent."
