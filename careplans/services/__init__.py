"""Every write of clinical care, one module per noun: appointments, assessment, care plans,
treatment start, medications (OME), MDT, nine-month extensions and discharge.

Each service locks the episode (``episode_lock``) and checks the caller's version when one is
given, so a stale edit is refused with StaleVersion and nothing is written.
"""

from pathway.episode_dates import mdt_due_on
from pathway.models import CARE_STATES

from ..limits import limit_status
from .appointments import (
    GROUP_MAX_PLACES,
    GROUP_MIN_PLACES,
    appointment_book,
    appointment_dna_decide,
    appointment_record_outcome,
    group_session_create,
)
from .assessment import assessment_record, mental_health_referral_made
from .careplan import CARE_PLAN_LISTS, careplan_save
from .discharge import DISCHARGE_RTT_STATUS, OpenTasks, discharge_on_death, discharge_record, open_urgent_tasks
from .extensions import extension_decide, extension_request, may_decide_extension
from .mdt import mdt_review_record
from .medication_reviews import appointment_attended_with_review, medication_review_record
from .medications import factor_table, formulary_drug, medication_add, medication_review_due, medication_stop
from .sharing import careplan_share
from .treatment import treatment_start

__all__ = [
    "CARE_PLAN_LISTS",
    "CARE_STATES",
    "DISCHARGE_RTT_STATUS",
    "GROUP_MAX_PLACES",
    "GROUP_MIN_PLACES",
    "appointment_attended_with_review",
    "OpenTasks",
    "appointment_book",
    "appointment_dna_decide",
    "appointment_record_outcome",
    "assessment_record",
    "careplan_save",
    "careplan_share",
    "discharge_on_death",
    "discharge_record",
    "extension_decide",
    "extension_request",
    "factor_table",
    "formulary_drug",
    "group_session_create",
    "limit_status",
    "mdt_due_on",
    "may_decide_extension",
    "mdt_review_record",
    "medication_add",
    "medication_review_due",
    "medication_review_record",
    "medication_stop",
    "mental_health_referral_made",
    "open_urgent_tasks",
    "treatment_start",
]
