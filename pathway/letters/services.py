"""Every write of the letter workflow: render, approve, queue, send through MESH, acknowledge, fail.

draft -> approved -> queued -> sent -> acknowledged
                          \\-> failed (with a reason)      \\-> manual (no MESH mailbox; patient copies)

Sending is split so that a letter is never sent twice, even when a worker dies between the
MESH call and the database write: first the letter is claimed and its MESH local ID stored
(committed), then it is sent and recorded. A later attempt on a claimed letter first asks MESH
whether a message with that local ID already arrived, and records it instead of sending again.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from pathway import mesh
from pathway.errors import DomainError
from pathway.models import Letter, LetterKind, LetterState, PathwayEvent
from pathway.services import LETTER_DEADLINES, deadline_meet, event_record, letter_create, today_london

from .rendering import LetterRenderError, letter_pdf

logger = logging.getLogger(__name__)

L = LetterState

# Letters to the patient's household are printed; they go out by hand (``manual``) once approved.
HOUSEHOLD = (Letter.Recipient.PATIENT, Letter.Recipient.CARER)
NOT_YET_SENT = (L.DRAFT, L.APPROVED, L.QUEUED, L.MANUAL, L.FAILED)


class LetterNotAllowed(DomainError):
    code = "letter_state"


class LetterRenderFailed(DomainError):
    code = "letter_render_failed"


def _event(letter: Letter, reason: str, *, actor=None, **data: Any) -> None:
    event_record(
        episode=letter.episode,
        kind=PathwayEvent.Kind.LETTER,
        actor=actor,
        reason=reason,
        data={"letter": letter.pk, "state": letter.state, **data},
    )


def _lock(letter_id: int, *, skip_locked: bool = False) -> Letter | None:
    qs = Letter.objects.select_for_update(skip_locked=skip_locked).filter(pk=letter_id)
    return qs.first()


@transaction.atomic
def letter_record_error(*, letter_id: int, error: str, fail: bool = False) -> Letter:
    letter = _lock(letter_id)
    letter.last_error = error[:2000]
    fields = ["last_error", "updated_at"]
    if fail and letter.state not in (L.SENT, L.ACKNOWLEDGED):
        letter.state, letter.failed_at = L.FAILED, timezone.now()
        fields += ["state", "failed_at"]
    letter.save(update_fields=fields)
    if fail:
        _event(letter, f"{letter.get_kind_display()} failed: {letter.last_error}")
    return letter


def letter_render(*, letter: Letter, store: bool = False) -> bytes:
    """Render the PDF; with ``store`` keep it on the letter. Raises LetterRenderFailed on a template error."""
    try:
        pdf = letter_pdf(letter, today=today_london())
    except LetterRenderError as exc:
        letter_record_error(letter_id=letter.pk, error=str(exc))
        raise LetterRenderFailed(f"The letter could not be rendered: {exc}") from exc
    if store:
        with transaction.atomic():
            Letter.objects.filter(pk=letter.pk).update(pdf=pdf, rendered_at=timezone.now(), last_error="")
        letter.pdf, letter.rendered_at = pdf, timezone.now()
    return pdf


def letter_mark_read_by_practice(*, letter: Letter, actor) -> None:
    """The first time someone at the practice opens a delivered letter, it stops being unread in their inbox."""
    if letter.practice_read_at is None:
        now = timezone.now()
        Letter.objects.filter(pk=letter.pk, practice_read_at__isnull=True).update(practice_read_at=now)
        letter.practice_read_at = now


def letter_approve(*, letter: Letter, actor) -> Letter:
    """A clinician approves a draft: the PDF is rendered with their signature, stored, and queued."""
    if letter.state != L.DRAFT:
        raise LetterNotAllowed(
            f"Only a draft letter can be approved; this one is {letter.get_state_display().lower()}."
        )
    # Render before writing: a template error leaves the letter a draft with the error recorded.
    preview = Letter.objects.select_related("episode__patient", "practice", "copy_of").get(pk=letter.pk)
    preview.approved_by, preview.approved_at = actor, timezone.now()
    try:
        pdf = letter_pdf(preview, today=today_london())
    except LetterRenderError as exc:
        letter_record_error(letter_id=letter.pk, error=str(exc))
        raise LetterRenderFailed(f"The letter could not be rendered, so it was not approved: {exc}") from exc
    with transaction.atomic():
        locked = _lock(letter.pk)
        if locked.state != L.DRAFT:
            raise LetterNotAllowed("Someone else approved this letter first.")
        locked.state = L.APPROVED
        locked.approved_by, locked.approved_at = actor, preview.approved_at
        locked.pdf, locked.rendered_at, locked.last_error = pdf, timezone.now(), ""
        locked.save(
            update_fields=["state", "approved_by", "approved_at", "pdf", "rendered_at", "last_error", "updated_at"]
        )
        _event(locked, f"{locked.get_kind_display()} approved", actor=actor)
        letter_queue(letter=locked, actor=actor)
    return locked


@transaction.atomic
def letter_queue(*, letter: Letter, actor=None) -> Letter:
    """Put an approved letter in the outbox; the send task is enqueued when the transaction commits.

    Letters to patients are printed, and practices without a MESH mailbox get their letters by
    hand: both go to ``manual`` with the reason.
    """
    locked = _lock(letter.pk)
    if locked.state not in (L.APPROVED, L.FAILED):
        raise LetterNotAllowed(f"A {locked.get_state_display().lower()} letter cannot be queued.")
    practice = locked.practice
    if locked.recipient in HOUSEHOLD:
        # A letter in another format (easy read, braille, audio) says so: the admin team produces it.
        instruction = (locked.content or {}).get("manual_instruction")
        locked.state = L.MANUAL
        locked.last_error = instruction or "Patient copy: print and post it to the patient's address."
    elif practice is None or not practice.mesh_mailbox:
        locked.state = L.MANUAL
        locked.last_error = "The practice has no MESH mailbox: send this letter by hand and record it as sent."
    else:
        locked.state, locked.queued_at, locked.last_error = L.QUEUED, timezone.now(), ""
        locked.failed_at = None
    locked.save(update_fields=["state", "queued_at", "last_error", "failed_at", "updated_at"])
    _event(locked, f"{locked.get_kind_display()} {locked.get_state_display().lower()}", actor=actor)
    if locked.state == L.QUEUED:
        letter_id = locked.pk
        transaction.on_commit(lambda: _enqueue_send(letter_id))
    letter.state = locked.state
    return locked


# What the user is told (and the letter shows) when the broker could not take the letter.
DELIVERY_PAUSED = "Delivery is paused: the letter is saved and will be sent when delivery resumes."


def _enqueue_send(letter_id: int) -> None:
    """Hand the letter to the send task. If the broker (or an eager run) fails, the letter stays
    queued, says so, and the outbox sweep (``letters_send_stalled``) sends it later: nothing is lost."""
    from pathway.tasks import letter_send

    try:
        letter_send.delay(letter_id)
    except Exception:
        logger.exception("letter %s could not be handed to the send task; the outbox sweep will retry", letter_id)
        Letter.objects.filter(pk=letter_id, state=L.QUEUED, attempts=0).update(last_error=DELIVERY_PAUSED)


def delivery_paused(letter: Letter) -> bool:
    return letter.state == L.QUEUED and letter.last_error == DELIVERY_PAUSED


@transaction.atomic
def letter_requeue(*, letter: Letter, actor) -> Letter:
    """After the cause of a failure is fixed (e.g. the practice's mailbox), try again."""
    if letter.state not in (L.FAILED, L.MANUAL) or letter.recipient != Letter.Recipient.GP:
        raise LetterNotAllowed("Only a failed or manual letter to a practice can be queued again.")
    Letter.objects.filter(pk=letter.pk).update(state=L.FAILED)
    return letter_queue(letter=letter, actor=actor)


def _meet_deadline(letter: Letter, sent_at: datetime) -> None:
    deadline_kind = LETTER_DEADLINES.get(letter.kind)
    if deadline_kind:
        deadline_meet(
            kind=deadline_kind,
            episode=letter.episode,
            subject=f"letter:{letter.pk}",
            on=timezone.localtime(sent_at).date(),
        )


@transaction.atomic
def letter_mark_sent(
    *, letter: Letter, mesh_message_id: str = "", sent_at: datetime | None = None, actor=None
) -> Letter:
    """Record delivery (the MESH message ID, or by hand) and meet the letter's deadline."""
    locked = _lock(letter.pk)
    if locked.state in (L.SENT, L.ACKNOWLEDGED):
        return locked
    if locked.state not in (L.QUEUED, L.MANUAL, L.APPROVED):
        raise LetterNotAllowed(f"A {locked.get_state_display().lower()} letter cannot be recorded as sent.")
    locked.state, locked.sent_at = L.SENT, sent_at or timezone.now()
    locked.mesh_message_id, locked.last_error = mesh_message_id, ""
    locked.save(update_fields=["state", "sent_at", "mesh_message_id", "last_error", "updated_at"])
    _meet_deadline(locked, locked.sent_at)
    how = f"through MESH (message {mesh_message_id})" if mesh_message_id else "by hand"
    _event(locked, f"{locked.get_kind_display()} sent {how}", actor=actor, mesh_message_id=mesh_message_id)
    logger.info("letter %s sent %s", locked.pk, "via MESH" if mesh_message_id else "by hand")
    return locked


@transaction.atomic
def letter_mark_sent_by_hand(*, letter: Letter, actor) -> Letter:
    """A letter flagged for manual sending (no MESH mailbox, or a printed patient copy) was sent."""
    if _lock(letter.pk).state != L.MANUAL:
        raise LetterNotAllowed("Only a letter flagged for manual sending can be recorded as sent by hand.")
    return letter_mark_sent(letter=letter, actor=actor)


@transaction.atomic
def _claim(letter_id: int) -> tuple[Letter | None, bool]:
    """Claim a queued letter for sending. Returns (letter, sent_before) or (None, _) when not sendable."""
    letter = _lock(letter_id, skip_locked=True)
    if letter is None or letter.state != L.QUEUED:
        return None, False
    sent_before = letter.send_started_at is not None
    if not letter.mesh_local_id:
        letter.mesh_local_id = f"painway-letter-{letter.pk}-{uuid.uuid4().hex[:12]}"
    if not sent_before:
        letter.send_started_at = timezone.now()
    letter.attempts += 1
    letter.mesh_mailbox = letter.practice.mesh_mailbox if letter.practice_id else ""
    if not letter.mesh_mailbox:
        # The mailbox was removed after the letter was queued: it goes by hand instead.
        letter.state = L.MANUAL
        letter.last_error = "The practice has no MESH mailbox: send this letter by hand and record it as sent."
    letter.save(
        update_fields=[
            "mesh_local_id",
            "send_started_at",
            "attempts",
            "mesh_mailbox",
            "state",
            "last_error",
            "updated_at",
        ]
    )
    if letter.state == L.MANUAL:
        _event(letter, f"{letter.get_kind_display()} needs manual sending")
        return None, False
    return letter, sent_before


def letter_send(*, letter_id: int) -> str:
    """Send a queued letter through MESH once. Returns what happened.

    Raises ``mesh.MeshUnavailable`` (after recording the error, the letter still queued) so the
    task can retry with backoff.
    """
    letter, sent_before = _claim(letter_id)
    if letter is None:
        return "skipped"
    with transaction.atomic():
        # Hold the row while talking to MESH: a second worker skips it instead of sending again.
        locked = _lock(letter_id, skip_locked=True)
        if locked is None or locked.state != L.QUEUED or locked.mesh_message_id:
            return "skipped"
        try:
            found = mesh.find_by_local_id(locked.mesh_local_id) if sent_before else None
            if found:
                # Sent before the worker died: record MESH's own time, not the time of this recovery.
                letter_mark_sent(letter=locked, mesh_message_id=found.message_id, sent_at=found.sent_at)
                return "found"
            pdf = bytes(locked.pdf) if locked.pdf else letter_pdf(locked, today=today_london())
            message_id = mesh.send(
                recipient=locked.mesh_mailbox,
                data=pdf,
                local_id=locked.mesh_local_id,
                subject=f"{locked.get_kind_display()} {locked.episode.reference}",
                filename=f"{locked.kind}-{locked.episode.reference}-L{locked.pk}.pdf",
            )
        except LetterRenderError as exc:
            failure = f"The letter could not be rendered: {exc}"
            outcome = "failed"
        except mesh.MeshRefused as exc:
            failure = f"{exc}. Check the practice's MESH mailbox ({locked.mesh_mailbox})."
            outcome = "failed"
        except mesh.MeshUnavailable as exc:
            failure, outcome = str(exc), "retry"
        else:
            letter_mark_sent(letter=locked, mesh_message_id=message_id)
            return "sent"
    logger.warning("letter %s not sent (%s): %s", letter_id, outcome, failure)
    letter_record_error(letter_id=letter_id, error=failure, fail=outcome == "failed")
    if outcome == "retry":
        raise mesh.MeshUnavailable(failure)
    return outcome


@transaction.atomic
def letter_mark_acknowledged(*, letter: Letter, at: datetime | None = None) -> Letter:
    locked = _lock(letter.pk)
    if locked.state != L.SENT:
        return locked
    locked.state, locked.acknowledged_at = L.ACKNOWLEDGED, at or timezone.now()
    locked.save(update_fields=["state", "acknowledged_at", "updated_at"])
    _event(locked, f"{locked.get_kind_display()} acknowledged by the practice")
    return locked


def letters_poll_acknowledgements(*, limit: int = 200) -> int:
    """Ask MESH about sent letters; mark those the practice has downloaded and acknowledged."""
    done = 0
    for letter in Letter.objects.filter(state=L.SENT).exclude(mesh_message_id="").order_by("sent_at")[:limit]:
        try:
            tracking = mesh.track(letter.mesh_message_id)
        except mesh.MeshUnavailable as exc:
            logger.warning("acknowledgement poll stopped: %s", exc)
            break
        except mesh.MeshRefused as exc:
            logger.warning("letter %s could not be tracked: %s", letter.pk, exc)
            continue
        if tracking.status == "acknowledged":
            letter_mark_acknowledged(letter=letter)
            done += 1
        elif tracking.success is False or tracking.status in ("error", "undeliverable", "expired"):
            letter_record_error(letter_id=letter.pk, error=f"MESH reports the message {tracking.status or 'failed'}.")
    return done


def letters_queued_stalled(*, older_than_minutes: int = 30, unclaimed_minutes: int = 2) -> list[int]:
    """Queued letters whose send task was lost or gave up; the outbox sweep sends them again.

    A letter no worker has claimed a few minutes after it was queued never reached the broker (it was
    down); one claimed but still queued after half an hour lost its task or ran out of retries."""
    now = timezone.now()
    never_claimed = Q(attempts=0, queued_at__lt=now - timedelta(minutes=unclaimed_minutes))
    stalled = Q(updated_at__lt=now - timedelta(minutes=older_than_minutes))
    return list(
        Letter.objects.filter(never_claimed | stalled, state=L.QUEUED)
        .order_by("queued_at")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def letter_patient_copy_create(*, letter: Letter, actor, due_on: date | None = None) -> Letter:
    """A printed copy for the patient of a letter to their GP, addressed to the patient (``due_on``: when
    the copy must go out, as the discharge letter's copy does)."""
    if letter.kind == LetterKind.PATIENT_COPY:
        raise LetterNotAllowed("This is already a patient copy.")
    return letter_create(
        kind=LetterKind.PATIENT_COPY,
        episode=letter.episode,
        actor=actor,
        content={"copy_of": letter.pk},
        recipient=Letter.Recipient.PATIENT,
        copy_of=letter,
        due_on=due_on,
    )


@transaction.atomic
def letters_cancel_unsent(*, episode_ids, reason: str, recipients=HOUSEHOLD, actor=None) -> int:
    """Cancel letters to ``recipients`` that have not gone yet (the patient died, consent was withdrawn)."""
    cancelled = 0
    for letter in (
        Letter.objects.select_for_update()
        .filter(episode_id__in=list(episode_ids), recipient__in=list(recipients), state__in=NOT_YET_SENT)
        .select_related("episode")
    ):
        letter.state, letter.last_error = L.CANCELLED, reason[:2000]
        letter.save(update_fields=["state", "last_error", "updated_at"])
        _event(letter, f"{letter.get_kind_display()} cancelled: {reason}", actor=actor)
        cancelled += 1
    return cancelled
