"""Extension points of the letter workflow for the feature apps (registered in their ready()).

The core knows nothing of carers, consent or communication formats; the apps that do hook in here:
- ``on_letter_created``: called with each new letter, inside the transaction that created it (a carer
  copy follows a letter to the patient when the patient consents to sharing with the carer).
- ``on_letter_context``: called with each letter and its template context before rendering, to add
  what the app knows (the addressee of a carer copy, a large-print style, signposted resources).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LETTER_CREATED: list[Callable[[Any], None]] = []
LETTER_CONTEXT: list[Callable[[Any, dict[str, Any]], None]] = []


def on_letter_created(hook: Callable[[Any], None]) -> Callable[[Any], None]:
    if hook not in LETTER_CREATED:
        LETTER_CREATED.append(hook)
    return hook


def on_letter_context(hook: Callable[[Any, dict[str, Any]], None]) -> Callable[[Any, dict[str, Any]], None]:
    if hook not in LETTER_CONTEXT:
        LETTER_CONTEXT.append(hook)
    return hook
