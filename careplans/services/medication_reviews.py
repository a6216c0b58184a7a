"""Medication reviews: a recorded review meets the 6-week review deadlines of the changes before it."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from pathway.errors import InvalidInput
from pathway.models import Deadline, DeadlineKind, Episode, PathwayEvent
from pathway.services import episode_bump, event_record, today_london

from ..models import Appointment, MedicationLine, MedicationReview
from ._episode import _lock, _not_in_future, _require_in_care, _sync
from .appointments import appointment_record_outcome


def _change_date(line: MedicationLine) -> date:
    return line.stopped_on or line.started_on


def _review_lines(locked: Episode, line_ids: Any) -> list[MedicationLine]:
    ids = list(line_ids or [])
    try:
        ids = sorted({int(i) for i in ids})
    except (TypeError, ValueError):
        raise InvalidInput({"lines": ["Give the ids of medicines of this episode."]})
    lines = list(MedicationLine.objects.filter(episode=locked, pk__in=ids))
    if len(lines) != len(ids):
        raise InvalidInput({"lines": ["Give the ids of medicines of this episode."]})
    return lines


def _record(
    locked: Episode,
    *,
    on: date,
    outcome: str,
    notes: str,
    line_ids: Any,
    appointment: Appointment | None,
    actor,
) -> tuple[MedicationReview, list[int]]:
    if outcome not in MedicationReview.Outcome.values:
        raise InvalidInput({"outcome": [f"'{outcome}' is not an outcome (use continue, adjust or stop)."]})
    _not_in_future(on, "date", "review date")
    lines = _review_lines(locked, line_ids)
    open_reviews = Deadline.objects.open().filter(kind=DeadlineKind.MEDICATION_REVIEW, episode=locked)
    if lines:
        latest = max(_change_date(line) for line in lines)
        if on < latest:
            raise InvalidInput({"date": [f"The review cannot be before the change it reviews ({latest})."]})
    else:
        earliest = open_reviews.order_by("started_on").values_list("started_on", flat=True).first()
        if earliest is not None and on < earliest:
            raise InvalidInput({"date": [f"The review cannot be before the change it reviews ({earliest})."]})
    review = MedicationReview.objects.create(
        episode=locked, date=on, outcome=outcome, notes=notes or "", appointment=appointment, recorded_by=actor
    )
    if lines:
        review.lines.set(lines)
    met = list(open_reviews.filter(started_on__lte=on).order_by("id").values_list("pk", flat=True))
    Deadline.objects.filter(pk__in=met).update(met_on=on)
    event_record(
        episode=locked,
        kind=PathwayEvent.Kind.CLINICAL,
        actor=actor,
        reason=f"Medication review ({review.get_outcome_display().lower()}) on {on}",
        data={"medication_review": review.pk, "met_deadlines": met},
    )
    return review, met


@transaction.atomic
def medication_review_record(
    *,
    episode: Episode,
    date: date | None = None,
    outcome: str,
    notes: str = "",
    lines: Any = None,
    appointment: Appointment | None = None,
    actor=None,
    expected_version: int | None = None,
) -> tuple[MedicationReview, list[int]]:
    """Record a review on ``date``; every open medication-review deadline of the episode that
    started on or before it is met on that date. Returns the review and the met deadline ids."""
    locked = _lock(episode, expected_version)
    _require_in_care(locked, "record a medication review")
    review, met = _record(
        locked,
        on=date or today_london(),
        outcome=outcome,
        notes=notes,
        line_ids=lines,
        appointment=appointment,
        actor=actor,
    )
    episode_bump(locked)
    _sync(episode, locked)
    return review, met


@transaction.atomic
def appointment_attended_with_review(
    *,
    appointment: Appointment,
    review_outcome: str,
    notes: str = "",
    lines: Any = None,
    actor=None,
    expected_version: int | None = None,
) -> tuple[Appointment, MedicationReview, list[int]]:
    """A review appointment attended, and the medication review made in it, in one step."""
    appt = appointment_record_outcome(
        appointment=appointment, outcome=Appointment.Outcome.ATTENDED, actor=actor, expected_version=expected_version
    )
    locked = _lock(appointment.episode_id, None)
    review, met = _record(
        locked, on=appt.date, outcome=review_outcome, notes=notes, line_ids=lines, appointment=appt, actor=actor
    )
    episode_bump(locked)
    _sync(appointment.episode, locked)
    return appt, review, met
