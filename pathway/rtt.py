"""Referral-to-treatment counting rules (national, not local): pure functions.

Waits are whole days from the clock start (day 0). Up to 126 days is within 18 weeks; day 127
is the first day of breach. Weeks waited for reporting are ``max(1, ceil(days / 7))``.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

RTT_MAX_DAYS_WITHIN = 126

# National RTT status codes.
STATUS_FIRST_ACTIVITY = "10"
STATUS_TRANSFER_FIRST_ACTIVITY = "11"
STATUS_TRANSFER_WITHIN = "12"
STATUS_SUBSEQUENT_ACTIVITY = "20"
STATUS_SUBSEQUENT_TRANSFER = "21"
STATUS_FIRST_DEFINITIVE_TREATMENT = "30"
STATUS_ACTIVE_MONITORING_PATIENT = "31"
STATUS_ACTIVE_MONITORING_CLINICIAN = "32"
STATUS_DNA_FIRST_APPOINTMENT = "33"
STATUS_DECISION_NOT_TO_TREAT = "34"
STATUS_PATIENT_DECLINED = "35"
STATUS_PATIENT_DIED = "36"
STATUS_AFTER_TREATMENT = "90"
STATUS_NOT_RTT = "98"
STATUS_UNKNOWN = "99"

STATUS_CODES = {
    "10": "First activity",
    "11": "First activity after transfer",
    "12": "Transferred within the same provider",
    "20": "Subsequent activity",
    "21": "Transfer during an RTT period",
    "30": "First definitive treatment",
    "31": "Active monitoring (patient)",
    "32": "Active monitoring (clinician)",
    "33": "Did not attend the first appointment",
    "34": "Decision not to treat",
    "35": "Patient declined treatment",
    "36": "Patient died before treatment",
    "90": "After first definitive treatment",
    "91": "Active monitoring",
    "92": "Undergoing diagnostic tests by the GP",
    "98": "Not applicable to RTT",
    "99": "Not yet known",
}
STOP_CODES = {"30", "31", "32", "33", "34", "35", "36"}


def days_waited(clock_start: date, on: date) -> int:
    """Whole days from the clock start (the start is day 0)."""
    return (on - clock_start).days


def weeks_waited(clock_start: date, on: date) -> int:
    return max(1, math.ceil(days_waited(clock_start, on) / 7))


def last_day_within(clock_start: date, max_days: int = RTT_MAX_DAYS_WITHIN) -> date:
    return clock_start + timedelta(days=max_days)


def breach_on(clock_start: date, max_days: int = RTT_MAX_DAYS_WITHIN) -> date:
    """The first day that counts as a breach (day 127 by default)."""
    return clock_start + timedelta(days=max_days + 1)


def within_18_weeks(clock_start: date, on: date, max_days: int = RTT_MAX_DAYS_WITHIN) -> bool:
    return days_waited(clock_start, on) <= max_days


WARNING_LABELS = {"breached": "Breached 18 weeks"}


def wait_warning(
    clock_start: date, on: date, *, warning_weeks=(12, 16), max_days: int = RTT_MAX_DAYS_WITHIN
) -> str | None:
    """The RTT warning reached on ``on`` by a running clock: ``"breached"`` from day ``max_days + 1``,
    else ``"<w>_weeks"`` for the latest warning week ``w`` whose whole weeks have passed (day 7w on),
    else None."""
    days = days_waited(clock_start, on)
    if days > max_days:
        return "breached"
    reached = [w for w in warning_weeks if days >= 7 * w]
    return f"{max(reached)}_weeks" if reached else None


def warning_label(code: str | None) -> str:
    if not code:
        return ""
    return WARNING_LABELS.get(code) or f"{code.split('_')[0]}-week warning"


def wait_band(weeks: int) -> str:
    """Weekly band for the PTL: 0-17, 18-51, 52+."""
    if weeks >= 52:
        return "52+"
    if weeks >= 18:
        return "18+"
    return "0-17"
