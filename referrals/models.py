"""Referral intake."""

from django.conf import settings
from django.db import models

from pathway.models import Episode, Patient, Practice

RED_FLAGS = {
    "suspected_cancer": "Suspected cancer",
    "fracture": "Suspected fracture",
    "infection": "Suspected infection",
    "cauda_equina": "Cauda equina or other emergency",
    "surgical_opinion": "Needs a surgical opinion",
    "msk_not_triaged": "MSK not yet triaged by the MSK service",
    "inflammatory": "Active inflammatory or rheumatological disease",
    "suicide_risk": "Suicide risk (urgent mental-health referral)",
    "psychosis": "Psychosis (urgent mental-health referral)",
}


# Conditions that go to a regional tertiary centre, not to this service (service specification
# exclusions): captured on the referral, offered as a ``tertiary`` redirect at triage.
EXCLUDED_CONDITIONS = {
    "phantom_limb_pain": "Phantom limb pain",
    "central_post_stroke_pain": "Central post-stroke pain",
    "complex_regional_pain_syndrome": "Complex regional pain syndrome (CRPS)",
    "spinal_cord_stimulator_review": "Spinal cord stimulator review",
}


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"
    PALLIATIVE = "palliative", "Palliative (fast track)"


class ReferrerType(models.TextChoices):
    GP = "gp", "GP"
    ONCOLOGIST = "oncologist", "Oncologist"
    PALLIATIVE_CARE = "palliative_care", "Palliative-care consultant"
    OTHER_CONSULTANT = "other_consultant", "Other hospital consultant"
    OTHER = "other", "Other"


# The palliative fast track is for referrals from these referrers only (service specification 3.4.2).
FAST_TRACK_REFERRERS = (ReferrerType.ONCOLOGIST, ReferrerType.PALLIATIVE_CARE)

# The triage queue's fast track (DESIGN.md section 3): palliative first, then urgent, then routine.
TRIAGE_PRIORITY = {Urgency.PALLIATIVE: 0, Urgency.URGENT: 1, Urgency.ROUTINE: 2}


class Referral(models.Model):
    class Source(models.TextChoices):
        WEB = "web", "Web form"
        API = "api", "API"
        REENGAGEMENT = "reengagement", "Re-engagement through the SPA"

    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="referral")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="referrals")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="referrals")
    referrer_name = models.CharField(max_length=120, blank=True)
    referrer_type = models.CharField(max_length=20, choices=ReferrerType.choices, default=ReferrerType.GP)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.WEB)
    received_on = models.DateField()
    ubrn = models.CharField(max_length=12, blank=True, help_text="e-RS unique booking reference number")
    ubrn_converted_on = models.DateField(null=True, blank=True)
    urgency = models.CharField(max_length=12, choices=Urgency.choices, default=Urgency.ROUTINE)
    pain_site = models.CharField(max_length=200)
    pain_nature = models.TextField(blank=True)
    duration_months = models.PositiveIntegerField()
    impact = models.TextField(blank=True)
    previous_treatments = models.TextField(blank=True)
    medical_history = models.TextField(blank=True)
    medications = models.TextField(blank=True)
    needs_vulnerabilities = models.TextField(blank=True)
    risks = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    red_flags = models.JSONField(default=list, blank=True)
    excluded_conditions = models.JSONField(
        default=list, blank=True, help_text="Codes of EXCLUDED_CONDITIONS: conditions for a regional tertiary centre"
    )
    acute_mental_health = models.BooleanField(
        default=False, help_text="An acute mental-health episode: triage is deferred (information requested)"
    )
    triage_due_on = models.DateField(db_index=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="claimed_referrals"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"Referral {self.pk}"


def attachment_path(instance, filename):
    return f"referrals/{instance.referral_id}/{filename}"


class ReferralAttachment(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
