"""The written, versioned care plan."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from pathway.errors import InvalidInput
from pathway.models import Episode, PathwayEvent
from pathway.services import episode_bump, event_record, today_london
from pathway.validators import YEARS_AHEAD, latest_plannable_date

from ..models import CarePlan
from ..selectors import latest_care_plan
from ._episode import _lock, _require_in_care, _sync
from .sharing import share_plan

CARE_PLAN_LISTS = ("education", "therapies", "clinical", "interventions")


def _clean_goals(goals: Any) -> list[dict[str, str]]:
    if goals is None:
        return []
    if not isinstance(goals, list):
        raise InvalidInput({"goals": ["Goals must be a list."]})
    cleaned = []
    for i, item in enumerate(goals, start=1):
        if isinstance(item, str):
            item = {"goal": item, "review_on": ""}
        if not isinstance(item, dict) or not str(item.get("goal", "")).strip():
            raise InvalidInput({"goals": [f"Goal {i} needs a description."]})
        review_on = item.get("review_on") or ""
        if review_on:
            try:
                review_on = date.fromisoformat(str(review_on)).isoformat()
            except ValueError:
                raise InvalidInput({"goals": [f"Goal {i} has a review date that is not a date (use YYYY-MM-DD)."]})
            if date.fromisoformat(review_on) > latest_plannable_date(today_london()):
                raise InvalidInput({"goals": [f"Goal {i} has a review date more than {YEARS_AHEAD} years ahead."]})
        cleaned.append({"goal": str(item["goal"]).strip(), "review_on": review_on})
    return cleaned


def _clean_list(name: str, value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput({name: [f"{name.replace('_', ' ').capitalize()} must be a list of text items."]})
    return [v.strip() for v in value if v.strip()]


@transaction.atomic
def careplan_save(
    *,
    episode: Episode,
    actor=None,
    goals: Any = None,
    education: Any = None,
    therapies: Any = None,
    clinical: Any = None,
    interventions: Any = None,
    flare_up_plan: str = "",
    emergency_plan: str = "",
    shared_with_patient: bool = False,
    shared_with_gp: bool = False,
    expected_version: int | None = None,
) -> CarePlan:
    """Write the care plan: version 1 the first time, then a new version for each revision.

    Each version replaces the whole plan, so a revision needs the episode version it was made from (a
    revision without it silently dropped a concurrent writer's edit)."""
    if expected_version is None and CarePlan.objects.filter(episode_id=episode.pk).exists():
        raise InvalidInput(
            {
                "version": [
                    "This episode has a care plan already: send the episode's version you loaded it at, so that "
                    "someone else's change since then is not overwritten."
                ]
            }
        )
    locked = _lock(episode, expected_version)
    _require_in_care(locked, "write a care plan")
    lists = {
        name: _clean_list(name, value)
        for name, value in zip(CARE_PLAN_LISTS, (education, therapies, clinical, interventions), strict=True)
    }
    cleaned_goals = _clean_goals(goals)
    if not (cleaned_goals or any(lists.values()) or (flare_up_plan or "").strip() or (emergency_plan or "").strip()):
        # A blank plan would count as "written and personalised" in the KPI.
        raise InvalidInput(
            {
                "goals": [
                    "Write at least one part of the care plan: a goal, education, a therapy, clinical care, "
                    "an intervention, a flare-up plan or an emergency plan."
                ]
            }
        )
    latest = latest_care_plan(locked)
    plan = CarePlan.objects.create(
        episode=locked,
        version=(latest.version + 1) if latest else 1,
        goals=cleaned_goals,
        flare_up_plan=(flare_up_plan or "").strip(),
        emergency_plan=(emergency_plan or "").strip(),
        created_by=actor,
        **lists,
    )
    event_record(
        episode=locked,
        kind=PathwayEvent.Kind.CLINICAL,
        actor=actor,
        reason=f"Care plan version {plan.version} written",
        data={"care_plan": plan.pk, "version": plan.version},
    )
    # Each version is shared anew: sharing with the GP sends this version in a care plan letter.
    share_plan(
        episode=locked,
        plan=plan,
        actor=actor,
        on=today_london(),
        patient=bool(shared_with_patient),
        gp=bool(shared_with_gp),
        tier2=False,
        tier2_service="",
    )
    episode_bump(locked)
    _sync(episode, locked)
    return plan
