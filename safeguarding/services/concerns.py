"""Safeguarding concerns: raised by any member of staff, a task for the service lead until closed.

Nothing of a concern goes on the episode timeline: the GP practice can read that timeline, and a
concern (even its existence) is shared only through the safeguarding process itself.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from pathway.errors import DomainError, InvalidInput
from pathway.models import Episode
from pathway.services import today_london

from ..models import SafeguardingConcern
from .checks import check_choice, check_date, check_text


@transaction.atomic
def safeguarding_concern_raise(
    *,
    episode: Episode,
    subject: str,
    category: str,
    description: str,
    action: str,
    actor,
    referred_to_local_authority_on: date | None = None,
    reference: str = "",
    raised_on: date | None = None,
) -> SafeguardingConcern:
    errors: dict[str, list[str]] = {}
    check_choice(errors, "subject", subject, SafeguardingConcern.Subject, "subject of the concern (adult or child)")
    check_choice(errors, "category", category, SafeguardingConcern.Category, "category of concern")
    description = check_text(errors, "description", description, "concern")
    action = check_text(errors, "action", action, "action taken")
    raised_on = raised_on or today_london()
    check_date(errors, "raised_on", raised_on, earliest=episode.received_on, what="date raised", required=True)
    check_date(
        errors,
        "referred_to_local_authority_on",
        referred_to_local_authority_on,
        earliest=episode.received_on,
        what="date of the referral to the local authority",
        required=False,
    )
    reference = (reference or "").strip()
    if reference and referred_to_local_authority_on is None:
        errors["referred_to_local_authority_on"] = ["Give the date of the referral the reference belongs to."]
    if len(reference) > 60:
        errors["reference"] = ["Write the reference in at most 60 characters."]
    if errors:
        raise InvalidInput(errors)
    return SafeguardingConcern.objects.create(
        episode=episode,
        subject=subject,
        category=category,
        description=description,
        action=action,
        raised_on=raised_on,
        referred_to_local_authority_on=referred_to_local_authority_on,
        reference=reference,
        raised_by=actor,
    )


@transaction.atomic
def safeguarding_concern_close(
    *, concern: SafeguardingConcern, actor, outcome: str, on: date | None = None
) -> SafeguardingConcern:
    locked = SafeguardingConcern.objects.select_for_update().get(pk=concern.pk)
    if not locked.is_open:
        raise DomainError(f"This concern was closed on {locked.closed_on:%-d %B %Y}.", code="concern_closed")
    errors: dict[str, list[str]] = {}
    outcome = check_text(errors, "outcome", outcome, "outcome")
    on = on or today_london()
    if on < locked.raised_on:
        errors["on"] = [f"A concern cannot close before it was raised ({locked.raised_on:%-d %B %Y})."]
    elif on > today_london():
        errors["on"] = ["The closing date cannot be in the future."]
    if errors:
        raise InvalidInput(errors)
    locked.closed_on, locked.closed_by, locked.outcome = on, actor, outcome
    locked.save(update_fields=["closed_on", "closed_by", "outcome"])
    return locked
