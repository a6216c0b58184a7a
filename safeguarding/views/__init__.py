"""Pages of consent, carers, communication needs, safeguarding and incidents."""

from .episode import concern_close, episode_page, incident_review
from .lead import lead_tasks
from .patient import carer_new, communication_edit, consent_new, patient_page

__all__ = [
    "carer_new",
    "communication_edit",
    "concern_close",
    "consent_new",
    "episode_page",
    "incident_review",
    "lead_tasks",
    "patient_page",
]
