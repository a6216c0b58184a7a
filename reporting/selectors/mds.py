"""The monthly data set: one pseudonymised row per episode, its files and whether they went on time."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from careplans.models import Appointment, Extension
from outcomes.models import ExperienceSurvey, PromResponse, Timepoint
from pathway import rtt
from pathway.calendar import london_date
from pathway.models import Commissioner, Episode, EpisodeState, Letter, LetterKind, RttPeriod
from pathway.streaming import stream_rows
from triage.models import TriageDecision

from .. import kpis
from ..kpis import Scope, month_last_day
from ..models import MonthlyDataSet
from ..pseudonyms import pseudonym
from .scope import commissioners_for

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
    "pseq_followup",
    "bpi_interference_followup",
    "eq5d_index_followup",
    "experience_answers",
    "experience_positive",
    "ome_first_attendance_mg",
    "ome_discharge_mg",
    "over_9_months",
    "extension_approved",
    "extension_state",
    "prescribing_advice_letters",
    "prescribing_advice_on_time",
]


AGE_BANDS = [(18, 29), (30, 39), (40, 49), (50, 59), (60, 69), (70, 79)]


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


def _per_episode(rows: QuerySet) -> Coalesce:
    """How many of ``rows`` (already narrowed to ``episode=OuterRef("pk")``) the episode has; 0 for none."""
    return Coalesce(
        Subquery(
            rows.order_by().values("episode").annotate(n=Count("id")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _count(month: date, end: date, **filters) -> Coalesce:
    """Appointments of the episode in the month."""
    return _per_episode(Appointment.objects.filter(episode=OuterRef("pk"), date__range=(month, end), **filters))


def _surveys(month: date, end: date, **filters) -> Coalesce:
    """Experience survey answers of the episode in the month (the positive-experience KPI's rows)."""
    return _per_episode(
        ExperienceSurvey.objects.filter(episode=OuterRef("pk"), answered_on__range=(month, end), **filters)
    )


def _followup_scores() -> dict:
    """The latest complete three-month follow-up score per instrument (as the KPI reads PROM scores)."""
    return {
        f"{name}_followup": kpis.prom_score(instrument, Timepoint.FOLLOWUP, key, latest=True)
        for name, (instrument, key) in kpis.PROM_PAIRS.items()
    }


def _advice_letters(month: date, end: date, **filters) -> Coalesce:
    """The episode's prescribing advice letters for decisions made in the month (the KPI's own rows)."""
    return _per_episode(kpis.prescribing_advice_rows(Scope(), month, end).filter(episode=OuterRef("pk"), **filters))


def _extension_state(end: date) -> Case:
    """The episode's extension at month end: agreed (by then), declined by the commissioner (by then),
    requested (waiting for the commissioner) or ''."""
    by_end = kpis.london_midnight(end + timedelta(days=1))
    requested_by_end = Extension.objects.filter(episode=OuterRef("pk"), requested_at__lt=by_end)
    # Not ``exclude(pk__in=declined...)``: inside that subquery OuterRef("pk") named the extension, not
    # the episode, so a declined request still read as waiting.
    waiting_at_end = requested_by_end.filter(Q(declined_at__isnull=True) | Q(declined_at__gte=by_end))
    return Case(
        When(kpis.extension_approved_by(end), then=Value("agreed")),
        When(Exists(waiting_at_end), then=Value("requested")),
        When(Exists(requested_by_end.filter(declined_at__lt=by_end)), then=Value("declined")),
        default=Value(""),
        output_field=CharField(),
    )


def mds_queryset(commissioner: Commissioner | None, month: date) -> QuerySet:
    """One row per episode active in the month: received by its end and not closed before it began, or
    with an experience survey answer or a follow-up questionnaire in the month (which come after the
    discharge, and count in the month's KPIs)."""
    end = month_last_day(month)
    answered_in_month = Exists(
        ExperienceSurvey.objects.filter(episode=OuterRef("pk"), answered_on__range=(month, end))
    ) | Exists(
        PromResponse.objects.filter(
            episode=OuterRef("pk"), timepoint=Timepoint.FOLLOWUP, completed_on__range=(month, end)
        )
    )
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
        "sent_at", "id"
    )
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
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=month) | answered_in_month)
        .annotate(
            commissioner_code=F("practice__commissioner__code"),
            practice_ods=F("practice__ods_code"),
            date_of_birth=F("patient__date_of_birth"),
            sex=F("patient__sex"),
            postcode=F("patient__postcode"),
            urgency=Coalesce(F("referral__urgency"), Value(""), output_field=CharField()),
            triage_outcome=Subquery(first_decision.values("outcome")[:1]),
            referral_triage_due_on=F("referral__triage_due_on"),
            triage_on_time=Subquery(
                first_decision.annotate(on_time=ExpressionWrapper(kpis.triage_on_time_q(), BooleanField())).values(
                    "on_time"
                )[:1],
                output_field=BooleanField(),
            ),
            triage_decided_on=Subquery(first_decision.values("decided_on")[:1]),
            rtt_clock_start=Subquery(period.values("clock_start")[:1]),
            rtt_clock_stop=Subquery(period.values("clock_stop")[:1]),
            rtt_status_code=Subquery(period.values("status_code")[:1]),
            new_attendances=_count(month, end, kind=Appointment.Kind.NEW, outcome=Appointment.Outcome.ATTENDED),
            review_attendances=_count(month, end, kind=Appointment.Kind.REVIEW, outcome=Appointment.Outcome.ATTENDED),
            group_attendances=_count(month, end, kind=Appointment.Kind.GROUP, outcome=Appointment.Outcome.ATTENDED),
            dnas=_count(month, end, outcome=Appointment.Outcome.DNA),
            care_plan_shared=kpis.care_plan_shared(),
            letter_sent_at=Subquery(letter.values("sent_at")[:1]),
            letter_due_on=Subquery(letter.values("due_on")[:1]),
            letter_on_time=kpis.discharge_letter_on_time(),
            over_9_months=ExpressionWrapper(kpis.over_9_months_q(end), BooleanField()),
            extension_approved=kpis.extension_approved_by(end),
            extension_state=_extension_state(end),
            prescribing_advice_letters=_advice_letters(month, end),
            prescribing_advice_on_time=_advice_letters(month, end, advice_on_time=True),
            experience_answers=_surveys(month, end),
            experience_positive=_surveys(month, end, positive=True),
            **kpis.prom_annotations(),
            **_followup_scores(),
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
            "referral_triage_due_on",
            "triage_on_time",
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
            "letter_on_time",
            "over_9_months",
            "pseq_entry",
            "pseq_discharge",
            "bpi_entry",
            "bpi_discharge",
            "eq5d_entry",
            "eq5d_discharge",
            "pseq_followup",
            "bpi_followup",
            "eq5d_followup",
            "experience_answers",
            "experience_positive",
            "ome_first_attendance_mg",
            "ome_discharge_mg",
            "extension_approved",
            "extension_state",
            "prescribing_advice_letters",
            "prescribing_advice_on_time",
        )
    )


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


def python_rows(commissioner: Commissioner | None, month: date, *, chunk_size: int = 2000):
    """The rows built in Python (SQLite's data set, and the reference the PostgreSQL COPY is tested
    against); the caller has checked the pseudonym key."""
    end = month_last_day(month)
    queryset = mds_queryset(commissioner, month)
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
            _yn(row["triage_on_time"]) if row["triage_decided_on"] and row["referral_triage_due_on"] else "",
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
            _yn(row["letter_on_time"]) if sent_on and row["letter_due_on"] else "",
            _num(row["pseq_entry"]),
            _num(row["pseq_discharge"]),
            _num(row["bpi_entry"]),
            _num(row["bpi_discharge"]),
            _num(row["eq5d_entry"]),
            _num(row["eq5d_discharge"]),
            _num(row["pseq_followup"]),
            _num(row["bpi_followup"]),
            _num(row["eq5d_followup"]),
            _num(row["experience_answers"]),
            _num(row["experience_positive"]),
            _num(row["ome_first_attendance_mg"]),
            _num(row["ome_discharge_mg"]),
            _yn(row["over_9_months"]),
            _yn(row["extension_approved"]),
            row["extension_state"],
            _num(row["prescribing_advice_letters"]),
            _num(row["prescribing_advice_on_time"]),
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
