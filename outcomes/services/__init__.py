"""Every write of outcomes, one module per noun: PROM responses, patient links, the schedule, feedback."""

from .feedback import experience_survey_create, feedback_create, feedback_update
from .links import (
    LinkProblem,
    invitation_for_token,
    prom_invitation_create,
    prom_invitation_save_answers,
    prom_invitation_send,
    prom_invitation_submit,
    prom_invitations_cancel,
    prom_invitations_cancel_on_death,
    token_hash,
)
from .responses import (
    ALL_INSTRUMENTS,
    NO_PROM_STATES,
    answer_errors,
    canonical_answers,
    prom_response_create,
    score_answers,
)
from .schedule import prom_schedule_run

__all__ = [
    "ALL_INSTRUMENTS",
    "LinkProblem",
    "NO_PROM_STATES",
    "answer_errors",
    "canonical_answers",
    "experience_survey_create",
    "feedback_create",
    "feedback_update",
    "invitation_for_token",
    "prom_invitation_create",
    "prom_invitation_save_answers",
    "prom_invitation_send",
    "prom_invitation_submit",
    "prom_invitations_cancel",
    "prom_invitations_cancel_on_death",
    "prom_response_create",
    "prom_schedule_run",
    "score_answers",
    "token_hash",
]
