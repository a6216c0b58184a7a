"""KPI definitions of DESIGN.md section 8, computed in the database.

Each KPI is a base queryset (the rows it counts: RTT periods, appointments, episodes, surveys,
triage decisions) with a numerator and a denominator condition. One aggregate query per KPI
gives both counts, whatever the number of episodes; the same definition lists the episodes
behind each number for the service lead's drill-down.

Values: fractions 0-1 rounded to 4 decimal places; the new-to-review ratio is a ratio rounded
to 2 places; ``over_9_months`` is the count of episodes over 9 months. ``value`` is ``None``
when the denominator is 0 (except for the count).
"""

from __future__ import annotations

import calendar as _cal
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import CharField, Count, Exists, F, FloatField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Concat

from careplans.models import Appointment, CarePlan, Extension
from careplans.selectors import care_plan_written_q
from outcomes.models import ExperienceSurvey, Instrument, PromResponse, Timepoint
from pathway.calendar import add_months
from pathway.episode_dates import limit_reached_if_admitted_by
from pathway.errors import InvalidInput
from pathway.letters.selectors import letters_on_time
from pathway.models import (
    Commissioner,
    Deadline,
    DeadlineKind,
    Episode,
    EpisodeState,
    Letter,
    LetterKind,
    LetterState,
    Practice,
    RttPeriod,
)
from pathway.rules import rule
from pathway.selectors import discharged_after_care_q
from triage.models import TriageDecision

from .snapshots import snapshot_counts

LONDON = ZoneInfo("Europe/London")
MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})")

# Local targets (DESIGN.md: "local" / "stretch"); override with settings.REPORTING_KPI_TARGETS.
DEFAULT_TARGETS: dict[str, float | None] = {
    "rtt_18_weeks": 0.92,
    "new_to_review_ratio": 2.16,
    "care_plan_written": 0.95,
    "prom_improvement": 0.5,
    "positive_experience": 0.9,
    "discharge_letter_on_time": 1.0,
    "prescribing_advice_on_time": 1.0,
    "triage_on_time": 0.95,
    "over_9_months": None,
}

# Float JSON scores (e.g. an EQ-5D index 0.700 -> 0.750) must not miss a threshold by rounding.
EPSILON = 1e-9


def parse_month(value: str | None, *, field_name: str = "month") -> date:
    """'2026-10' -> date(2026, 10, 1); InvalidInput naming the field otherwise."""
    if not value:
        raise InvalidInput({field_name: ["Choose a month, written as YYYY-MM (for example 2026-10)."]})
    match = MONTH_RE.fullmatch(value.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        raise InvalidInput({field_name: [f"'{value}' is not a month. Write it as YYYY-MM, for example 2026-10."]})
    return date(int(match.group(1)), int(match.group(2)), 1)


def month_last_day(month: date) -> date:
    return month.replace(day=_cal.monthrange(month.year, month.month)[1])


def months_back(month: date, n: int) -> list[date]:
    """The ``n`` months ending with ``month``, oldest first."""
    return [add_months(month, -i) for i in range(n - 1, -1, -1)]


def london_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def targets() -> dict[str, float | None]:
    return {**DEFAULT_TARGETS, **getattr(settings, "REPORTING_KPI_TARGETS", {})}


@dataclass(frozen=True)
class Scope:
    """Whose data: a commissioner (None = the whole service), optionally a practice and a tier."""

    commissioner: Commissioner | None = None
    practice: Practice | None = None
    tier: int | None = None

    def episode_q(self, prefix: str = "") -> Q:
        q = Q()
        if self.commissioner is not None:
            q &= Q(**{f"{prefix}practice__commissioner": self.commissioner})
        if self.practice is not None:
            q &= Q(**{f"{prefix}practice": self.practice})
        if self.tier is not None:
            q &= Q(**{f"{prefix}tier": self.tier})
        return q


def _all(end: date) -> Q:
    return Q()


@dataclass(frozen=True)
class Kpi:
    code: str
    name: str
    kind: str  # "fraction", "ratio" or "count"
    rows: Callable[[Scope, date, date], QuerySet]
    numerator: Callable[[date], Q]
    denominator: Callable[[date], Q] = _all
    episode_path: str = "episode_id"

    def _counted(self, end: date) -> dict:
        return {
            "numerator": Count("pk", filter=self.numerator(end)),
            "denominator": Count("pk", filter=self.denominator(end)),
        }

    def counts(self, scope: Scope, month: date) -> tuple[int, int]:
        end = month_last_day(month)
        totals = self.rows(scope, month, end).aggregate(**self._counted(end))
        return totals["numerator"], totals["denominator"]

    def counts_by_practice_and_tier(self, month: date) -> list[tuple[int, int | None, int, int]]:
        """``(practice_id, tier, numerator, denominator)`` over the whole service (the snapshots)."""
        end = month_last_day(month)
        prefix = "" if self.episode_path == "pk" else "episode__"
        return list(
            self.rows(Scope(), month, end)
            .order_by()
            .values_list(f"{prefix}practice_id", f"{prefix}tier")
            .annotate(**self._counted(end))
        )

    def result(self, scope: Scope, month: date, counts: tuple[int, int] | None = None) -> dict:
        numerator, denominator = counts if counts is not None else self.counts(scope, month)
        if self.kind == "count":
            value: float | int | None = denominator
        elif denominator == 0:
            value = None
        else:
            value = round(numerator / denominator, 2 if self.kind == "ratio" else 4)
        return {
            "code": self.code,
            "name": self.name,
            "numerator": numerator,
            "denominator": denominator,
            "value": value,
            "target": targets().get(self.code),
        }

    def episode_ids(self, scope: Scope, month: date, *, part: str = "denominator") -> QuerySet:
        """Episode IDs behind the numerator or the denominator (drill-down for staff)."""
        end = month_last_day(month)
        condition = self.numerator(end) if part == "numerator" else self.denominator(end)
        return self.rows(scope, month, end).filter(condition).values(self.episode_path)


# --- Row sets -----------------------------------------------------------------------------


def _closed_after(end: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}discharged_on__isnull": True}) | Q(**{f"{prefix}discharged_on__gt": end})


def rtt_rows(scope: Scope, start: date, end: date) -> QuerySet:
    """Incomplete pathways at the month-end snapshot.

    A clock stopped after the month end, for any reason, was still running at the snapshot; that
    includes one nullified later by a DNA of the first appointment (a nullified period always
    has its clock stop on the DNA date).
    """
    return (
        RttPeriod.objects.filter(scope.episode_q("episode__"), clock_start__lte=end)
        .filter(Q(clock_stop__isnull=True) | Q(clock_stop__gt=end))
        .filter(_closed_after(end, "episode__"))
    )


def rtt_within_q(end: date) -> Q:
    return Q(clock_start__gte=end - timedelta(days=rule("rtt_max_days_within")))


def attendance_rows(scope: Scope, start: date, end: date) -> QuerySet:
    return Appointment.objects.filter(
        scope.episode_q("episode__"),
        date__range=(start, end),
        outcome=Appointment.Outcome.ATTENDED,
        kind__in=[Appointment.Kind.NEW, Appointment.Kind.REVIEW],
    )


def discharged_rows(scope: Scope, start: date, end: date) -> QuerySet:
    """Discharged in the month after the service accepted the referral (never a withdrawn or rejected one)."""
    return Episode.objects.filter(scope.episode_q(), discharged_after_care_q(), discharged_on__range=(start, end))


def care_plan_shared() -> Exists:
    """Per episode: a care plan written (goals, flare-up and emergency plans) and shared with both the
    patient and the GP (the KPI and the data set)."""
    return Exists(CarePlan.objects.filter(care_plan_written_q(), episode=OuterRef("pk")))


def care_plan_rows(scope: Scope, start: date, end: date) -> QuerySet:
    return discharged_rows(scope, start, end).annotate(plan_shared=care_plan_shared())


def prom_score(instrument: str, timepoint: str, key: str, *, latest: bool) -> Subquery:
    order = ("-completed_on", "-id") if latest else ("completed_on", "id")
    return Subquery(
        PromResponse.objects.filter(episode=OuterRef("pk"), instrument=instrument, timepoint=timepoint, complete=True)
        # A JSON null (BPI interference with fewer than 4 items) is no score; SQLite would cast it to 0.
        .filter(scores__has_key=key)
        .exclude(**{f"scores__{key}": None})
        .annotate(score=Cast(KeyTextTransform(key, "scores"), FloatField()))
        .order_by(*order)
        .values("score")[:1],
        output_field=FloatField(),
    )


PROM_PAIRS = {
    "pseq": (Instrument.PSEQ, "total"),
    "bpi": (Instrument.BPI, "interference"),
    "eq5d": (Instrument.EQ5D5L, "index"),
}


def prom_annotations() -> dict:
    """The first complete entry score and the last complete discharge score per instrument."""
    out = {}
    for name, (instrument, key) in PROM_PAIRS.items():
        out[f"{name}_entry"] = prom_score(instrument, Timepoint.ENTRY, key, latest=False)
        out[f"{name}_discharge"] = prom_score(instrument, Timepoint.DISCHARGE, key, latest=True)
    return out


def prom_rows(scope: Scope, start: date, end: date) -> QuerySet:
    return discharged_rows(scope, start, end).annotate(**prom_annotations())


def _has(name: str) -> Q:
    return Q(**{f"{name}_entry__isnull": False, f"{name}_discharge__isnull": False})


def prom_has_pair_q() -> Q:
    return _has("pseq") | _has("bpi") | _has("eq5d")


def prom_improved_q() -> Q:
    """PSEQ decides when there is a pair; else BPI interference; else the EQ-5D index."""
    pseq_up = Q(pseq_discharge__gte=F("pseq_entry") + rule("pseq_improvement_points") - EPSILON)
    bpi_down = Q(bpi_discharge__lte=F("bpi_entry") - rule("bpi_interference_improvement") + EPSILON)
    eq5d_up = Q(eq5d_discharge__gte=F("eq5d_entry") + rule("eq5d_index_improvement") - EPSILON)
    return (
        (_has("pseq") & pseq_up)
        | (~_has("pseq") & _has("bpi") & bpi_down)
        | (~_has("pseq") & ~_has("bpi") & _has("eq5d") & eq5d_up)
    )


def survey_rows(scope: Scope, start: date, end: date) -> QuerySet:
    return ExperienceSurvey.objects.filter(scope.episode_q("episode__"), answered_on__range=(start, end))


def discharge_letter_on_time() -> Exists:
    """Per episode: a discharge letter was delivered on time (the KPI and the data set)."""
    return Exists(letters_on_time(Letter.objects.filter(episode=OuterRef("pk"), kind=LetterKind.DISCHARGE)))


def letter_rows(scope: Scope, start: date, end: date) -> QuerySet:
    return discharged_rows(scope, start, end).annotate(letter_on_time=discharge_letter_on_time())


def prescribing_advice_rows(scope: Scope, start: date, end: date) -> QuerySet:
    """Prescribing advice letters to practices for decisions made in the month (the decision date
    is the start of the letter's deadline), each marked on time by the one letters-on-time rule."""
    decided_on = Deadline.objects.filter(
        kind=DeadlineKind.PRESCRIBING_ADVICE,
        episode=OuterRef("episode_id"),
        subject=Concat(Value("letter:"), Cast(OuterRef("pk"), CharField())),
    ).values("started_on")[:1]
    return (
        Letter.objects.filter(
            scope.episode_q("episode__"), kind=LetterKind.PRESCRIBING_ADVICE, recipient=Letter.Recipient.GP
        )
        .exclude(state=LetterState.CANCELLED)
        .annotate(decided_on=Subquery(decided_on))
        .filter(decided_on__range=(start, end))
        .annotate(advice_on_time=Exists(letters_on_time(Letter.objects.filter(pk=OuterRef("pk")))))
    )


def triage_rows(scope: Scope, start: date, end: date) -> QuerySet:
    """The month's first triage decisions: a decision made in the month that is its referral's first
    (by date, then id). Asked as "is this the id of the referral's first decision", one index lookup
    a decision of the month; "no earlier decision exists" let PostgreSQL hash every decision ever
    made (0.3-0.5 s at a million referrals, against 0.1 s)."""
    first = TriageDecision.objects.filter(referral=OuterRef("referral")).order_by("decided_on", "id").values("id")[:1]
    return TriageDecision.objects.filter(
        scope.episode_q("episode__"), decided_on__range=(start, end), id=Subquery(first)
    )


def over_9_months_rows(scope: Scope, start: date, end: date) -> QuerySet:
    """Open at month end and past the nine-month limit by then."""
    return (
        Episode.objects.filter(scope.episode_q())
        .filter(over_9_months_q(end))
        .annotate(extension_approved=extension_approved_by(end))
    )


def over_9_months_q(end: date) -> Q:
    """Per episode: open at ``end`` and past its nine-month limit by then (the KPI and the data set)."""
    return (
        Q(admitted_on__isnull=False, admitted_on__lte=limit_reached_if_admitted_by(end))
        & ~Q(state__in=[EpisodeState.REJECTED, EpisodeState.REDIRECTED])
        & _closed_after(end)
    )


def extension_approved_by(end: date) -> Exists:
    """Per episode: an extension was approved by the end of ``end`` (the KPI and the data set)."""
    return Exists(
        Extension.objects.filter(
            episode=OuterRef("pk"), approved_at__isnull=False, approved_at__lt=london_midnight(end + timedelta(days=1))
        )
    )


def triage_on_time_q(prefix: str = "") -> Q:
    """Per triage decision: decided by the referral's triage due date (the KPI and the data set)."""
    return Q(**{f"{prefix}decided_on__lte": F(f"{prefix}referral__triage_due_on")})


KPIS: list[Kpi] = [
    Kpi("rtt_18_weeks", "RTT: incomplete pathways within 18 weeks", "fraction", rtt_rows, rtt_within_q),
    Kpi(
        "new_to_review_ratio",
        "New-to-review ratio",
        "ratio",
        attendance_rows,
        numerator=lambda end: Q(kind=Appointment.Kind.REVIEW),
        denominator=lambda end: Q(kind=Appointment.Kind.NEW),
    ),
    Kpi(
        "care_plan_written",
        "Written personalised care plan shared",
        "fraction",
        care_plan_rows,
        lambda end: Q(plan_shared=True),
        episode_path="pk",
    ),
    Kpi(
        "prom_improvement",
        "PROM improvement",
        "fraction",
        prom_rows,
        lambda end: prom_improved_q(),
        lambda end: prom_has_pair_q(),
        episode_path="pk",
    ),
    Kpi("positive_experience", "Positive experience", "fraction", survey_rows, lambda end: Q(positive=True)),
    Kpi(
        "discharge_letter_on_time",
        "Discharge letters delivered on time",
        "fraction",
        letter_rows,
        lambda end: Q(letter_on_time=True),
        episode_path="pk",
    ),
    Kpi(
        "prescribing_advice_on_time",
        "Prescribing advice delivered within 3 working days",
        "fraction",
        prescribing_advice_rows,
        lambda end: Q(advice_on_time=True),
    ),
    Kpi(
        "triage_on_time",
        "Triage within 2 working days",
        "fraction",
        triage_rows,
        lambda end: triage_on_time_q(),
    ),
    Kpi(
        "over_9_months",
        "Open episodes over 9 months (numerator: with an approved extension)",
        "count",
        over_9_months_rows,
        lambda end: Q(extension_approved=True),
        episode_path="pk",
    ),
]
KPI_BY_CODE = {kpi.code: kpi for kpi in KPIS}


def compute_kpis(scope: Scope, month: date) -> list[dict]:
    """Every KPI for one month: from its snapshot when the month has one (two queries), else one
    aggregate query each."""
    stored = snapshot_counts(scope, month)
    if stored is None:
        return [kpi.result(scope, month) for kpi in KPIS]
    return [kpi.result(scope, month, stored.get(kpi.code, (0, 0))) for kpi in KPIS]
