"""The first definitive treatment, which stops the RTT clock."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from pathway import rtt
from pathway.errors import InvalidInput
from pathway.models import Episode
from pathway.services import episode_bump, episode_transition, rtt_clock_stop, rtt_running_period

from ..models import TreatmentStart
from ._episode import S, _lock, _not_before_referral, _not_in_future, _require_in_care, _sync


@transaction.atomic
def treatment_start(
    *, episode: Episode, date: date, kind: str, actor=None, expected_version: int | None = None
) -> tuple[TreatmentStart, bool]:
    """Record the first definitive treatment: stops the RTT clock (status 30). Idempotent.

    Returns (treatment start, created).
    """
    existing = TreatmentStart.objects.filter(episode_id=episode.pk).order_by("date", "id").first()
    if existing is not None:
        return existing, False
    locked = _lock(episode, expected_version)
    existing = TreatmentStart.objects.filter(episode=locked).first()
    if existing is not None:
        return existing, False
    _require_in_care(locked, "start treatment")
    if kind not in TreatmentStart.Kind.values:
        raise InvalidInput(
            {"kind": [f"'{kind}' is not a kind of treatment ({', '.join(TreatmentStart.Kind.values)})."]}
        )
    _not_before_referral(locked, date, "date", "treatment date")
    _not_in_future(date, "date", "treatment date")
    period = rtt_running_period(locked)
    if period is not None and date < period.clock_start:
        raise InvalidInput(
            {"date": [f"The treatment date cannot be before the RTT clock started ({period.clock_start})."]}
        )
    started = TreatmentStart.objects.create(episode=locked, date=date, kind=kind, recorded_by=actor)
    rtt_clock_stop(
        episode=locked,
        on=date,
        status_code=rtt.STATUS_FIRST_DEFINITIVE_TREATMENT,
        reason=f"First definitive treatment: {started.get_kind_display().lower()}",
        actor=actor,
    )
    if locked.state == S.ACCEPTED:
        episode_transition(episode=locked, to=S.ASSESSMENT, actor=actor, reason="Treatment started")
    if locked.state == S.ASSESSMENT:
        episode_transition(episode=locked, to=S.TREATMENT, actor=actor, reason="First definitive treatment started")
    else:
        episode_bump(locked)
    _sync(episode, locked)
    return started, True
