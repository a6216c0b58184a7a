"""Core pages: home per role, patient search and record, breached deadlines."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.defaults import bad_request as django_bad_request

from .access import (
    access_patient,
    has_role,
    may_read_clinical,
    may_view_access_audit,
    patients_visible_to,
    user_roles,
)
from .audit import AuditedPaginator
from .models import Role
from .navigation import home_for, home_tasks
from .selectors import breached_deadlines as breached_deadlines_selector
from .selectors import patient_record
from .validators import normalise_nhs_number

HOME_LINKS = {
    Role.SPA_TRIAGE: [
        ("SPA triage queue", "/triage/"),
        ("New referral", "/referrals/new/"),
        ("Re-engage a discharged patient", "/referrals/reengage/"),
        ("Triage breaches", "/triage/breaches/"),
        ("Find a patient", "/patients/"),
        ("Demographics to reconcile", "/patients/reconcile/"),
    ],
    Role.CLINICIAN: [
        ("My work list", "/care/worklist/"),
        ("MDT reviews due", "/care/mdt/"),
        ("Group sessions", "/care/groups/"),
        ("Group programmes", "/programmes/"),
        ("Letter outbox", "/letters/"),
        ("Complaints and compliments", "/outcomes/feedback/"),
        ("Find a patient", "/patients/"),
        ("Demographics to reconcile", "/patients/reconcile/"),
    ],
    Role.SERVICE_LEAD: [
        ("Patient tracking list", "/reports/ptl/"),
        ("KPI dashboard", "/reports/kpis/"),
        ("Activity", "/reports/activity/"),
        ("Opioid comparison", "/reports/opioids/"),
        ("Safeguarding and incidents", "/safeguarding/"),
        ("Group programmes", "/programmes/"),
        ("Safeguarding and incident counts", "/safeguarding/report/"),
        ("Monthly data sets", "/reports/mds/"),
        ("Episodes over 9 months", "/reports/over-9-months/"),
        ("SPA triage queue", "/triage/"),
        ("Triage breaches", "/triage/breaches/"),
        ("Breached deadlines", "/deadlines/breached/"),
        ("Late and undelivered letters", "/letters/late/"),
        ("Letter outbox", "/letters/"),
        ("Complaints and compliments", "/outcomes/feedback/"),
        ("Find a patient", "/patients/"),
        ("Demographics to reconcile", "/patients/reconcile/"),
        ("Emergency access to the admin site (break glass)", "/audit/break-glass/"),
    ],
    Role.COMMISSIONER: [
        ("KPI dashboard", "/reports/kpis/"),
        ("Activity", "/reports/activity/"),
        ("Episodes over 9 months", "/reports/over-9-months/"),
        ("Monthly data sets", "/reports/mds/"),
        ("Safeguarding and incident counts", "/safeguarding/report/"),
    ],
    Role.GP_PRACTICE: [
        ("Refer a patient", "/referrals/new/"),
        ("Our referrals", "/referrals/"),
        ("Find a patient", "/patients/"),
    ],
    Role.ADMIN: [("Administration", "/admin/")],
}


@login_required
def home(request):
    """A single-role user's home is their work (the queue, the work list, the dashboard, the referrals and
    letters); the service lead's, and anyone's with several roles, is the tasks waiting with their links."""
    work = home_for(request.user)
    if work:
        return redirect(work)
    roles = user_roles(request.user)
    sections = [(Role(r).label, HOME_LINKS[r]) for r in Role.values if r in roles]
    if request.user.is_superuser and not sections:
        sections = [("Administration", HOME_LINKS[Role.ADMIN])]
    return render(request, "pathway/home.html", {"sections": sections, "tasks": home_tasks(request.user)})


@login_required
def patient_search(request):
    if not has_role(request.user, Role.SPA_TRIAGE, Role.CLINICIAN, Role.SERVICE_LEAD, Role.GP_PRACTICE):
        raise Http404("No such page.")
    query = (request.GET.get("q") or "").strip()
    patients = patients_visible_to(request.user).select_related("practice")
    if query:
        digits = normalise_nhs_number(query)
        if digits.isdigit():
            patients = patients.filter(nhs_number__startswith=digits)
        else:
            patients = patients.filter(Q(family_name__icontains=query) | Q(given_name__icontains=query))
    page = AuditedPaginator(patients.order_by("family_name", "given_name", "id"), 25, user=request.user).get_page(
        request.GET.get("page")
    )
    return render(request, "pathway/patient_search.html", {"page": page, "query": query})


@login_required
def patient_detail(request, pk):
    patient = access_patient(request.user, pk)
    episodes = patient_record(patient, user=request.user)
    # Only the service's staff may open the clinical record; a GP practice follows its referral instead.
    clinical = may_read_clinical(request.user)
    context = {
        "patient": patient,
        "episodes": episodes,
        "clinical": clinical,
        "may_view_access_audit": may_view_access_audit(request.user),
    }
    return render(request, "pathway/patient_detail.html", context)


@login_required
def breached_deadlines(request):
    if not has_role(request.user, Role.SPA_TRIAGE, Role.SERVICE_LEAD, Role.CLINICIAN):
        raise Http404("No such page.")
    page = AuditedPaginator(breached_deadlines_selector(request.user), 50, user=request.user).get_page(
        request.GET.get("page")
    )
    return render(request, "pathway/breached_deadlines.html", {"page": page})


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    """404 for every path: the API's JSON shape under /api/, an NHS.UK page elsewhere."""
    if request.path.startswith("/api/v1/fhir/"):
        # What the FHIR reads document for a 404 (e.g. /fhir/Patient/abc): an OperationOutcome.
        outcome = {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": "not-found", "diagnostics": "No such resource."}],
        }
        return JsonResponse(outcome, status=404, content_type="application/fhir+json")
    if _wants_json(request):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return render(request, "404.html", status=404)


def bad_request(request, exception=None):
    """400 that Django answers itself (e.g. an unreadable request): the API's JSON shape under /api/."""
    if _wants_json(request):
        return JsonResponse({"non_field_errors": ["The request could not be read."]}, status=400)
    return django_bad_request(request, exception)


def server_error(request):
    """500 without the template context (it may be what failed): JSON under /api/, a plain page elsewhere."""
    if _wants_json(request):
        return JsonResponse({"detail": "Something went wrong on our side.", "code": "server_error"}, status=500)
    return render(request, "500.html", status=500)
