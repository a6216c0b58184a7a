"""Read-only admin views of referrals: every change goes through the services."""

from django.contrib import admin

from pathway.admin import ReadOnlyAdmin

from .models import Referral, ReferralAttachment


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ("id", "episode_id", "practice", "source", "urgency", "received_on", "triage_due_on", "claimed_by")
    list_filter = ("source", "urgency")
    date_hierarchy = "received_on"


@admin.register(ReferralAttachment)
class ReferralAttachmentAdmin(ReadOnlyAdmin):
    list_display = ("id", "referral_id", "content_type", "size", "uploaded_at")
