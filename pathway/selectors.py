"""Reads of the core domain for views, API and reports."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from . import rtt
from .access import episodes_visible_to, event_visible_to, patient_episodes_visible_to
from .calendar import london_date
from .models import Deadline, Episode, EpisodeState, PathwayEvent, Patient, RttPeriod
from .rules import rule


def discharged_after_care_q(prefix: str = "") -> Q:
    """Per episode: discharged after the service accepted it.

    A referral withdrawn before acceptance is closed as a discharge from triage, without an
    admission date; a rejected or redirected referral never reaches ``discharged``. Neither is in
    the denominators of the care-plan and discharge-letter KPIs, nor is sent PROMs or the survey.
    """
    return Q(**{f"{prefix}state": EpisodeState.DISCHARGED, f"{prefix}admitted_on__isnull": False})


def episode_timeline(episode: Episode) -> QuerySet[PathwayEvent]:
    return episode.events.select_related("actor").order_by("at", "id")


def episode_rtt_period(episode: Episode, periods: list[RttPeriod] | None = None) -> RttPeriod | None:
    """The current RTT period: the running one, else the latest that was not nullified. ``periods``, when
    the caller has read them: the episode's periods in their order (clock start, id)."""
    periods = list(episode.rtt_periods.all()) if periods is None else periods
    running = [p for p in periods if p.clock_stop is None]
    if running:
        return running[-1]
    kept = [p for p in periods if not p.nullified]
    return kept[-1] if kept else None


def rtt_warning(clock_start: date, today: date) -> str | None:
    """The 12- and 16-week warnings (``rtt_warning_weeks``) and the breach of a running clock."""
    return rtt.wait_warning(
        clock_start, today, warning_weeks=tuple(rule("rtt_warning_weeks")), max_days=rule("rtt_max_days_within")
    )


def rtt_summary(episode: Episode, today: date | None = None, *, periods: list[RttPeriod] | None = None) -> dict:
    period = episode_rtt_period(episode, periods)
    if period is None:
        return {"rtt_clock_start": None, "rtt_clock_stop": None, "rtt_breach_on": None, "rtt_warning": None}
    running = period.clock_stop is None
    warning = rtt_warning(period.clock_start, today or london_date(timezone.now())) if running else None
    return {
        "rtt_clock_start": period.clock_start,
        "rtt_clock_stop": period.clock_stop,
        "rtt_breach_on": rtt.breach_on(period.clock_start, rule("rtt_max_days_within")),
        "rtt_status_code": period.status_code,
        "rtt_warning": warning,
        "rtt_warning_label": rtt.warning_label(warning),
    }


def episode_open_deadlines(episode: Episode) -> QuerySet[Deadline]:
    return episode.deadlines.open().order_by("due_on")


def patient_record(patient: Patient, *, user) -> list[dict]:
    """The patient's episodes this user may see, newest first, each with its timeline (filtered by the
    access policy like the objects it describes), open deadlines and RTT summary.

    Four queries whatever the number of episodes or events: the timelines, deadlines and RTT
    periods of all the episodes are prefetched together.
    """
    episodes = (
        patient_episodes_visible_to(user, patient)
        .select_related("practice", "team", "referral")
        .prefetch_related(
            Prefetch(
                "events", queryset=PathwayEvent.objects.select_related("actor").order_by("at", "id"), to_attr="timeline"
            ),
            Prefetch("deadlines", queryset=Deadline.objects.open().order_by("due_on"), to_attr="open_deadlines"),
            "rtt_periods",
        )
        .order_by("-received_on", "-id")
    )
    return [
        {
            "episode": episode,
            "events": [event for event in episode.timeline if event_visible_to(user, event)],
            "deadlines": episode.open_deadlines,
            "rtt": rtt_summary(episode),
        }
        for episode in episodes
    ]


def breached_deadlines(user, *, kinds=None) -> QuerySet[Deadline]:
    qs = Deadline.objects.open().filter(breached_on__isnull=False, episode__in=episodes_visible_to(user))
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.select_related("episode", "episode__patient").order_by("due_on")


def days_left(due_on: date, today: date) -> int:
    return (due_on - today).days
