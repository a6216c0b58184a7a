"""Reads for the reports: who may see which commissioner, KPI trends, PTL, lists, the data set."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncMonth
from django.http import Http404
from django.utils import timezone

from careplans.models import Appointment, CarePlan, Extension
from outcomes.models import Feedback
from pathway import rtt
from pathway.access import has_role
from pathway.calendar import add_months, london_date
from pathway.errors import InvalidInput
from pathway.models import (
    OPEN_STATES,
    Commissioner,
    Episode,
    EpisodeState,
    Letter,
    LetterKind,
    Practice,
    Role,
    RttPeriod,
)
from pathway.rules import rule
from pathway.selectors import rtt_warning
from pathway.streaming import stream_rows
from referrals.models import Referral
from triage.models import TriageDecision

from . import kpis
from .kpis import KPI_BY_CODE, KPIS, Scope, month_last_day, months_back
from .models import MonthlyDataSet


def is_report_staff(user) -> bool:
    """Staff who see the whole service and the rows behind the numbers."""
    return has_role(user, Role.SERVICE_LEAD)


def can_see_reports(user) -> bool:
    return has_role(user, Role.SERVICE_LEAD, Role.COMMISSIONER)


def commissioners_for(user) -> QuerySet[Commissioner]:
    if not user or not user.is_authenticated:
        return Commissioner.objects.none()
    if is_report_staff(user):
        return Commissioner.objects.all()
    if has_role(user, Role.COMMISSIONER):
        # Read the profile afresh: the bound commissioner decides what the user may see.
        return Commissioner.objects.filter(staff__user=user)
    return Commissioner.objects.none()


def resolve_scope(user, *, commissioner: str | None, practice: str | None = None, tier: str | None = None) -> Scope:
    """The scope a user asked for; 404 for a commissioner or practice the user may not see.

    A commissioner user without a code gets their own commissioner; the service lead without a
    code gets the whole service.
    """
    allowed = commissioners_for(user)
    if not can_see_reports(user):
        raise Http404("No such report.")
    chosen = None
    if commissioner:
        chosen = allowed.filter(code=commissioner.strip()).first()
        if chosen is None:
            raise Http404("No such commissioner.")
    elif not is_report_staff(user):
        chosen = allowed.first()
        if chosen is None:
            raise Http404("No such commissioner.")
    chosen_practice = None
    if practice:
        practices = Practice.objects.filter(ods_code=practice.strip().upper())
        practices = practices.filter(commissioner=chosen) if chosen else practices.filter(commissioner__in=allowed)
        chosen_practice = practices.first()
        if chosen_practice is None:
            raise Http404("No such practice.")
    chosen_tier = None
    if tier not in (None, ""):
        if str(tier).strip() not in {"1", "2", "3"}:
            raise InvalidInput({"tier": [f"'{tier}' is not a tier. Choose 1, 2 or 3."]})
        chosen_tier = int(tier)
    return Scope(commissioner=chosen, practice=chosen_practice, tier=chosen_tier)


def trend_cache_key(scope: Scope, month: date) -> str:
    parts = [getattr(scope.commissioner, "pk", None), getattr(scope.practice, "pk", None), scope.tier]
    return "kpi-trend:v1:" + ":".join("-" if p is None else str(p) for p in parts) + f":{month:%Y-%m}"


def _month_values(scope: Scope, month: date, *, live: bool) -> dict[str, float | int | None]:
    """One month's KPI values; unless ``live``, cached for REPORTING_TREND_CACHE_SECONDS."""

    def compute():
        return {row["code"]: row["value"] for row in kpis.compute_kpis(scope, month)}

    seconds = settings.REPORTING_TREND_CACHE_SECONDS
    if live or seconds <= 0:
        return compute()
    return cache.get_or_set(trend_cache_key(scope, month), compute, seconds)


def kpi_trend(
    scope: Scope, month: date, months: int = 12, *, today: date | None = None, current: list[dict] | None = None
) -> dict:
    """Each KPI's value over the ``months`` months ending with ``month`` (for the chart).

    Eight aggregate queries a month. Earlier months that have ended come from the cache when they
    were computed recently; ``month`` itself and a month still running are always computed, so the
    trend's last point agrees with the dashboard's headline figures. ``current``: those headline
    figures (``compute_kpis(scope, month)``) when the caller has them, so ``month`` is not computed twice.
    """
    today = today or london_date(timezone.now())
    chosen = months_back(month, months)
    series: dict[str, list] = {kpi.code: [] for kpi in KPIS}
    for m in chosen:
        if m == month and current is not None:
            values = {row["code"]: row["value"] for row in current}
        else:
            values = _month_values(scope, m, live=m == month or kpis.month_last_day(m) >= today)
        for code in series:
            series[code].append(values.get(code))
    return {"labels": [m.strftime("%Y-%m") for m in chosen], "series": series, "names": {k.code: k.name for k in KPIS}}


def kpi_episodes(scope: Scope, code: str, month: date, part: str) -> QuerySet[Episode]:
    kpi = KPI_BY_CODE.get(code)
    if kpi is None:
        raise Http404("No such KPI.")
    return (
        Episode.objects.filter(pk__in=kpi.episode_ids(scope, month, part=part))
        .select_related("practice")
        .order_by("id")
    )


# --- Patient tracking list ----------------------------------------------------------------


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


# --- Over 9 months, activity, opioids --------------------------------------------------------


def months_open(admitted_on: date, today: date) -> int:
    months = (today.year - admitted_on.year) * 12 + today.month - admitted_on.month
    if add_months(admitted_on, months) > today:
        months -= 1
    return months


def over_9_months(scope: Scope, today: date) -> QuerySet[Episode]:
    """Open episodes past the episode limit today, with their latest extension (no identifiers)."""
    cutoff = add_months(today, -rule("episode_limit_months"))
    latest = Extension.objects.filter(episode=OuterRef("pk")).order_by("-requested_at", "-id")
    return (
        Episode.objects.filter(scope.episode_q(), state__in=[s.value for s in OPEN_STATES], admitted_on__isnull=False)
        .filter(admitted_on__lte=cutoff)
        .annotate(
            extension_rationale=Subquery(latest.values("rationale")[:1]),
            extension_until=Subquery(latest.values("until")[:1]),
            extension_approved_at=Subquery(latest.values("approved_at")[:1]),
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


# --- Monthly data set ---------------------------------------------------------------------

MDS_COLUMNS = [
    "month",
    "commissioner_code",
    "practice_ods",
    "patient_pseudonym",
    "episode_reference",
    "age_band",
    "sex",
    "postcode_district",
    "referral_received_on",
    "urgency",
    "triage_outcome",
    "triage_decided_on",
    "triage_on_time",
    "tier",
    "state",
    "admitted_on",
    "rtt_clock_start",
    "rtt_clock_stop",
    "rtt_status_code",
    "rtt_days_waited_at_month_end",
    "new_attendances",
    "review_attendances",
    "group_attendances",
    "dnas",
    "care_plan_shared",
    "discharged_on",
    "discharge_reason",
    "discharge_letter_sent_on",
    "discharge_letter_on_time",
    "pseq_entry",
    "pseq_discharge",
    "bpi_interference_entry",
    "bpi_interference_discharge",
    "eq5d_index_entry",
    "eq5d_index_discharge",
    "ome_first_attendance_mg",
    "ome_discharge_mg",
    "over_9_months",
    "extension_approved",
]

AGE_BANDS = [(18, 29), (30, 39), (40, 49), (50, 59), (60, 69), (70, 79)]


def pseudonym(patient_id: int) -> str:
    """A keyed hash of the patient ID: stable across months, meaningless without the key."""
    key = str(settings.PSEUDONYM_KEY).encode()
    return hmac.new(key, f"patient:{patient_id}".encode(), hashlib.sha256).hexdigest()[:32]


def age_band(date_of_birth: date | None, on: date) -> str:
    if date_of_birth is None:
        return ""
    age = on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    return "80+" if age >= 80 else "under 18"


def postcode_district(postcode: str) -> str:
    """The outward code only ('DL1 1AA' -> 'DL1')."""
    compact = (postcode or "").strip().upper()
    if " " in compact:
        return compact.split()[0]
    return compact[:-3] if len(compact) > 3 else ""


def _count(month: date, end: date, **filters) -> Subquery:
    return Coalesce(
        Subquery(
            Appointment.objects.filter(episode=OuterRef("pk"), date__range=(month, end), **filters)
            .order_by()
            .values("episode")
            .annotate(n=Count("id"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def mds_queryset(commissioner: Commissioner | None, month: date) -> QuerySet:
    """One row per episode active in the month: received by its end and not closed before it began."""
    end = month_last_day(month)
    scope = Scope(commissioner=commissioner)
    first_decision = TriageDecision.objects.filter(episode=OuterRef("pk")).order_by("decided_on", "id")
    # As at month end: a clock nullified after it was still running then.
    period = (
        RttPeriod.objects.filter(episode=OuterRef("pk"), clock_start__lte=end)
        .filter(Q(nullified=False) | Q(clock_stop__gt=end))
        .order_by("-clock_start", "-id")
    )
    last_stop = RttPeriod.objects.filter(episode=OuterRef("pk")).order_by("-clock_start", "-id")
    letter = Letter.objects.filter(episode=OuterRef("pk"), kind=LetterKind.DISCHARGE, sent_at__isnull=False).order_by(
        "sent_at"
    )
    cutoff = month_last_day(add_months(month, -rule("episode_limit_months")))
    approved = Extension.objects.filter(episode=OuterRef("pk"), approved_at__isnull=False)
    closed_on = Case(
        When(state=EpisodeState.DISCHARGED, then=F("discharged_on")),
        When(
            state__in=[EpisodeState.REJECTED, EpisodeState.REDIRECTED],
            then=Subquery(last_stop.values("clock_stop")[:1]),
        ),
        default=None,
        output_field=DateField(),
    )
    return (
        Episode.objects.filter(scope.episode_q(), received_on__lte=end)
        .annotate(closed_on=closed_on)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=month))
        .annotate(
            commissioner_code=F("practice__commissioner__code"),
            practice_ods=F("practice__ods_code"),
            date_of_birth=F("patient__date_of_birth"),
            sex=F("patient__sex"),
            postcode=F("patient__postcode"),
            urgency=Coalesce(F("referral__urgency"), Value(""), output_field=CharField()),
            triage_outcome=Subquery(first_decision.values("outcome")[:1]),
            triage_decided_on=Subquery(first_decision.values("decided_on")[:1]),
            rtt_clock_start=Subquery(period.values("clock_start")[:1]),
            rtt_clock_stop=Subquery(period.values("clock_stop")[:1]),
            rtt_status_code=Subquery(period.values("status_code")[:1]),
            new_attendances=_count(month, end, kind=Appointment.Kind.NEW, outcome=Appointment.Outcome.ATTENDED),
            review_attendances=_count(month, end, kind=Appointment.Kind.REVIEW, outcome=Appointment.Outcome.ATTENDED),
            group_attendances=_count(month, end, kind=Appointment.Kind.GROUP, outcome=Appointment.Outcome.ATTENDED),
            dnas=_count(month, end, outcome=Appointment.Outcome.DNA),
            care_plan_shared=Exists(CarePlan.objects.filter(episode=OuterRef("pk"), shared_with_patient=True)),
            letter_sent_at=Subquery(letter.values("sent_at")[:1]),
            letter_due_on=Subquery(letter.values("due_on")[:1]),
            extension_approved=Exists(approved),
            **kpis.prom_annotations(),
        )
        .order_by("id")
        .values(
            "id",
            "patient_id",
            "commissioner_code",
            "practice_ods",
            "date_of_birth",
            "sex",
            "postcode",
            "received_on",
            "urgency",
            "triage_outcome",
            "triage_decided_on",
            "triage_due_on",
            "tier",
            "state",
            "closed_on",
            "admitted_on",
            "rtt_clock_start",
            "rtt_clock_stop",
            "rtt_status_code",
            "new_attendances",
            "review_attendances",
            "group_attendances",
            "dnas",
            "care_plan_shared",
            "discharged_on",
            "discharge_reason",
            "letter_sent_at",
            "letter_due_on",
            "pseq_entry",
            "pseq_discharge",
            "bpi_entry",
            "bpi_discharge",
            "eq5d_entry",
            "eq5d_discharge",
            "ome_first_attendance_mg",
            "ome_discharge_mg",
            "extension_approved",
        )
    ), cutoff


def _iso(value) -> str:
    return value.isoformat() if value else ""


def _yn(value) -> str:
    if value is None:
        return ""
    return "Y" if value else "N"


def _num(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def mds_rows(commissioner: Commissioner | None, month: date, *, chunk_size: int = 2000):
    """The data set as lists of strings (header first), streamed from the database."""
    end = month_last_day(month)
    queryset, cutoff = mds_queryset(commissioner, month)
    yield MDS_COLUMNS
    label = month.strftime("%Y-%m")
    for row in stream_rows(queryset, chunk_size=chunk_size):
        closed_by_end = row["closed_on"] is not None and row["closed_on"] <= end
        sent_on = london_date(row["letter_sent_at"]) if row["letter_sent_at"] else None
        start = row["rtt_clock_start"]
        stop = row["rtt_clock_stop"]
        incomplete = start is not None and (stop is None or stop > end) and not closed_by_end
        yield [
            label,
            row["commissioner_code"],
            row["practice_ods"],
            pseudonym(row["patient_id"]),
            f"EP{row['id']:07d}",
            age_band(row["date_of_birth"], end),
            row["sex"],
            postcode_district(row["postcode"]),
            _iso(row["received_on"]),
            row["urgency"] or "",
            row["triage_outcome"] or "",
            _iso(row["triage_decided_on"]),
            _yn(row["triage_decided_on"] <= row["triage_due_on"])
            if row["triage_decided_on"] and row["triage_due_on"]
            else "",
            _num(row["tier"]),
            row["state"],
            _iso(row["admitted_on"]),
            _iso(start),
            _iso(stop),
            row["rtt_status_code"] or "",
            _num(rtt.days_waited(start, end)) if incomplete else "",
            _num(row["new_attendances"]),
            _num(row["review_attendances"]),
            _num(row["group_attendances"]),
            _num(row["dnas"]),
            _yn(row["care_plan_shared"]),
            _iso(row["discharged_on"]),
            row["discharge_reason"] or "",
            _iso(sent_on),
            _yn(sent_on <= row["letter_due_on"]) if sent_on and row["letter_due_on"] else "",
            _num(row["pseq_entry"]),
            _num(row["pseq_discharge"]),
            _num(row["bpi_entry"]),
            _num(row["bpi_discharge"]),
            _num(row["eq5d_entry"]),
            _num(row["eq5d_discharge"]),
            _num(row["ome_first_attendance_mg"]),
            _num(row["ome_discharge_mg"]),
            _yn(
                row["admitted_on"] is not None
                and row["admitted_on"] <= cutoff
                and (row["discharged_on"] is None or row["discharged_on"] > end)
                and row["state"] not in (EpisodeState.REJECTED, EpisodeState.REDIRECTED)
            ),
            _yn(row["extension_approved"]),
        ]


def data_sets_for(user) -> QuerySet[MonthlyDataSet]:
    return MonthlyDataSet.objects.filter(commissioner__in=commissioners_for(user)).select_related("commissioner")


def mds_on_time(data_sets: QuerySet[MonthlyDataSet], today: date) -> dict:
    """Submission on time: submitted by the due day / data sets submitted or already due."""
    totals = data_sets.filter(Q(submitted_on__isnull=False) | Q(due_on__lt=today)).aggregate(
        denominator=Count("id"),
        numerator=Count("id", filter=Q(submitted_on__isnull=False, submitted_on__lte=F("due_on"))),
    )
    d = totals["denominator"]
    totals["value"] = round(totals["numerator"] / d, 4) if d else None
    return totals
