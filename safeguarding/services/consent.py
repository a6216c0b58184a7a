"""Consent to treatment and to each kind of sharing: recorded, never edited, withdrawn by a new row."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from pathway.errors import InvalidInput
from pathway.letters.services import letters_cancel_unsent
from pathway.models import Letter, PathwayEvent, Patient
from pathway.services import event_record

from ..models import Consent
from .checks import check_choice, check_date, first_referral_on


@transaction.atomic
def consent_record(
    *, patient: Patient, scope: str, given: bool | None, method: str, on: date | None, actor, note: str = ""
) -> Consent:
    errors: dict[str, list[str]] = {}
    check_choice(errors, "scope", scope, Consent.Scope, "scope of consent")
    check_choice(errors, "method", method, Consent.Method, "way consent was given")
    if given is None:
        errors["given"] = ["Say whether consent was given (true) or withdrawn or declined (false)."]
    check_date(errors, "on", on, earliest=first_referral_on(patient), what="date of consent", required=True)
    if errors:
        raise InvalidInput(errors)
    consent = Consent.objects.create(
        patient=patient, scope=scope, given=given, method=method, on=on, note=(note or "").strip(), recorded_by=actor
    )
    episode = patient.episodes.order_by("-received_on", "-id").first()
    if episode is not None:
        what = "given" if given else "declined or withdrawn"
        event_record(
            episode=episode,
            kind=PathwayEvent.Kind.NOTE,
            actor=actor,
            reason=f"Consent to {Consent.Scope(scope).label.lower()} {what} ({Consent.Method(method).label.lower()})",
            data={"consent": consent.pk, "scope": scope, "given": given},
        )
    if scope == Consent.Scope.SHARE_CARER and not given:
        letters_cancel_unsent(
            episode_ids=patient.episodes.values_list("pk", flat=True),
            recipients=[Letter.Recipient.CARER],
            reason="The patient withdrew consent to sharing with carers.",
            actor=actor,
        )
    return consent
