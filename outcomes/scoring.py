"""Scoring of the PROM instruments (DESIGN.md section 7). Pure functions, no database.

Each ``score_*`` function takes the answers as the patient gave them (``None`` for an item left
blank) and returns a ``Scored``: whether the questionnaire is complete and the scores that can be
computed without guessing. Out-of-range answers raise ``AnswerError`` naming each item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

PSEQ_VERSION = "PSEQ-10 v1"
BPI_VERSION = "BPI-SF v1"
EQ5D_VERSION = "EQ-5D-5L v1"

PSEQ_ITEMS = 10
PSEQ_BANDS = [(0, 19, "0-19"), (20, 30, "20-30"), (31, 40, "31-40"), (41, 60, "41-60")]
BPI_SEVERITY_ITEMS = 4
BPI_INTERFERENCE_ITEMS = 7
BPI_MIN_INTERFERENCE_ANSWERED = 4

EQ5D_DIMENSIONS = ["mobility", "self_care", "usual_activities", "pain_discomfort", "anxiety_depression"]

# Decrements for levels 2-5 of each dimension (level 1 is 0), from
# shared/reference/eq5d-5l-value-sets.md. Decimals keep the index exact.
VALUE_SETS: dict[str, dict[str, tuple[str, str, str, str]]] = {
    "UK2026": {
        "mobility": ("0.032", "0.058", "0.179", "0.279"),
        "self_care": ("0.038", "0.060", "0.162", "0.206"),
        "usual_activities": ("0.049", "0.086", "0.184", "0.212"),
        "pain_discomfort": ("0.056", "0.066", "0.371", "0.479"),
        "anxiety_depression": ("0.041", "0.126", "0.313", "0.391"),
    },
    "ENG2018": {
        "mobility": ("0.058", "0.076", "0.207", "0.274"),
        "self_care": ("0.050", "0.080", "0.164", "0.203"),
        "usual_activities": ("0.050", "0.063", "0.162", "0.184"),
        "pain_discomfort": ("0.063", "0.084", "0.276", "0.335"),
        "anxiety_depression": ("0.078", "0.104", "0.285", "0.289"),
    },
}
VALUE_SET_LABELS = {"UK2026": "UK 2026 (Rowen et al.)", "ENG2018": "England 2018 (Devlin et al.)"}


class AnswerError(ValueError):
    """Answers outside an instrument's range; ``errors`` maps a field to plain messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for msgs in errors.values() for m in msgs))
        self.errors = errors


@dataclass(frozen=True)
class Scored:
    complete: bool
    scores: dict[str, Any] = field(default_factory=dict)
    version: str = ""
    value_set: str = ""


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_items(values: list, low: int, high: int, label: str) -> list[str]:
    return [
        f"{label} {i} must be a whole number from {low} to {high}."
        for i, v in enumerate(values, start=1)
        if v is not None and not (_is_whole(v) and low <= v <= high)
    ]


def pseq_band(total: int) -> str:
    for low, high, band in PSEQ_BANDS:
        if low <= total <= high:
            return band
    raise ValueError(f"PSEQ total {total} is outside 0-60")


def score_pseq(items: list[int | None]) -> Scored:
    """Total of the 10 items (0-6 each), 0-60, higher is better; no total unless all answered."""
    if len(items) != PSEQ_ITEMS:
        raise AnswerError({"items": [f"Give {PSEQ_ITEMS} answers, one per item (you gave {len(items)})."]})
    errors = _check_items(items, 0, 6, "Item")
    if errors:
        raise AnswerError({"items": errors})
    if any(v is None for v in items):
        return Scored(complete=False, version=PSEQ_VERSION)
    total = sum(items)
    return Scored(complete=True, scores={"total": total, "band": pseq_band(total)}, version=PSEQ_VERSION)


def _mean(values: list[int]) -> float:
    return round(sum(values) / len(values), 4)


def bpi_errors(severity: list | None, interference: list | None) -> dict[str, list[str]]:
    """Length and range errors of the BPI answers; a part given as ``None`` is not checked."""
    errors: dict[str, list[str]] = {}
    if severity is not None:
        if len(severity) != BPI_SEVERITY_ITEMS:
            errors["severity"] = [f"Give {BPI_SEVERITY_ITEMS} severity answers: worst, least, average, now."]
        elif bad := _check_items(severity, 0, 10, "Severity item"):
            errors["severity"] = bad
    if interference is not None:
        if len(interference) != BPI_INTERFERENCE_ITEMS:
            errors["interference"] = [f"Give {BPI_INTERFERENCE_ITEMS} interference answers (null for a blank item)."]
        elif bad := _check_items(interference, 0, 10, "Interference item"):
            errors["interference"] = bad
    return errors


def score_bpi(severity: list[int | None], interference: list[int | None]) -> Scored:
    """Severity is the mean of the 4 severity items; interference the mean of the answered items
    of 7, scored only when at least 4 are answered."""
    errors = bpi_errors(severity, interference)
    if errors:
        raise AnswerError(errors)
    answered = [v for v in interference if v is not None]
    interference_score = _mean(answered) if len(answered) >= BPI_MIN_INTERFERENCE_ANSWERED else None
    severity_complete = all(v is not None for v in severity)
    scores: dict[str, Any] = {
        "severity": _mean(severity) if severity_complete else None,
        "interference": interference_score,
    }
    complete = severity_complete and interference_score is not None
    return Scored(complete=complete, scores=scores, version=BPI_VERSION)


def eq5d_index(profile: str, value_set: str) -> Decimal:
    """1 minus the decrements of the five levels (exact decimal)."""
    if value_set not in VALUE_SETS:
        raise AnswerError({"value_set": [f"'{value_set}' is not a value set. Use one of: {', '.join(VALUE_SETS)}."]})
    if len(profile) != 5 or any(c not in "12345" for c in profile):
        raise AnswerError({"profile": ["A profile is five levels from 1 to 5, e.g. 21143."]})
    table = VALUE_SETS[value_set]
    decrement = sum(
        (
            Decimal(table[dim][int(level) - 2])
            for dim, level in zip(EQ5D_DIMENSIONS, profile, strict=True)
            if level != "1"
        ),
        Decimal(0),
    )
    return Decimal(1) - decrement


def score_eq5d(levels: dict[str, int | None], vas: int | None, value_set: str) -> Scored:
    """Profile (MO SC UA PD AD), index from the value set, and the VAS 0-100 recorded as given."""
    errors: dict[str, list[str]] = {}
    for dim in EQ5D_DIMENSIONS:
        value = levels.get(dim)
        if value is not None and not (_is_whole(value) and 1 <= value <= 5):
            errors[dim] = [f"{dim.replace('_', ' ').capitalize()} must be a level from 1 to 5."]
    if vas is not None and not (_is_whole(vas) and 0 <= vas <= 100):
        errors["vas"] = ["The health scale (VAS) must be a whole number from 0 to 100."]
    if value_set not in VALUE_SETS:
        errors["value_set"] = [f"'{value_set}' is not a value set. Use one of: {', '.join(VALUE_SETS)}."]
    if errors:
        raise AnswerError(errors)
    scores: dict[str, Any] = {"vas": vas}
    dims_complete = all(levels.get(dim) is not None for dim in EQ5D_DIMENSIONS)
    if dims_complete:
        profile = "".join(str(levels[dim]) for dim in EQ5D_DIMENSIONS)
        scores = {"profile": profile, "index": float(eq5d_index(profile, value_set)), "vas": vas}
    return Scored(complete=dims_complete and vas is not None, scores=scores, version=EQ5D_VERSION, value_set=value_set)


def improvement(instrument: str, before: dict, after: dict, rules: dict[str, Any]) -> tuple[float | None, bool | None]:
    """The change between two score dicts and whether it is a meaningful improvement.

    PSEQ: total up by ``pseq_improvement_points``; BPI: interference down by
    ``bpi_interference_improvement``; EQ-5D-5L: index up by ``eq5d_index_improvement``.
    Returns (None, None) when either side lacks the score.
    """
    key = {"PSEQ": "total", "BPI": "interference", "EQ5D5L": "index"}[instrument]
    a, b = (before or {}).get(key), (after or {}).get(key)
    if a is None or b is None:
        return None, None
    change = round(b - a, 4)
    if instrument == "PSEQ":
        return change, change >= rules["pseq_improvement_points"]
    if instrument == "BPI":
        return change, -change >= round(float(rules["bpi_interference_improvement"]), 4)
    return change, change >= round(float(rules["eq5d_index_improvement"]), 4)
