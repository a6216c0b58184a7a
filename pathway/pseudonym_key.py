"""The key of the commissioners' pseudonyms, read from the environment when the settings load.

``PSEUDONYM_KEY`` is required outside development: without it, and with ``DEBUG`` off, the app
refuses to start. It never falls back to ``SECRET_KEY`` (whose development default is published, so
pseudonyms keyed by it reverse to patient ids by trying them). ``PSEUDONYM_KEY_VERSION`` names the
key; adopting a new key under a new version is a recorded decision (``manage.py pseudonym_key_adopt``).
Development gets a random key of its own, kept under ``var/`` so pseudonyms stay stable between runs.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MIN_KEY_LENGTH = 32
DEV_KEY_FILE = "pseudonym-dev.key"


def _development_key(var_dir: Path | None) -> str:
    if var_dir is None:
        return secrets.token_urlsafe(48)
    path = Path(var_dir) / DEV_KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def pseudonym_key_from_environment(
    environ: Mapping[str, str], *, debug: bool, var_dir: Path | None = None
) -> tuple[str, int]:
    """(key, version) for the pseudonyms; ImproperlyConfigured when production lacks a proper key."""
    key = environ.get("PSEUDONYM_KEY", "").strip()
    raw_version = environ.get("PSEUDONYM_KEY_VERSION", "1").strip()
    if not raw_version.isdigit() or int(raw_version) < 1:
        raise ImproperlyConfigured("PSEUDONYM_KEY_VERSION must be a whole number from 1.")
    if not key:
        if not debug:
            raise ImproperlyConfigured(
                "PSEUDONYM_KEY is not set. Set it (at least 32 random characters, kept apart from SECRET_KEY) "
                "and PSEUDONYM_KEY_VERSION before starting with DEBUG off."
            )
        return _development_key(var_dir), int(raw_version)
    if not debug and (len(key) < MIN_KEY_LENGTH or key == environ.get("SECRET_KEY")):
        raise ImproperlyConfigured(
            f"PSEUDONYM_KEY must be at least {MIN_KEY_LENGTH} characters and differ from SECRET_KEY."
        )
    return key, int(raw_version)


def pseudonym(patient_id: int) -> str:
    """The patient's pseudonym: a keyed hash of the id, stable while the key stays, meaningless without
    it. The one definition the data set, the reports and the commissioner's extension page use."""
    key = str(settings.PSEUDONYM_KEY).encode()
    return hmac.new(key, f"patient:{patient_id}".encode(), hashlib.sha256).hexdigest()[:32]
