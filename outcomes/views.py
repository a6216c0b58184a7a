"""Pages of the outcomes app: staff (scores, paper returns, feedback log) and the patient's
questionnaire link (no account)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from pathway.access import access_clinical_episode, access_episode, can_act_clinically, has_role
from pathway.audit import AuditedPaginator
from pathway.errors import DomainError, InvalidInput
from pathway.models import Role
from pathway.rules import rule
from pathway.services import record_view

from . import services
from .filters import FeedbackFilter
from .forms import PAPER_FORMS, FeedbackForm, step_form_class
from .models import Feedback, Instrument, PromResponse
from .questionnaires import steps_for
from .selectors import episode_invitations, episode_prom_summary, episode_proms, feedback_list


def _staff_episode(request, pk):
    return access_clinical_episode(request.user, pk)


@login_required
def episode_outcomes(request, pk):
    episode = _staff_episode(request, pk)
    record_view(user=request.user, episode=episode, path=request.path)
    responses = list(episode_proms(episode))
    return render(
        request,
        "outcomes/episode_outcomes.html",
        {
            "episode": episode,
            "prom_summary": episode_prom_summary(episode, responses),
            "responses": responses,
            "invitations": episode_invitations(episode),
            "experience": episode.experience_surveys.order_by("answered_on"),
            "can_record": can_act_clinically(request.user),
        },
    )


def _apply_errors(form, errors: dict) -> None:
    for field, messages_ in errors.items():
        target = field if field in form.fields else None
        for message in messages_:
            form.add_error(target, message)


@login_required
def paper_return(request, pk):
    episode = _staff_episode(request, pk)
    if not can_act_clinically(request.user):
        raise Http404("No such page.")
    instrument = request.GET.get("instrument") or request.POST.get("instrument") or ""
    if instrument not in PAPER_FORMS:
        return render(request, "outcomes/paper_choose.html", {"episode": episode, "instruments": Instrument.choices})
    form_class = PAPER_FORMS[instrument]
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                services.prom_response_create(
                    episode=episode,
                    instrument=instrument,
                    timepoint=form.cleaned_data["timepoint"],
                    answers=form.answers(),
                    source=PromResponse.Source.PAPER,
                    actor=request.user,
                    completed_on=form.cleaned_data["completed_on"],
                    value_set=form.cleaned_data.get("value_set") or None,
                    require_complete=not form.cleaned_data["incomplete"],
                )
            except InvalidInput as exc:
                _apply_errors(form, exc.errors)
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, f"{Instrument(instrument).label} recorded.")
                return redirect("outcomes:episode", pk=episode.pk)
    else:
        form = form_class(initial={"value_set": rule("eq5d_value_set")})
    return render(
        request,
        "outcomes/paper_return.html",
        {"episode": episode, "form": form, "instrument": instrument, "instrument_label": Instrument(instrument).label},
    )


# --- Patient link ------------------------------------------------------------------------------


def _private(response, status: int | None = None):
    """No caching, no referrer carrying the token to another site, and no request log line with it.

    same-origin, not no-referrer: with no-referrer Chromium posts the form with ``Origin: null``, which
    Django's CSRF check refuses (403), so the patient could not send their answers."""
    if status:
        response.status_code = status
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    # Django logs 4xx responses with their path, which holds the token: mark it as logged.
    response._has_been_logged = True
    return response


def _link_problem(request, problem: services.LinkProblem):
    return _private(render(request, "outcomes/patient/link_problem.html", {"code": problem.code}), problem.status_code)


@never_cache
def patient_questionnaire(request, token):
    try:
        invitation = services.invitation_for_token(token)
    except services.LinkProblem as problem:
        return _link_problem(request, problem)
    steps = steps_for(invitation.instruments, invitation.timepoint)
    saved = invitation.partial_answers
    done = set(saved.get("_done", []))
    if request.method == "POST" and request.POST.get("action") == "submit":
        if not any(v not in (None, "") for k, v in saved.items() if k != "_done"):
            context = {"steps": steps, "done": done, "total": len(steps), "nothing_answered": True}
            return _private(render(request, "outcomes/patient/check.html", context))
        try:
            services.prom_invitation_submit(token=token)
        except services.LinkProblem as problem:
            return _link_problem(request, problem)
        return _private(render(request, "outcomes/patient/thanks.html", {}))
    step_param = request.POST.get("step") if request.method == "POST" else request.GET.get("step")
    if step_param == "check" or (step_param is None and len(done) == len(steps)):
        return _private(
            render(request, "outcomes/patient/check.html", {"steps": steps, "done": done, "total": len(steps)})
        )
    try:
        number = int(step_param) if step_param else next(i for i, s in enumerate(steps, 1) if s.key not in done)
    except (ValueError, StopIteration):
        number = 1
    number = min(max(number, 1), len(steps))
    step = steps[number - 1]
    form_class = step_form_class(step)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            answers = {**form.cleaned_data, "_done": sorted(done | {step.key})}
            try:
                services.prom_invitation_save_answers(token=token, answers=answers)
            except services.LinkProblem as problem:
                return _link_problem(request, problem)
            if request.POST.get("action") == "later":
                return _private(render(request, "outcomes/patient/saved.html", {"expires_at": invitation.expires_at}))
            next_url = f"?step={number + 1}" if number < len(steps) else "?step=check"
            return redirect(request.path + next_url)
    else:
        form = form_class(initial={k: (str(v) if isinstance(v, int) else v) for k, v in saved.items()})
    context = {"form": form, "step": step, "number": number, "total": len(steps), "questions": step.questions}
    return _private(render(request, "outcomes/patient/step.html", context))


# --- Complaints and compliments ------------------------------------------------------------------


def _feedback_staff(request):
    if not has_role(request.user, Role.CLINICIAN, Role.SERVICE_LEAD):
        raise Http404("No such page.")


@login_required
def feedback_index(request):
    _feedback_staff(request)
    filters = FeedbackFilter(request.GET, queryset=feedback_list(user=request.user))
    if not filters.is_valid():
        return render(request, "outcomes/feedback_list.html", {"filters": filters.form}, status=400)
    page = AuditedPaginator(filters.qs, 25, user=request.user).get_page(request.GET.get("page"))
    return render(
        request,
        "outcomes/feedback_list.html",
        {"page": page, "filters": filters.form, "query_string": filters.query_string()},
    )


def _feedback_form(request, feedback: Feedback | None):
    initial = {"episode_ref": feedback.episode_id} if feedback else {}
    form = FeedbackForm(request.POST or None, instance=feedback, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        episode = None
        if data.get("episode_ref"):
            try:
                episode = access_episode(request.user, data["episode_ref"])
            except Http404:
                form.add_error("episode_ref", "There is no episode with that number that you can see.")
        if not form.errors:
            fields = {k: data[k] for k in ("kind", "received_on", "summary", "action_taken", "closed_on")}
            try:
                if feedback is None:
                    services.feedback_create(actor=request.user, episode=episode, **fields)
                else:
                    services.feedback_update(feedback=feedback, actor=request.user, episode=episode, **fields)
            except InvalidInput as exc:
                _apply_errors(form, exc.errors)
            else:
                messages.success(request, "Complaint or compliment saved.")
                return redirect(reverse("outcomes:feedback"))
    return render(request, "outcomes/feedback_form.html", {"form": form, "feedback": feedback})


@login_required
def feedback_new(request):
    _feedback_staff(request)
    return _feedback_form(request, None)


@login_required
def feedback_edit(request, pk):
    _feedback_staff(request)
    feedback = get_object_or_404(Feedback, pk=pk)
    if feedback.episode_id is not None:
        access_episode(request.user, feedback.episode_id)
    return _feedback_form(request, feedback)
