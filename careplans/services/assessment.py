"""The biopsychosocial assessment and the urgent mental-health referral a risk starts."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from pathway.calendar import add_working_days
from pathway.models import DeadlineKind, Episode, PathwayEvent
from pathway.rules import rule
from pathway.services import deadline_create, deadline_meet, episode_bump, episode_transition, event_record

from ..models import Assessment
from ._episode import S, _lock, _not_before_referral, _not_in_future, _require_in_care, _sync


@transaction.atomic
def assessment_record(
    *,
    episode: Episode,
    assessed_on: date,
    clinician,
    biological: str = "",
    psychological: str = "",
    social: str = "",
    goals: str = "",
    suicide_risk: bool = False,
    alcohol_misuse: bool = False,
    drug_misuse: bool = False,
    risk_notes: str = "",
    expected_version: int | None = None,
) -> Assessment:
    """Record the biopsychosocial assessment; a risk found starts an urgent mental-health referral."""
    locked = _lock(episode, expected_version)
    _require_in_care(locked, "record an assessment")
    _not_before_referral(locked, assessed_on, "assessed_on", "assessment date")
    _not_in_future(assessed_on, "assessed_on", "assessment date")
    assessment = Assessment.objects.create(
        episode=locked,
        assessed_on=assessed_on,
        clinician=clinician,
        biological=biological,
        psychological=psychological,
        social=social,
        goals=goals,
        suicide_risk=suicide_risk,
        alcohol_misuse=alcohol_misuse,
        drug_misuse=drug_misuse,
        risk_notes=risk_notes,
    )
    event_record(
        episode=locked,
        kind=PathwayEvent.Kind.CLINICAL,
        actor=clinician,
        reason=f"Biopsychosocial assessment recorded ({assessed_on:%d %b %Y})",
        data={"assessment": assessment.pk},
    )
    risks = [
        label
        for flag, label in (
            (suicide_risk, "suicide risk"),
            (alcohol_misuse, "alcohol misuse"),
            (drug_misuse, "drug misuse"),
        )
        if flag
    ]
    if risks:
        due = add_working_days(assessed_on, rule("mental_health_referral_working_days"))
        deadline_create(
            kind=DeadlineKind.MENTAL_HEALTH_REFERRAL,
            episode=locked,
            subject=f"assessment:{assessment.pk}",
            started_on=assessed_on,
            due_on=due,
            note=", ".join(risks),
        )
        event_record(
            episode=locked,
            kind=PathwayEvent.Kind.DEADLINE,
            actor=clinician,
            reason=f"Urgent mental-health referral needed ({', '.join(risks)}): due {due:%d %b %Y}",
            data={"assessment": assessment.pk, "due_on": due.isoformat()},
        )
    if locked.state == S.ACCEPTED:
        episode_transition(episode=locked, to=S.ASSESSMENT, actor=clinician, reason="First assessment recorded")
    else:
        episode_bump(locked)
    _sync(episode, locked)
    return assessment


@transaction.atomic
def mental_health_referral_made(*, episode: Episode, on: date, actor=None, expected_version: int | None = None) -> int:
    """The urgent mental-health referral was sent: meet its open deadlines."""
    locked = _lock(episode, expected_version)
    met = deadline_meet(kind=DeadlineKind.MENTAL_HEALTH_REFERRAL, episode=locked, subject=None, on=on)
    if met:
        event_record(episode=locked, kind=PathwayEvent.Kind.CLINICAL, actor=actor, reason="Mental-health referral sent")
        episode_bump(locked)
    _sync(episode, locked)
    return met
