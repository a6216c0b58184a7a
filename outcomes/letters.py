"""What the outcomes app states in letters: the PROM change from entry to discharge.

Registered with the core's letter rendering (``register_letter_facts``) in ``OutcomesConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from pathway.models import Episode

from .selectors import episode_prom_summary


def _number(value) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def letter_facts(episode: Episode) -> dict[str, Any]:
    """Per instrument with an entry or a discharge score: both scores, the change and whether it is a
    meaningful improvement (the same rule as the episode's outcomes page)."""
    rows = []
    for item in episode_prom_summary(episode):
        entry, discharge = item["values"]["entry"], item["values"]["discharge"]
        if entry is None and discharge is None:
            continue
        change = item["changes"]["discharge"]
        rows.append(
            {
                "label": item["label"],
                "entry": _number(entry),
                "discharge": _number(discharge),
                "change": _number(round(change["change"], 3)) if change["change"] is not None else "",
                "improved": change["improved"],
            }
        )
    return {"prom_change": rows}
