"""Web pages of clinical care, one module per noun; ``careplans.urls`` mounts them under /care/."""

from .appointments import appointment_dna_decision, appointment_new, appointment_outcome
from .assessment import assessment_new, mental_health_referral_sent
from .careplan import careplan_edit, careplan_print, careplan_share, treatment_started
from .discharge import discharge
from .episode import episode_page
from .extensions import extension_decision, extension_new, extensions_pending
from .groups import group_detail, group_list
from .mdt import mdt_list, mdt_review_new
from .medications import medication_new, medication_review_new, medication_stop
from .worklist import WORKLIST_PAGE_SIZE, WORKLIST_SECTIONS, worklist

__all__ = [
    "WORKLIST_PAGE_SIZE",
    "WORKLIST_SECTIONS",
    "appointment_dna_decision",
    "appointment_new",
    "appointment_outcome",
    "assessment_new",
    "careplan_edit",
    "careplan_print",
    "careplan_share",
    "discharge",
    "episode_page",
    "extension_decision",
    "extension_new",
    "extensions_pending",
    "group_detail",
    "group_list",
    "mdt_list",
    "mdt_review_new",
    "medication_new",
    "medication_review_new",
    "medication_stop",
    "mental_health_referral_sent",
    "treatment_started",
    "worklist",
]
