"""Patient links: PROM invitations, their messages, and answers saved and submitted through the link."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from pathway.calendar import london_date
from pathway.errors import DomainError
from pathway.models import Episode, PathwayEvent
from pathway.patient_death import PatientDeath
from pathway.rules import rule
from pathway.services import event_record, today_london

from ..models import PromInvitation, PromResponse, Timepoint
from ..questionnaires import assemble
from ..senders import PromMessage, get_sender
from .feedback import experience_survey_create
from .responses import ALL_INSTRUMENTS, prom_response_create

logger = logging.getLogger(__name__)


class LinkProblem(DomainError):
    """A patient link that cannot be used: ``code`` is invalid, expired or used (all shown as
    not found, with a page saying which)."""

    status_code = 404


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _token(invitation: PromInvitation) -> str:
    """The link's token, derived from the secret key rather than stored, so that the reminder
    carries the same link as the first message; only its hash is kept."""
    created = invitation.created_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")
    return salted_hmac("outcomes.prom-link", f"{invitation.pk}:{created}", algorithm="sha256").hexdigest()


def _link(token: str) -> str:
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return f"{base}/outcomes/q/{token}/"


def _channel(episode: Episode) -> str:
    if episode.patient.email:
        return "email"
    if episode.patient.phone:
        return "sms"
    return "none"


def _answered(invitation: PromInvitation) -> bool:
    done = set(
        PromResponse.objects.filter(
            episode_id=invitation.episode_id, timepoint=invitation.timepoint, complete=True
        ).values_list("instrument", flat=True)
    )
    return invitation.used_at is not None or set(invitation.instruments) <= done


@transaction.atomic
def prom_invitation_create(
    *, episode: Episode, timepoint: str, today: date, instruments: list[str] | None = None
) -> PromInvitation:
    """Create the link for a timepoint (once per episode and timepoint) and queue its sending.

    The stored hash is of a token nobody holds: the link only works once it is sent, when a
    fresh token is made and only its hash kept.
    """
    existing = PromInvitation.objects.filter(episode=episode, timepoint=timepoint).first()
    if existing:
        return existing
    invitation = PromInvitation.objects.create(
        episode=episode,
        timepoint=timepoint,
        instruments=instruments or ALL_INSTRUMENTS,
        token_hash=token_hash(secrets.token_urlsafe(32)),
        channel=_channel(episode),
        due_on=today,
        expires_at=timezone.now() + timedelta(days=rule("prom_link_expiry_days")),
    )
    event_record(
        episode=episode,
        kind=PathwayEvent.Kind.PROM,
        reason=f"PROM link created ({Timepoint(timepoint).label.lower()})",
        data={"invitation": invitation.pk, "timepoint": timepoint},
    )
    from ..tasks import send_prom_invitation

    transaction.on_commit(lambda: send_prom_invitation.delay(invitation.pk))
    return invitation


def _message(invitation: PromInvitation, token: str, *, reminder: bool) -> PromMessage:
    patient = invitation.episode.patient
    to = patient.email if invitation.channel == "email" else patient.phone
    expires = london_date(invitation.expires_at)
    service = settings.SERVICE_NAME
    if reminder:
        subject = f"Reminder: your questionnaire from the {service}"
        opening = "We have not yet received your questionnaire. The link is the same as in our first message."
    else:
        subject = f"Your questionnaire from the {service}"
        opening = "Please tell us how your pain affects you. It takes about 10 minutes."
    body = (
        f"{opening}\n\nOpen this link to answer: {_link(token)}\n\n"
        f"The link works once and until {expires:%-d %B %Y}. You can save your answers and come back to them."
    )
    if invitation.channel == "sms":
        body = f"{service}: {opening} {_link(token)} (until {expires:%-d %b})"
    return PromMessage(invitation_id=invitation.pk, channel=invitation.channel, to=to, subject=subject, body=body)


@transaction.atomic
def prom_invitation_send(*, invitation_id: int, reminder: bool = False) -> bool:
    """Send the link (or its single reminder); returns whether a message went.

    The reminder carries the same link as the first message, so either opens the questionnaire
    until it is used or expires. The sender runs inside the transaction: if it fails nothing is marked sent and
    the next scheduled run tries again.
    """
    invitation = PromInvitation.objects.select_for_update().select_related("episode__patient").get(pk=invitation_id)
    now = timezone.now()
    if invitation.channel == "none" or invitation.expires_at <= now:
        return False
    if reminder:
        if invitation.sent_at is None or invitation.reminder_sent_at is not None or _answered(invitation):
            return False
    elif invitation.sent_at is not None:
        return False
    token = _token(invitation)
    invitation.token_hash = token_hash(token)
    if reminder:
        invitation.reminder_sent_at = now
    else:
        invitation.sent_at = now
    invitation.save(update_fields=["token_hash", "sent_at", "reminder_sent_at"])
    get_sender().send(_message(invitation, token, reminder=reminder))
    event_record(
        episode=invitation.episode,
        kind=PathwayEvent.Kind.PROM,
        reason=("PROM reminder sent" if reminder else "PROM link sent") + f" by {invitation.channel}",
        data={"invitation": invitation.pk},
    )
    logger.info("PROM invitation %s %s by %s", invitation.pk, "reminder" if reminder else "sent", invitation.channel)
    return True


def invitation_for_token(token: str, *, for_update: bool = False) -> PromInvitation:
    """The invitation a patient's token opens, or LinkProblem (invalid, expired or used)."""
    qs = PromInvitation.objects.select_related("episode")
    if for_update:
        qs = qs.select_for_update()
    invitation = qs.filter(token_hash=token_hash(token or "")).first() if token else None
    if invitation is None or invitation.sent_at is None:
        raise LinkProblem("This link is not valid.", code="invalid")
    if invitation.used_at is not None:
        raise LinkProblem("This questionnaire has already been sent to us.", code="used")
    if invitation.expires_at <= timezone.now():
        raise LinkProblem("This link has expired.", code="expired")
    return invitation


@transaction.atomic
def prom_invitation_save_answers(*, token: str, answers: dict[str, Any]) -> PromInvitation:
    """Keep answers given so far (flat by question name) so the patient can come back."""
    invitation = invitation_for_token(token, for_update=True)
    invitation.partial_answers = {**invitation.partial_answers, **answers}
    invitation.save(update_fields=["partial_answers"])
    return invitation


@transaction.atomic
def prom_invitation_submit(*, token: str) -> list[PromResponse]:
    """Store what the patient answered (incomplete questionnaires flagged) and close the link."""
    invitation = invitation_for_token(token, for_update=True)
    flat = invitation.partial_answers
    today = today_london()
    responses = []
    for instrument in invitation.instruments:
        answers = assemble(instrument, flat)
        if not _has_any(answers):
            continue
        already = PromResponse.objects.filter(
            episode=invitation.episode, instrument=instrument, timepoint=invitation.timepoint, complete=True
        ).exists()
        if already:
            continue
        responses.append(
            prom_response_create(
                episode=invitation.episode,
                instrument=instrument,
                timepoint=invitation.timepoint,
                answers=answers,
                source=PromResponse.Source.PATIENT_LINK,
                completed_on=today,
                require_complete=False,
            )
        )
    if flat.get("experience_positive") in ("yes", "no"):
        experience_survey_create(
            episode=invitation.episode,
            positive=flat["experience_positive"] == "yes",
            comments=flat.get("experience_comments") or "",
            answered_on=today,
        )
    invitation.used_at = timezone.now()
    invitation.partial_answers = {}
    invitation.save(update_fields=["used_at", "partial_answers"])
    logger.info("PROM invitation %s answered", invitation.pk)
    return responses


def _has_any(answers: dict) -> bool:
    values = [v for value in answers.values() for v in (value if isinstance(value, list) else [value])]
    return any(v is not None for v in values)


@transaction.atomic
def prom_invitations_cancel(*, episode_ids, reason: str) -> int:
    """Close the patient's unanswered links now (the patient died): no message, reminder or answer follows."""
    now = timezone.now()
    cancelled = 0
    pending = PromInvitation.objects.select_for_update().filter(
        episode_id__in=list(episode_ids), used_at__isnull=True, expires_at__gt=now
    )
    for invitation in pending.select_related("episode"):
        invitation.expires_at = now
        invitation.save(update_fields=["expires_at"])
        event_record(
            episode=invitation.episode,
            kind=PathwayEvent.Kind.PROM,
            reason=f"PROM link cancelled ({Timepoint(invitation.timepoint).label.lower()}): {reason}",
            data={"invitation": invitation.pk},
        )
        cancelled += 1
    return cancelled


def prom_invitations_cancel_on_death(death: PatientDeath) -> None:
    """A death cancels the patient's unanswered links on all their episodes; registered with the core at
    order 20 (outcomes/apps.py), after the discharge."""
    prom_invitations_cancel(episode_ids=death.episode_ids, reason=death.reason)
