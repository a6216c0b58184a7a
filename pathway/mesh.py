"""A thin adapter over ``mesh-client`` for letters to GP practices.

It sorts MESH failures into the two kinds the letter outbox treats differently: the service is
unavailable (retry later) or the message was refused for good (the letter fails with a reason).
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import requests
from django.conf import settings
from mesh_client import MeshClient, MeshError

logger = logging.getLogger(__name__)

# MESH error codes that will not change on a retry (mailbox unknown, not allowed to send to it).
PERMANENT_CODES = {"12", "14", "15", "16", "17"}


class MeshUnavailable(Exception):
    """MESH could not be reached or answered with a server error; try again later."""


class MeshRefused(Exception):
    """MESH refused the message for good, e.g. an unknown recipient mailbox."""


@dataclass(frozen=True)
class Tracking:
    message_id: str
    status: str
    success: bool | None


def _verify():
    if settings.MESH_CA_BUNDLE:
        return settings.MESH_CA_BUNDLE
    return bool(settings.MESH_VERIFY_SSL)


def _cert():
    if settings.MESH_CLIENT_CERT and settings.MESH_CLIENT_KEY:
        return (settings.MESH_CLIENT_CERT, settings.MESH_CLIENT_KEY)
    return None


@contextmanager
def client(mailbox: str | None = None, password: str | None = None):
    """A MeshClient for our mailbox (or another, for tests). Retries are the outbox's job, not the client's."""
    mesh = MeshClient(
        settings.MESH_URL,
        mailbox or settings.MESH_MAILBOX,
        password or settings.MESH_PASSWORD,
        shared_key=settings.MESH_SHARED_KEY.encode(),
        cert=_cert(),
        verify=_verify(),
        max_retries=0,
        timeout=settings.MESH_TIMEOUT_SECONDS,
        application_name="painway",
    )
    try:
        yield mesh
    finally:
        mesh.close()


def _error_code(exc: MeshError) -> str:
    for arg in exc.args[1:]:
        if isinstance(arg, dict):
            detail = arg.get("detail") or []
            if detail and isinstance(detail, list) and isinstance(detail[0], dict):
                return str(detail[0].get("code", ""))
            return str(arg.get("errorCode", ""))
    return ""


def _translate(exc: Exception) -> Exception:
    if isinstance(exc, MeshError):
        code = _error_code(exc)
        message = str(exc.args[0]) if exc.args else "MESH refused the message"
        if code in PERMANENT_CODES:
            return MeshRefused(f"MESH refused the message: {message} (code {code})")
        return MeshUnavailable(f"MESH error: {message} (code {code or 'none'})")
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        status = exc.response.status_code
        if status in (401, 403):
            return MeshUnavailable(f"MESH rejected our credentials (HTTP {status})")
        if status < 500 and status not in (408, 425, 429):
            return MeshRefused(f"MESH refused the request (HTTP {status})")
        return MeshUnavailable(f"MESH answered HTTP {status}")
    if isinstance(exc, requests.RequestException):
        return MeshUnavailable(f"MESH could not be reached: {type(exc).__name__}")
    return exc


def send(*, recipient: str, data: bytes, local_id: str, subject: str, filename: str) -> str:
    """Send a PDF to a recipient mailbox; returns the MESH message ID."""
    try:
        with client() as mesh:
            return mesh.send_message(
                recipient,
                data,
                workflow_id=settings.MESH_WORKFLOW_ID,
                local_id=local_id,
                subject=subject,
                filename=filename,
                content_type="application/pdf",
            )
    except Exception as exc:
        raise _translate(exc) from exc


@dataclass(frozen=True)
class Sent:
    message_id: str
    sent_at: datetime | None  # when MESH accepted the message, as MESH recorded it


def _upload_time(body: dict) -> datetime | None:
    """MESH's acceptance time: ISO 8601 in tracking v2, ``YYYYMMDDHHMMSS`` (UTC) in v1."""
    value = body.get("upload_timestamp") or body.get("uploadTimestamp")
    if not value:
        return None
    try:
        if str(value).isdigit():
            return datetime.strptime(str(value), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def find_by_local_id(local_id: str) -> Sent | None:
    """The message we sent with ``local_id`` and when MESH accepted it, or None if MESH never received it."""
    try:
        with client() as mesh:
            # mesh-client has no call for MESH's tracking-by-local-ID endpoint; use its authenticated session.
            response = mesh._session.get(
                f"{mesh.mailbox_url}/outbox/tracking/{requests.utils.quote(local_id, safe='')}",
                timeout=settings.MESH_TIMEOUT_SECONDS,
            )
            if response.status_code == 404:
                return None
            response.raise_for_status()
            body = response.json()
    except Exception as exc:
        raise _translate(exc) from exc
    message_id = body.get("messageId") or body.get("message_id")
    return Sent(message_id=message_id, sent_at=_upload_time(body)) if message_id else None


def track(message_id: str) -> Tracking:
    try:
        with client() as mesh:
            data = mesh.track_message(message_id)
    except Exception as exc:
        raise _translate(exc) from exc
    return Tracking(
        message_id=message_id,
        status=str(data.get("status") or "").lower(),
        success=data.get("status_success"),
    )
