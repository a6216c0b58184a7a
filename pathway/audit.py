"""The access audit: every read of patient data and every refused attempt becomes a RecordAccess row.

The access policy (``pathway.access``) notes what it allowed or refused during a request; list pages
note the patients on the page they show. ``AuditMiddleware`` writes the notes once the response is
known, one row per patient and outcome, so a view cannot forget to log and a refusal is logged even
when the view's transaction rolls back. Outside a request (tasks, shell) notes are written at once.
Rows hold ids only, never identifiers; query strings are not kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from django.core.paginator import Paginator
from django.db import connections, router
from django.utils import timezone

from .governance_models import BreakGlass, RecordAccess
from .models import Episode, Patient

BREAK_GLASS_MINUTES = 60

_current_request: ContextVar = ContextVar("painway_audit_request", default=None)


@dataclass(frozen=True)
class Note:
    patient_id: int | None
    episode_id: int | None
    action: str | None
    outcome: str


def via_of(path: str) -> str:
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "web"


def _default_action(request) -> str:
    return "view" if request is None or request.method in ("GET", "HEAD") else "change"


def active_break_glass(user) -> BreakGlass | None:
    if not user or not user.is_authenticated:
        return None
    return BreakGlass.objects.filter(user=user, expires_at__gt=timezone.now()).first()


def break_glass_open(*, user, reason: str) -> BreakGlass:
    return BreakGlass.objects.create(
        user=user, reason=reason.strip()[:300], expires_at=timezone.now() + timedelta(minutes=BREAK_GLASS_MINUTES)
    )


def note(
    *,
    user,
    patient_id: int | None,
    episode_id: int | None = None,
    action: str | None = None,
    outcome: str = RecordAccess.Outcome.ALLOWED,
    path: str = "",
    via: str = "",
) -> None:
    """Note one access. The policy notes without an action; a view that names one (print, PDF) wins."""
    request = _current_request.get()
    if request is None:
        action = action or _default_action(request)
        if user is not None and user.is_authenticated:
            RecordAccess.objects.create(
                user=user,
                patient_id=patient_id,
                episode_id=episode_id,
                action=action,
                outcome=outcome,
                via=via or via_of(path),
                path=path[:300],
            )
        return
    notes: dict = request._painway_audit_notes
    key = (patient_id, outcome)
    if key in notes:
        seen = notes[key]
        episode_id, action = seen.episode_id or episode_id, seen.action or action
    notes[key] = Note(patient_id, episode_id, action, outcome)


def note_list(*, user, patient_ids: Iterable[int], action: str = "list") -> None:
    for patient_id in dict.fromkeys(patient_ids):
        note(user=user, patient_id=patient_id, action=action)


def patient_ids_of(objects) -> list[int]:
    """The patients behind a page of patients, episodes or objects of an episode, in one query at most."""
    ids, episode_ids = [], []
    for obj in objects:
        if isinstance(obj, Patient):
            ids.append(obj.pk)
        elif hasattr(obj, "patient_id"):  # episodes, referrals, reconciliations
            ids.append(obj.patient_id)
        elif getattr(obj, "episode_id", None):
            episode_ids.append(obj.episode_id)
        elif isinstance(obj, dict) and obj.get("patient_id"):
            ids.append(obj["patient_id"])
    if episode_ids:
        ids += list(Episode.objects.filter(pk__in=episode_ids).values_list("patient_id", flat=True))
    return ids


class AuditedPaginator(Paginator):
    """A Django paginator for list pages of patient data: the patients on the page shown are logged.

    ``count``, when the page has already counted the same rows (the counts above the triage queue), is
    used instead of a second ``COUNT`` of them."""

    def __init__(self, object_list, per_page, *, user, count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.user = user
        if count is not None:
            self.count = count  # Paginator.count is a cached property: this is its value for this paginator

    def page(self, number):
        page = super().page(number)
        note_list(user=self.user, patient_ids=patient_ids_of(page.object_list))
        return page


def _write(request, response) -> None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    notes = list(request._painway_audit_notes.values())
    if response.status_code in (403, 404):
        # Refused as a whole (e.g. an action on a visible episode that the role may not take): no
        # part of it counts as an allowed read.
        refused = RecordAccess.Outcome.REFUSED
        notes = list(
            {(n.patient_id, n.episode_id): Note(n.patient_id, n.episode_id, n.action, refused) for n in notes}.values()
        )
        notes = notes or [Note(None, None, _default_action(request), refused)]
    if not notes:
        return
    grant = active_break_glass(user) if via_of(request.path) == "admin" else None
    _insert(
        user.pk,
        [(n.patient_id, n.episode_id, n.action or _default_action(request), n.outcome) for n in notes],
        via=via_of(request.path),
        path=request.path[:300],
        break_glass=grant is not None,
        reason=grant.reason if grant else "",
    )


# One statement for a page's rows on PostgreSQL: the columns as arrays, unnested. The same rows as
# bulk_create writes, without building a model instance for each (a list page notes up to 50 patients,
# and building them cost about 2 ms a page).
_INSERT = (
    "INSERT INTO {table} (user_id, patient_id, episode_id, at, action, via, path, outcome, break_glass, reason)"
    " SELECT %s, t.patient_id, t.episode_id, %s, t.action, %s, %s, t.outcome, %s, %s"
    " FROM unnest(%s::integer[], %s::integer[], %s::varchar[], %s::varchar[])"
    " AS t(patient_id, episode_id, action, outcome)"
)


def _insert(user_id: int, rows: list[tuple], *, via: str, path: str, break_glass: bool, reason: str) -> None:
    """Write ``rows`` of (patient_id, episode_id, action, outcome), all at one time, by one user."""
    connection = connections[router.db_for_write(RecordAccess)]
    if connection.vendor != "postgresql":
        RecordAccess.objects.bulk_create(  # ``at`` is auto_now_add: one time for the whole batch
            RecordAccess(
                user_id=user_id,
                patient_id=patient_id,
                episode_id=episode_id,
                action=action,
                outcome=outcome,
                via=via,
                path=path,
                break_glass=break_glass,
                reason=reason,
            )
            for patient_id, episode_id, action, outcome in rows
        )
        return
    patients, episodes, actions, outcomes = (list(column) for column in zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT.format(table=connection.ops.quote_name(RecordAccess._meta.db_table)),
            [user_id, timezone.now(), via, path, break_glass, reason, patients, episodes, actions, outcomes],
        )


class AuditMiddleware:
    """Collects the policy's notes during a request and writes them with the response's outcome."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._painway_audit_notes = {}
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current_request.reset(token)
        _write(request, response)
        return response
