"""Pages for asking for an extension past nine months (the service) and for agreeing or declining
it (a commissioner user of the patient's commissioner)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from pathway.access import has_role
from pathway.errors import DomainError, InvalidInput
from pathway.models import Role

from .. import forms, services
from ..commissioning import extension_for_decision, extension_row, pending_extensions_for
from ..services.extensions import NotTheCommissioner
from ._common import _action, _clinical_episode, _expected


@login_required
@require_http_methods(["GET", "POST"])
def extension_new(request, pk):
    episode = _clinical_episode(request.user, pk)

    def perform(data):
        version = _expected(data)
        ext = services.extension_request(episode=episode, actor=request.user, expected_version=version, **data)
        return f"Extension to {ext.until:%d %B %Y} requested; it is in force only once the commissioner agrees to it."

    return _action(
        request, episode=episode, form_class=forms.ExtensionForm, title="Extend past nine months", perform=perform
    )


def _pending_page(request, *, errors: dict | None = None, status: int = 200):
    page = Paginator(pending_extensions_for(request.user), 25).get_page(request.GET.get("page"))
    rows = [extension_row(e) for e in page.object_list]
    return render(
        request,
        "careplans/extensions_pending.html",
        {"page": page, "rows": rows, "errors": errors or {}, "form": forms.ExtensionDecisionForm()},
        status=status,
    )


@login_required
def extensions_pending(request):
    """The commissioner's list of extensions waiting for its agreement (pseudonymised)."""
    if not has_role(request.user, Role.COMMISSIONER):
        raise PermissionDenied("This list is for commissioners.")
    return _pending_page(request)


@login_required
@require_POST
def extension_decision(request, pk):
    extension = extension_for_decision(request.user, pk)
    form = forms.ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        return _pending_page(request, errors={extension.pk: [e for es in form.errors.values() for e in es]}, status=400)
    try:
        decided = services.extension_decide(extension=extension, actor=request.user, **form.cleaned_data)
    except NotTheCommissioner as exc:
        raise PermissionDenied(exc.detail) from exc
    except InvalidInput as exc:
        return _pending_page(request, errors={extension.pk: [e for es in exc.errors.values() for e in es]}, status=400)
    except DomainError as exc:
        return _pending_page(request, errors={extension.pk: [exc.detail]}, status=409)
    messages.success(request, f"Extension to {decided.until:%d %B %Y} {decided.state}.")
    return redirect("care-extensions-pending")
