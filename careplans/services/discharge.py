"""Discharge from any open state, with the discharge letter to the GP and the patient's copy."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from pathway import rtt
from pathway.calendar import add_working_days
from pathway.episode_dates import reengagement_window_ends
from pathway.errors import DomainError, InvalidInput
from pathway.letters.services import letter_patient_copy_create, letters_cancel_unsent
from pathway.models import Deadline, DeadlineKind, DischargeReason, Episode, Letter, LetterKind
from pathway.patient_death import DIED, PatientDeath
from pathway.rules import rule
from pathway.services import episode_discharge, letter_create, rtt_clock_stop, rtt_running_period
from pathway.validators import length_errors

from ..models import Discharge
from ..selectors import latest_care_plan
from ._episode import _lock, _not_before_referral, _not_in_future

DISCHARGE_RTT_STATUS = {
    DischargeReason.DECLINED: rtt.STATUS_PATIENT_DECLINED,
    DischargeReason.DIED: rtt.STATUS_PATIENT_DIED,
}
# Tasks a discharge would leave undone that put the patient at risk: asked about before discharging.
URGENT_TASKS = (DeadlineKind.MENTAL_HEALTH_REFERRAL, DeadlineKind.MEDICATION_REVIEW)


class OpenTasks(DomainError):
    code = "open_tasks"


def open_urgent_tasks(episode: Episode) -> list[dict]:
    """The episode's open urgent tasks (an urgent mental-health referral, a medication review due)."""
    return [
        {
            "kind": deadline.kind,
            "label": deadline.get_kind_display(),
            "due_on": deadline.due_on.isoformat(),
            "note": deadline.note,
        }
        for deadline in Deadline.objects.open().filter(episode=episode, kind__in=URGENT_TASKS).order_by("due_on", "id")
    ]


def _confirm_open_tasks(episode: Episode, confirmed: bool) -> list[dict]:
    tasks = open_urgent_tasks(episode)
    if tasks and not confirmed:
        listed = "; ".join(f"{task['label']} due {task['due_on']}" for task in tasks)
        raise OpenTasks(
            f"The episode has open urgent tasks: {listed}. Discharge anyway only if you are sure, by confirming "
            "them (confirm_open_tasks).",
            extra={"open_tasks": tasks},
        )
    return tasks


@transaction.atomic
def discharge_record(
    *,
    episode: Episode,
    date: date,
    reason: str,
    actor=None,
    summary: str = "",
    medication_changes: str = "",
    adverse_reactions: str = "",
    gp_actions: str = "",
    treatment_exhausted: bool = False,
    onward_referral: str | None = "",
    support_plan: str = "",
    confirm_open_tasks: bool = False,
    expected_version: int | None = None,
) -> tuple[Discharge, Letter]:
    """Close the episode from any open state, stop a running RTT clock, create the discharge letter to the
    GP and the patient's copy, both due ``discharge_letter_working_days`` after the discharge.

    An open urgent task (an urgent mental-health referral, a medication review due) refuses the
    discharge with ``open_tasks`` unless ``confirm_open_tasks``; the confirmed tasks are recorded."""
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = ["Choose the reason for discharge."]
    elif reason not in DischargeReason.values:
        errors["reason"] = ["Choose one of the reasons for discharge shown."]
    if reason == DischargeReason.ONWARD_REFERRAL and not (onward_referral or "").strip():
        errors["onward_referral"] = ["Say where the patient is referred on to."]
    errors.update(length_errors(Discharge, onward_referral=(onward_referral or "").strip()))
    if errors:
        raise InvalidInput(errors)
    locked = _lock(episode, expected_version)
    _not_before_referral(locked, date, "date", "discharge date")
    _not_in_future(date, "date", "discharge date")
    confirmed = _confirm_open_tasks(locked, bool(confirm_open_tasks))
    episode_discharge(
        episode=locked,
        on=date,
        reason=reason,
        actor=actor,
        note=f"Discharged: {DischargeReason(reason).label}",
        ome_discharge_mg=locked.ome_total_mg_per_day,
    )
    discharge = Discharge.objects.create(
        episode=locked,
        date=date,
        reason=reason,
        summary=summary or "",
        medication_changes=medication_changes or "",
        adverse_reactions=adverse_reactions or "",
        gp_actions=gp_actions or "",
        treatment_exhausted=bool(treatment_exhausted),
        onward_referral=(onward_referral or "").strip(),
        support_plan=(support_plan or "").strip(),
        open_tasks_confirmed=confirmed,
        clinician=actor,
    )
    period = rtt_running_period(locked)
    if period is not None:
        rtt_clock_stop(
            episode=locked,
            on=max(date, period.clock_start),
            status_code=DISCHARGE_RTT_STATUS.get(reason, rtt.STATUS_DECISION_NOT_TO_TREAT),
            reason=f"Discharged before treatment: {DischargeReason(reason).label}",
            actor=actor,
        )
    plan = latest_care_plan(locked)
    clinician = locked.responsible_clinician or actor
    content = {
        "admitted_on": locked.admitted_on.isoformat() if locked.admitted_on else None,
        "received_on": locked.received_on.isoformat(),
        "discharged_on": date.isoformat(),
        "reason": reason,
        "reason_label": DischargeReason(reason).label,
        "summary": discharge.summary,
        "medication_changes": discharge.medication_changes,
        "adverse_reactions": discharge.adverse_reactions,
        "gp_actions": discharge.gp_actions,
        "treatment_exhausted": discharge.treatment_exhausted,
        "onward_referral": discharge.onward_referral or None,
        "support_plan": discharge.support_plan,
        "reengage_until": reengagement_window_ends(date).isoformat(),
        "open_tasks_confirmed": confirmed,
        "responsible_clinician": (clinician.get_full_name() or clinician.get_username()) if clinician else None,
        "ome_first_attendance_mg": str(locked.ome_first_attendance_mg)
        if locked.ome_first_attendance_mg is not None
        else None,
        "ome_discharge_mg": str(locked.ome_discharge_mg),
        "care_plan": None
        if plan is None
        else {
            "version": plan.version,
            "goals": plan.goals,
            "education": plan.education,
            "therapies": plan.therapies,
            "clinical": plan.clinical,
            "interventions": plan.interventions,
            "flare_up_plan": plan.flare_up_plan,
            "emergency_plan": plan.emergency_plan,
        },
    }
    due_on = add_working_days(date, rule("discharge_letter_working_days"))
    letter = letter_create(
        kind=LetterKind.DISCHARGE, episode=locked, actor=actor, content=content, started_on=date, due_on=due_on
    )
    # Never a letter to a patient who has died; the safeguarding app's letter hook puts the copy in the
    # patient's communication format.
    if reason != DischargeReason.DIED and locked.patient.date_of_death is None:
        letter_patient_copy_create(letter=letter, actor=actor, due_on=due_on)
    else:
        # Nor any letter still waiting to go to the patient (a prescribing-advice copy, say).
        letters_cancel_unsent(
            episode_ids=locked.patient.episodes.values_list("pk", flat=True),
            reason=DIED,
            actor=actor,
        )
    if isinstance(episode, Episode) and episode is not locked:
        for name in ("state", "version", "discharged_on", "discharge_reason", "ome_discharge_mg"):
            setattr(episode, name, getattr(locked, name))
    return discharge, letter


def discharge_on_death(death: PatientDeath) -> None:
    """A death closes the episode it was recorded on, if still open, whatever is still open on it (the
    open tasks are recorded on the discharge); registered with the core at order 10 (careplans/apps.py)."""
    if death.episode.is_open:
        discharge_record(
            episode=death.episode,
            date=death.on,
            reason=DischargeReason.DIED,
            actor=death.actor,
            summary=f"The patient died on {death.on:%-d %B %Y}. {death.description}",
            confirm_open_tasks=True,
        )
