"""Read-only admin views of triage records: every change goes through the services."""

from django.contrib import admin

from referrals.admin import ReadOnlyAdmin

from .models import AcceptanceCriterion, RedFlagClearance, TriageDecision


@admin.register(TriageDecision)
class TriageDecisionAdmin(ReadOnlyAdmin):
    list_display = ("id", "episode_id", "outcome", "tier", "redirect_to", "decided_on", "decided_by", "override_reason")
    list_filter = ("outcome", "tier", "redirect_to")


@admin.register(RedFlagClearance)
class RedFlagClearanceAdmin(ReadOnlyAdmin):
    list_display = ("id", "referral_id", "flag", "cleared_by", "cleared_at")


@admin.register(AcceptanceCriterion)
class AcceptanceCriterionAdmin(admin.ModelAdmin):
    """The acceptance criteria are configuration: the administrator switches them on or off and sets
    thresholds (blank uses PATHWAY_RULES); the checks themselves are code."""

    list_display = ("code", "active", "threshold", "position")
    list_editable = ("active", "threshold", "position")
    list_display_links = ("code",)
