"""The patient tracking list: open RTT periods by weeks waited."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import DateField, OuterRef, QuerySet, Subquery

from careplans.models import Appointment
from pathway import rtt
from pathway.models import OPEN_STATES, Episode, RttPeriod
from pathway.rules import rule

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


# What a PTL row reads of its period, episode and practice, in ``PtlRows.row``'s order: the CSV reads
# these as plain values (``ptl_values``), never building the three model objects a row.
PTL_VALUES = (
    "episode_id",
    "episode__patient_id",
    "episode__practice__ods_code",
    "episode__state",
    "episode__tier",
    "clock_start",
    "next_appointment",
)


def ptl_values(qs: QuerySet[RttPeriod]):
    """``ptl``'s rows as tuples of ``PTL_VALUES``."""
    return qs.values_list(*PTL_VALUES)


class PtlRows:
    """PTL rows for one day, with the service's rules read once rather than three times a row."""

    def __init__(self, today: date):
        self.today = today
        self.max_days = rule("rtt_max_days_within")
        self.warning_weeks = tuple(rule("rtt_warning_weeks"))

    def row(self, episode_id, patient_id, practice_ods, state, tier, clock_start, next_appointment) -> dict:
        weeks = rtt.weeks_waited(clock_start, self.today)
        warning = rtt.wait_warning(clock_start, self.today, warning_weeks=self.warning_weeks, max_days=self.max_days)
        return {
            "episode_id": episode_id,
            "episode_reference": Episode.reference_of(episode_id),
            "patient_id": patient_id,
            "practice_ods": practice_ods,
            "state": state,
            "tier": tier,
            "clock_start": clock_start,
            "days_waited": rtt.days_waited(clock_start, self.today),
            "weeks_waited": weeks,
            "rtt_breach_on": rtt.breach_on(clock_start, self.max_days),
            "next_appointment": next_appointment,
            "band": rtt.wait_band(weeks),
            "rtt_warning": warning,
            "rtt_warning_label": rtt.warning_label(warning),
        }


def ptl_row(period: RttPeriod, today: date) -> dict:
    """One row of ``ptl`` (a period with its episode and practice selected), for a page of them."""
    episode = period.episode
    return PtlRows(today).row(
        period.episode_id,
        episode.patient_id,
        episode.practice.ods_code,
        episode.state,
        episode.tier,
        period.clock_start,
        period.next_appointment,
    )
