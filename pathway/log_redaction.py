"""Redaction of every log line: query strings, questionnaire tokens and identifiers never reach a log.

Search terms travel in query strings (``/patients/?q=<name or NHS number>``) and a patient's
questionnaire link is a bearer token in a path (``/outcomes/q/<token>/``). Access logs (Django's
development server, gunicorn) and Django's own request warnings print both, so the filter sits on
every handler rather than trusting each caller. NHS numbers, postcodes and emails are masked too, as a
second line of defence behind the rule that code never logs them.
"""

from __future__ import annotations

import logging
import re

REDACTIONS = (
    (re.compile(r"\?[^\s\"']*"), "?[redacted]"),
    (re.compile(r"(/outcomes/q/)[^/\s\"'?]+"), r"\1[token]"),
    (re.compile(r"\b\d{3} ?\d{3} ?\d{4}\b"), "[nhs-number]"),
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b", re.IGNORECASE), "[postcode]"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
)


def redact(text: str) -> str:
    for pattern, replacement in REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites the record's message in place, so every handler and formatter after it sees it redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format: leave it to the formatter
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
