"""Information governance pages: demographics to reconcile, who has viewed a record, break glass."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .access import (
    access_episode,
    access_patient,
    episodes_visible_to,
    may_reconcile_demographics,
    may_view_access_audit,
)
from .audit import AuditedPaginator, active_break_glass, break_glass_open
from .demographics import RECONCILED_FIELDS, reconciliation_decide, reconciliations_open
from .models import DemographicsReconciliation, RecordAccess

FIELD_LABELS = {
    "given_name": "First name",
    "family_name": "Last name",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "address": "Address",
    "postcode": "Postcode",
    "phone": "Phone",
    "ethnicity": "Ethnicity",
    "interpreter_needed": "Interpreter needed",
    "interpreter_language": "Interpreter language",
    "veteran": "Veteran",
    "practice_ods": "GP practice (ODS code)",
}
ACCESS_CSV_COLUMNS = ["at", "user", "role", "outcome", "action", "via", "path", "episode", "break_glass", "reason"]


def _reconciliations_for(user):
    if not may_reconcile_demographics(user):
        raise Http404("No such page.")
    return reconciliations_open().filter(episode__in=episodes_visible_to(user).values("pk"))


@login_required
def reconciliation_list(request):
    tasks = _reconciliations_for(request.user).order_by("created_at", "id")
    page = AuditedPaginator(tasks, 25, user=request.user).get_page(request.GET.get("page"))
    return render(request, "pathway/reconcile_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def reconciliation_detail(request, pk):
    task = _reconciliations_for(request.user).filter(pk=pk).first()
    if task is None:
        raise Http404("No such task.")
    access_episode(request.user, task.episode_id)
    error = ""
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision in ("apply", "dismiss"):
            choice = DemographicsReconciliation.Decision
            reconciliation_decide(
                reconciliation_id=task.pk,
                decision=choice.APPLIED if decision == "apply" else choice.DISMISSED,
                actor=request.user,
            )
            return redirect("reconciliation-list")
        error = "Choose whether to apply the referral's details or keep the record as it is."
    rows = [(FIELD_LABELS[f], task.current.get(f), task.proposed[f]) for f in RECONCILED_FIELDS if f in task.proposed]
    return render(request, "pathway/reconcile_detail.html", {"task": task, "rows": rows, "error": error})


def _access_rows(patient):
    return (
        RecordAccess.objects.filter(patient=patient)
        .select_related("user")
        .prefetch_related("user__groups")
        .order_by("-at", "-id")
    )


def _csv_lines(rows):
    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
    yield writer.writerow(ACCESS_CSV_COLUMNS)
    for row in rows.iterator(chunk_size=500):
        yield writer.writerow(
            [
                row.at.isoformat(),
                row.user.get_username(),
                " ".join(sorted(g.name for g in row.user.groups.all())),
                row.outcome,
                row.action,
                row.via,
                row.path,
                row.episode_id or "",
                "yes" if row.break_glass else "",
                row.reason,
            ]
        )


@login_required
def patient_access_log(request, pk):
    """Who has viewed this record (and who was refused): the service lead's, with a CSV for subject
    access requests."""
    if not may_view_access_audit(request.user):
        raise Http404("No such page.")
    patient = access_patient(request.user, pk)
    rows = _access_rows(patient)
    if request.GET.get("format") == "csv":
        response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="record-access-{patient.pk}.csv"'
        return response
    page = AuditedPaginator(rows, 50, user=request.user).get_page(request.GET.get("page"))
    return render(request, "pathway/access_log.html", {"patient": patient, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def break_glass(request):
    """An emergency read of clinical records in the admin site: the lead gives a reason, the grant
    lasts an hour, and every admin read during it is flagged in the audit with that reason."""
    if not may_view_access_audit(request.user):
        raise Http404("No such page.")
    error = ""
    if request.method == "POST":
        reason = (request.POST.get("reason") or "").strip()
        if len(reason) >= 10:
            break_glass_open(user=request.user, reason=reason)
            return redirect("admin:index")
        error = "Enter the reason for the emergency access (at least 10 characters)."
    return render(
        request,
        "pathway/break_glass.html",
        {"error": error, "grant": active_break_glass(request.user)},
    )
