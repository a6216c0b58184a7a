"""SPA triage pages: the work queue (with an htmx partial), claims, the triage page, breaches."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pathway import services as core
from pathway.access import access_episode
from pathway.audit import AuditedPaginator
from pathway.errors import DomainError
from pathway.rules import rule
from pathway.selectors import episode_timeline, rtt_summary
from referrals.models import EXCLUDED_CONDITIONS
from referrals.selectors import referral_for, referral_of_episode
from referrals.views import apply_errors

from . import services
from .criteria import acceptance_criteria
from .forms import InfoReceivedForm, ReassignForm, RedFlagClearForm, RedFlagSendForm, TriageOutcomeForm
from .selectors import (
    can_clear_red_flags,
    can_override_criteria,
    can_triage,
    is_spa_lead,
    queue_counts,
    queue_rows,
    red_flag_reviews_for,
    red_flag_rows,
    triage_breaches,
    triage_queue,
    uncleared_red_flags,
    working_days_left,
)
from .services import CriteriaNotMet

QUEUE_PAGE_SIZE = 25


def _require_triager(user) -> None:
    if not can_triage(user):
        raise Http404("No such page.")


def _queue_context(request, today, waiting: int | None = None) -> dict:
    """The queue's page; ``waiting`` is the number of rows when the counts above the queue have it."""
    page = AuditedPaginator(triage_queue(request.user), QUEUE_PAGE_SIZE, user=request.user, count=waiting).get_page(
        request.GET.get("page")
    )
    return {
        "page": page,
        "rows": queue_rows(page.object_list, today),
        "today": today,
        "is_lead": is_spa_lead(request.user),
        # The choices once for the page: the template repeats them in every row's reassign form.
        "reassign_choices": list(ReassignForm().fields["user"].choices) if is_spa_lead(request.user) else [],
    }


@login_required
def queue(request):
    _require_triager(request.user)
    today = core.today_london()
    # The counts first: their number waiting is the paginator's count, so the queue is counted once.
    counts = queue_counts(request.user, today)
    context = _queue_context(request, today, waiting=counts["waiting"])
    context["counts"] = counts
    return render(request, "triage/queue.html", context)


@login_required
def queue_partial(request):
    """The queue table alone, polled by htmx so the queue updates without a full reload."""
    _require_triager(request.user)
    return render(request, "triage/_queue_table.html", _queue_context(request, core.today_london()))


@login_required
@require_POST
def claim_next(request):
    _require_triager(request.user)
    referral = services.triage_claim_next(user=request.user)
    if referral is None:
        messages.info(request, "There are no unclaimed referrals waiting for triage.")
        return redirect("triage-queue")
    return redirect("triage-episode", pk=referral.episode_id)


@login_required
@require_POST
def claim(request, pk):
    _require_triager(request.user)
    referral = referral_for(request.user, pk)
    try:
        services.triage_claim(referral=referral, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("triage-queue")
    return redirect("triage-episode", pk=referral.episode_id)


@login_required
@require_POST
def release(request, pk):
    _require_triager(request.user)
    referral = referral_for(request.user, pk)
    try:
        services.triage_release(referral=referral, actor=request.user, is_lead=is_spa_lead(request.user))
        messages.success(request, "The referral is back in the queue.")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("triage-queue")


@login_required
@require_POST
def reassign(request, pk):
    if not is_spa_lead(request.user):
        raise Http404("No such page.")
    referral = referral_for(request.user, pk)
    form = ReassignForm(request.POST)
    if form.is_valid():
        try:
            services.triage_reassign(referral=referral, to_user=form.cleaned_data["user"], actor=request.user)
            messages.success(request, "The referral has been reassigned.")
        except DomainError as exc:
            messages.error(request, exc.detail)
    else:
        messages.error(request, "Choose who to reassign the referral to.")
    return redirect("triage-queue")


def _episode_context(request, episode, *, outcome_form=None, flag_form=None, info_form=None, send_form=None) -> dict:
    referral = referral_of_episode(request.user, episode)
    criteria = acceptance_criteria(referral)
    flags = red_flag_rows(referral)
    return {
        "can_triage": can_triage(request.user),
        "send_form": send_form or RedFlagSendForm(),
        "reviews": referral.red_flag_reviews.select_related("clinician", "requested_by"),
        "episode": episode,
        "referral": referral,
        # The referral's copy of the episode has its RTT periods prefetched.
        "rtt": rtt_summary(referral.episode),
        "criteria": criteria,
        "criteria_failed": [c for c in criteria if not c["met"]],
        "flags": flags,
        "has_open_flags": any(row["clearance"] is None for row in flags),
        "excluded": [EXCLUDED_CONDITIONS.get(code, code) for code in referral.excluded_conditions or []],
        "can_clear": can_clear_red_flags(request.user),
        "days_left": working_days_left(referral.triage_due_on, core.today_london()),
        "outcome_form": outcome_form
        or TriageOutcomeForm(initial={"version": episode.version}, may_override=can_override_criteria(request.user)),
        "may_override": can_override_criteria(request.user),
        "flag_form": flag_form,
        "info_form": info_form or InfoReceivedForm(),
        "events": episode_timeline(episode),
        "decisions": episode.triage_decisions.select_related("decided_by"),
        "min_pain_months": rule("min_pain_duration_months"),
    }


@login_required
def episode_triage(request, pk):
    """The triage page: the referral beside the acceptance criteria, red flags, and the outcome form.

    A clinician opens it (read only but for clearing the red flags) when SPA staff sent it to them."""
    # A clinician the SPA sent the referral to may open it; the service lets them post only an accept
    # with an override.
    if not (can_triage(request.user) or can_clear_red_flags(request.user)):
        raise Http404("No such page.")
    episode = access_episode(request.user, pk)
    if not hasattr(episode, "referral"):
        raise Http404("No referral for this episode.")
    form = None
    if request.method == "POST":
        form = TriageOutcomeForm(request.POST, may_override=can_override_criteria(request.user))
        if form.is_valid():
            data = form.cleaned_data
            try:
                decision = services.triage_decide(
                    episode=episode,
                    outcome=data["outcome"],
                    tier=data["tier"],
                    team=data["team"],
                    reason=data["reason"],
                    redirect_to=data["redirect_to"],
                    override_reason=data.get("override_reason", ""),
                    actor=request.user,
                    expected_version=data["version"],
                )
            except CriteriaNotMet as exc:
                form.add_error(None, "The referral does not meet the acceptance criteria:")
                for criterion in exc.criteria:
                    form.add_error(None, criterion)
                form.add_error(
                    "override_reason" if "override_reason" in form.fields else None,
                    "To accept it anyway, give the reason for the override."
                    if "override_reason" in form.fields
                    else "Only a clinician or the service lead can accept it anyway, with an override reason.",
                )
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"Triage recorded: {decision.get_outcome_display()}.")
                return redirect("triage-queue")
    core.record_view(user=request.user, episode=episode, path=request.path)
    context = _episode_context(request, episode, outcome_form=form)
    return render(request, "triage/episode.html", context, status=400 if form is not None and form.errors else 200)


@login_required
@require_POST
def clear_red_flag(request, pk):
    episode = access_episode(request.user, pk)
    if not can_clear_red_flags(request.user):
        raise Http404("No such page.")
    referral = referral_of_episode(request.user, episode)
    form = RedFlagClearForm(request.POST)
    if form.is_valid():
        try:
            services.red_flag_clear(
                referral=referral,
                flag=form.cleaned_data["flag"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Red flag cleared.")
            return redirect("triage-episode", pk=episode.pk)
    context = _episode_context(request, episode, flag_form=form)
    return render(request, "triage/episode.html", context, status=400)


@login_required
@require_POST
def send_red_flag(request, pk):
    """SPA staff send a red-flagged referral to a clinician, who finds it on their red-flag list."""
    _require_triager(request.user)
    episode = access_episode(request.user, pk)
    referral = referral_of_episode(request.user, episode)
    form = RedFlagSendForm(request.POST)
    if form.is_valid():
        clinician = form.cleaned_data["clinician"]
        try:
            services.red_flag_review_request(
                referral=referral, clinician=clinician, note=form.cleaned_data["note"], actor=request.user
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            name = clinician.get_full_name() or clinician.get_username()
            what = "the red flags" if uncleared_red_flags(referral) else "whether to accept it despite the criteria"
            messages.success(request, f"Sent to {name} to review {what}.")
            return redirect("triage-episode", pk=episode.pk)
    context = _episode_context(request, episode, send_form=form)
    return render(request, "triage/episode.html", context, status=400)


@login_required
def red_flag_reviews(request):
    """The red-flagged referrals SPA staff sent to this clinician to clear."""
    if not can_clear_red_flags(request.user):
        raise Http404("No such page.")
    return render(request, "triage/red_flag_reviews.html", {"rows": red_flag_reviews_for(request.user)})


@login_required
@require_POST
def info_received(request, pk):
    _require_triager(request.user)
    episode = access_episode(request.user, pk)
    form = InfoReceivedForm(request.POST)
    form.is_valid()
    try:
        services.triage_info_received(
            episode=episode,
            actor=request.user,
            note=form.cleaned_data.get("note", ""),
            mental_health_settled=bool(form.cleaned_data.get("mental_health_settled")),
        )
        messages.success(request, "Information received: the referral is back in the triage queue.")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("triage-episode", pk=episode.pk)


@login_required
def breaches(request):
    """Referrals not triaged within the working-day limit, for the SPA lead."""
    _require_triager(request.user)
    page = AuditedPaginator(triage_breaches(request.user), 50, user=request.user).get_page(request.GET.get("page"))
    return render(request, "triage/breaches.html", {"page": page, "today": core.today_london()})
