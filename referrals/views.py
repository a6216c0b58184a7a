"""Referral pages: the referral form, the list, one referral, and SPA re-engagement."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from pathway import services as core
from pathway.access import has_role, user_practice_id
from pathway.audit import AuditedPaginator
from pathway.errors import DomainError, InvalidInput
from pathway.letters.selectors import practice_inbox
from pathway.models import Practice, Role
from pathway.rules import rule
from pathway.selectors import rtt_summary

from . import services
from .forms import ReengagementForm, ReferralForm
from .models import RED_FLAGS, Referral
from .selectors import can_refer, referral_for, referrals_visible_to


def apply_errors(form, exc: DomainError) -> None:
    """Show a service's refusal on the form, next to the field it names where there is one."""
    if isinstance(exc, InvalidInput):
        for field, field_messages in exc.errors.items():
            for message in field_messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, exc.detail)


@login_required
def referral_new(request):
    if not can_refer(request.user):
        raise Http404("No such page.")
    fixed = None
    if services.is_practice_bound(request.user):
        fixed = Practice.objects.filter(pk=user_practice_id(request.user)).first()
        if fixed is None:
            raise Http404("No such page.")
    form = ReferralForm(request.POST or None, request.FILES or None, fixed_practice=fixed)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_create(
                data=form.service_data(),
                actor=request.user,
                source=Referral.Source.WEB,
                attachments=form.cleaned_data["attachments"],
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Referral received. Triage is due by {referral.triage_due_on:%d %B %Y}.")
            return redirect("referral-detail", pk=referral.pk)
    return render(request, "referrals/referral_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def referral_list(request):
    if not has_role(request.user, Role.GP_PRACTICE, Role.SPA_TRIAGE, Role.SERVICE_LEAD, Role.CLINICIAN):
        raise Http404("No such page.")
    page = AuditedPaginator(referrals_visible_to(request.user), 25, user=request.user).get_page(request.GET.get("page"))
    context = {"page": page}
    if has_role(request.user, Role.GP_PRACTICE):
        # The practice's home: its referrals and, first, what is new in its letters inbox.
        inbox = practice_inbox(request.user)
        context |= {
            "inbox": list(inbox.filter(practice_read_at__isnull=True)[:5]),
            "unread": inbox.filter(practice_read_at__isnull=True).count(),
        }
    return render(request, "referrals/referral_list.html", context)


@login_required
def referral_detail(request, pk):
    referral = referral_for(request.user, pk)
    core.record_view(user=request.user, episode=referral.episode, path=request.path)
    flags = [RED_FLAGS.get(f, f) for f in referral.red_flags]
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "rtt": rtt_summary(referral.episode),
            "flags": flags,
            "perms_triage": has_role(request.user, Role.SPA_TRIAGE, Role.SERVICE_LEAD),
        },
    )


@login_required
def referral_attachment(request, pk, attachment_pk):
    """Download one attachment of a referral the user may see; 404 for anything else. Logged."""
    referral = referral_for(request.user, pk)
    attachment = referral.attachments.filter(pk=attachment_pk).first()
    if attachment is None or not attachment.file.storage.exists(attachment.file.name):
        raise Http404("No such attachment.")
    core.record_view(user=request.user, episode=referral.episode, path=request.path, action="attachment")
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def referral_reengage(request):
    if not has_role(request.user, Role.SPA_TRIAGE, Role.SERVICE_LEAD):
        raise Http404("No such page.")
    form = ReengagementForm(request.POST or None, initial={"nhs_number": request.GET.get("nhs_number", "")})
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_reengage(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "The patient has re-engaged with the service: a new episode is in triage.")
            return redirect("referral-detail", pk=referral.pk)
    return render(
        request,
        "referrals/reengage_form.html",
        {"form": form, "reengagement_months": rule("reengagement_months")},
        status=400 if form.errors else 200,
    )
