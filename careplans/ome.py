"""Oral morphine equivalent (OME) per 24 hours: pure rules with a versioned factor table.

Oral lines: daily dose (mg) x factor. Transdermal patches: ug/h x factor (buprenorphine 2.4;
fentanyl 12 ug/h = 30 mg, i.e. 2.5). Methadone has no fixed factor: a clinician enters the OME.
A factor of ``None`` marks a drug that needs that clinician entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from pathway.errors import InvalidInput

FACTOR_TABLE_VERSION = "2026.1"

DEFAULT_FACTORS: dict[str, dict[str, float | None]] = {
    "codeine": {"oral": 0.1},
    "dihydrocodeine": {"oral": 0.1},
    "tramadol": {"oral": 0.1},
    "tapentadol": {"oral": 0.4},
    "oxycodone": {"oral": 1.5},
    "hydromorphone": {"oral": 5},
    "morphine": {"oral": 1},
    "buprenorphine": {"transdermal": 2.4},
    "fentanyl": {"transdermal": 2.5},
    "methadone": {"oral": None},
}

ROUTES = ("oral", "transdermal")

# Upper bounds beyond which a dose is an input error, not a prescription.
MAX_DOSE_MG = Decimal("1000")
MAX_DOSES_PER_DAY = Decimal("24")
MAX_PATCH_MCG_PER_HOUR = Decimal("400")
MAX_CLINICIAN_OME_MG = Decimal("5000")

CENT = Decimal("0.01")


@dataclass(frozen=True)
class FactorTable:
    version: str
    factors: dict[str, dict[str, Any]]


DEFAULT_TABLE = FactorTable(version=FACTOR_TABLE_VERSION, factors=DEFAULT_FACTORS)


@dataclass(frozen=True)
class OmeResult:
    ome_mg_per_day: Decimal
    factor: Decimal | None
    version: str
    clinician_entry: bool
    route: str = "oral"


def _number(value: Any, field: str, *, maximum: Decimal, label: str) -> Decimal:
    if value is None or value == "":
        raise InvalidInput({field: [f"Enter the {label}."]})
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput({field: [f"The {label} must be a number."]})
    if not number.is_finite() or number <= 0:
        raise InvalidInput({field: [f"The {label} must be more than 0."]})
    if number > maximum:
        raise InvalidInput({field: [f"The {label} of {number} is not a possible dose (at most {maximum})."]})
    return number


def ome_per_day(
    *,
    drug: str,
    route: str,
    dose_mg: Any = None,
    doses_per_day: Any = None,
    patch_mcg_per_hour: Any = None,
    clinician_ome_mg: Any = None,
    table: FactorTable = DEFAULT_TABLE,
) -> OmeResult:
    """OME in mg per 24 h of one opioid line; bad input raises InvalidInput naming the field."""
    name = (drug or "").strip().lower()
    if name not in table.factors:
        known = ", ".join(sorted(table.factors))
        raise InvalidInput({"drug": [f"'{drug}' is not an opioid in the factor table ({known})."]})
    routes = table.factors[name]
    route = (route or "").strip().lower()
    if not route and len(routes) == 1:
        # A drug given by one route only (a fentanyl patch) needs no route to be named.
        route = next(iter(routes))
    if route not in routes:
        raise InvalidInput({"route": [f"{name} is not given by the route '{route}' (use {', '.join(routes)})."]})
    factor = routes[route]
    if factor is None:
        ome = _number(clinician_ome_mg, "ome_mg_per_day", maximum=MAX_CLINICIAN_OME_MG, label="clinician-entered OME")
        return OmeResult(ome.quantize(CENT, ROUND_HALF_UP), None, table.version, True, route)
    factor = Decimal(str(factor))
    if route == "transdermal":
        rate = _number(patch_mcg_per_hour, "patch_mcg_per_hour", maximum=MAX_PATCH_MCG_PER_HOUR, label="patch strength")
        ome = rate * factor
    else:
        dose = _number(dose_mg, "dose_mg", maximum=MAX_DOSE_MG, label="dose")
        per_day = _number(doses_per_day, "doses_per_day", maximum=MAX_DOSES_PER_DAY, label="number of doses a day")
        ome = dose * per_day * factor
    return OmeResult(ome.quantize(CENT, ROUND_HALF_UP), factor, table.version, False, route)


def total_ome(values) -> Decimal:
    return sum((Decimal(v) for v in values), Decimal("0")).quantize(CENT, ROUND_HALF_UP)


def crosses_threshold(before: Decimal, after: Decimal, threshold: Decimal | int) -> bool:
    """True when the total goes from below the alert threshold to at or above it."""
    limit = Decimal(threshold)
    return Decimal(before) < limit <= Decimal(after)


def at_or_over_threshold(total: Decimal, threshold: Decimal | int) -> bool:
    """True while the running total is at or above the alert threshold (the on-screen alert)."""
    return Decimal(total) >= Decimal(threshold)
