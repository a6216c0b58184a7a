"""Validators for identifiers used across the service."""

import re
from datetime import date

import nhs_number
from dateutil.relativedelta import relativedelta
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


# Sane windows for dates (a year-1 UBRN conversion gave a PTL wait of 739,951 days; 9999-12-31 was
# accepted for appointments): nobody alive was born before 1900, and nothing is planned more than two
# years ahead.
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
YEARS_AHEAD = 2


def latest_plannable_date(today: date) -> date:
    """The last date an appointment, extension, group session or goal review may be set for."""
    return today + relativedelta(years=YEARS_AHEAD)


def length_errors(model, **values) -> dict[str, list[str]]:
    """Each text longer than its model field's ``max_length``, named with the limit: PostgreSQL refuses
    it (a DataError, a 500) where SQLite would store it."""
    errors = {}
    for name, value in values.items():
        limit = model._meta.get_field(name).max_length
        if limit and value is not None and len(str(value)) > limit:
            errors[name] = [f"Use at most {limit} characters (this has {len(str(value))})."]
    return errors
