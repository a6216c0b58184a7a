"""Letter pages: the outbox, late letters, one letter with its PDF preview, and actions on it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from pathway.access import access_episode, can_act_clinically, has_role
from pathway.audit import AuditedPaginator
from pathway.errors import DomainError
from pathway.models import LetterState, Role
from pathway.services import record_view

from . import selectors, services
from .api import letter_pdf_bytes, pdf_response
from .filters import LetterFilter

STAFF = (Role.SPA_TRIAGE, Role.CLINICIAN, Role.SERVICE_LEAD)


def _require_staff(user) -> None:
    if not has_role(user, *STAFF):
        raise Http404("No such page.")


@login_required
def outbox(request):
    _require_staff(request.user)
    filters = LetterFilter(request.GET, queryset=selectors.letters_outbox(request.user))
    context = {"form": filters.form, "can_see_late": has_role(request.user, Role.SERVICE_LEAD)}
    if not filters.is_valid():
        return render(request, "letters/pages/outbox.html", context, status=400)
    context |= {
        "page": AuditedPaginator(filters.qs, 25, user=request.user).get_page(request.GET.get("page")),
        "state": filters.cleaned_data["state"],
        "query_string": filters.query_string(),
    }
    return render(request, "letters/pages/outbox.html", context)


@login_required
def inbox(request):
    """The GP practice's letters inbox: newest first, unread marked."""
    if not has_role(request.user, Role.GP_PRACTICE):
        raise Http404("No such page.")
    page = AuditedPaginator(selectors.practice_inbox(request.user), 25, user=request.user).get_page(
        request.GET.get("page")
    )
    unread = selectors.practice_inbox(request.user).filter(practice_read_at__isnull=True).count()
    return render(request, "letters/pages/inbox.html", {"page": page, "unread": unread})


@login_required
def late(request):
    if not has_role(request.user, Role.SERVICE_LEAD):
        raise Http404("No such page.")
    page = AuditedPaginator(selectors.letters_late(request.user), 25, user=request.user).get_page(
        request.GET.get("page")
    )
    return render(request, "letters/pages/late.html", {"page": page})


@login_required
def episode_letters(request, episode_id):
    episode = access_episode(request.user, episode_id)
    record_view(user=request.user, episode=episode, path=request.path)
    page = AuditedPaginator(selectors.episode_letters(request.user, episode.pk), 25, user=request.user).get_page(
        request.GET.get("page")
    )
    return render(request, "letters/pages/episode_letters.html", {"episode": episode, "page": page})


@login_required
def detail(request, pk):
    letter = selectors.access_letter(request.user, pk)
    record_view(user=request.user, episode=letter.episode, path=request.path)
    if has_role(request.user, Role.GP_PRACTICE):
        services.letter_mark_read_by_practice(letter=letter, actor=request.user)
    return render(
        request,
        "letters/pages/detail.html",
        {"letter": letter, "can_act": can_act_clinically(request.user), "states": LetterState},
    )


@login_required
@xframe_options_sameorigin
def pdf(request, pk):
    letter = selectors.access_letter(request.user, pk)
    record_view(user=request.user, episode=letter.episode, path=request.path, action="letter_pdf")
    try:
        data = letter_pdf_bytes(letter)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("letter-detail", pk=letter.pk)
    return pdf_response(letter, data)


def _act(request, pk, action, done: str):
    letter = selectors.access_letter(request.user, pk)
    if not can_act_clinically(request.user):
        raise Http404("No such page.")
    try:
        action(letter)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        letter.refresh_from_db()
        if services.delivery_paused(letter):
            messages.warning(request, f"{done} {services.DELIVERY_PAUSED}")
        else:
            messages.success(request, done)
    return redirect("letter-detail", pk=letter.pk)


@login_required
@require_POST
def approve(request, pk):
    return _act(
        request, pk, lambda letter: services.letter_approve(letter=letter, actor=request.user), "Letter approved."
    )


@login_required
@require_POST
def mark_sent(request, pk):
    return _act(
        request,
        pk,
        lambda letter: services.letter_mark_sent_by_hand(letter=letter, actor=request.user),
        "Letter recorded as sent by hand.",
    )


@login_required
@require_POST
def requeue(request, pk):
    return _act(
        request, pk, lambda letter: services.letter_requeue(letter=letter, actor=request.user), "Letter queued again."
    )


@login_required
@require_POST
def patient_copy(request, pk):
    letter = selectors.access_letter(request.user, pk)
    if not can_act_clinically(request.user):
        raise Http404("No such page.")
    try:
        copy = services.letter_patient_copy_create(letter=letter, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("letter-detail", pk=letter.pk)
    messages.success(request, "Patient copy created. Check and approve it, then print it.")
    return redirect("letter-detail", pk=copy.pk)
