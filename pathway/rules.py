"""The local rules of the service (DESIGN.md section 4), read from settings.PATHWAY_RULES."""

from typing import Any

from django.conf import settings


def get_rules() -> dict[str, Any]:
    """A fresh merged dict of the defaults and the local overrides."""
    return {**settings.PATHWAY_RULES_DEFAULTS, **settings.PATHWAY_RULES}


def rule(name: str) -> Any:
    rules = get_rules()
    if name not in rules:
        raise KeyError(f"Unknown pathway rule: {name}")
    return rules[name]
