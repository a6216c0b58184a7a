"""Reads of group programmes and signposting for pages, API and letters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum

from pathway.access import episodes_visible_to
from pathway.models import Episode, Letter, LetterKind

from .models import Enrolment, Programme, ProgrammeSession, Resource, Signpost

SIGNPOSTED_LETTERS = {LetterKind.DISCHARGE, "care_plan"}


def programmes_with_places() -> QuerySet[Programme]:
    return Programme.objects.annotate(
        enrolled=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED), distinct=True),
        waiting=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITING), distinct=True),
        hours=Subquery(
            ProgrammeSession.objects.filter(programme=OuterRef("pk"))
            .values("programme")
            .annotate(total=Sum("hours"))
            .values("total")
        ),
    ).order_by("-created_at", "-id")


def programme_hours(programme: Programme) -> Decimal:
    return programme.sessions.aggregate(total=Sum("hours"))["total"] or Decimal(0)


def roster(user, programme: Programme) -> QuerySet[Enrolment]:
    """The enrolments of the patients the user may see (counts cover everyone)."""
    return (
        programme.enrolments.filter(episode__in=episodes_visible_to(user))
        .select_related("episode__patient")
        .prefetch_related("attendances")
        .order_by("status", "created_at", "id")
    )


def episode_programmes(episode: Episode) -> list[dict[str, Any]]:
    """Each programme of the episode with the hours attended against the programme's hours."""
    rows = []
    for enrolment in (
        episode.programme_enrolments.select_related("programme")
        .prefetch_related("programme__sessions", "attendances__session")
        .order_by("created_at", "id")
    ):
        programme = enrolment.programme
        attended = [a for a in enrolment.attendances.all() if a.attended]
        rows.append(
            {
                "programme_id": programme.pk,
                "enrolment_id": enrolment.pk,
                "name": programme.name,
                "kind": programme.kind,
                "mode": programme.mode,
                "status": enrolment.status,
                "sessions": len(programme.sessions.all()),
                "sessions_attended": len(attended),
                "sessions_missed": sum(1 for a in enrolment.attendances.all() if not a.attended),
                "hours_attended": sum((a.session.hours for a in attended), Decimal(0)),
                "programme_hours": sum((s.hours for s in programme.sessions.all()), Decimal(0)),
                "follow_up_needed": enrolment.missed_task_open,
            }
        )
    return rows


def missed_session_tasks(user) -> QuerySet[Enrolment]:
    """Open follow-ups of patients who missed sessions in a row (the clinician's task list)."""
    return (
        Enrolment.objects.filter(
            missed_task_raised_on__isnull=False,
            missed_task_done_on__isnull=True,
            episode__in=episodes_visible_to(user),
        )
        .select_related("programme", "episode__patient")
        .order_by("missed_task_raised_on", "id")
    )


def active_resources() -> QuerySet[Resource]:
    return Resource.objects.filter(active=True).order_by("name")


def episode_signposts(episode_id: int) -> QuerySet[Signpost]:
    return Signpost.objects.filter(episode_id=episode_id).select_related("resource").order_by("attached_at", "id")


def letter_signposting(letter: Letter, context: dict[str, Any]) -> None:
    """Letter hook: the resources given to the patient, in their letters and the discharge and care plan letters."""
    household = letter.recipient != Letter.Recipient.GP
    if not household and context.get("kind") not in SIGNPOSTED_LETTERS:
        return
    resources, seen = [], set()
    for signpost in episode_signposts(letter.episode_id):
        if signpost.resource_id not in seen:
            seen.add(signpost.resource_id)
            resources.append(signpost.resource)
    context["signposting"] = resources
