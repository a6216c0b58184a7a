"""Reads for the SPA triage queue, the triage page and the breach list."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When

from pathway.access import episode_visible_through, episodes_visible_to, has_role
from pathway.batch import CountOf, read_together
from pathway.calendar import working_days_between
from pathway.models import Deadline, DeadlineKind, EpisodeState, Role
from referrals.models import RED_FLAGS, Referral

from .models import RedFlagClearance, RedFlagReview

# Palliative first, then urgent, then routine (the fast track of DESIGN.md section 3), then the
# earliest due: columns kept on the episode, so the queue reads the partial index
# ``episode_triage_queue`` in order instead of sorting every waiting referral.
QUEUE_ORDER = ("episode__triage_priority", "episode__triage_due_on", "episode__received_on", "episode_id")


def can_triage(user) -> bool:
    return has_role(user, Role.SPA_TRIAGE, Role.SERVICE_LEAD)


def is_spa_lead(user) -> bool:
    return has_role(user, Role.SERVICE_LEAD)


def can_override_criteria(user) -> bool:
    """A clinician or the service lead may accept a referral that fails an acceptance criterion."""
    return has_role(user, Role.CLINICIAN, Role.SERVICE_LEAD)


def can_clear_red_flags(user) -> bool:
    return has_role(user, Role.CLINICIAN, Role.SERVICE_LEAD)


def episodes_sent_for_red_flag_review(user) -> Q:
    """A clinician sees a referral waiting in triage that SPA staff sent them to clear a red flag."""
    sent = RedFlagReview.objects.filter(clinician=user, referral__episode__state=EpisodeState.TRIAGE)
    return Q(pk__in=sent.values("referral__episode_id"))


def red_flag_reviews_for(user) -> list[dict]:
    """The referrals sent to this clinician whose red flags are not all cleared yet, oldest first."""
    reviews = (
        RedFlagReview.objects.filter(clinician=user, referral__episode__state=EpisodeState.TRIAGE)
        .select_related("referral__patient", "referral__episode", "requested_by")
        .prefetch_related("referral__red_flag_clearances")
        .order_by("requested_at", "id")
    )
    rows, seen = [], set()
    for review in reviews:
        referral = review.referral
        open_flags = uncleared_red_flags(referral)
        if referral.pk in seen or not open_flags:
            continue
        seen.add(referral.pk)
        rows.append({"review": review, "referral": referral, "flags": [RED_FLAGS.get(f, f) for f in open_flags]})
    return rows


def triage_breached() -> Exists:
    return Exists(
        Deadline.objects.filter(
            episode_id=OuterRef("episode_id"), kind=DeadlineKind.TRIAGE, breached_on__isnull=False
        ).open()
    )


def waiting_referrals() -> QuerySet[Referral]:
    """Every referral whose episode waits in triage, in queue order (no visibility filter)."""
    return Referral.objects.filter(episode__state=EpisodeState.TRIAGE).order_by(*QUEUE_ORDER)


def _waiting_visible(user) -> QuerySet[Referral]:
    return waiting_referrals().filter(episode_visible_through(user))


def _visible_queue(user) -> QuerySet[Referral]:
    return _waiting_visible(user).annotate(breached=triage_breached()).prefetch_related("red_flag_clearances")


def triage_queue(user) -> QuerySet[Referral]:
    """The queue page's rows: with the patient (name, NHS number, interpreter) and who claimed each. The
    episode is joined for the filter and the order only; the page shows none of its columns."""
    return _visible_queue(user).select_related("patient", "claimed_by")


def queue_item_values(referrals: QuerySet[Referral]) -> QuerySet:
    """What an API queue item shows (triage.api.QueueItemSerializer), as plain values: ids, dates and
    codes, never a name; no model object is built for a row."""
    return referrals.annotate(breached=triage_breached()).values(
        "episode_id",
        "patient_id",
        "urgency",
        "received_on",
        "triage_due_on",
        "red_flags",
        "breached",
        referral_id=F("pk"),
        state=F("episode__state"),
        practice_ods=F("practice__ods_code"),
        claimed_by_username=F("claimed_by__username"),
    )


def waiting_episodes(user) -> QuerySet:
    """The episodes waiting in triage that the user may see, each with its one referral: what the queue's
    counts count, read from the triage-queue index alone."""
    return episodes_visible_to(user).filter(state=EpisodeState.TRIAGE)


def triage_queue_items(user) -> QuerySet:
    """The API's queue: the same rows as ``triage_queue``, as ``queue_item_values``."""
    return queue_item_values(_waiting_visible(user))


def queue_items(values: list[dict], today: date) -> list[dict]:
    """API queue items from ``queue_item_values`` rows: working days left, breached, and the red flags
    not yet cleared (the clearances of the whole page in one query)."""
    cleared: dict[int, set[str]] = {}
    clearances = RedFlagClearance.objects.filter(referral_id__in=[v["referral_id"] for v in values])
    for referral_id, flag in clearances.values_list("referral_id", "flag"):
        cleared.setdefault(referral_id, set()).add(flag)
    return [
        {
            "id": v["episode_id"],
            "referral_id": v["referral_id"],
            "episode_id": v["episode_id"],
            "patient_id": v["patient_id"],
            "practice_ods": v["practice_ods"],
            "state": v["state"],
            "urgency": v["urgency"],
            "received_on": v["received_on"].isoformat(),
            "triage_due_on": v["triage_due_on"].isoformat(),
            "days_left": working_days_left(v["triage_due_on"], today),
            "breached": is_breached(v["triage_due_on"], v["breached"], today),
            "red_flags": not_cleared(v["red_flags"], cleared.get(v["referral_id"], ())),
            "claimed_by": v["claimed_by_username"],
        }
        for v in values
    ]


def queue_counts(user, today: date) -> dict:
    """The counts above the queue, in one round trip: waiting, unclaimed, due today, breached.

    Each count is read from a small set, never by visiting every waiting referral: the waiting
    episodes from the triage-queue index (the referral is the episode's own, one to one), the claimed
    referrals (claims are cleared when a referral leaves triage), and the open triage deadlines already
    marked breached. Breached: past its due date, or its open triage deadline marked breached."""
    waiting = waiting_episodes(user)
    # Not yet past due but marked breached: from the few open triage deadlines marked breached (the
    # partial index deadline_triage_breached), each episode once.
    flagged = (
        Deadline.objects.open()
        .filter(kind=DeadlineKind.TRIAGE, breached_on__isnull=False)
        .filter(episode__state=EpisodeState.TRIAGE, episode__triage_due_on__gte=today)
        .filter(episode_visible_through(user))
        .values("episode_id")
        .distinct()
    )
    read = read_together(
        waiting=CountOf(waiting),
        due_today=CountOf(waiting.filter(triage_due_on=today)),
        past_due=CountOf(waiting.filter(triage_due_on__lt=today)),
        flagged=CountOf(flagged),
        claimed=CountOf(
            Referral.objects.filter(claimed_by__isnull=False, episode__state=EpisodeState.TRIAGE).filter(
                episode_visible_through(user)
            )
        ),
    )
    return {
        "waiting": read["waiting"],
        "unclaimed": read["waiting"] - read["claimed"],
        "due_today": read["due_today"],
        "breached_count": read["past_due"] + read["flagged"],
    }


def triage_staff() -> QuerySet:
    """Active SPA triage staff and service leads: whom a referral may be reassigned to."""
    groups = Group.objects.filter(name__in=[Role.SPA_TRIAGE, Role.SERVICE_LEAD])
    return get_user_model().objects.filter(is_active=True, groups__in=groups).distinct().order_by("last_name")


def not_cleared(flags: list[str], cleared) -> list[str]:
    """The red flags (codes, in the referral's order) not among ``cleared``."""
    return [flag for flag in flags if flag not in cleared]


def uncleared_red_flags(referral: Referral) -> list[str]:
    return not_cleared(referral.red_flags, {c.flag for c in referral.red_flag_clearances.all()})


def is_breached(due_on: date, marked: bool, today: date) -> bool:
    """A waiting referral is breached once past its due date, or when its open triage deadline is marked
    breached (``triage_breached``; ``queue_counts`` asks the same in SQL)."""
    return bool(marked) or due_on < today


def working_days_left(due_on: date, today: date) -> int:
    """Working days left until the due date; negative once it has passed."""
    if due_on >= today:
        return working_days_between(today, due_on)
    return -working_days_between(due_on, today)


def queue_rows(referrals, today: date) -> list[dict]:
    rows = []
    for referral in referrals:
        rows.append(
            {
                "referral": referral,
                "days_left": working_days_left(referral.triage_due_on, today),
                "breached": is_breached(referral.triage_due_on, getattr(referral, "breached", False), today),
                "red_flags": [RED_FLAGS[f] for f in uncleared_red_flags(referral)],
            }
        )
    return rows


def red_flag_rows(referral: Referral) -> list[dict]:
    clearances = {c.flag: c for c in referral.red_flag_clearances.select_related("cleared_by")}
    return [{"code": f, "label": RED_FLAGS.get(f, f), "clearance": clearances.get(f)} for f in referral.red_flags]


def triage_breaches(user) -> QuerySet[Deadline]:
    """Breached triage deadlines the user may see: still waiting first, then those triaged late."""
    return (
        Deadline.objects.filter(
            kind=DeadlineKind.TRIAGE,
            breached_on__isnull=False,
            cancelled_on__isnull=True,
            episode__in=episodes_visible_to(user).values("pk"),
        )
        .select_related("episode", "episode__patient", "episode__referral", "episode__practice")
        .order_by(Case(When(met_on__isnull=True, then=Value(0)), default=Value(1)), "due_on", "id")
    )


def red_flag_clinicians() -> QuerySet:
    """Active clinicians: whom SPA staff may send a red-flagged referral to."""
    clinicians = Group.objects.filter(name=Role.CLINICIAN)
    return get_user_model().objects.filter(is_active=True, groups__in=clinicians).distinct().order_by("last_name")


def lead_triage_breaches(user) -> dict | None:
    """The count on the service lead's home: referrals still waiting past the triage limit."""
    if not is_spa_lead(user):
        return None
    waiting = triage_breaches(user).filter(met_on__isnull=True).count()
    return {
        "label": "Referrals waiting past the triage limit",
        "count": waiting,
        "href": "/triage/breaches/",
        "urgent": True,
    }
