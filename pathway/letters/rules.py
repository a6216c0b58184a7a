"""When a letter is due: pure functions over working days and the local rules."""

from __future__ import annotations

from datetime import date

from pathway.calendar import add_working_days
from pathway.models import LetterKind
from pathway.rules import rule

DUE_RULES = {
    LetterKind.DISCHARGE: "discharge_letter_working_days",
    LetterKind.OPIOID_ALERT: "opioid_alert_working_days",
    LetterKind.PRESCRIBING_ADVICE: "prescribing_advice_working_days",
}


def letter_due_on(kind: str, start: date) -> date | None:
    """The last day in time for a letter that starts its clock on ``start`` (None: no deadline)."""
    name = DUE_RULES.get(kind)
    if name is None:
        return None
    return add_working_days(start, rule(name))
