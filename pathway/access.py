"""The access policy: who may see and change what, in one place (DESIGN.md section 10).

Every page, API view, FHIR resource, export and list asks it. Objects a user may not see are 404
(never 403). Each object read through it is noted in the access audit (``pathway.audit``), and
each refusal of an object that exists is noted with the patient it was for.

The admin role (and a Django superuser) is configuration only: no role here grants it patient data.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from . import audit
from .models import OPEN_STATES, Episode, EpisodeState, PathwayEvent, Patient, RecordAccess, Role, Team

CLINICAL_ROLES = {Role.CLINICIAN, Role.SERVICE_LEAD, Role.SPA_TRIAGE}
# Who may change a patient's identity (name, date of birth, practice) after a referral disagreed with it.
DEMOGRAPHICS_ROLES = (Role.SPA_TRIAGE, Role.CLINICIAN, Role.SERVICE_LEAD)

# The timeline a GP practice sees: the referral, the triage outcome, the discharge and the letters.
# Clinical, medication, PROM, deadline and appointment events are the service's record only.
GP_TIMELINE_STATES = frozenset(
    {
        EpisodeState.TRIAGE,
        EpisodeState.INFO_REQUESTED,
        EpisodeState.ACCEPTED,
        EpisodeState.REJECTED,
        EpisodeState.REDIRECTED,
        EpisodeState.DISCHARGED,
    }
)
GP_TIMELINE = Q(kind=PathwayEvent.Kind.LETTER) | Q(kind=PathwayEvent.Kind.TRANSITION, new_state__in=GP_TIMELINE_STATES)


# Features that hand an episode to a clinician outside their teams (a red flag sent for review) add
# a condition here; the core names no feature (DESIGN.md section 2).
CLINICIAN_VISIBILITY: list = []


def register_clinician_visibility(condition) -> None:
    """``condition(user) -> Q`` over Episode: more episodes a clinician may see."""
    if condition not in CLINICIAN_VISIBILITY:
        CLINICIAN_VISIBILITY.append(condition)


def user_roles(user) -> set[str]:
    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_painway_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._painway_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    """Roles come from groups only: a superuser flag is for configuration, not for reading records."""
    return bool(user_roles(user) & set(roles))


def _profile(user):
    return getattr(user, "profile", None)


def user_practice_id(user) -> int | None:
    profile = _profile(user)
    return profile.practice_id if profile else None


def user_commissioner_id(user) -> int | None:
    profile = _profile(user)
    return profile.commissioner_id if profile else None


def _visibility_condition(user) -> Q | None:
    """The condition over Episode that the user's roles allow; None for every episode."""
    roles = user_roles(user)
    condition = Q(pk__in=[])
    if Role.SERVICE_LEAD in roles:
        return None
    if Role.SPA_TRIAGE in roles:
        # Open episodes, and those closed at triage (rejected or redirected) for follow-up.
        condition |= Q(state__in=[*OPEN_STATES, EpisodeState.REJECTED, EpisodeState.REDIRECTED])
    if Role.CLINICIAN in roles:
        # A subquery, not a join through team members: no duplicate rows, so no DISTINCT that
        # would hash every visible episode under each list that filters by visibility.
        condition |= Q(team__in=Team.objects.filter(members=user).values("pk")) | Q(responsible_clinician=user)
        for extra in CLINICIAN_VISIBILITY:
            condition |= extra(user)
    if Role.GP_PRACTICE in roles:
        practice_id = user_practice_id(user)
        if practice_id:
            condition |= Q(practice_id=practice_id)
    return condition


def episodes_visible_to(user) -> QuerySet[Episode]:
    """Episodes the user may see, as a queryset to filter further."""
    qs = Episode.objects.all()
    if not user or not user.is_authenticated:
        return qs.none()
    condition = _visibility_condition(user)
    return qs if condition is None else qs.filter(condition)


def _prefixed(condition: Q, relation: str) -> Q | None:
    """``condition`` with each lookup moved behind ``relation``; None if it holds something other than lookups."""
    prefixed = Q()
    prefixed.connector, prefixed.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            child = _prefixed(child, relation)
            if child is None:
                return None
        elif isinstance(child, tuple) and len(child) == 2:
            child = (f"{relation}__{child[0]}", child[1])
        else:
            return None
        prefixed.children.append(child)
    return prefixed


def episode_visible_through(user, relation: str = "episode") -> Q:
    """The same rule as ``episodes_visible_to``, as a condition on a model with a single-valued relation
    to Episode (``relation``): filtered through the join, with no subquery of visible episodes for the
    planner to plan (a few milliseconds a query on PostgreSQL). The conditions go only through
    single-valued relations and subqueries, so the join adds no rows."""
    if not user or not user.is_authenticated:
        return Q(pk__in=[])
    condition = _visibility_condition(user)
    if condition is None:
        return Q()
    prefixed = _prefixed(condition, relation)
    return prefixed if prefixed is not None else Q(**{f"{relation}__in": episodes_visible_to(user).values("pk")})


def patients_visible_to(user) -> QuerySet[Patient]:
    return Patient.objects.filter(pk__in=episodes_visible_to(user).values("patient_id"))


def patient_episodes_visible_to(user, patient: Patient) -> QuerySet[Episode]:
    """The episodes of one patient that this user may see: never the patient's whole history by default."""
    return Episode.objects.filter(patient=patient, pk__in=episodes_visible_to(user).values("pk"))


def events_visible_to(user, events: QuerySet[PathwayEvent]) -> QuerySet[PathwayEvent]:
    """A timeline filtered like the objects it describes: service staff see it all, others the GP's part."""
    return events if may_read_clinical(user) else events.filter(GP_TIMELINE)


def event_visible_to(user, event: PathwayEvent) -> bool:
    """The same rule as ``events_visible_to``, for events already in memory (prefetched timelines)."""
    if may_read_clinical(user):
        return True
    if event.kind == PathwayEvent.Kind.LETTER:
        return True
    return event.kind == PathwayEvent.Kind.TRANSITION and event.new_state in GP_TIMELINE_STATES


def _int(value, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404(f"No such {what}.") from None


def refused(user, *, patient_id: int | None, episode_id: int | None = None) -> None:
    """Note a refused attempt at an object that exists, with the patient it was for."""
    audit.note(user=user, patient_id=patient_id, episode_id=episode_id, outcome=RecordAccess.Outcome.REFUSED)


def allowed(user, *, patient_id: int, episode_id: int | None = None) -> None:
    audit.note(user=user, patient_id=patient_id, episode_id=episode_id)


def access_episode(user, episode_id) -> Episode:
    pk = _int(episode_id, "episode")
    # The visibility condition joins nothing (subqueries only), so the episode is filtered by it directly:
    # one row or none, with no sort and no second copy of the episodes to match ids against.
    visible = episodes_visible_to(user).select_related("patient", "practice", "team").filter(pk=pk).order_by()
    episode = next(iter(visible[:1]), None)
    if episode is None:
        patient_id = Episode.objects.filter(pk=pk).values_list("patient_id", flat=True).first()
        if patient_id:
            refused(user, patient_id=patient_id, episode_id=pk)
        raise Http404("No such episode.")
    allowed(user, patient_id=episode.patient_id, episode_id=episode.pk)
    return episode


def access_patient(user, patient_id) -> Patient:
    pk = _int(patient_id, "patient")
    patient = patients_visible_to(user).select_related("practice").filter(pk=pk).first()
    if patient is None:
        if Patient.objects.filter(pk=pk).exists():
            refused(user, patient_id=pk)
        raise Http404("No such patient.")
    allowed(user, patient_id=patient.pk)
    return patient


def can_act_clinically(user) -> bool:
    return has_role(user, Role.CLINICIAN, Role.SERVICE_LEAD)


def may_read_clinical(user) -> bool:
    """The clinical record (care, outcomes, triage working) is for the service's staff only."""
    return has_role(user, *CLINICAL_ROLES)


def may_reconcile_demographics(user) -> bool:
    return has_role(user, *DEMOGRAPHICS_ROLES)


def may_view_access_audit(user) -> bool:
    """Who has viewed a record, and the break-glass read, are the service lead's."""
    return has_role(user, Role.SERVICE_LEAD)


def access_clinical_episode(user, episode_id) -> Episode:
    """The episode for its clinical record: 404 for those who may not see it and for non-staff roles.

    A GP practice sees its own practice's episodes (referral, status, delivered letters) but not the
    clinical record behind them; to it, that record does not exist.
    """
    if not may_read_clinical(user):
        pk = _int(episode_id, "episode")
        patient_id = Episode.objects.filter(pk=pk).values_list("patient_id", flat=True).first()
        refused(user, patient_id=patient_id, episode_id=pk)
        raise Http404("No such episode.")
    return access_episode(user, episode_id)


def access_episode_object(user, model, object_id, *, clinical: bool = True, related=()):
    """An object that belongs to an episode (appointment, medication, care plan...), checked through
    its episode: 404 when it does not exist, its episode is not visible, or (``clinical``) the user is
    not service staff. Returns the object with ``episode`` loaded."""
    pk = _int(object_id, "object")
    obj = model.objects.select_related("episode", *related).filter(pk=pk).first()
    if obj is None:
        raise Http404("Not found.")
    if clinical and not may_read_clinical(user):
        refused(user, patient_id=obj.episode.patient_id, episode_id=obj.episode_id)
        raise Http404("Not found.")
    obj.episode = access_episode(user, obj.episode_id)
    return obj
