"""Access and shapes shared by the API views of this app."""

from __future__ import annotations

from django.http import Http404
from rest_framework.exceptions import PermissionDenied

from pathway import services as core
from pathway.access import access_clinical_episode, access_episode_object, access_patient, has_role, may_read_clinical
from pathway.models import Role
from pathway.pagination import Pagination

STAFF_ROLES = (Role.SPA_TRIAGE, Role.CLINICIAN, Role.SERVICE_LEAD)


def patient_for_reading(request, pk):
    """The patient's record for the service's staff (404 for anyone else), with the read logged."""
    if not may_read_clinical(request.user):
        raise Http404("No such patient.")
    patient = access_patient(request.user, pk)
    core.record_view(user=request.user, patient=patient, via="api", path=request.path)
    return patient


def patient_for_action(request, pk):
    if not may_read_clinical(request.user):
        raise Http404("No such patient.")
    return access_patient(request.user, pk)


def episode_for_reading(request, pk):
    episode = access_clinical_episode(request.user, pk)
    core.record_view(user=request.user, episode=episode, via="api", path=request.path)
    return episode


def episode_for_action(request, pk):
    return access_clinical_episode(request.user, pk)


def object_for_lead(request, model, pk):
    """An episode's object the service lead acts on: 404 unless visible, 403 unless the lead."""
    obj = access_episode_object(request.user, model, pk)
    if not has_role(request.user, Role.SERVICE_LEAD):
        raise PermissionDenied("Only the service lead may do this.")
    return obj


def valid(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def page(request, view, queryset, serializer_class, context=None):
    paginator = Pagination()
    rows = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(rows, many=True, context=context or {}).data)
