"""What clinical care states in letters: the latest care plan, the medication lines, the discharge record.

Registered with the core's letter rendering (``pathway.letters.rendering.register_letter_facts``)
in ``CareplansConfig.ready``, so the core renders letters without importing this app.
"""

from __future__ import annotations

from typing import Any

from pathway.letters.rendering import _as_lines, _date
from pathway.models import Episode, Letter, LetterKind

from .models import Assessment, CarePlan, Discharge, MedicationLine
from .selectors import latest_care_plan


def _goals(items: Any) -> list[dict[str, Any]]:
    goals = []
    for item in items or []:
        if isinstance(item, dict):
            goals.append(
                {"goal": item.get("goal") or item.get("text") or "", "review_on": _date(item.get("review_on"))}
            )
        else:
            goals.append({"goal": str(item), "review_on": None})
    return [g for g in goals if g["goal"]]


def _care_plan(episode: Episode, plan: CarePlan | None = None) -> dict[str, Any] | None:
    plan = plan or latest_care_plan(episode)
    if plan is None:
        return None
    return {
        "version": plan.version,
        "created_at": plan.created_at,
        "goals": _goals(plan.goals),
        "education": _as_lines(plan.education),
        "therapies": _as_lines(plan.therapies),
        "clinical": _as_lines(plan.clinical),
        "interventions": _as_lines(plan.interventions),
        "flare_up_plan": plan.flare_up_plan,
        "emergency_plan": plan.emergency_plan,
        "shared_with_patient": plan.shared_with_patient,
        "shared_with_gp": plan.shared_with_gp,
    }


def _medications(episode: Episode) -> list[dict[str, Any]]:
    rows = []
    for line in MedicationLine.objects.filter(episode=episode).order_by("started_on", "id"):
        if line.patch_mcg_per_hour is not None:
            dose = f"{line.patch_mcg_per_hour.normalize():f} micrograms/hour patch"
        elif line.dose_mg is not None:
            per_day = f" x {line.doses_per_day.normalize():f} a day" if line.doses_per_day is not None else ""
            dose = f"{line.dose_mg.normalize():f} mg{per_day}"
        else:
            dose = ""
        rows.append(
            {
                "drug": line.drug,
                "route": line.route,
                "dose": dose,
                "ome": line.ome_mg_per_day if line.ome_mg_per_day is not None else "-",
                "drug_class": line.get_drug_class_display(),
                "urgent": line.urgent,
                "above_usual_max": line.above_usual_max,
                "started_on": line.started_on,
                "stopped_on": line.stopped_on,
            }
        )
    return rows


RISKS = (("suicide_risk", "Suicide risk"), ("alcohol_misuse", "Alcohol misuse"), ("drug_misuse", "Drug misuse"))


def _risk_findings(episode: Episode) -> dict[str, Any] | None:
    """The risk screen of every assessment: the risks found (each triggers an urgent mental-health
    referral) and the notes; None when the patient was never assessed."""
    assessments = list(Assessment.objects.filter(episode=episode).order_by("assessed_on", "id"))
    if not assessments:
        return None
    found = [label for name, label in RISKS if any(getattr(a, name) for a in assessments)]
    notes = [f"{a.assessed_on:%-d %B %Y}: {a.risk_notes.strip()}" for a in assessments if a.risk_notes.strip()]
    return {"found": found, "notes": notes}


def letter_facts(episode: Episode) -> dict[str, Any]:
    return {
        "risk_findings": _risk_findings(episode),
        "discharge_record": Discharge.objects.filter(episode=episode)
        .select_related("clinician", "clinician__profile")
        .first(),
        "care_plan": _care_plan(episode),
        "medications": _medications(episode),
    }


def letter_context(letter: Letter, context: dict[str, Any]) -> None:
    """A care plan letter (and its copies) states the version that was shared, not a later revision."""
    source = letter.copy_of or letter
    if source.kind != LetterKind.CARE_PLAN:
        return
    plan = CarePlan.objects.filter(pk=(source.content or {}).get("care_plan_id"), episode=letter.episode_id).first()
    if plan is not None:
        context["care_plan"] = _care_plan(letter.episode, plan)
