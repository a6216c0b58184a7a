"""Factories and payloads for referral tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from pathway.tests import factories as f
from referrals import services
from referrals.models import Referral

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def referral_payload(practice, n: int = 1, **overrides) -> dict[str, Any]:
    """A valid API payload (as JSON) for a new referral."""
    data = {
        "nhs_number": f.valid_nhs_number(n),
        "given_name": "Ann",
        "family_name": "Smith",
        "date_of_birth": "1970-02-01",
        "sex": "female",
        "postcode": "DL1 1AA",
        "practice_ods": practice.ods_code,
        "received_on": "2026-11-02",
        "ubrn": None,
        "pain_site": "lower back",
        "duration_months": 14,
        "impact": "Cannot work",
        "previous_treatments": "Physiotherapy",
        "medications": "Naproxen",
        "urgency": "routine",
        "red_flags": [],
        "reason": "Persistent low back pain",
    }
    data.update(overrides)
    return data


def make_referral(
    *, practice=None, n: int | None = None, received_on: date = date(2026, 11, 2), actor=None, **overrides
) -> Referral:
    """A referral received through the service (patient, episode in triage, clock, deadline)."""
    practice = practice or f.PracticeFactory()
    n = n if n is not None else make_referral.counter
    make_referral.counter += 1
    data = referral_payload(practice, n=n, **overrides)
    data["date_of_birth"] = date.fromisoformat(data["date_of_birth"])
    data["received_on"] = received_on
    return services.referral_create(data=data, actor=actor, source=Referral.Source.API)


make_referral.counter = 5000
