"""The patient tracking list: open RTT periods by weeks waited."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import DateField, OuterRef, QuerySet, Subquery

from careplans.models import Appointment
from pathway import rtt
from pathway.models import OPEN_STATES, RttPeriod
from pathway.rules import rule
from pathway.selectors import rtt_warning

from ..kpis import Scope


def ptl(scope: Scope | None = None, *, band: str | None = None, today: date) -> QuerySet[RttPeriod]:
    """Open RTT pathways, longest wait first, with the next booked appointment."""
    scope = scope or Scope()
    next_appointment = (
        Appointment.objects.filter(episode=OuterRef("episode_id"), date__gte=today, outcome="")
        .order_by("date", "time", "id")
        .values("date")[:1]
    )
    qs = (
        RttPeriod.objects.filter(
            scope.episode_q("episode__"), clock_stop__isnull=True, episode__state__in=[s.value for s in OPEN_STATES]
        )
        .annotate(next_appointment=Subquery(next_appointment, output_field=DateField()))
        .select_related("episode", "episode__practice")
        .order_by("clock_start", "id")
    )
    # Bands follow weeks waited, ceil(days / 7): week N starts on day 7 * (N - 1) + 1.
    # "18+" is 18 weeks or more, so it includes the 52+ waits.
    if band == "18+":
        qs = qs.filter(clock_start__lte=_week_starts(today, 18))
    elif band == "52+":
        qs = qs.filter(clock_start__lte=_week_starts(today, 52))
    elif band == "0-17":
        qs = qs.filter(clock_start__gt=_week_starts(today, 18))
    return qs


def _week_starts(today: date, weeks: int) -> date:
    """The latest clock start that has waited ``weeks`` weeks or more by ``today``."""
    return today - timedelta(days=7 * (weeks - 1) + 1)


def ptl_row(period: RttPeriod, today: date) -> dict:
    weeks = rtt.weeks_waited(period.clock_start, today)
    return {
        "episode_id": period.episode_id,
        "episode_reference": period.episode.reference,
        "patient_id": period.episode.patient_id,
        "practice_ods": period.episode.practice.ods_code,
        "state": period.episode.state,
        "tier": period.episode.tier,
        "clock_start": period.clock_start,
        "days_waited": rtt.days_waited(period.clock_start, today),
        "weeks_waited": weeks,
        "rtt_breach_on": rtt.breach_on(period.clock_start, rule("rtt_max_days_within")),
        "next_appointment": period.next_appointment,
        "band": rtt.wait_band(weeks),
        "rtt_warning": (warning := rtt_warning(period.clock_start, today)),
        "rtt_warning_label": rtt.warning_label(warning),
    }
