"""Patient pseudonyms for commissioners, and the recorded version of the key that makes them.

A pseudonym is a keyed hash of the patient id: stable across months while the key stays, meaningless
without it. The key (``PSEUDONYM_KEY``, see ``pathway.pseudonym_key``) is adopted under a version
(``PSEUDONYM_KEY_VERSION``); every data set records the version it was made with. Changing the key
without adopting a new version stops the data sets rather than silently renaming every patient.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import transaction

from pathway.errors import DomainError
from pathway.pseudonym_key import pseudonym

from .models import PseudonymKeyVersion

__all__ = [
    "PseudonymKeyNotAdopted",
    "key_fingerprint",
    "pseudonym",
    "pseudonym_key_adopt",
    "pseudonym_key_version_in_force",
]

FINGERPRINT_MESSAGE = b"painway pseudonym key fingerprint"


class PseudonymKeyNotAdopted(DomainError):
    code = "pseudonym_key_not_adopted"


def key_fingerprint(key: str) -> str:
    return hmac.new(str(key).encode(), FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()


@transaction.atomic
def pseudonym_key_version_in_force() -> int:
    """The version of the configured key, checked against the record. The first key ever used is
    recorded as version N on first use; any later key must have been adopted (``pseudonym_key_adopt``)."""
    version, fingerprint = settings.PSEUDONYM_KEY_VERSION, key_fingerprint(settings.PSEUDONYM_KEY)
    row = PseudonymKeyVersion.objects.select_for_update().filter(version=version).first()
    if row is None:
        if PseudonymKeyVersion.objects.exists():
            raise PseudonymKeyNotAdopted(
                f"Pseudonym key version {version} has not been adopted. Run "
                f'"manage.py pseudonym_key_adopt --reason ..." to record the decision to change the key.'
            )
        row = PseudonymKeyVersion.objects.create(
            version=version, fingerprint=fingerprint, adopted_by="first use", reason="The first key in use"
        )
    if row.fingerprint != fingerprint:
        raise PseudonymKeyNotAdopted(
            f"PSEUDONYM_KEY differs from the key adopted as version {version}. A new key needs a new "
            "PSEUDONYM_KEY_VERSION and a recorded adoption; pseudonyms would otherwise change silently."
        )
    return version


@transaction.atomic
def pseudonym_key_adopt(*, reason: str, adopted_by: str) -> PseudonymKeyVersion:
    """Record the decision to use the configured key under its (new) version."""
    version = settings.PSEUDONYM_KEY_VERSION
    if PseudonymKeyVersion.objects.filter(version=version).exists():
        raise DomainError(f"Version {version} is already adopted: give the new key a new PSEUDONYM_KEY_VERSION.")
    fingerprint = key_fingerprint(settings.PSEUDONYM_KEY)
    if PseudonymKeyVersion.objects.filter(fingerprint=fingerprint).exists():
        raise DomainError("This key is already adopted under another version.")
    if not reason.strip():
        raise DomainError("Give the reason for changing the pseudonym key.")
    return PseudonymKeyVersion.objects.create(
        version=version, fingerprint=fingerprint, adopted_by=adopted_by, reason=reason.strip()[:300]
    )
