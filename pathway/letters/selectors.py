"""Reads of letters for pages, the API and reports."""

from __future__ import annotations

from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat, TruncDate
from django.http import Http404

from pathway.access import access_episode, episodes_visible_to, has_role, user_practice_id
from pathway.calendar import LONDON
from pathway.models import Deadline, Letter, LetterState, Role
from pathway.services import LETTER_DEADLINES

DELIVERED = (LetterState.SENT, LetterState.ACKNOWLEDGED)


def letters_visible_to(user) -> QuerySet[Letter]:
    """Staff see the letters of episodes they may see; GP practices only their own practice's delivered letters."""
    qs = Letter.objects.filter(episode__in=episodes_visible_to(user))
    if has_role(user, Role.SPA_TRIAGE, Role.CLINICIAN, Role.SERVICE_LEAD):
        return qs
    if has_role(user, Role.GP_PRACTICE):
        return qs.filter(practice_id=user_practice_id(user), recipient=Letter.Recipient.GP, sent_at__isnull=False)
    return qs.none()


def access_letter(user, letter_id) -> Letter:
    """The letter if the user may see it (through its episode), else 404."""
    try:
        pk = int(letter_id)
    except (TypeError, ValueError):
        raise Http404("No such letter.") from None
    letter = (
        letters_visible_to(user)
        .select_related("episode", "episode__patient", "practice", "approved_by", "copy_of")
        .filter(pk=pk)
        .first()
    )
    if letter is None:
        raise Http404("No such letter.")
    access_episode(user, letter.episode_id)
    return letter


def _with_list_relations(qs: QuerySet[Letter]) -> QuerySet[Letter]:
    return qs.select_related("episode", "episode__patient", "practice").defer("pdf")


def letters_outbox(user) -> QuerySet[Letter]:
    """The outbox, soonest due first; pathway.letters.filters.LetterFilter narrows it."""
    return _with_list_relations(letters_visible_to(user)).order_by("due_on", "-created_at", "-id")


def letters_newest_first(user) -> QuerySet[Letter]:
    """The API's list: every letter the user may see, newest first; LetterFilter narrows it."""
    return _with_list_relations(letters_visible_to(user)).order_by("-created_at", "-id")


def practice_inbox(user) -> QuerySet[Letter]:
    """A GP practice's letters inbox: its delivered letters, newest first (unread ones are marked)."""
    return _with_list_relations(letters_visible_to(user)).order_by("-sent_at", "-id")


def episode_letters(user, episode_id) -> QuerySet[Letter]:
    return _with_list_relations(letters_visible_to(user).filter(episode_id=episode_id)).order_by("-created_at", "-id")


def letters_late(user) -> QuerySet[Letter]:
    """Letters to practices that missed their deadline or are not delivered: failed, manual, or past due."""
    breached = Deadline.objects.filter(
        kind__in=list(LETTER_DEADLINES.values()),
        episode_id=OuterRef("episode_id"),
        breached_on__isnull=False,
        cancelled_on__isnull=True,
        subject=Concat(Value("letter:"), Cast(OuterRef("pk"), CharField())),
    )
    qs = letters_visible_to(user).filter(recipient=Letter.Recipient.GP)
    undelivered = Q(state__in=[LetterState.FAILED, LetterState.MANUAL, LetterState.QUEUED]) & Q(sent_at__isnull=True)
    return _with_list_relations(qs.annotate(breached=Exists(breached)).filter(Q(breached=True) | undelivered)).order_by(
        "due_on", "id"
    )


def letters_on_time(letters: QuerySet[Letter]) -> QuerySet[Letter]:
    """The letters delivered by the end of their due day, London time: the one definition of a
    letter on time, which the discharge-letter KPI and the monthly data set both ask."""
    return (
        letters.filter(sent_at__isnull=False, due_on__isnull=False)
        .annotate(sent_day=TruncDate("sent_at", tzinfo=LONDON))
        .filter(sent_day__lte=F("due_on"))
    )
