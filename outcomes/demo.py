"""Demo outcomes: entry PROMs for accepted episodes, discharge PROMs and experience surveys for
discharged ones, and a log of complaints and compliments. All through the services."""

from __future__ import annotations

from datetime import timedelta

from pathway.models import EpisodeState

from . import services
from .models import Feedback, PromResponse

TREATED = {EpisodeState.ACCEPTED, EpisodeState.ASSESSMENT, EpisodeState.TREATMENT, EpisodeState.DISCHARGED}
COMMENTS_GOOD = [
    "The pain management programme gave me my life back.",
    "Staff listened and explained things clearly.",
    "I feel more confident managing flare-ups.",
    "",
]
COMMENTS_BAD = ["The wait for my first appointment was too long.", "Hard to get through on the phone.", ""]
COMPLAINTS = [
    ("Waited four months for a first appointment.", "Apologised; added an extra clinic per week."),
    ("Appointment cancelled at short notice twice.", "Reviewed clinic cancellation process with the team."),
    ("Letter to GP had the wrong medication dose.", "Letter corrected and re-sent; template changed."),
]
COMPLIMENTS = [
    "Thank you to the physiotherapy team for their patience.",
    "The group programme was excellent.",
    "Card from a patient thanking the nurse specialist.",
]


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _answers(rng, severity_level: int, confidence: int) -> dict[str, dict]:
    """Plausible answers around a patient's pain level and confidence."""
    pseq = [_clamp(confidence + rng.randint(-1, 1), 0, 6) for _ in range(10)]
    severity = [_clamp(severity_level + d + rng.randint(-1, 1), 0, 10) for d in (2, -2, 0, 0)]
    interference = [_clamp(severity_level + rng.randint(-2, 1), 0, 10) for _ in range(7)]
    if rng.random() < 0.1:
        interference[rng.randrange(7)] = None
    dim = _clamp(round(severity_level / 2.2), 1, 5)
    eq5d = {
        "mobility": _clamp(dim + rng.randint(-1, 0), 1, 5),
        "self_care": _clamp(dim - 1, 1, 5),
        "usual_activities": _clamp(dim + rng.randint(-1, 0), 1, 5),
        "pain_discomfort": _clamp(dim + 1, 1, 5),
        "anxiety_depression": _clamp(dim + rng.randint(-1, 1), 1, 5),
        "vas": _clamp(100 - severity_level * 9 + rng.randint(-5, 5), 0, 100),
    }
    return {
        "PSEQ": {"items": pseq},
        "BPI": {"severity": severity, "interference": interference},
        "EQ5D5L": eq5d,
    }


def _record(episode, timepoint, answers, completed_on, actor, source) -> None:
    for instrument, given in answers.items():
        services.prom_response_create(
            episode=episode,
            instrument=instrument,
            timepoint=timepoint,
            answers=given,
            source=source,
            actor=actor if source == PromResponse.Source.PAPER else None,
            completed_on=completed_on,
            require_complete=False,
        )


def seed(ctx) -> None:
    rng = ctx.rng
    clinician = ctx.users["clinician"]
    for episode in ctx.episodes:
        episode.refresh_from_db()
        if episode.state not in TREATED or rng.random() < 0.2:
            continue
        severity, confidence = rng.randint(5, 9), rng.randint(1, 3)
        entry_on = min(ctx.today, (episode.admitted_on or episode.received_on) + timedelta(days=rng.randint(3, 20)))
        if episode.discharged_on:
            # An entry questionnaire is never completed after the discharge.
            entry_on = min(entry_on, episode.discharged_on)
        source = rng.choice([PromResponse.Source.PATIENT_LINK, PromResponse.Source.PAPER])
        _record(episode, "entry", _answers(rng, severity, confidence), entry_on, clinician, source)
        if episode.state != EpisodeState.DISCHARGED:
            continue
        discharged_on = episode.discharged_on or ctx.today
        # About two in three patients improve meaningfully by discharge.
        improved = rng.random() < 0.65
        after = _answers(rng, severity - (3 if improved else 0), confidence + (2 if improved else 0))
        _record(episode, "discharge", after, max(entry_on, discharged_on), clinician, source)
        if rng.random() < 0.7:
            positive = rng.random() < (0.9 if improved else 0.6)
            services.experience_survey_create(
                episode=episode,
                positive=positive,
                comments=rng.choice(COMMENTS_GOOD if positive else COMMENTS_BAD),
                answered_on=max(entry_on, discharged_on),
            )
    lead = ctx.users["lead"]
    for i, (summary, action) in enumerate(COMPLAINTS):
        received = ctx.today - timedelta(days=20 + 35 * i)
        closed = i > 0
        services.feedback_create(
            kind=Feedback.Kind.COMPLAINT,
            received_on=received,
            summary=summary,
            action_taken=action if closed else "",
            closed_on=received + timedelta(days=14) if closed else None,
            actor=lead,
        )
    for i, summary in enumerate(COMPLIMENTS):
        services.feedback_create(
            kind=Feedback.Kind.COMPLIMENT,
            received_on=ctx.today - timedelta(days=10 + 40 * i),
            summary=summary,
            action_taken="Shared with the team.",
            closed_on=ctx.today - timedelta(days=5 + 40 * i),
            actor=lead,
        )
