"""The acceptance criteria (DESIGN.md section 6), read from ``AcceptanceCriterion`` rows and checked
against one referral. A criterion not met blocks acceptance unless a clinician records an override."""

from __future__ import annotations

from pathway.rules import rule
from referrals.models import EXCLUDED_CONDITIONS, Referral
from referrals.services import age_on

from .models import AcceptanceCriterion

Check = AcceptanceCriterion.Check


def in_commissioned_area(practice) -> bool:
    """The practice's commissioner funds this service (the ``commissioners_served`` rule; empty = all)."""
    served = {code.strip().upper() for code in rule("commissioners_served")}
    return not served or practice.commissioner.code.upper() in served


def _months(n: int) -> str:
    return f"{n} month{'' if n == 1 else 's'}"


def _min_age(referral: Referral, threshold: int | None) -> dict:
    minimum = threshold if threshold is not None else rule("min_age_years")
    age = age_on(referral.patient.date_of_birth, referral.received_on)
    return {
        "label": f"Aged {minimum} or over on the date received",
        "met": age >= minimum,
        "detail": f"Aged {age} on {referral.received_on:%d %b %Y}",
        "failure": f"The patient must be aged {minimum} or over: they were {age} when the referral was received.",
    }


def _pain_duration(referral: Referral, threshold: int | None) -> dict:
    minimum = threshold if threshold is not None else rule("min_pain_duration_months")
    return {
        "label": f"Pain for at least {_months(minimum)}",
        "met": referral.duration_months >= minimum,
        "detail": _months(referral.duration_months),
        "failure": f"Pain must have lasted at least {_months(minimum)}: "
        f"the referral says {_months(referral.duration_months)}.",
    }


def _commissioner_served(referral: Referral, threshold: int | None) -> dict:
    practice = referral.practice
    return {
        "label": "Registered with a practice of a commissioner the service serves",
        "met": in_commissioned_area(practice),
        "detail": f"{practice.name}, {practice.commissioner.name}",
        "failure": f"The patient's practice ({practice.name}) is in {practice.commissioner.name}, "
        "a commissioner this service does not serve.",
    }


def _not_excluded(referral: Referral, threshold: int | None) -> dict:
    labels = [EXCLUDED_CONDITIONS.get(code, code) for code in referral.excluded_conditions or []]
    return {
        "label": "Not a condition excluded from the service (for a regional tertiary centre)",
        "met": not labels,
        "detail": ", ".join(labels) or "None",
        "failure": f"The referral is for a condition treated by a regional tertiary centre: {', '.join(labels)}.",
    }


CHECKS = {
    Check.MIN_AGE: _min_age,
    Check.PAIN_DURATION: _pain_duration,
    Check.COMMISSIONER_SERVED: _commissioner_served,
    Check.NOT_EXCLUDED_CONDITION: _not_excluded,
}


def acceptance_criteria(referral: Referral) -> list[dict]:
    """Every active criterion, in order, each with ``label``, ``met``, ``detail`` and ``failure``
    (the plain words said when it is not met)."""
    rows = []
    for criterion in AcceptanceCriterion.objects.filter(active=True):
        check = CHECKS.get(criterion.code)
        if check is not None:
            rows.append({"code": criterion.code, **check(referral, criterion.threshold)})
    return rows


def failed_criteria(referral: Referral) -> list[str]:
    """The plain-words failure of each active criterion the referral does not meet."""
    return [row["failure"] for row in acceptance_criteria(referral) if not row["met"]]
