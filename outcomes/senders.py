"""Pluggable delivery of PROM links to patients by email or SMS.

``settings.PROM_SENDER`` names the sender class (dotted path). The default writes each message
to a file under ``var/outbox/`` (the console/file sender for a machine without email or SMS);
tests use ``LocmemSender``. Senders receive the link; nothing here logs it or the patient's
name or contact details.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DEFAULT_SENDER = "outcomes.senders.FileSender"


@dataclass(frozen=True)
class PromMessage:
    invitation_id: int
    channel: str  # "email" or "sms"
    to: str
    subject: str
    body: str


class FileSender:
    """Writes each message to its own file in the outbox directory."""

    def __init__(self, directory: Path | None = None):
        self.directory = Path(directory or getattr(settings, "PROM_OUTBOX_DIR", settings.VAR_DIR / "outbox"))

    def send(self, message: PromMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
        path = self.directory / f"{stamp}-invitation-{message.invitation_id}-{message.channel}.txt"
        path.write_text(f"To: {message.to}\nSubject: {message.subject}\n\n{message.body}\n", encoding="utf-8")
        logger.info("PROM invitation %s written to the outbox (%s)", message.invitation_id, message.channel)


class LocmemSender:
    """Keeps messages in memory, for tests."""

    outbox: list[PromMessage] = []

    def send(self, message: PromMessage) -> None:
        LocmemSender.outbox.append(message)


def get_sender():
    return import_string(getattr(settings, "PROM_SENDER", DEFAULT_SENDER))()
