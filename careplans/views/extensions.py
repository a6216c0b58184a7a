"""Pages for asking for and approving an extension past nine months."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.views.decorators.http import require_http_methods

from pathway.access import access_episode_object, has_role
from pathway.models import Role

from .. import forms, services
from ..models import Extension
from ._common import _action, _clinical_episode, _expected


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
