"""Sharing the care plan with the patient, the GP (a ``care_plan`` letter) and the tier 2 service."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from pathway.calendar import london_date
from pathway.errors import DomainError, InvalidInput
from pathway.letters.rules import letter_due_on
from pathway.models import Episode, LetterKind, PathwayEvent
from pathway.services import episode_bump, event_record, letter_create, today_london
from safeguarding.models import Consent
from safeguarding.selectors import consent_given, latest_consent

from ..models import CarePlan, CarePlanShare
from ..selectors import latest_care_plan
from ._episode import _lock, _not_in_future, _sync

R = CarePlanShare.Recipient


class ConsentNotGiven(DomainError):
    code = "consent_not_given"


def _latest_consent_declined(episode: Episode, scope: str) -> bool:
    latest = latest_consent(episode.patient, scope)
    return latest is not None and not latest.given


def _check_consent(episode: Episode, *, gp: bool, tier2: bool) -> None:
    # The GP is the patient's referrer and gets the plan for direct care unless the patient declined
    # it; the tier 2 service is another organisation, so it needs consent recorded and in force.
    if gp and _latest_consent_declined(episode, Consent.Scope.SHARE_GP):
        raise ConsentNotGiven(
            "The patient has declined or withdrawn consent to sharing with the GP: the care plan was not shared."
        )
    if tier2 and not consent_given(episode.patient, Consent.Scope.SHARE_TIER2):
        raise ConsentNotGiven(
            "The patient's consent to sharing with the tier 2 service is not recorded (or was withdrawn): "
            "record it before sharing the care plan."
        )


def share_plan(
    *, episode: Episode, plan: CarePlan, actor, on: date, patient: bool, gp: bool, tier2: bool, tier2_service: str
) -> list[CarePlanShare]:
    """Record each sharing of ``plan`` not yet recorded (inside the caller's transaction, episode locked).

    Sharing with the GP creates the ``care_plan`` letter to the practice, approved and sent like any
    other letter; sharing the same version twice with the same recipient changes nothing."""
    _check_consent(episode, gp=gp, tier2=tier2)
    done = set(plan.shares.values_list("recipient", flat=True))
    made = []
    for recipient, wanted in ((R.PATIENT, patient), (R.GP, gp), (R.TIER2, tier2)):
        if not wanted or recipient in done:
            continue
        letter = None
        if recipient == R.GP:
            letter = letter_create(
                kind=LetterKind.CARE_PLAN,
                episode=episode,
                actor=actor,
                content={"care_plan_id": plan.pk, "care_plan_version": plan.version},
                started_on=on,
                due_on=letter_due_on(LetterKind.CARE_PLAN, on),
            )
        made.append(
            CarePlanShare.objects.create(
                plan=plan,
                recipient=recipient,
                shared_on=on,
                service=tier2_service if recipient == R.TIER2 else "",
                letter=letter,
                shared_by=actor,
            )
        )
    if not made:
        return made
    plan.shared_with_patient = plan.shared_with_patient or patient
    plan.shared_with_gp = plan.shared_with_gp or gp
    plan.shared_with_tier2 = plan.shared_with_tier2 or tier2
    plan.save(update_fields=["shared_with_patient", "shared_with_gp", "shared_with_tier2"])
    who = ", ".join(
        f"the {share.get_recipient_display().lower()}" + (f" ({share.service})" if share.service else "")
        for share in made
    )
    event_record(
        episode=episode,
        kind=PathwayEvent.Kind.CLINICAL,
        actor=actor,
        reason=f"Care plan version {plan.version} shared with {who}",
        data={"care_plan": plan.pk, "shared_with": [share.recipient for share in made]},
    )
    return made


@transaction.atomic
def careplan_share(
    *,
    episode: Episode,
    actor=None,
    patient: bool = False,
    gp: bool = False,
    tier2: bool = False,
    tier2_service: str = "",
    on: date | None = None,
    expected_version: int | None = None,
) -> tuple[CarePlan, list[CarePlanShare]]:
    """Share the latest care plan version with the patient, the GP and/or the tier 2 service."""
    on = on or today_london()
    tier2_service = (tier2_service or "").strip()
    errors: dict[str, list[str]] = {}
    if not (patient or gp or tier2):
        errors["patient"] = ["Choose whom the care plan is shared with: the patient, the GP or the tier 2 service."]
    if tier2 and not tier2_service:
        errors["tier2_service"] = ["Name the tier 2 service the care plan is shared with."]
    if len(tier2_service) > CarePlanShare._meta.get_field("service").max_length:
        errors["tier2_service"] = ["The tier 2 service's name is too long (200 characters at most)."]
    if errors:
        raise InvalidInput(errors)
    _not_in_future(on, "on", "date shared")
    locked = _lock(episode, expected_version)
    plan = latest_care_plan(locked)
    if plan is None:
        raise DomainError("This episode has no care plan to share yet.", code="no_care_plan")
    if on < london_date(plan.created_at):
        raise InvalidInput({"on": ["The date shared cannot be before this version of the care plan was written."]})
    made = share_plan(
        episode=locked, plan=plan, actor=actor, on=on, patient=patient, gp=gp, tier2=tier2, tier2_service=tier2_service
    )
    if made:
        episode_bump(locked)
        _sync(episode, locked)
    return plan, made
