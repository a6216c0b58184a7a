"""Checks shared by the services: choices and dates named by field, in plain words."""

from __future__ import annotations

from datetime import date

from pathway.models import Patient
from pathway.services import today_london


def check_choice(errors: dict[str, list[str]], field: str, value, choices, what: str) -> None:
    if value in (None, ""):
        errors[field] = [f"Choose the {what}."]
    elif value not in choices.values:
        errors[field] = [f"'{value}' is not a {what} ({', '.join(choices.values)})."]


def check_date(
    errors: dict[str, list[str]], field: str, day: date | None, *, earliest: date | None, what: str, required: bool
) -> None:
    """Not missing (when required), not before ``earliest`` (the referral), not in the future."""
    if day is None:
        if required:
            errors[field] = [f"Give the {what}."]
        return
    if earliest is not None and day < earliest:
        errors[field] = [f"The {what} cannot be before the referral was received ({earliest:%-d %B %Y})."]
    elif day > today_london():
        errors[field] = [f"The {what} cannot be in the future."]


def first_referral_on(patient: Patient) -> date | None:
    return patient.episodes.order_by("received_on").values_list("received_on", flat=True).first()


def check_text(errors: dict[str, list[str]], field: str, value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        errors[field] = [f"Describe the {what}."]
    return text
