"""The daily PROM schedule: who is invited, when."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.utils import timezone

from pathway.calendar import add_months, london_date
from pathway.models import DischargeReason, Episode, EpisodeState
from pathway.rules import rule
from pathway.selectors import discharged_after_care_q

from ..models import PromInvitation, Timepoint
from .links import prom_invitation_create, prom_invitation_send

logger = logging.getLogger(__name__)


def _without(qs, timepoint: str):
    return qs.exclude(prom_invitations__timepoint=timepoint).exclude(prom_responses__timepoint=timepoint)


def prom_schedule_run(*, today: date) -> dict[str, int]:
    """Create the links that have come due and send the reminders; running twice changes nothing.

    Entry: accepted episodes not yet assessed-and-scored. Discharge: discharged within the link's
    life. Follow-up: on the day ``prom_followup_months`` after discharge (or the first run after
    it, while a link would still be alive), never before. Reminders: once, ``prom_reminder_days``
    after sending, when unanswered.
    """
    counts = {"entry": 0, "discharge": 0, "followup": 0, "reminders": 0}
    window = timedelta(days=rule("prom_link_expiry_days"))
    entry = _without(Episode.objects.filter(state__in=[EpisodeState.ACCEPTED, EpisodeState.ASSESSMENT]), "entry")
    for episode in entry.select_related("patient").distinct():
        prom_invitation_create(episode=episode, timepoint=Timepoint.ENTRY, today=today)
        counts["entry"] += 1
    # Never write to a patient who has died, nor about a referral withdrawn before acceptance: the
    # discharge and follow-up links (which carry the experience survey) follow care the service gave.
    discharged = Episode.objects.filter(
        discharged_after_care_q(), discharged_on__isnull=False, patient__date_of_death__isnull=True
    ).exclude(discharge_reason=DischargeReason.DIED)
    for episode in (
        _without(discharged, "discharge")
        .filter(discharged_on__lte=today, discharged_on__gt=today - window)
        .select_related("patient")
        .distinct()
    ):
        prom_invitation_create(episode=episode, timepoint=Timepoint.DISCHARGE, today=today)
        counts["discharge"] += 1
    months = rule("prom_followup_months")
    earliest = add_months(today, -months) - window
    for episode in (
        _without(discharged, "followup").filter(discharged_on__gt=earliest).select_related("patient").distinct()
    ):
        due = add_months(episode.discharged_on, months)
        if due <= today < due + window:
            prom_invitation_create(episode=episode, timepoint=Timepoint.FOLLOWUP, today=today)
            counts["followup"] += 1
    reminder_days = rule("prom_reminder_days")
    waiting = PromInvitation.objects.filter(
        sent_at__isnull=False, reminder_sent_at__isnull=True, used_at__isnull=True, expires_at__gt=timezone.now()
    )
    for invitation in waiting.only("pk", "sent_at"):
        due = london_date(invitation.sent_at) + timedelta(days=reminder_days) <= today
        if due and prom_invitation_send(invitation_id=invitation.pk, reminder=True):
            counts["reminders"] += 1
    unsent = PromInvitation.objects.filter(sent_at__isnull=True, expires_at__gt=timezone.now()).exclude(channel="none")
    for invitation_id in unsent.values_list("pk", flat=True):
        prom_invitation_send(invitation_id=invitation_id)
    if any(counts.values()):
        logger.info("PROM schedule: %s", counts)
    return counts
