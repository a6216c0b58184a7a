"""Prescribing advice to the GP: every prescribing decision joins that day's draft letter.

One ``prescribing_advice`` letter per episode per decision day (DESIGN.md section 6): the first
decision of a day creates the draft (due 3 working days later, with its Deadline) and the
patient's copy; later decisions of the same day join the draft while it is still a draft.
Urgent medicines are supplied by the hospital pharmacy and ask nothing of the practice.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pathway.letters.rules import letter_due_on
from pathway.letters.services import letter_patient_copy_create
from pathway.models import Episode, Letter, LetterKind, LetterState
from pathway.services import letter_create

from ..formulary import MONITORING
from ..models import MedicationLine

HOSPITAL_PHARMACY = "supplied by the hospital pharmacy"
PATIENT_WAIT_WORKING_DAYS = 5
PATIENT_NOTICE = (
    f"Your medicines may not be available until {PATIENT_WAIT_WORKING_DAYS} working days after your GP "
    "receives this letter."
)
REGISTER_REQUEST = "to add the patient to its persistent pain management register"


def _number(value: Decimal | None) -> str:
    return f"{value.normalize():f}" if value is not None else ""


def dose_text(line: MedicationLine) -> str:
    if line.patch_mcg_per_hour is not None:
        return f"{_number(line.patch_mcg_per_hour)} micrograms/hour patch"
    if line.dose_mg is not None:
        return f"{_number(line.dose_mg)} mg"
    return ""


def frequency_text(line: MedicationLine) -> str:
    if line.patch_mcg_per_hour is not None:
        return "as directed for the patch"
    if line.doses_per_day is None:
        return ""
    n = line.doses_per_day
    words = {1: "once a day", 2: "twice a day", 3: "three times a day", 4: "four times a day"}
    return words.get(int(n), f"{_number(n)} times a day") if n == int(n) else f"{_number(n)} times a day"


def _gp_action(line: MedicationLine, change: str, on: date, replaced: MedicationLine | None) -> str | None:
    if line.urgent:
        return None
    what = f"{line.drug} {dose_text(line)} {line.route} {frequency_text(line)}".replace("  ", " ").strip()
    when = on.strftime("%-d %B %Y")
    if change == MedicationLine.Change.STOP:
        return f"Please stop {line.drug} from {when}."
    if change == MedicationLine.Change.SWITCH and replaced is not None:
        return f"Please stop {replaced.drug} and prescribe {what} from {when}."
    if change in (MedicationLine.Change.INCREASE, MedicationLine.Change.DECREASE):
        return f"Please {change} {line.drug} to {what} from {when}."
    return f"Please prescribe {what} from {when}."


def change_entry(
    line: MedicationLine,
    *,
    change: str,
    on: date,
    reason: str,
    monitoring: str,
    review_due_on: date,
    replaced: MedicationLine | None = None,
) -> dict[str, Any]:
    """What the letter states about one decision (a snapshot: the letter says what was decided)."""
    return {
        "line_id": line.pk,
        "change": change,
        "change_label": MedicationLine.Change(change).label,
        "drug": line.drug,
        "drug_class": line.drug_class,
        "dose": dose_text(line),
        "route": line.route,
        "frequency": frequency_text(line),
        "starts_on": on.isoformat() if change != MedicationLine.Change.STOP else None,
        "stops_on": on.isoformat() if change == MedicationLine.Change.STOP else None,
        "replaces": replaced.drug if replaced is not None else None,
        "reason": reason,
        "monitoring": monitoring or MONITORING.get(line.drug_class, ""),
        "on_text": on.strftime("%-d %B %Y"),
        "review_due_on": review_due_on.isoformat(),
        "review_text": review_due_on.strftime("%-d %B %Y"),
        "urgent": line.urgent,
        "supply": HOSPITAL_PHARMACY if line.urgent else "GP prescription",
        "above_usual_max": line.above_usual_max,
        "ome_mg_per_day": str(line.ome_mg_per_day) if line.ome_mg_per_day is not None else None,
        "gp_action": _gp_action(line, change, on, replaced),
    }


def prescribing_advice_join(*, episode: Episode, entry: dict[str, Any], decided_on: date, actor=None) -> Letter:
    """Add a decision to the episode's draft advice letter of ``decided_on``, creating it if need be.

    Call inside the transaction that holds the episode lock: two decisions of one episode cannot
    race to create two letters for the same day.
    """
    letter = (
        Letter.objects.select_for_update()
        .filter(
            episode=episode,
            kind=LetterKind.PRESCRIBING_ADVICE,
            recipient=Letter.Recipient.GP,
            state=LetterState.DRAFT,
            content__decision_date=decided_on.isoformat(),
        )
        .order_by("id")
        .first()
    )
    if letter is None:
        letter = letter_create(
            kind=LetterKind.PRESCRIBING_ADVICE,
            episode=episode,
            actor=actor,
            content={
                "decision_date": decided_on.isoformat(),
                "changes": [],
                "patient_notice": PATIENT_NOTICE,
                "hospital_pharmacy": HOSPITAL_PHARMACY,
            },
            started_on=decided_on,
            due_on=letter_due_on(LetterKind.PRESCRIBING_ADVICE, decided_on),
        )
        letter_patient_copy_create(letter=letter, actor=actor)
    content = dict(letter.content or {})
    content["changes"] = [*content.get("changes", []), entry]
    letter.content = content
    letter.save(update_fields=["content", "updated_at"])
    return letter
