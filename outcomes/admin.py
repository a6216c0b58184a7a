"""Admin of the outcomes app. PROM scores are computed on save and never edited by hand."""

from django.contrib import admin

from pathway.admin import ReadOnlyAdmin

from .models import ExperienceSurvey, Feedback, PromInvitation, PromResponse


@admin.register(PromResponse)
class PromResponseAdmin(ReadOnlyAdmin):
    list_display = ["id", "episode_id", "instrument", "timepoint", "complete", "completed_on", "source"]
    list_filter = ["instrument", "timepoint", "complete", "source"]


@admin.register(PromInvitation)
class PromInvitationAdmin(ReadOnlyAdmin):
    list_display = ["id", "episode_id", "timepoint", "channel", "sent_at", "reminder_sent_at", "used_at", "expires_at"]
    list_filter = ["timepoint", "channel"]
    exclude = ["token_hash", "partial_answers"]


@admin.register(ExperienceSurvey)
class ExperienceSurveyAdmin(ReadOnlyAdmin):
    list_display = ["id", "episode_id", "positive", "answered_on"]
    list_filter = ["positive"]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "received_on", "closed_on"]
    list_filter = ["kind"]
