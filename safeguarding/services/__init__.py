"""Every write of consent, carers, communication needs, safeguarding concerns and incidents."""

from .carers import carer_add
from .communication import appointment_interpreter_book, communication_needs_update
from .concerns import safeguarding_concern_close, safeguarding_concern_raise
from .consent import consent_record
from .incidents import incident_record, incident_review

__all__ = [
    "appointment_interpreter_book",
    "carer_add",
    "communication_needs_update",
    "consent_record",
    "incident_record",
    "incident_review",
    "safeguarding_concern_close",
    "safeguarding_concern_raise",
]
