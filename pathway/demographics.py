"""Identity: a referral never changes a known patient's demographics silently.

When a referral for a known NHS number disagrees with the record, the record stays as it is and a
"demographics to reconcile" task holds both versions side by side. Only SPA staff, clinicians and the
service lead decide it; applying records the values before and after (and the field history of the
patient records who made the change).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .access import may_reconcile_demographics
from .models import DemographicsReconciliation, Episode, Patient, Practice

# The fields a referral may propose, in the order staff read them; ``practice_ods`` is the GP practice.
RECONCILED_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "phone",
    "ethnicity",
    "interpreter_needed",
    "interpreter_language",
    "veteran",
    "practice_ods",
)


def _value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Practice):
        return value.ods_code
    return value


def patient_values(patient: Patient) -> dict[str, Any]:
    values = {field: _value(getattr(patient, field)) for field in RECONCILED_FIELDS if field != "practice_ods"}
    values["practice_ods"] = patient.practice.ods_code
    return values


def demographics_differences(patient: Patient, proposed: dict[str, Any]) -> tuple[dict, dict]:
    """The record's and the referral's values of each field they disagree on. A referral that leaves
    a field blank (or a flag unset) proposes nothing for it."""
    current = patient_values(patient)
    given = {"practice_ods": proposed["practice"].ods_code} if proposed.get("practice") else {}
    given.update({k: _value(v) for k, v in proposed.items() if k in RECONCILED_FIELDS})
    differing = [f for f in RECONCILED_FIELDS if given.get(f) not in (None, "", False) and given[f] != current[f]]
    return {f: current[f] for f in differing}, {f: given[f] for f in differing}


def reconciliation_open(*, patient: Patient, episode: Episode, current: dict, proposed: dict):
    return DemographicsReconciliation.objects.create(
        patient=patient, episode=episode, current=current, proposed=proposed
    )


def reconciliations_open():
    return DemographicsReconciliation.objects.filter(decision="").select_related("patient", "episode")


@transaction.atomic
def reconciliation_decide(*, reconciliation_id: int, decision: str, actor) -> DemographicsReconciliation:
    """Apply the referral's values to the record, or dismiss them; either way the decision is recorded."""
    if not may_reconcile_demographics(actor):
        raise PermissionDenied("Only SPA staff, clinicians and the service lead may change a patient's identity.")
    task = DemographicsReconciliation.objects.select_for_update().get(pk=reconciliation_id, decision="")
    if decision == DemographicsReconciliation.Decision.APPLIED:
        patient = Patient.objects.select_for_update().select_related("practice").get(pk=task.patient_id)
        before = patient_values(patient)
        for field, value in task.proposed.items():
            if field == "practice_ods":
                patient.practice = Practice.objects.get(ods_code=value)
            elif field == "date_of_birth":
                patient.date_of_birth = date.fromisoformat(value)
            else:
                setattr(patient, field, value)
        patient._history_user = actor
        patient.save()
        after = patient_values(patient)
        task.before = {f: before[f] for f in task.proposed}
        task.after = {f: after[f] for f in task.proposed}
    elif decision != DemographicsReconciliation.Decision.DISMISSED:
        raise ValueError(f"Unknown decision {decision!r}.")
    task.decision, task.decided_by, task.decided_at = decision, actor, timezone.now()
    task.save()
    return task
