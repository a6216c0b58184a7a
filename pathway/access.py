"""Who may see what: one place per object, 404 (never 403) for what a user may not see."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import OPEN_STATES, Episode, EpisodeState, Patient, Role, Team

CLINICAL_ROLES = {Role.CLINICIAN, Role.SERVICE_LEAD, Role.SPA_TRIAGE}


def user_roles(user) -> set[str]:
    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_painway_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._painway_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles)) or bool(getattr(user, "is_superuser", False))


def _profile(user):
    return getattr(user, "profile", None)


def user_practice_id(user) -> int | None:
    profile = _profile(user)
    return profile.practice_id if profile else None


def user_commissioner_id(user) -> int | None:
    profile = _profile(user)
    return profile.commissioner_id if profile else None


def episodes_visible_to(user) -> QuerySet[Episode]:
    """Episodes the user may see, as a queryset to filter further."""
    qs = Episode.objects.all()
    if not user or not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    roles = user_roles(user)
    condition = Q(pk__in=[])
    if Role.SERVICE_LEAD in roles:
        return qs
    if Role.SPA_TRIAGE in roles:
        # Open episodes, and those closed at triage (rejected or redirected) for follow-up.
        condition |= Q(state__in=[*OPEN_STATES, EpisodeState.REJECTED, EpisodeState.REDIRECTED])
    if Role.CLINICIAN in roles:
        # A subquery, not a join through team members: no duplicate rows, so no DISTINCT that
        # would hash every visible episode under each list that filters by visibility.
        condition |= Q(team__in=Team.objects.filter(members=user).values("pk")) | Q(responsible_clinician=user)
    if Role.GP_PRACTICE in roles:
        practice_id = user_practice_id(user)
        if practice_id:
            condition |= Q(practice_id=practice_id)
    return qs.filter(condition)


def patients_visible_to(user) -> QuerySet[Patient]:
    return Patient.objects.filter(pk__in=episodes_visible_to(user).values("patient_id"))


def access_episode(user, episode_id) -> Episode:
    try:
        pk = int(episode_id)
    except (TypeError, ValueError):
        raise Http404("No such episode.") from None
    qs = episodes_visible_to(user).filter(pk=pk)
    episode = Episode.objects.select_related("patient", "practice", "team").filter(pk__in=qs.values("pk")).first()
    if episode is None:
        raise Http404("No such episode.")
    return episode


def access_patient(user, patient_id) -> Patient:
    try:
        pk = int(patient_id)
    except (TypeError, ValueError):
        raise Http404("No such patient.") from None
    patient = patients_visible_to(user).filter(pk=pk).first()
    if patient is None:
        raise Http404("No such patient.")
    return patient


def can_act_clinically(user) -> bool:
    return has_role(user, Role.CLINICIAN, Role.SERVICE_LEAD)


def may_read_clinical(user) -> bool:
    """The clinical record (care, outcomes, triage working) is for the service's staff only."""
    return has_role(user, *CLINICAL_ROLES)


def access_clinical_episode(user, episode_id) -> Episode:
    """The episode for its clinical record: 404 for those who may not see it and for non-staff roles.

    A GP practice sees its own practice's episodes (referral, status, delivered letters) but not the
    clinical record behind them; to it, that record does not exist.
    """
    if not may_read_clinical(user):
        raise Http404("No such episode.")
    return access_episode(user, episode_id)


def access_episode_object(user, model, object_id, *, clinical: bool = True, related=()):
    """An object that belongs to an episode (appointment, medication, care plan...), checked through
    its episode: 404 when it does not exist, its episode is not visible, or (``clinical``) the user is
    not service staff. Returns the object with ``episode`` loaded."""
    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        raise Http404("Not found.") from None
    if clinical and not may_read_clinical(user):
        raise Http404("Not found.")
    obj = model.objects.select_related("episode", *related).filter(pk=pk).first()
    if obj is None:
        raise Http404("Not found.")
    obj.episode = access_episode(user, obj.episode_id)
    return obj
