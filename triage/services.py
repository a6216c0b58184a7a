"""Every write of SPA triage: claims, decisions, red-flag clearances, escalations."""

from __future__ import annotations

import logging
from datetime import date

from django.db import transaction
from django.utils import timezone

from pathway import rtt
from pathway import services as core
from pathway.access import has_role
from pathway.errors import DomainError, InvalidInput, TransitionNotAllowed
from pathway.models import (
    Deadline,
    DeadlineKind,
    DischargeReason,
    Episode,
    EpisodeState,
    LetterKind,
    PathwayEvent,
    Role,
    Team,
)
from referrals.models import RED_FLAGS, Referral
from referrals.services import triage_due_on

from .criteria import failed_criteria
from .models import RedFlagClearance, RedFlagReview, RedirectTarget, TriageDecision, TriageOutcome
from .selectors import can_override_criteria, can_triage, is_spa_lead, uncleared_red_flags, waiting_referrals

logger = logging.getLogger(__name__)


class CriteriaNotMet(DomainError):
    code = "criteria_not_met"

    def __init__(self, criteria: list[str]):
        super().__init__(
            "The referral does not meet the acceptance criteria: " + " ".join(criteria) + " A clinician or the "
            "service lead may accept it anyway with an override reason.",
            extra={"criteria": criteria},
        )
        self.criteria = criteria


class OverrideNotAllowed(DomainError):
    status_code = 403
    code = "override_not_allowed"


# Tiers whose episodes are cared for by a team: accepting to them needs one (tier 1 is advice and
# signposting by the SPA, with a team optional as before).
TEAM_REQUIRED_TIERS = (2, 3)
CLOSING = {TriageOutcome.REJECT: EpisodeState.REJECTED, TriageOutcome.REDIRECT: EpisodeState.REDIRECTED}


@transaction.atomic
def triage_claim_next(*, user) -> Referral | None:
    """Claim the next unclaimed referral in queue order for ``user``; None when none is left.

    A user who already holds a claim gets that one back. Rows are taken with
    ``select_for_update(skip_locked=True)``, so concurrent callers never get the same referral.
    """
    held = waiting_referrals().filter(claimed_by=user).first()
    if held is not None:
        return held
    referral = (
        waiting_referrals().filter(claimed_by__isnull=True).select_for_update(skip_locked=True, of=("self",)).first()
    )
    if referral is None:
        return None
    referral.claimed_by, referral.claimed_at = user, timezone.now()
    referral.save(update_fields=["claimed_by", "claimed_at"])
    core.event_record(episode=referral.episode, kind=PathwayEvent.Kind.NOTE, actor=user, reason="Claimed for triage")
    logger.info("referral %s claimed by user %s", referral.pk, user.pk)
    return referral


def _lock_waiting(referral_id: int) -> Referral:
    referral = Referral.objects.select_for_update().select_related("episode").get(pk=referral_id)
    if referral.episode.state != EpisodeState.TRIAGE:
        raise TransitionNotAllowed("This referral is no longer waiting for triage.", code="not_in_triage")
    return referral


@transaction.atomic
def triage_claim(*, referral: Referral, user) -> Referral:
    """Claim one referral from the queue; refused when someone else holds it."""
    locked = _lock_waiting(referral.pk)
    if locked.claimed_by_id and locked.claimed_by_id != user.pk:
        raise DomainError("Someone else is already triaging this referral.", code="claimed")
    if locked.claimed_by_id != user.pk:
        locked.claimed_by, locked.claimed_at = user, timezone.now()
        locked.save(update_fields=["claimed_by", "claimed_at"])
        core.event_record(episode=locked.episode, kind=PathwayEvent.Kind.NOTE, actor=user, reason="Claimed for triage")
    return locked


@transaction.atomic
def triage_release(*, referral: Referral, actor, is_lead: bool = False) -> Referral:
    """Put a claimed referral back in the queue: its holder may, and so may the SPA lead."""
    locked = _lock_waiting(referral.pk)
    if locked.claimed_by_id is None:
        return locked
    if locked.claimed_by_id != actor.pk and not is_lead:
        raise DomainError("Only the person triaging it or the SPA lead can release this referral.", code="claimed")
    locked.claimed_by, locked.claimed_at = None, None
    locked.save(update_fields=["claimed_by", "claimed_at"])
    core.event_record(episode=locked.episode, kind=PathwayEvent.Kind.NOTE, actor=actor, reason="Released to the queue")
    return locked


@transaction.atomic
def triage_reassign(*, referral: Referral, to_user, actor) -> Referral:
    """The SPA lead hands a waiting referral to another triager."""
    if not can_triage(to_user):
        raise InvalidInput({"user": ["Choose a member of the SPA triage team."]})
    locked = _lock_waiting(referral.pk)
    locked.claimed_by, locked.claimed_at = to_user, timezone.now()
    locked.save(update_fields=["claimed_by", "claimed_at"])
    core.event_record(
        episode=locked.episode,
        kind=PathwayEvent.Kind.NOTE,
        actor=actor,
        reason="Reassigned for triage",
        data={"to_user": to_user.pk},
    )
    return locked


@transaction.atomic
def red_flag_clear(*, referral: Referral, flag: str, reason: str, actor) -> RedFlagClearance:
    """A clinician or service lead clears one red flag, with a reason, so acceptance can proceed."""
    errors: dict[str, list[str]] = {}
    if flag not in referral.red_flags:
        errors["flag"] = ["This referral does not carry that red flag."]
    if not (reason or "").strip():
        errors["reason"] = ["Enter why the red flag can be cleared."]
    if errors:
        raise InvalidInput(errors)
    if referral.red_flag_clearances.filter(flag=flag).exists():
        raise DomainError("This red flag has already been cleared.", code="already_cleared")
    clearance = RedFlagClearance.objects.create(referral=referral, flag=flag, reason=reason.strip(), cleared_by=actor)
    core.event_record(
        episode=referral.episode,
        kind=PathwayEvent.Kind.CLINICAL,
        actor=actor,
        reason=f"Red flag cleared: {RED_FLAGS.get(flag, flag)}. {reason.strip()}",
        data={"red_flag": flag},
    )
    return clearance


@transaction.atomic
def red_flag_review_request(*, referral: Referral, clinician, note: str = "", actor) -> RedFlagReview:
    """SPA staff send a red-flagged referral to a clinician to clear: the clinician may then open it."""
    if not can_triage(actor):
        raise DomainError("Only SPA staff or the service lead may send a referral to a clinician.", code="not_triage")
    if clinician is None or not clinician.is_active or not has_role(clinician, Role.CLINICIAN, Role.SERVICE_LEAD):
        raise InvalidInput({"clinician": ["Choose a clinician to send the referral to."]})
    if referral.episode.state != EpisodeState.TRIAGE:
        raise TransitionNotAllowed("This referral is no longer waiting for triage.", code="not_in_triage")
    if not uncleared_red_flags(referral) and not failed_criteria(referral):
        raise DomainError(
            "This referral has no red flag to clear and meets the acceptance criteria: no clinician review is needed.",
            code="no_red_flags",
        )
    review = RedFlagReview.objects.create(
        referral=referral, clinician=clinician, note=(note or "").strip(), requested_by=actor
    )
    core.event_record(
        episode=referral.episode,
        kind=PathwayEvent.Kind.NOTE,
        actor=actor,
        reason="Sent to a clinician to review the red flags",
        data={"clinician": clinician.pk},
    )
    return review


def _validate_decision(outcome: str, tier: int | None, reason: str, redirect_to: str, team) -> None:
    errors: dict[str, list[str]] = {}
    if outcome not in TriageOutcome.values:
        errors["outcome"] = ["Choose the outcome: accept, reject, redirect or request more information."]
    if outcome == TriageOutcome.ACCEPT and tier not in (1, 2, 3):
        errors["tier"] = ["Choose tier 1, 2 or 3 to accept the referral."]
    if outcome in (TriageOutcome.REJECT, TriageOutcome.REDIRECT, TriageOutcome.REQUEST_INFO) and not reason.strip():
        messages = {
            TriageOutcome.REJECT: "Enter the reason for returning the referral to the GP.",
            TriageOutcome.REDIRECT: "Enter the reason for redirecting the referral.",
            TriageOutcome.REQUEST_INFO: "Enter what information the referrer needs to send.",
        }
        errors["reason"] = [messages[outcome]]
    if outcome == TriageOutcome.REDIRECT and redirect_to not in RedirectTarget.values:
        places = ", ".join(label for _, label in RedirectTarget.choices[:-1]) + f" or {RedirectTarget.choices[-1][1]}"
        errors["redirect_to"] = [f"Choose where to redirect the referral: {places}."]
    if team is not None and not isinstance(team, Team):
        errors["team"] = ["Choose a team."]
    elif outcome == TriageOutcome.ACCEPT and tier in TEAM_REQUIRED_TIERS and team is None:
        # A tier 2 or 3 episode without a team is seen by no clinician (access is by team).
        errors["team"] = [f"Choose the team that will care for the patient to accept to tier {tier}."]
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def triage_decide(
    *,
    episode: Episode | int,
    outcome: str,
    actor,
    tier: int | None = None,
    reason: str = "",
    redirect_to: str = "",
    team: Team | None = None,
    override_reason: str = "",
    decided_on: date | None = None,
    expected_version: int | None = None,
) -> TriageDecision:
    """Record the triage outcome and everything that follows from it, in one transaction.

    accept: state accepted, tier, admission date, 9-month limit (and tier-3 MDT review) deadlines.
    reject / redirect: RTT clock stopped as a decision not to treat, episode closed, letter to the GP.
    request_info: state info_requested, letter to the referrer.
    The triage deadline is met on the decision date in every case (a late one keeps its breach).
    Accepting checks the acceptance criteria: any not met is a 409 ``criteria_not_met`` unless a
    clinician or the service lead gives ``override_reason`` (recorded on the decision and timeline).
    """
    reason, redirect_to = (reason or "").strip(), redirect_to or ""
    override_reason = (override_reason or "").strip()
    _validate_decision(outcome, tier, reason, redirect_to, team)
    if actor is not None and not can_triage(actor) and not (outcome == TriageOutcome.ACCEPT and override_reason):
        # A clinician the SPA sent the referral to decides only whether to accept it despite a criterion.
        raise OverrideNotAllowed(
            "A clinician may only accept the referral, with the reason for the override: "
            "SPA staff make the other decisions.",
            code="clinician_override_only",
        )
    if override_reason and not can_override_criteria(actor):
        raise OverrideNotAllowed(
            "Only a clinician or the service lead may accept a referral that does not meet the acceptance "
            "criteria: ask one to review it."
        )
    decided_on = decided_on or core.today_london()
    episode_id = episode if isinstance(episode, int) else episode.pk
    locked = core.episode_lock(episode_id, expected_version=expected_version)
    if locked.state != EpisodeState.TRIAGE:
        raise TransitionNotAllowed(
            f"This episode is in '{locked.state}', so it cannot be triaged.", code="transition_not_allowed"
        )
    referral = Referral.objects.select_for_update().get(episode=locked)
    if decided_on < referral.received_on:
        raise InvalidInput({"decided_on": ["The decision cannot be dated before the referral was received."]})

    overriding = bool(override_reason) and outcome == TriageOutcome.ACCEPT
    if (
        referral.claimed_by_id
        and actor is not None
        and referral.claimed_by_id != actor.pk
        and not is_spa_lead(actor)
        and not overriding  # the clinician the SPA sent it to, accepting despite a criterion
    ):
        raise DomainError("Someone else is triaging this referral: ask the SPA lead to reassign it.", code="claimed")
    if outcome == TriageOutcome.ACCEPT:
        open_flags = uncleared_red_flags(referral)
        if open_flags:
            labels = ", ".join(RED_FLAGS.get(f, f) for f in open_flags)
            raise DomainError(
                f"Red flags must be cleared by a clinician before acceptance: {labels}.", code="red_flags"
            )
        if referral.acute_mental_health:
            raise DomainError(
                "The patient is having an acute mental-health episode: defer triage by requesting information, "
                "with the reason, until it has settled.",
                code="acute_mental_health",
            )
        failed = failed_criteria(referral)
        if failed and not override_reason:
            raise CriteriaNotMet(failed)
    overridden = failed if outcome == TriageOutcome.ACCEPT else []
    decision = TriageDecision.objects.create(
        episode=locked,
        referral=referral,
        outcome=outcome,
        tier=tier if outcome == TriageOutcome.ACCEPT else None,
        reason=reason,
        redirect_to=redirect_to if outcome == TriageOutcome.REDIRECT else "",
        decided_on=decided_on,
        decided_by=actor,
        override_reason=override_reason if overridden else "",
        criteria_overridden=overridden,
    )
    if overridden:
        core.event_record(
            episode=locked,
            kind=PathwayEvent.Kind.CLINICAL,
            actor=actor,
            reason=f"Accepted although acceptance criteria were not met ({' '.join(overridden)}). "
            f"Override: {override_reason}",
            data={"criteria_overridden": overridden, "override_reason": override_reason},
        )
    core.deadline_meet(kind=DeadlineKind.TRIAGE, episode=locked, on=decided_on, subject=None)
    referral.claimed_by, referral.claimed_at = None, None
    referral.save(update_fields=["claimed_by", "claimed_at"])

    if outcome == TriageOutcome.ACCEPT:
        core.episode_admit(episode=locked.pk, tier=tier, team=team, admitted_on=decided_on, actor=actor, reason=reason)
    elif outcome in CLOSING:
        core.rtt_clock_stop(
            episode=locked,
            on=decided_on,
            status_code=rtt.STATUS_DECISION_NOT_TO_TREAT,
            reason=f"Decision not to treat at triage ({outcome})",
            actor=actor,
        )
        core.episode_transition(episode=locked.pk, to=CLOSING[outcome], actor=actor, reason=reason)
        core.letter_create(
            kind=LetterKind.TRIAGE_OUTCOME,
            episode=locked,
            actor=actor,
            content={
                "outcome": outcome,
                "reason": reason,
                "redirect_to": decision.redirect_to or None,
                **({"redirect_to_label": decision.get_redirect_to_display()} if decision.redirect_to else {}),
            },
            started_on=decided_on,
        )
    else:
        core.episode_transition(episode=locked.pk, to=EpisodeState.INFO_REQUESTED, actor=actor, reason=reason)
        core.letter_create(
            kind=LetterKind.INFO_REQUEST,
            episode=locked,
            actor=actor,
            content={"outcome": outcome, "reason": reason, "redirect_to": None},
            started_on=decided_on,
        )
    logger.info("episode %s triaged: %s", locked.pk, outcome)
    return decision


@transaction.atomic
def triage_info_received(
    *,
    episode: Episode | int,
    actor,
    note: str = "",
    received_on: date | None = None,
    mental_health_settled: bool = False,
) -> Referral:
    """The referrer sent what was asked for: back to the triage queue with a new 2-working-day deadline.
    ``mental_health_settled``: the acute mental-health episode that deferred triage is over."""
    received_on = received_on or core.today_london()
    episode_id = episode if isinstance(episode, int) else episode.pk
    locked = core.episode_lock(episode_id)
    if locked.state != EpisodeState.INFO_REQUESTED:
        raise TransitionNotAllowed("No information was requested for this episode.", code="transition_not_allowed")
    core.episode_transition(
        episode=locked.pk, to=EpisodeState.TRIAGE, actor=actor, reason=note.strip() or "Information received"
    )
    referral = Referral.objects.select_for_update().get(episode_id=locked.pk)
    referral.triage_due_on = triage_due_on(received_on, referral.urgency)
    fields = ["triage_due_on"]
    if mental_health_settled and referral.acute_mental_health:
        referral.acute_mental_health = False
        fields.append("acute_mental_health")
        core.event_record(
            episode=locked,
            kind=PathwayEvent.Kind.CLINICAL,
            actor=actor,
            reason="The acute mental-health episode has settled: triage can proceed",
        )
    referral.save(update_fields=fields)
    Episode.objects.filter(pk=locked.pk).update(triage_due_on=referral.triage_due_on)
    core.deadline_create(
        kind=DeadlineKind.TRIAGE,
        episode=locked,
        started_on=received_on,
        due_on=referral.triage_due_on,
        note="After information received",
    )
    return referral


def triage_breach_escalate(deadline: Deadline) -> None:
    """Breach handler: record the escalation to the SPA lead on the episode's timeline."""
    if deadline.episode_id is None:
        return
    core.event_record(
        episode=deadline.episode,
        kind=PathwayEvent.Kind.NOTE,
        reason="Triage not done in time: escalated to the SPA lead",
        data={"deadline": deadline.pk, "escalated_to": "spa_lead"},
    )
    logger.warning("triage deadline %s of episode %s breached: escalated", deadline.pk, deadline.episode_id)


@transaction.atomic
def referral_withdraw(*, episode: Episode | int, actor, reason: str, on: date | None = None) -> Episode:
    """The patient declines before being seen: discharge from triage (or information requested),
    stopping the RTT clock as patient-declined."""
    if not (reason or "").strip():
        raise InvalidInput({"reason": ["Enter why the referral is being withdrawn."]})
    on = on or core.today_london()
    episode_id = episode if isinstance(episode, int) else episode.pk
    locked = core.episode_lock(episode_id)
    if locked.state not in (EpisodeState.TRIAGE, EpisodeState.INFO_REQUESTED):
        raise TransitionNotAllowed(
            "Only a referral waiting for triage can be withdrawn.", code="transition_not_allowed"
        )
    core.rtt_clock_stop(
        episode=locked,
        on=on,
        status_code=rtt.STATUS_PATIENT_DECLINED,
        reason="Patient declined before triage",
        actor=actor,
    )
    core.deadline_meet(kind=DeadlineKind.TRIAGE, episode=locked, on=on, subject=None)
    locked = core.episode_discharge(
        episode=locked.pk,
        on=on,
        reason=DischargeReason.DECLINED,
        actor=actor,
        note=reason.strip(),
        closed_reason=reason.strip(),
    )
    Referral.objects.filter(episode_id=episode_id).update(claimed_by=None, claimed_at=None)
    return locked
