"""Reads of clinical care for the episode page, work list, MDT list and group registers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Min, Q, QuerySet, Subquery

from pathway.access import episodes_visible_to, has_role
from pathway.batch import CountOf, PreparedReads
from pathway.calendar import add_months
from pathway.episode_dates import mdt_due_on
from pathway.models import CARE_STATES, Deadline, DeadlineKind, Episode, Letter, LetterState, Role
from pathway.rules import rule
from pathway.selectors import days_left, episode_timeline, rtt_summary

from . import ome
from .limits import limit_status
from .models import (
    Appointment,
    CarePlan,
    CarePlanShare,
    Discharge,
    Extension,
    FormularyDrug,
    GroupSession,
    MedicationLine,
    OmeRecord,
)


def care_plan_written_q(prefix: str = "") -> Q:
    """Per care plan: written (goals, a flare-up plan and an emergency plan) and shared with both the
    patient and the GP; the one definition the KPI, the data set and the episode page use."""
    return ~Q(**{f"{prefix}goals": []}) & Q(
        ~Q(**{f"{prefix}flare_up_plan": ""}),
        ~Q(**{f"{prefix}emergency_plan": ""}),
        **{f"{prefix}shared_with_patient": True, f"{prefix}shared_with_gp": True},
    )


def care_plan_written(plan: CarePlan | None) -> bool:
    """The same rule for one plan already loaded (the episode page)."""
    return bool(
        plan
        and plan.goals
        and plan.flare_up_plan.strip()
        and plan.emergency_plan.strip()
        and plan.shared_with_patient
        and plan.shared_with_gp
    )


def care_plans_newest_first(episode: Episode) -> QuerySet[CarePlan]:
    return episode.care_plans.order_by("-version")


def latest_care_plan(episode: Episode) -> CarePlan | None:
    return care_plans_newest_first(episode).first()


def ome_alert(episode: Episode) -> dict | None:
    """The on-screen opioid alert while the episode's running OME total is at or over the threshold."""
    threshold = Decimal(str(rule("ome_alert_threshold_mg")))
    if not episode.is_open or not ome.at_or_over_threshold(episode.ome_total_mg_per_day, threshold):
        return None
    return {"total_mg": episode.ome_total_mg_per_day, "threshold_mg": threshold}


def _episode_lists(episode_id: int) -> dict:
    """The episode page's lists, built from the episode's id alone (``EPISODE_LISTS``)."""
    episode = Episode(pk=episode_id)
    latest_plan = care_plans_newest_first(episode)
    return {
        "deadlines": episode.deadlines.open().order_by("due_on", "id"),
        "medications": episode.medications.select_related("prescribed_by").order_by("stopped_on", "started_on", "id"),
        "appointments": episode.appointments.select_related("clinician", "group_session").order_by(
            "date", "time", "id"
        ),
        "extensions": episode.extensions.select_related("requested_by", "approved_by", "declined_by"),
        "plan": latest_plan[:1],
        "plan_versions": CountOf(episode.care_plans.all()),
        "shares": CarePlanShare.objects.filter(plan=Subquery(latest_plan.values("pk")[:1])).select_related("letter"),
        "rtt_periods": episode.rtt_periods.all(),
        "timeline": episode_timeline(episode),
        "assessments": episode.assessments.select_related("clinician"),
        "treatment_start": episode.treatment_starts.order_by("date", "id")[:1],
        # The list shows each letter's kind, state and dates; the PDF is opened from the letter's page.
        "letters": episode.letters.defer("pdf").order_by("-created_at", "-id"),
        "mdt_reviews": episode.mdt_reviews.select_related("recorded_by").order_by("reviewed_on", "id"),
        "medication_reviews": episode.medication_reviews.order_by("date", "id"),
        "ome_records": OmeRecord.objects.filter(episode=episode).order_by("on", "id"),
        "discharge": Discharge.objects.filter(episode=episode)[:1],
        # Accepted although acceptance criteria were not met: the recorded override.
        "acceptance_override": episode.triage_decisions.exclude(override_reason="")
        .select_related("decided_by")
        .order_by("-id")[:1],
    }


# Read together in one round trip, the SQL compiled once per process (``pathway.batch.PreparedReads``).
EPISODE_LISTS = PreparedReads(_episode_lists, "episode_id")


def episode_overview(episode: Episode, today: date) -> dict:
    """Everything about one episode for its page: its lists read together, in one round trip
    (``pathway.batch``)."""
    read = EPISODE_LISTS(episode_id=episode.pk)
    medications, appointments, extensions = read["medications"], read["appointments"], read["extensions"]
    approved = [e.until for e in extensions if e.approved_at is not None]
    plan = _first(read["plan"])
    return {
        "ome_alert": ome_alert(episode),
        "rtt": rtt_summary(episode, periods=read["rtt_periods"]),
        "timeline": read["timeline"],
        "appointments": appointments,
        "pending_dna": [a for a in appointments if a.outcome == Appointment.Outcome.DNA and not a.dna_decision],
        "discharge_decided": any(a.dna_decision == Appointment.DnaDecision.DISCHARGE for a in appointments),
        "assessments": read["assessments"],
        "care_plan": plan,
        "care_plan_versions": read["plan_versions"],
        "care_plan_written": care_plan_written(plan),
        "care_plan_shares": read["shares"],
        "treatment_start": _first(read["treatment_start"]),
        "current_medications": [m for m in medications if m.stopped_on is None],
        "stopped_medications": [m for m in medications if m.stopped_on is not None],
        "letters": read["letters"],
        "deadlines": [{"deadline": d, "days_left": days_left(d.due_on, today)} for d in read["deadlines"]],
        "limit": limit_status(episode, today, max(approved) if approved else None),
        "extensions": extensions,
        "mdt_reviews": read["mdt_reviews"],
        "medication_reviews": read["medication_reviews"],
        "ome_history": ome_history(episode, records=read["ome_records"]),
        "mdt_due_on": mdt_due_on(episode.admitted_on) if episode.tier == 3 and episode.admitted_on else None,
        "discharge": _first(read["discharge"]),
        "acceptance_override": _first(read["acceptance_override"]),
        "in_care": episode.state in CARE_STATES,
        "is_open": episode.is_open,
    }


def _first(rows: list):
    return rows[0] if rows else None


def episodes_in_care(user) -> QuerySet[Episode]:
    return episodes_visible_to(user).filter(state__in=CARE_STATES)


def mdt_due(user, today: date) -> list[dict]:
    """Tier-3 episodes in care without an MDT review since acceptance, soonest due first."""
    episodes = (
        episodes_in_care(user)
        .filter(tier=3, admitted_on__isnull=False)
        .annotate(reviews=Count("mdt_reviews"))
        .filter(reviews=0)
        .select_related("patient")
        .order_by("admitted_on", "id")
    )
    return [
        {"episode": ep, "due_on": mdt_due_on(ep.admitted_on), "days_left": days_left(mdt_due_on(ep.admitted_on), today)}
        for ep in episodes
    ]


def near_limit(user, today: date) -> list[dict]:
    """Episodes in care at or past their 7-month warning."""
    first_warning = min(rule("episode_warning_months"))
    # add_months clamps month ends, so a few days' margin before the exact check in Python.
    cutoff = add_months(today, -first_warning) + timedelta(days=3)
    candidates = (
        episodes_in_care(user)
        .filter(admitted_on__isnull=False, admitted_on__lte=cutoff)
        .select_related("patient")
        .prefetch_related("extensions")
        .order_by("admitted_on", "id")
    )
    rows = []
    for ep in candidates:
        approved = [e.until for e in ep.extensions.all() if e.approved_at]
        status = limit_status(ep, today, max(approved) if approved else None)
        if status and status.level:
            rows.append({"episode": ep, "limit": status})
    return rows


TASK_KINDS = (DeadlineKind.MEDICATION_REVIEW, DeadlineKind.MENTAL_HEALTH_REFERRAL)
TASK_SORTS = {"due": ("due_on", "family_name", "episode_id"), "name": ("family_name", "given_name", "due_on")}


def clinical_tasks(visible, today: date, horizon: date, *, kind: str = "", sort: str = "due") -> dict:
    """Open review tasks, one row per episode and kind (a medication review per episode, not per drug),
    split into overdue (due before today) and due soon (today to the horizon)."""
    kinds = [kind] if kind in TASK_KINDS else list(TASK_KINDS)
    rows = (
        Deadline.objects.open()
        .filter(kind__in=kinds, due_on__lte=horizon, episode__in=visible)
        .values(
            "episode_id",
            "kind",
            patient_id=F("episode__patient_id"),
            family_name=F("episode__patient__family_name"),
            given_name=F("episode__patient__given_name"),
            nhs_number=F("episode__patient__nhs_number"),
        )
        .annotate(
            due_on=Min("due_on"),
            # A medication review per changed line, and the opioid stewardship review (not a medicine).
            lines=Count("id", filter=Q(subject__startswith="medication:")),
            stewardship=Count("id", filter=Q(subject="opioid_review")),
        )
        .order_by(*TASK_SORTS.get(sort, TASK_SORTS["due"]))
    )
    labels = dict(DeadlineKind.choices)
    overdue, due_soon = [], []
    for row in rows:
        number = row["nhs_number"]
        row |= {
            "label": labels.get(row["kind"], row["kind"]),
            "nhs_number_display": f"{number[:3]} {number[3:6]} {number[6:]}",
            "days": (row["due_on"] - today).days,
        }
        (overdue if row["due_on"] < today else due_soon).append(row)
    return {"tasks_overdue": overdue, "tasks_due_soon": due_soon}


def worklist(user, today: date, *, kind: str = "", sort: str = "due") -> dict:
    visible = episodes_visible_to(user)
    mine = Q(clinician=user) | Q(clinician__isnull=True)
    horizon = today + timedelta(days=7)
    return {
        "appointments_today": Appointment.objects.filter(mine, date=today, episode__in=visible)
        .select_related("episode", "episode__patient", "group_session")
        .order_by("time", "id"),
        "dna_decisions": Appointment.objects.filter(
            mine, outcome=Appointment.Outcome.DNA, dna_decision="", episode__in=visible
        )
        .filter(episode__state__in=CARE_STATES)
        .select_related("episode", "episode__patient")
        .order_by("date", "id"),
        **clinical_tasks(visible, today, horizon, kind=kind, sort=sort),
        "mdt_due": [row for row in mdt_due(user, today) if row["due_on"] <= horizon],
        "near_limit": near_limit(user, today),
        "letters_awaiting_approval": Letter.objects.filter(state=LetterState.DRAFT, episode__in=visible)
        .select_related("episode", "episode__patient")
        .order_by("due_on", "id"),
        "extensions_awaiting_approval": Extension.objects.filter(
            approved_at__isnull=True, declined_at__isnull=True, episode__in=visible
        )
        .filter(episode__state__in=CARE_STATES)
        .select_related("episode", "episode__patient")
        .order_by("requested_at"),
        "today": today,
        "task_kind": kind if kind in TASK_KINDS else "",
        "task_sort": sort if sort in TASK_SORTS else "due",
        "task_kinds": [(k, DeadlineKind(k).label) for k in TASK_KINDS],
    }


def group_sessions() -> QuerySet[GroupSession]:
    return GroupSession.objects.annotate(
        booked=Count("appointments", filter=~Q(appointments__outcome__in=Appointment.CANCELLED))
    ).order_by("-date", "id")


def group_register(session: GroupSession) -> QuerySet[Appointment]:
    return session.appointments.select_related("episode", "episode__patient").order_by(
        "episode__patient__family_name", "id"
    )


def current_medications(episode: Episode) -> QuerySet[MedicationLine]:
    return episode.medications.filter(stopped_on__isnull=True)


# --- Medicines ------------------------------------------------------------------------------


def formulary_rows(today: date) -> list[dict]:
    """The local formulary as the API lists it; an opioid's factor comes from the table in force."""
    from .services.medications import factor_table

    table = factor_table(today)
    rows = []
    for drug in FormularyDrug.objects.filter(active=True).order_by("name"):
        factor = None
        if drug.is_opioid and drug.routes:
            value = table.factors.get(drug.name, {}).get(drug.routes[0])
            factor = float(value) if value is not None else None
        rows.append(
            {
                "drug": drug.name,
                "class": drug.drug_class,
                "routes": list(drug.routes),
                "max_daily_mg": float(drug.max_daily_mg) if drug.max_daily_mg is not None else None,
                "ome_factor": factor,
            }
        )
    return rows


def ome_on(episode: Episode, day: date):
    """The episode's opioid total at the end of ``day`` (from its OME history), or None before any."""
    record = OmeRecord.objects.filter(episode=episode, on__lte=day).order_by("-on", "-id").first()
    return record.total_mg_per_day if record else None


CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 320, 120, 24


def ome_history(episode: Episode, records: list[OmeRecord] | None = None) -> dict:
    """OME over time for the episode page: one row per day (the day's last total) and an SVG polyline.
    ``records``, when the page has read them: the episode's OME records in order of day and id."""
    if records is None:
        records = OmeRecord.objects.filter(episode=episode).order_by("on", "id")
    by_day: dict[date, object] = {}
    for record in records:
        by_day[record.on] = record
    rows = [{"on": day, "total": r.total_mg_per_day, "lines": r.opioid_lines} for day, r in by_day.items()]
    if not rows:
        return {"rows": [], "points": "", "threshold_y": None}
    threshold = rule("ome_alert_threshold_mg")
    top = max([float(r["total"]) for r in rows] + [float(threshold)]) or 1.0
    first, last = rows[0]["on"], rows[-1]["on"]
    span = (last - first).days or 1
    width, height = CHART_WIDTH - 2 * CHART_PAD, CHART_HEIGHT - 2 * CHART_PAD

    def y(value: float) -> float:
        return round(CHART_PAD + height - (value / top) * height, 1)

    points = []
    for i, row in enumerate(rows):
        x = CHART_PAD + ((row["on"] - first).days / span) * width if len(rows) > 1 else CHART_PAD + width / 2
        if i and len(rows) > 1:
            points.append(f"{round(x, 1)},{points[-1].split(',')[1]}")  # a step: the total held until the change
        points.append(f"{round(x, 1)},{y(float(row['total']))}")
        row["x"], row["y"] = round(x, 1), y(float(row["total"]))
    return {
        "rows": rows,
        "points": " ".join(points),
        "threshold": threshold,
        "threshold_y": y(float(threshold)),
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "pad": CHART_PAD,
        "max": round(top, 1),
    }


def lead_extensions_awaiting_approval(user) -> dict | None:
    """The count on the service lead's home: nine-month extensions waiting for the commissioner."""
    if not has_role(user, Role.SERVICE_LEAD):
        return None
    count = Extension.objects.filter(
        approved_at__isnull=True,
        declined_at__isnull=True,
        episode__in=episodes_visible_to(user),
        episode__state__in=CARE_STATES,
    ).count()
    return {
        "label": "Extensions waiting for the commissioner",
        "count": count,
        "href": "/care/worklist/#extensions-awaiting-approval",
    }
