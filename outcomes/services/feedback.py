"""The experience survey, complaints and compliments."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from pathway.errors import InvalidInput
from pathway.models import Episode, PathwayEvent
from pathway.services import event_record, today_london

from ..models import ExperienceSurvey, Feedback


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
