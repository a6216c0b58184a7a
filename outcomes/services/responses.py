"""PROM answers: checking and scoring them, and recording a response."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.db import transaction

from pathway.errors import DomainError, InvalidInput
from pathway.models import Episode, EpisodeState, PathwayEvent
from pathway.rules import rule
from pathway.services import event_record, today_london

from .. import scoring
from ..models import Instrument, PromResponse, Timepoint

logger = logging.getLogger(__name__)


ALL_INSTRUMENTS = [Instrument.PSEQ.value, Instrument.BPI.value, Instrument.EQ5D5L.value]


# PROMs belong to episodes the service took on; an episode closed at triage has none.
NO_PROM_STATES = {EpisodeState.REJECTED, EpisodeState.REDIRECTED}


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


def _check_order(episode: Episode, timepoint: str, completed_on: date) -> None:
    """Entry comes before the discharge and the discharge questionnaire at or after it, or the change
    from entry to discharge would compare the wrong answers."""
    discharged_on = episode.discharged_on if episode.state == EpisodeState.DISCHARGED else None
    if timepoint == Timepoint.ENTRY and discharged_on and completed_on > discharged_on:
        raise DomainError(
            f"An entry questionnaire cannot be completed after the discharge on {discharged_on:%-d %B %Y}.",
            code="prom_out_of_order",
        )
    if timepoint == Timepoint.DISCHARGE and discharged_on is None:
        raise DomainError(
            "A discharge questionnaire is for the discharge: this episode is not discharged yet.",
            code="prom_out_of_order",
        )
    if timepoint == Timepoint.DISCHARGE and completed_on < discharged_on:
        raise DomainError(
            f"A discharge questionnaire cannot be completed before the discharge on {discharged_on:%-d %B %Y}.",
            code="prom_out_of_order",
        )


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
    _check_order(episode, timepoint, completed_on)
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
