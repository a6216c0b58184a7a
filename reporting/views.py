"""Report pages: thin views over the selectors. Commissioner pages never show patient identifiers."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pathway import audit
from pathway.errors import DomainError, InvalidInput
from pathway.keyset import keyset_page, parse_after
from pathway.models import DischargeReason
from pathway.services import today_london
from pathway.streaming import stream_rows
from safeguarding.models import Incident, SafeguardingConcern
from safeguarding.selectors import safety_counts
from triage.models import TriageOutcome

from . import selectors, services
from .api import stream_csv
from .filters import PtlPageFilter, ReportPageFilter
from .forms import HalfYearForm
from .kpis import KPI_BY_CODE, compute_kpis, month_last_day

PTL_CSV_COLUMNS = [
    "episode_reference",
    "patient_id",
    "practice_ods",
    "state",
    "tier",
    "clock_start",
    "days_waited",
    "weeks_waited",
    "rtt_breach_on",
    "next_appointment",
    "band",
    "rtt_warning",
]


def _require_reports(user) -> None:
    if not selectors.can_see_reports(user):
        raise Http404("No such page.")


def _require_staff(user) -> None:
    if not selectors.is_report_staff(user):
        raise Http404("No such page.")


def _filters(request):
    """The filters (their form) and, when they are valid, the scope and month they select."""
    _require_reports(request.user)
    filters = ReportPageFilter(request.GET, user=request.user, today=today_london())
    if not filters.is_valid():
        return filters, None, None
    return filters, filters.scope(), filters.cleaned_data["month"]


@login_required
def kpi_dashboard(request):
    filters, scope, month = _filters(request)
    form = filters.form
    context = {"form": form, "scope": scope, "month": month, "staff": selectors.is_report_staff(request.user)}
    if scope is not None:
        context["kpis"] = compute_kpis(scope, month)
        context["trend"] = selectors.kpi_trend(scope, month, current=context["kpis"])
        context["trend_cache_minutes"] = settings.REPORTING_TREND_CACHE_SECONDS // 60
        context["trend_rows"] = [
            {"name": context["trend"]["names"][code], "points": points}
            for code, points in context["trend"]["series"].items()
        ]
        context["query_string"] = filters.query_string()
    return render(request, "reporting/kpis.html", context, status=200 if scope is not None else 400)


@login_required
def kpi_drill_down(request, code):
    _require_staff(request.user)
    if code not in KPI_BY_CODE:
        raise Http404("No such KPI.")
    filters, scope, month = _filters(request)
    if scope is None:
        return render(request, "reporting/kpis.html", {"form": filters.form, "staff": True}, status=400)
    part = "numerator" if request.GET.get("part") == "numerator" else "denominator"
    episodes = selectors.kpi_episodes(scope, code, month, part)
    page = Paginator(episodes, 50).get_page(request.GET.get("page"))
    base_query = filters.query_string()
    qs = f"{base_query}&part={part}"
    return render(
        request,
        "reporting/kpi_episodes.html",
        {
            "kpi": KPI_BY_CODE[code],
            "part": part,
            "page": page,
            "month": month,
            "query_string": qs,
            "base_query": base_query,
            "scope": scope,
        },
    )


@login_required
def over_nine_months(request):
    _require_reports(request.user)
    staff = selectors.is_report_staff(request.user)
    scope = selectors.resolve_scope(request.user, commissioner=request.GET.get("commissioner") if staff else None)
    today = today_london()
    episodes = selectors.over_9_months(scope, today)
    page = Paginator(episodes, 50).get_page(request.GET.get("page"))
    rows = [
        {"episode": e, "months_open": selectors.months_open(e.admitted_on, today), "staff": staff}
        for e in page.object_list
    ]
    return render(request, "reporting/over_9_months.html", {"page": page, "rows": rows, "today": today, "scope": scope})


@login_required
def activity(request):
    filters, scope, month = _filters(request)
    context = {"form": filters.form, "scope": scope, "month": month}
    if scope is not None:
        data = selectors.activity(scope, month)
        reasons = dict(DischargeReason.choices)
        outcomes = dict(TriageOutcome.choices)
        table = {m: {"referrals": data["referrals"].get(m, 0), "discharges": {}, "triage": {}} for m in data["months"]}
        for m, reason, n in data["discharges"]:
            table[m]["discharges"][reason] = n
        for m, outcome, n in data["triage"]:
            table[m]["triage"][outcome] = n
        context.update(
            months=[
                {
                    "month": m,
                    "referrals": table[m]["referrals"],
                    "discharges": [table[m]["discharges"].get(r, 0) for r in reasons],
                    "triage": [table[m]["triage"].get(o, 0) for o in outcomes],
                }
                for m in data["months"]
            ],
            reason_labels=list(reasons.values()),
            outcome_labels=list(outcomes.values()),
            feedback=data["feedback"],
            staff=selectors.is_report_staff(request.user),
        )
    return render(request, "reporting/activity.html", context, status=200 if scope is not None else 400)


@login_required
def opioid_comparison(request):
    _require_reports(request.user)
    staff = selectors.is_report_staff(request.user)
    scope = selectors.resolve_scope(request.user, commissioner=request.GET.get("commissioner") if staff else None)
    form = HalfYearForm(request.GET)
    form.is_valid()
    try:
        label, start, end = selectors.half_year_bounds(request.GET.get("period"), today_london())
    except InvalidInput as exc:
        form.add_error("period", exc.errors["period"])
        return render(request, "reporting/opioids.html", {"form": form}, status=400)
    totals = selectors.opioid_comparison(scope, start, end)
    return render(
        request,
        "reporting/opioids.html",
        {"form": form, "label": label, "start": start, "end": end, "totals": totals, "scope": scope},
    )


def _ptl_filters(request) -> PtlPageFilter:
    _require_staff(request.user)
    return PtlPageFilter(request.GET, user=request.user, today=today_london())


@login_required
def ptl(request):
    filters = _ptl_filters(request)
    today = filters.today
    context = {"form": filters.form, "today": today, "filtered": bool(request.GET.get("commissioner"))}
    if not filters.is_valid():
        return render(request, "reporting/ptl.html", context, status=400)
    try:
        after = parse_after(request.GET.get("after"))
    except InvalidInput as exc:
        return render(request, "reporting/ptl.html", context | {"after_error": exc.errors["after"][0]}, status=400)
    # Keyset pages: the next 50 after the last row shown, read from the index of running clocks
    # (no COUNT of every open pathway, no OFFSET that grows with the page number).
    page = keyset_page(filters.qs, date_field="clock_start", after=after, size=50)
    audit.note_list(user=request.user, patient_ids=audit.patient_ids_of(page.rows))
    context |= {
        "band": filters.cleaned_data["band"],
        "page": page,
        "rows": [selectors.ptl_row(p, today) for p in page.rows],
        "query_string": filters.query_string(),
    }
    return render(request, "reporting/ptl.html", context)


@login_required
def ptl_export(request):
    filters = _ptl_filters(request)
    today = filters.today
    if not filters.is_valid():
        return render(request, "reporting/ptl.html", {"form": filters.form, "today": today}, status=400)
    # The export lists patients: logged up front, as the rows stream after the response has begun.
    audit.note_list(
        user=request.user, patient_ids=filters.qs.values_list("episode__patient_id", flat=True), action="export"
    )

    def rows():
        yield PTL_CSV_COLUMNS
        make = selectors.PtlRows(today)
        for values in stream_rows(selectors.ptl_values(filters.qs)):
            row = make.row(*values)
            yield [row[c].isoformat() if hasattr(row[c], "isoformat") else row[c] for c in PTL_CSV_COLUMNS]

    return stream_csv(rows(), f"ptl-{today:%Y-%m-%d}.csv")


@login_required
def data_sets(request):
    _require_reports(request.user)
    today = today_london()
    sets = selectors.data_sets_for(request.user).order_by("-month", "commissioner__code")
    page = Paginator(sets, 24).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/data_sets.html",
        {
            "page": page,
            "on_time": selectors.mds_on_time(sets, today),
            "staff": selectors.is_report_staff(request.user),
            "today": today,
        },
    )


def _data_set(user, pk):
    data_set = selectors.data_sets_for(user).filter(pk=pk).first()
    if data_set is None:
        raise Http404("No such data set.")
    return data_set


@login_required
def data_set_download(request, pk):
    _require_reports(request.user)
    data_set = _data_set(request.user, pk)
    if not data_set.file:
        raise Http404("This data set has not been generated yet.")
    if not data_set.file.storage.exists(data_set.file.name):
        # Generated on another host or lost from storage: make it again, unless it was submitted (then
        # what was sent must be restored from a backup, not rebuilt from today's data).
        if data_set.submitted_on:
            return render(request, "reporting/data_set_missing.html", {"data_set": data_set}, status=404)
        data_set = services.mds_generate(commissioner=data_set.commissioner, month=data_set.month)
    name = f"mds-{data_set.commissioner.code}-{data_set.month:%Y-%m}.csv"
    return FileResponse(data_set.file.open("rb"), as_attachment=True, filename=name, content_type="text/csv")


@login_required
@require_POST
def data_set_submitted(request, pk):
    _require_staff(request.user)
    data_set = _data_set(request.user, pk)
    try:
        services.mds_submit(data_set=data_set, on=today_london(), actor=request.user)
        messages.success(request, f"Marked the {data_set.month:%B %Y} data set as submitted.")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("reports-mds")


def _experience(request) -> tuple[dict, int]:
    """The annual experience report's context for the scope the user may see, and the status."""
    scope = selectors.resolve_scope(request.user, commissioner=request.GET.get("commissioner"))
    raw = (request.GET.get("year") or "").strip()
    last_year = today_london().year - 1
    if raw and not (raw.isdigit() and 2000 <= int(raw) <= today_london().year):
        return {"year_error": f"'{raw}' is not a year of the service. Write it as YYYY, for example {last_year}."}, 400
    report = selectors.experience_report(scope.commissioner, int(raw) if raw else last_year)
    return {"report": report, "service_name": settings.SERVICE_NAME}, 200


@login_required
def experience(request):
    context, status = _experience(request)
    context["pdf_query"] = request.GET.urlencode()
    return render(request, "reporting/experience.html", context, status=status)


@login_required
def experience_pdf(request):
    import weasyprint
    from django.template.loader import render_to_string

    context, status = _experience(request)
    if status != 200:
        return render(request, "reporting/experience.html", context, status=status)
    html = render_to_string("reporting/experience_pdf.html", context)
    pdf = weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    report = context["report"]
    who = report["commissioner"].code if report["commissioner"] else "service"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="experience-{who}-{report["year"]}.pdf"'
    return response


@login_required
def safety_report(request):
    """Safeguarding and significant events of a month, as counts (commissioners see nothing else).
    Served at /safeguarding/report/ (reporting/safety_urls.py)."""
    filters, scope, month = _filters(request)
    context = {"form": filters.form, "scope": scope, "month": month}
    if scope is not None:
        counts = safety_counts(scope.episode_q("episode__"), month, month_last_day(month))
        context["safeguarding"] = counts["safeguarding"]
        context["categories"] = [
            (label, counts["safeguarding"]["by_category"][code]) for code, label in SafeguardingConcern.Category.choices
        ]
        context["incidents"] = [(label, counts["incidents"][code]) for code, label in Incident.Kind.choices]
    return render(request, "reporting/safety.html", context, status=200 if scope is not None else 400)
