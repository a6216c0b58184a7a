"""Validators for identifiers used across the service."""

import re

import nhs_number
from django.core.exceptions import ValidationError

ODS_RE = re.compile(r"^[A-Z0-9]{3,10}$")


def normalise_nhs_number(value: str) -> str:
    """Strip spaces and hyphens: '943 476 5919' -> '9434765919'."""
    return re.sub(r"[\s-]", "", str(value or ""))


def validate_nhs_number(value: str) -> None:
    digits = normalise_nhs_number(value)
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationError("Enter an NHS number of 10 digits.", code="nhs_number_format")
    if not nhs_number.is_valid(digits):
        raise ValidationError("This NHS number is not valid: its check digit is wrong.", code="nhs_number_checksum")


def validate_ods_code(value: str) -> None:
    if not ODS_RE.fullmatch(value or ""):
        raise ValidationError("Enter an ODS code of 3 to 10 capital letters and digits.", code="ods_code")
