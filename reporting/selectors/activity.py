"""Episodes over nine months, activity by month and the half-yearly opioid comparison."""

from __future__ import annotations

from datetime import date

from django.db.models import Avg, Count, F, FloatField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, TruncMonth

from careplans.models import Extension
from outcomes.models import Feedback
from pathway.calendar import add_months
from pathway.episode_dates import limit_reached_if_admitted_by
from pathway.errors import InvalidInput
from pathway.models import OPEN_STATES, Episode, EpisodeState
from pathway.rules import rule
from referrals.models import Referral

from .. import kpis
from ..kpis import Scope, month_last_day, months_back


def months_open(admitted_on: date, today: date) -> int:
    months = (today.year - admitted_on.year) * 12 + today.month - admitted_on.month
    if add_months(admitted_on, months) > today:
        months -= 1
    return months


def over_9_months(scope: Scope, today: date) -> QuerySet[Episode]:
    """Open episodes past the episode limit today, with their latest extension (no identifiers)."""
    cutoff = limit_reached_if_admitted_by(today)
    latest = Extension.objects.filter(episode=OuterRef("pk")).order_by("-requested_at", "-id")
    return (
        Episode.objects.filter(scope.episode_q(), state__in=[s.value for s in OPEN_STATES], admitted_on__isnull=False)
        .filter(admitted_on__lte=cutoff)
        .annotate(
            extension_rationale=Subquery(latest.values("rationale")[:1]),
            extension_until=Subquery(latest.values("until")[:1]),
            extension_approved_at=Subquery(latest.values("approved_at")[:1]),
            extension_declined_at=Subquery(latest.values("declined_at")[:1]),
        )
        .select_related("practice")
        .order_by("admitted_on", "id")
    )


def activity(scope: Scope, month: date, months: int = 12) -> dict:
    """Discharges by reason, complaints and compliments, referrals and triage outcomes per month."""
    first = months_back(month, months)[0]
    last = month_last_day(month)
    discharges = list(
        Episode.objects.filter(scope.episode_q(), state=EpisodeState.DISCHARGED, discharged_on__range=(first, last))
        .annotate(m=TruncMonth("discharged_on"))
        .values("m", "discharge_reason")
        .annotate(n=Count("id"))
    )
    referrals = list(
        Referral.objects.filter(scope.episode_q("episode__"), received_on__range=(first, last))
        .annotate(m=TruncMonth("received_on"))
        .values("m")
        .annotate(n=Count("id"))
    )
    triaged = list(
        kpis.triage_rows(scope, first, last)
        .annotate(m=TruncMonth("decided_on"))
        .values("m", "outcome")
        .annotate(n=Count("id"))
    )
    # Feedback not tied to an episode belongs to the whole service, not to one commissioner.
    feedback = Feedback.objects.filter(received_on__range=(month, last)).order_by("received_on", "id")
    if scope != Scope():
        feedback = feedback.filter(scope.episode_q("episode__"), episode__isnull=False)
    return {
        "months": [m.strftime("%Y-%m") for m in months_back(month, months)],
        "discharges": [(r["m"].strftime("%Y-%m"), r["discharge_reason"], r["n"]) for r in discharges],
        "referrals": {r["m"].strftime("%Y-%m"): r["n"] for r in referrals},
        "triage": [(r["m"].strftime("%Y-%m"), r["outcome"], r["n"]) for r in triaged],
        "feedback": feedback,
    }


def half_year_bounds(value: str | None, today: date) -> tuple[str, date, date]:
    """'2026-H1' -> (label, 1 Jan, 30 Jun); default: the last complete half-year."""
    if not value:
        year, half = (today.year, 1) if today.month > 6 else (today.year - 1, 2)
    else:
        try:
            year_s, half_s = value.strip().upper().split("-H")
            year, half = int(year_s), int(half_s)
            if half not in (1, 2) or not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            raise InvalidInput({"period": [f"'{value}' is not a half-year. Write it as YYYY-H1 or YYYY-H2."]})
    start = date(year, 1 if half == 1 else 7, 1)
    end = date(year, 6, 30) if half == 1 else date(year, 12, 31)
    return f"{year}-H{half}", start, end


def opioid_comparison(scope: Scope, start: date, end: date) -> dict:
    """OME at first attendance vs at discharge for episodes discharged in the period."""
    qs = Episode.objects.filter(
        scope.episode_q(), state=EpisodeState.DISCHARGED, discharged_on__range=(start, end)
    ).filter(ome_first_attendance_mg__isnull=False, ome_discharge_mg__isnull=False)
    totals = qs.aggregate(
        episodes=Count("id"),
        mean_first=Avg(Cast("ome_first_attendance_mg", FloatField())),
        mean_discharge=Avg(Cast("ome_discharge_mg", FloatField())),
        reduced=Count("id", filter=Q(ome_discharge_mg__lt=F("ome_first_attendance_mg"))),
        increased=Count("id", filter=Q(ome_discharge_mg__gt=F("ome_first_attendance_mg"))),
        unchanged=Count("id", filter=Q(ome_discharge_mg=F("ome_first_attendance_mg"))),
        over_threshold_first=Count("id", filter=Q(ome_first_attendance_mg__gte=rule("ome_alert_threshold_mg"))),
        over_threshold_discharge=Count("id", filter=Q(ome_discharge_mg__gte=rule("ome_alert_threshold_mg"))),
    )
    totals["discharged"] = Episode.objects.filter(
        scope.episode_q(), state=EpisodeState.DISCHARGED, discharged_on__range=(start, end)
    ).count()
    for key in ("mean_first", "mean_discharge"):
        if totals[key] is not None:
            totals[key] = round(float(totals[key]), 1)
    return totals
