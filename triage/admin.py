"""Read-only admin views of triage records: every change goes through the services."""

from django.contrib import admin

from referrals.admin import ReadOnlyAdmin

from .models import RedFlagClearance, TriageDecision


@admin.register(TriageDecision)
class TriageDecisionAdmin(ReadOnlyAdmin):
    list_display = ("id", "episode_id", "outcome", "tier", "redirect_to", "decided_on", "decided_by")
    list_filter = ("outcome", "tier", "redirect_to")


@admin.register(RedFlagClearance)
class RedFlagClearanceAdmin(ReadOnlyAdmin):
    list_display = ("id", "referral_id", "flag", "cleared_by", "cleared_at")
