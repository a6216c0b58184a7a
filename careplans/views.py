"""Pages of clinical care: the episode page, its action forms, work list, MDT list, groups."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from pathway import services as core
from pathway.access import (
    access_clinical_episode,
    access_episode,
    access_episode_object,
    can_act_clinically,
    episodes_visible_to,
    has_role,
)
from pathway.audit import AuditedPaginator
from pathway.errors import DomainError, InvalidInput, StaleVersion
from pathway.models import Role

from . import forms, selectors, services
from .models import Appointment, Extension, GroupSession, MedicationLine

WORKLIST_PAGE_SIZE = 20
WORKLIST_SECTIONS = (
    "appointments_today",
    "dna_decisions",
    "reviews_due",
    "mdt_due",
    "near_limit",
    "extensions_awaiting_approval",
    "letters_awaiting_approval",
)


def _clinical(user) -> None:
    if not can_act_clinically(user):
        raise PermissionDenied("Only clinicians and service leads may change an episode.")


def _episode_url(episode_id: int) -> str:
    return f"/care/episodes/{episode_id}/"


def _clinical_episode(user, pk):
    """The clinical record is for the service's staff; others get 404, as for what they may not see."""
    return access_clinical_episode(user, pk)


@login_required
def episode_page(request, pk):
    episode = _clinical_episode(request.user, pk)
    core.record_view(user=request.user, episode=episode, path=request.path)
    today = core.today_london()
    context = {
        "episode": episode,
        "patient": episode.patient,
        "today": today,
        "can_act": can_act_clinically(request.user),
        "is_lead": has_role(request.user, Role.SERVICE_LEAD),
        **selectors.episode_overview(episode, today),
    }
    return render(request, "careplans/episode.html", context)


def _action(
    request,
    *,
    episode,
    form_class,
    title: str,
    perform: Callable[[dict], str],
    initial: dict | None = None,
    intro: str = "",
):
    """Show an episode form; on POST call the service and go back to the episode page.

    A stale version, a domain conflict or bad input leaves the form on screen with an error
    summary, and nothing is written.
    """
    _clinical(request.user)
    status = 200
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                done = perform(form.cleaned_data)
            except StaleVersion as exc:
                form.add_error(None, exc.detail)
                status = 409
            except InvalidInput as exc:
                for field, errors in exc.errors.items():
                    form.add_error(field if field in form.fields else None, errors)
                status = 400
            except DomainError as exc:
                form.add_error(None, exc.detail)
                status = 409
            else:
                messages.success(request, done)
                return redirect(_episode_url(episode.pk))
        else:
            status = 400
    else:
        form = form_class(initial={"version": episode.version, **(initial or {})})
        core.record_view(user=request.user, episode=episode, path=request.path)
    context = {"episode": episode, "patient": episode.patient, "form": form, "title": title, "intro": intro}
    return render(request, "careplans/action_form.html", context, status=status)


def _expected(data: dict) -> int:
    return data.pop("version")


@login_required
@require_http_methods(["GET", "POST"])
def appointment_new(request, pk):
    episode = _clinical_episode(request.user, pk)

    def perform(data):
        version = _expected(data)
        appt = services.appointment_book(
            episode=episode, clinician=request.user, actor=request.user, expected_version=version, **data
        )
        return f"{appt.get_kind_display()} appointment booked for {appt.date:%d %B %Y}."

    return _action(
        request, episode=episode, form_class=forms.AppointmentForm, title="Book an appointment", perform=perform
    )


def _appointment(request, pk) -> Appointment:
    return access_episode_object(request.user, Appointment, pk)


@login_required
@require_http_methods(["GET", "POST"])
def appointment_outcome(request, pk):
    appointment = _appointment(request, pk)
    episode = appointment.episode

    def perform(data):
        appt = services.appointment_record_outcome(
            appointment=appointment, outcome=data["outcome"], actor=request.user, expected_version=data["version"]
        )
        if appt.outcome == Appointment.Outcome.DNA:
            return "DNA recorded. Decide what happens next: rebook, contact the patient or discharge as disengaged."
        return f"Outcome recorded: {appt.get_outcome_display()}."

    return _action(
        request,
        episode=episode,
        form_class=forms.OutcomeForm,
        title=f"Outcome of the {appointment.get_kind_display().lower()} appointment on {appointment.date:%d %B %Y}",
        perform=perform,
    )


@login_required
@require_http_methods(["GET", "POST"])
def appointment_dna_decision(request, pk):
    appointment = _appointment(request, pk)
    episode = appointment.episode

    def perform(data):
        appt = services.appointment_dna_decide(
            appointment=appointment,
            decision=data["decision"],
            reason=data["reason"],
            actor=request.user,
            expected_version=data["version"],
        )
        if appt.dna_decision == Appointment.DnaDecision.DISCHARGE:
            return "Decision recorded. Complete the discharge form (reason: disengaged) to discharge the patient."
        return "Decision recorded."

    return _action(
        request,
        episode=episode,
        form_class=forms.DnaDecisionForm,
        title="Decision after a missed appointment",
        intro="The patient did not attend. A clinician decides what happens next; nobody is discharged automatically.",
        perform=perform,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request, pk):
    episode = _clinical_episode(request.user, pk)

    def perform(data):
        version = _expected(data)
        assessment = services.assessment_record(
            episode=episode, clinician=request.user, expected_version=version, **data
        )
        risk = assessment.suicide_risk or assessment.alcohol_misuse or assessment.drug_misuse
        return "Assessment recorded." + (" An urgent mental-health referral is now due." if risk else "")

    return _action(
        request,
        episode=episode,
        form_class=forms.AssessmentForm,
        title="Biopsychosocial assessment",
        initial={"assessed_on": core.today_london()},
        perform=perform,
    )


@login_required
@require_http_methods(["POST"])
def mental_health_referral_sent(request, pk):
    episode = _clinical_episode(request.user, pk)
    _clinical(request.user)
    version = request.POST.get("version", "")
    try:
        services.mental_health_referral_made(
            episode=episode,
            on=core.today_london(),
            actor=request.user,
            expected_version=int(version) if version.isdigit() else None,
        )
    except StaleVersion as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, "Mental-health referral recorded as sent.")
    return redirect(_episode_url(episode.pk))


@login_required
@require_http_methods(["GET", "POST"])
def careplan_edit(request, pk):
    episode = _clinical_episode(request.user, pk)
    latest = selectors.latest_care_plan(episode)

    def perform(data):
        version = _expected(data)
        plan = services.careplan_save(episode=episode, actor=request.user, expected_version=version, **data)
        return f"Care plan version {plan.version} saved."

    return _action(
        request,
        episode=episode,
        form_class=forms.CarePlanForm,
        title="Revise the care plan" if latest else "Write the care plan",
        initial=forms.CarePlanForm.initial_from(latest),
        perform=perform,
    )


@login_required
def careplan_print(request, pk):
    episode = _clinical_episode(request.user, pk)
    core.record_view(user=request.user, episode=episode, path=request.path, action="print")
    plan = selectors.latest_care_plan(episode)
    if plan is None:
        raise Http404("No care plan yet.")
    return render(
        request, "careplans/careplan_print.html", {"episode": episode, "patient": episode.patient, "plan": plan}
    )


@login_required
@require_http_methods(["GET", "POST"])
def treatment_started(request, pk):
    episode = _clinical_episode(request.user, pk)

    def perform(data):
        version = _expected(data)
        started, created = services.treatment_start(
            episode=episode, actor=request.user, expected_version=version, **data
        )
        if not created:
            return f"Treatment had already started on {started.date:%d %B %Y}; nothing changed."
        return f"First definitive treatment recorded ({started.date:%d %B %Y}); the RTT clock has stopped."

    return _action(
        request,
        episode=episode,
        form_class=forms.TreatmentStartedForm,
        title="Record the first definitive treatment",
        initial={"date": core.today_london()},
        intro="This stops the referral-to-treatment clock.",
        perform=perform,
    )


@login_required
@require_http_methods(["GET", "POST"])
def medication_new(request, pk):
    episode = _clinical_episode(request.user, pk)

    def perform(data):
        version = _expected(data)
        line = services.medication_add(episode=episode, actor=request.user, expected_version=version, **data)
        return (
            f"{line.drug.capitalize()} added: OME {line.ome_mg_per_day} mg a day; review due "
            f"{line.review_due_on:%d %B %Y}."
        )

    return _action(
        request,
        episode=episode,
        form_class=forms.MedicationForm,
        title="Add an opioid",
        initial={"started_on": core.today_london()},
        perform=perform,
    )


@login_required
@require_http_methods(["GET", "POST"])
def medication_stop(request, pk):
    line = access_episode_object(request.user, MedicationLine, pk)
    episode = line.episode

    def perform(data):
        services.medication_stop(line=line, on=data["stopped_on"], actor=request.user, expected_version=data["version"])
        return f"{line.drug.capitalize()} stopped."

    return _action(
        request,
        episode=episode,
        form_class=forms.StopMedicationForm,
        title=f"Stop {line.drug} ({line.route})",
        initial={"stopped_on": core.today_london()},
        perform=perform,
    )


@login_required
@require_http_methods(["GET", "POST"])
def discharge(request, pk):
    episode = _clinical_episode(request.user, pk)

    def perform(data):
        version = _expected(data)
        _, letter = services.discharge_record(episode=episode, actor=request.user, expected_version=version, **data)
        return f"Patient discharged. The discharge letter is due to the GP by {letter.due_on:%d %B %Y}."

    initial = {"date": core.today_london()}
    if request.GET.get("reason") in dict(forms.DischargeForm.base_fields["reason"].choices):
        initial["reason"] = request.GET["reason"]
    return _action(
        request, episode=episode, form_class=forms.DischargeForm, title="Discharge", initial=initial, perform=perform
    )


@login_required
@require_http_methods(["GET", "POST"])
def extension_new(request, pk):
    episode = _clinical_episode(request.user, pk)

    def perform(data):
        version = _expected(data)
        ext = services.extension_request(episode=episode, actor=request.user, expected_version=version, **data)
        if ext.approved_at:
            return f"Extension to {ext.until:%d %B %Y} approved; a letter to the GP is queued."
        return f"Extension to {ext.until:%d %B %Y} requested; a service lead must approve it."

    return _action(
        request, episode=episode, form_class=forms.ExtensionForm, title="Extend past nine months", perform=perform
    )


@login_required
@require_http_methods(["GET", "POST"])
def extension_approve(request, pk):
    extension = access_episode_object(request.user, Extension, pk)
    episode = extension.episode
    if not has_role(request.user, Role.SERVICE_LEAD):
        raise PermissionDenied("Only a service lead can approve an extension.")

    def perform(data):
        services.extension_approve(extension=extension, actor=request.user, expected_version=data["version"])
        return f"Extension to {extension.until:%d %B %Y} approved; a letter to the GP is queued."

    return _action(
        request,
        episode=episode,
        form_class=forms.ApproveExtensionForm,
        title=f"Approve the extension to {extension.until:%d %B %Y}",
        intro=f"Clinical rationale: {extension.rationale}",
        perform=perform,
    )


@login_required
@require_http_methods(["GET", "POST"])
def mdt_review_new(request, pk):
    episode = _clinical_episode(request.user, pk)

    def perform(data):
        version = _expected(data)
        review = services.mdt_review_record(episode=episode, actor=request.user, expected_version=version, **data)
        return f"MDT review recorded (tier {review.tier_after or 'not set'})."

    return _action(
        request,
        episode=episode,
        form_class=forms.MdtReviewForm,
        title="Record an MDT review",
        initial={"reviewed_on": core.today_london()},
        perform=perform,
    )


@login_required
def worklist(request):
    if not can_act_clinically(request.user):
        raise Http404("No such page.")
    context = selectors.worklist(request.user, core.today_london())
    # Each section pages on its own (?reviews_due=2): a lead's work list can run to hundreds of rows.
    for key in WORKLIST_SECTIONS:
        context[key] = AuditedPaginator(context[key], WORKLIST_PAGE_SIZE, user=request.user).get_page(
            request.GET.get(key)
        )
    return render(request, "careplans/worklist.html", context)


@login_required
def mdt_list(request):
    if not can_act_clinically(request.user):
        raise Http404("No such page.")
    today = core.today_london()
    page = AuditedPaginator(selectors.mdt_due(request.user, today), 50, user=request.user).get_page(
        request.GET.get("page")
    )
    return render(request, "careplans/mdt.html", {"page": page, "today": today})


@login_required
@require_http_methods(["GET", "POST"])
def group_list(request):
    if not can_act_clinically(request.user):
        raise Http404("No such page.")
    form = forms.GroupSessionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                session = services.group_session_create(facilitator=request.user, **form.cleaned_data)
            except InvalidInput as exc:
                for field, errors in exc.errors.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"Group session {session.name} created.")
                return redirect(f"/care/groups/{session.pk}/")
        status = 400
    page = AuditedPaginator(selectors.group_sessions(), 25, user=request.user).get_page(request.GET.get("page"))
    return render(request, "careplans/groups.html", {"page": page, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def group_detail(request, pk):
    if not can_act_clinically(request.user):
        raise Http404("No such page.")
    session = get_object_or_404(GroupSession, pk=pk)
    form = forms.GroupBookingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                episode = access_episode(request.user, form.cleaned_data["episode"])
            except Http404:
                form.add_error("episode", "No episode with that number that you can see.")
            else:
                try:
                    services.appointment_book(
                        episode=episode,
                        kind=Appointment.Kind.GROUP,
                        date=session.date,
                        group_session=session,
                        clinician=request.user,
                        actor=request.user,
                    )
                except InvalidInput as exc:
                    for errors in exc.errors.values():
                        form.add_error("episode", errors)
                except DomainError as exc:
                    form.add_error("episode", exc.detail)
                else:
                    messages.success(request, f"{episode.reference} booked into the session.")
                    return redirect(f"/care/groups/{session.pk}/")
        status = 400
    register = list(selectors.group_register(session))
    visible = set(
        episodes_visible_to(request.user).filter(pk__in=[a.episode_id for a in register]).values_list("pk", flat=True)
    )
    booked = [
        a
        for a in register
        if a.outcome not in (Appointment.Outcome.PATIENT_CANCELLED, Appointment.Outcome.SERVICE_CANCELLED)
    ]
    context = {
        "session": session,
        "register": [(a, a.episode_id in visible) for a in register],
        "booked": len(booked),
        "places_left": max(0, session.capacity - len(booked)),
        "form": form,
    }
    return render(request, "careplans/group_detail.html", context, status=status)
