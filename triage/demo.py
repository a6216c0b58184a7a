"""Demo triage: decide most demo referrals through the triage services so every outcome has examples.

Accepted episodes stay in ``accepted``: the care-plan demo moves them further along.
"""

from __future__ import annotations

from datetime import timedelta

from pathway.calendar import add_working_days
from pathway.models import EpisodeState
from referrals.services import referral_reengage
from triage import services
from triage.models import RedirectTarget

REJECT_REASONS = [
    "Pain for less than 3 months: please manage in primary care and re-refer if it persists.",
    "Acute injury: please refer to the MSK service first.",
]
REDIRECTS = [
    (RedirectTarget.MSK, "Needs MSK triage before the pain service."),
    (RedirectTarget.MENTAL_HEALTH_URGENT, "Suicide risk disclosed: urgent mental-health referral made."),
    (RedirectTarget.OTHER_SPECIALTY, "Needs a surgical opinion first."),
    (RedirectTarget.PALLIATIVE, "Active cancer: palliative care team is better placed."),
]


def _accept(ctx, episode, referral, decided_on) -> None:
    spa, lead = ctx.users["spa"], ctx.users["lead"]
    for flag in referral.red_flags:
        services.red_flag_clear(referral=referral, flag=flag, reason="Reviewed with the GP: not active", actor=lead)
    tier = ctx.rng.choice([1, 2, 2, 2, 3, 3])
    services.triage_decide(
        episode=episode,
        outcome="accept",
        tier=tier,
        team=ctx.teams["tier3" if tier == 3 else "tier2"],
        actor=spa,
        decided_on=decided_on,
    )


def seed(ctx) -> None:
    rng = ctx.rng
    spa = ctx.users["spa"]
    for episode in list(ctx.episodes):
        referral = episode.referral
        decided_on = min(add_working_days(referral.received_on, rng.choice([0, 1, 1, 2, 2, 3])), ctx.today)
        if referral.triage_due_on >= ctx.today:
            continue  # those still within the triage limit wait in the queue
        roll = rng.random()
        if roll < 0.012:
            continue  # a few old ones still waiting: breached
        if roll < 0.08:
            services.referral_withdraw(
                episode=episode, actor=spa, reason="Patient declined the referral by phone", on=decided_on
            )
        elif roll < 0.16:
            services.triage_decide(
                episode=episode, outcome="reject", reason=rng.choice(REJECT_REASONS), actor=spa, decided_on=decided_on
            )
        elif roll < 0.24:
            target, reason = rng.choice(REDIRECTS)
            services.triage_decide(
                episode=episode, outcome="redirect", redirect_to=target, reason=reason, actor=spa, decided_on=decided_on
            )
        elif roll < 0.31:
            services.triage_decide(
                episode=episode,
                outcome="request_info",
                reason="Please send the latest imaging report and current medication list.",
                actor=spa,
                decided_on=decided_on,
            )
            returned_on = decided_on + timedelta(days=5)
            if rng.random() < 0.5 and returned_on < ctx.today:
                services.triage_info_received(
                    episode=episode, actor=spa, note="Imaging report received", received_on=returned_on
                )
                # Triaged again promptly, unless the information came back only in the last few days.
                accept_on = add_working_days(returned_on, 1)
                if accept_on < ctx.today:
                    _accept(ctx, episode, referral, accept_on)
        else:
            _accept(ctx, episode, referral, decided_on)
        episode.refresh_from_db()

    # The SPA nurse is part-way through the queue.
    services.triage_claim_next(user=spa)

    # Two patients who withdrew come back through the SPA within the re-engagement window.
    withdrawn = [e for e in ctx.episodes if e.state == EpisodeState.DISCHARGED][:2]
    for old in withdrawn:
        referral = referral_reengage(
            nhs_number=old.patient.nhs_number, actor=spa, reason="Patient rang the SPA: now ready to engage"
        )
        ctx.episodes.append(referral.episode)
