"""Every write of the outcomes app: PROM responses, patient links and their schedule,
experience surveys, complaints and compliments."""

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

from pathway.calendar import add_months, london_date
from pathway.errors import DomainError, InvalidInput
from pathway.models import DischargeReason, Episode, EpisodeState, PathwayEvent
from pathway.rules import rule
from pathway.services import event_record, today_london

from . import scoring
from .models import ExperienceSurvey, Feedback, Instrument, PromInvitation, PromResponse, Timepoint
from .questionnaires import assemble
from .senders import PromMessage, get_sender

logger = logging.getLogger(__name__)

ALL_INSTRUMENTS = [Instrument.PSEQ.value, Instrument.BPI.value, Instrument.EQ5D5L.value]
# PROMs belong to episodes the service took on; an episode closed at triage has none.
NO_PROM_STATES = {EpisodeState.REJECTED, EpisodeState.REDIRECTED}


class LinkProblem(DomainError):
    """A patient link that cannot be used: ``code`` is invalid, expired or used (all shown as
    not found, with a page saying which)."""

    status_code = 404


# --- Scoring answers -------------------------------------------------------------------------


def _missing(instrument: str, answers: dict) -> dict[str, list[str]]:
    """Blank items a complete return must have (BPI interference may have blanks), in lists of
    the right length."""
    if instrument == Instrument.PSEQ:
        items = answers["items"]
        gaps = [f"Item {i} is missing: answer 0 to 6." for i, v in enumerate(items, 1) if v is None]
        return {"items": gaps} if gaps and len(items) == scoring.PSEQ_ITEMS else {}
    if instrument == Instrument.BPI:
        severity = answers["severity"]
        gaps = [f"Severity item {i} is missing: answer 0 to 10." for i, v in enumerate(severity, 1) if v is None]
        return {"severity": gaps} if gaps and len(severity) == scoring.BPI_SEVERITY_ITEMS else {}
    errors = {
        dim: [f"{dim.replace('_', ' ').capitalize()} is missing: give a level from 1 to 5."]
        for dim in scoring.EQ5D_DIMENSIONS
        if answers.get(dim) is None
    }
    if answers.get("vas") is None:
        errors["vas"] = ["The health scale (VAS) is missing: give a number from 0 to 100."]
    return errors


def answer_errors(instrument: str, answers: Any, value_set: str, *, require_complete: bool) -> dict[str, list[str]]:
    """Every problem with one instrument's answers, each item named: malformed, out of range and,
    when ``require_complete``, missing. Empty when the answers can be scored."""
    if not isinstance(answers, dict):
        return {"answers": ["Give the answers as an object."]}
    lists = {Instrument.PSEQ: ["items"], Instrument.BPI: ["severity", "interference"]}.get(instrument, [])
    errors = {key: ["Give a list of answers."] for key in lists if not isinstance(answers.get(key), list)}
    if instrument == Instrument.PSEQ and not errors:
        try:
            scoring.score_pseq(answers["items"])
        except scoring.AnswerError as exc:
            errors.update(exc.errors)
    elif instrument == Instrument.BPI:
        parts = {key: (None if key in errors else answers[key]) for key in lists}
        errors.update(scoring.bpi_errors(parts["severity"], parts["interference"]))
    elif instrument == Instrument.EQ5D5L:
        try:
            scoring.score_eq5d(
                {dim: answers.get(dim) for dim in scoring.EQ5D_DIMENSIONS}, answers.get("vas"), value_set
            )
        except scoring.AnswerError as exc:
            errors.update(exc.errors)
    if require_complete and not any(errors.get(key) == ["Give a list of answers."] for key in lists):
        for key, messages in _missing(instrument, answers).items():
            errors[key] = [*errors.get(key, []), *messages]
    return errors


def score_answers(instrument: str, answers: Any, value_set: str, *, require_complete: bool = False) -> scoring.Scored:
    """Score raw answers; malformed, out-of-range (or, if required, missing) answers raise
    InvalidInput naming each item."""
    errors = answer_errors(instrument, answers, value_set, require_complete=require_complete)
    if errors:
        raise InvalidInput(errors)
    if instrument == Instrument.PSEQ:
        return scoring.score_pseq(answers["items"])
    if instrument == Instrument.BPI:
        return scoring.score_bpi(answers["severity"], answers["interference"])
    levels = {dim: answers.get(dim) for dim in scoring.EQ5D_DIMENSIONS}
    return scoring.score_eq5d(levels, answers.get("vas"), value_set)


def canonical_answers(instrument: str, answers: dict) -> dict:
    """Only the answers the instrument has, so nothing else sent along is stored."""
    if instrument == Instrument.PSEQ:
        return {"items": answers["items"]}
    if instrument == Instrument.BPI:
        return {"severity": answers["severity"], "interference": answers["interference"]}
    return {key: answers.get(key) for key in [*scoring.EQ5D_DIMENSIONS, "vas"]}


@transaction.atomic
def prom_response_create(
    *,
    episode: Episode,
    instrument: str,
    timepoint: str,
    answers: Any,
    source: str = PromResponse.Source.PAPER,
    actor=None,
    completed_on: date | None = None,
    value_set: str | None = None,
    require_complete: bool = True,
) -> PromResponse:
    """Score and store one questionnaire; the scores are computed here and never edited.

    With ``require_complete`` a blank item is an error (API and paper returns); without it
    (patient links, or paper returns marked incomplete) the response is stored as incomplete
    with only the scores that need no guessing.
    """
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    errors: dict[str, list[str]] = {}
    if instrument not in Instrument.values:
        errors["instrument"] = [f"'{instrument}' is not an instrument. Use one of: {', '.join(Instrument.values)}."]
    if timepoint not in Timepoint.values:
        errors["timepoint"] = [f"'{timepoint}' is not a timepoint. Use one of: {', '.join(Timepoint.values)}."]
    completed_on = completed_on or today_london()
    if completed_on > today_london():
        errors["completed_on"] = ["The date completed cannot be in the future."]
    elif completed_on < episode.received_on:
        errors["completed_on"] = ["The date completed cannot be before the referral was received."]
    elif timepoint == Timepoint.FOLLOWUP and episode.discharged_on and completed_on < episode.discharged_on:
        errors["completed_on"] = ["A follow-up questionnaire cannot be completed before the discharge date."]
    if instrument == Instrument.EQ5D5L:
        # The value set may come beside the answers or among them; if both, they must agree.
        inner = answers.get("value_set") if isinstance(answers, dict) else None
        if value_set and inner and inner != value_set:
            errors["value_set"] = ["The value set is given twice, differently: give it once."]
        value_set = value_set or inner or rule("eq5d_value_set")
        if not isinstance(value_set, str):
            errors["value_set"] = [f"Give the value set as one of: {', '.join(scoring.VALUE_SETS)}."]
            value_set = rule("eq5d_value_set")
    elif value_set:
        errors["value_set"] = ["A value set applies to EQ-5D-5L only."]
    if instrument in Instrument.values:
        errors.update(answer_errors(instrument, answers, value_set or "", require_complete=require_complete))
    if errors:
        raise InvalidInput(errors)
    scored = score_answers(instrument, answers, value_set or "")
    if episode.state in NO_PROM_STATES:
        raise DomainError("This episode was closed at triage, so it has no PROMs.", code="episode_closed")
    if timepoint == Timepoint.FOLLOWUP and episode.state != EpisodeState.DISCHARGED:
        raise DomainError(
            "A follow-up questionnaire is for three months after discharge; this episode is not discharged.",
            code="not_discharged",
        )
    if PromResponse.objects.filter(episode=episode, instrument=instrument, timepoint=timepoint, complete=True).exists():
        raise DomainError(
            f"A complete {Instrument(instrument).label} is already recorded for {Timepoint(timepoint).label.lower()}.",
            code="prom_exists",
        )
    response = PromResponse.objects.create(
        episode=episode,
        instrument=instrument,
        timepoint=timepoint,
        instrument_version=scored.version,
        value_set=scored.value_set,
        answers=canonical_answers(instrument, answers),
        complete=scored.complete,
        scores=scored.scores,
        source=source,
        entered_by=actor,
        completed_on=completed_on,
    )
    event_record(
        episode=episode,
        kind=PathwayEvent.Kind.PROM,
        actor=actor,
        reason=f"{Instrument(instrument).label} ({Timepoint(timepoint).label.lower()}) recorded"
        + ("" if scored.complete else " as incomplete"),
        data={"prom": response.pk, "instrument": instrument, "timepoint": timepoint, "complete": scored.complete},
    )
    logger.info("PROM %s recorded for episode %s", response.pk, episode.pk)
    return response


# --- Patient links ---------------------------------------------------------------------------


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
    from .tasks import send_prom_invitation

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


# --- Schedule --------------------------------------------------------------------------------


def _without(qs, timepoint: str):
    return qs.exclude(prom_invitations__timepoint=timepoint).exclude(prom_responses__timepoint=timepoint)


def prom_schedule_run(*, today: date) -> dict[str, int]:
    """Create the links that have come due and send the reminders; running twice changes nothing.

    Entry: accepted episodes not yet assessed-and-scored. Discharge: discharged within the link's
    life. Follow-up: on the day ``prom_followup_months`` after discharge (or the first run after
    it, while a link would still be alive), never before. Reminders: once, ``prom_reminder_days``
    after sending, when unanswered.
    """
    counts = {"entry": 0, "discharge": 0, "followup": 0, "reminders": 0}
    window = timedelta(days=rule("prom_link_expiry_days"))
    entry = _without(Episode.objects.filter(state__in=[EpisodeState.ACCEPTED, EpisodeState.ASSESSMENT]), "entry")
    for episode in entry.select_related("patient").distinct():
        prom_invitation_create(episode=episode, timepoint=Timepoint.ENTRY, today=today)
        counts["entry"] += 1
    # Never write to a patient who has died.
    discharged = Episode.objects.filter(state=EpisodeState.DISCHARGED, discharged_on__isnull=False).exclude(
        discharge_reason=DischargeReason.DIED
    )
    for episode in (
        _without(discharged, "discharge")
        .filter(discharged_on__lte=today, discharged_on__gt=today - window)
        .select_related("patient")
        .distinct()
    ):
        prom_invitation_create(episode=episode, timepoint=Timepoint.DISCHARGE, today=today)
        counts["discharge"] += 1
    months = rule("prom_followup_months")
    earliest = add_months(today, -months) - window
    for episode in (
        _without(discharged, "followup").filter(discharged_on__gt=earliest).select_related("patient").distinct()
    ):
        due = add_months(episode.discharged_on, months)
        if due <= today < due + window:
            prom_invitation_create(episode=episode, timepoint=Timepoint.FOLLOWUP, today=today)
            counts["followup"] += 1
    reminder_days = rule("prom_reminder_days")
    waiting = PromInvitation.objects.filter(
        sent_at__isnull=False, reminder_sent_at__isnull=True, used_at__isnull=True, expires_at__gt=timezone.now()
    )
    for invitation in waiting.only("pk", "sent_at"):
        due = london_date(invitation.sent_at) + timedelta(days=reminder_days) <= today
        if due and prom_invitation_send(invitation_id=invitation.pk, reminder=True):
            counts["reminders"] += 1
    unsent = PromInvitation.objects.filter(sent_at__isnull=True, expires_at__gt=timezone.now()).exclude(channel="none")
    for invitation_id in unsent.values_list("pk", flat=True):
        prom_invitation_send(invitation_id=invitation_id)
    if any(counts.values()):
        logger.info("PROM schedule: %s", counts)
    return counts


# --- Experience, complaints and compliments ---------------------------------------------------


@transaction.atomic
def experience_survey_create(
    *, episode: Episode, positive: bool, comments: str = "", answered_on: date | None = None
) -> ExperienceSurvey:
    survey = ExperienceSurvey.objects.create(
        episode=episode, positive=positive, comments=comments.strip(), answered_on=answered_on or today_london()
    )
    event_record(
        episode=episode,
        kind=PathwayEvent.Kind.PROM,
        reason="Experience survey answered",
        data={"experience_survey": survey.pk, "positive": positive},
    )
    return survey


def _check_feedback(received_on: date, closed_on: date | None) -> None:
    errors = {}
    if received_on > today_london():
        errors["received_on"] = ["The date received cannot be in the future."]
    if closed_on and closed_on < received_on:
        errors["closed_on"] = ["The date closed cannot be before the date received."]
    if closed_on and closed_on > today_london():
        errors["closed_on"] = ["The date closed cannot be in the future."]
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def feedback_create(
    *,
    kind: str,
    received_on: date,
    summary: str,
    actor,
    episode: Episode | None = None,
    action_taken: str = "",
    closed_on: date | None = None,
) -> Feedback:
    _check_feedback(received_on, closed_on)
    if closed_on and kind == Feedback.Kind.COMPLAINT and not action_taken.strip():
        raise InvalidInput({"action_taken": ["Say what action was taken before closing a complaint."]})
    feedback = Feedback.objects.create(
        kind=kind,
        episode=episode,
        received_on=received_on,
        summary=summary,
        action_taken=action_taken,
        closed_on=closed_on,
        recorded_by=actor,
    )
    if episode is not None:
        event_record(
            episode=episode,
            kind=PathwayEvent.Kind.NOTE,
            actor=actor,
            reason=f"{feedback.get_kind_display()} recorded",
            data={"feedback": feedback.pk},
        )
    return feedback


@transaction.atomic
def feedback_update(
    *,
    feedback: Feedback,
    actor,
    summary: str,
    action_taken: str,
    closed_on: date | None,
    received_on: date,
    kind: str,
    episode: Episode | None = None,
) -> Feedback:
    _check_feedback(received_on, closed_on)
    if closed_on and kind == Feedback.Kind.COMPLAINT and not action_taken.strip():
        raise InvalidInput({"action_taken": ["Say what action was taken before closing a complaint."]})
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    feedback.kind, feedback.summary, feedback.action_taken = kind, summary, action_taken
    feedback.closed_on, feedback.received_on, feedback.episode = closed_on, received_on, episode
    feedback.save(update_fields=["kind", "summary", "action_taken", "closed_on", "received_on", "episode"])
    return feedback
