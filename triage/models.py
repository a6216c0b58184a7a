"""SPA triage decisions and red-flag clearances."""

from django.conf import settings
from django.db import models

from pathway.models import Episode
from referrals.models import Referral


class TriageOutcome(models.TextChoices):
    ACCEPT = "accept", "Accept"
    REJECT = "reject", "Reject (return to GP)"
    REDIRECT = "redirect", "Redirect onward"
    REQUEST_INFO = "request_info", "Request more information"


class RedirectTarget(models.TextChoices):
    MSK = "msk", "MSK service"
    MENTAL_HEALTH_URGENT = "mental_health_urgent", "Mental health (urgent)"
    OTHER_SPECIALTY = "other_specialty", "Other specialty"
    PALLIATIVE = "palliative", "Palliative care"
    TERTIARY = "tertiary", "Regional tertiary pain centre"


class TriageDecision(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="triage_decisions")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="triage_decisions")
    outcome = models.CharField(max_length=20, choices=TriageOutcome.choices)
    tier = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    redirect_to = models.CharField(max_length=30, choices=RedirectTarget.choices, blank=True)
    decided_on = models.DateField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    # Accepted although acceptance criteria failed: the clinician's (or lead's) reason and what failed.
    override_reason = models.TextField(blank=True)
    criteria_overridden = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["decided_on"], name="triage_decided_on")]


class RedFlagClearance(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="red_flag_clearances")
    flag = models.CharField(max_length=30)
    reason = models.TextField()
    cleared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cleared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["referral", "flag"], name="one_clearance_per_flag")]


class AcceptanceCriterion(models.Model):
    """One acceptance criterion of the service (DESIGN.md section 6), held as data so the service
    can switch a criterion off or change its threshold in the admin. Each ``check`` is one test the
    code knows how to make (``code``); ``threshold`` overrides the PATHWAY_RULES value where it applies."""

    class Check(models.TextChoices):
        MIN_AGE = "min_age", "Minimum age (years)"
        PAIN_DURATION = "pain_duration", "Minimum duration of pain (months)"
        COMMISSIONER_SERVED = "commissioner_served", "Practice of a commissioner the service serves"
        NOT_EXCLUDED_CONDITION = "not_excluded_condition", "Not a condition excluded from the service"

    code = models.CharField(max_length=30, choices=Check.choices, unique=True)
    active = models.BooleanField(default=True, help_text="An inactive criterion is neither shown nor checked.")
    threshold = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Years for the age, months for the pain; blank uses the PATHWAY_RULES value "
        "(min_age_years, min_pain_duration_months).",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "acceptance criteria"

    def __str__(self) -> str:
        return self.get_code_display()


class RedFlagReview(models.Model):
    """SPA staff send a red-flagged referral to a clinician, who may then open the triage page and clear it."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="red_flag_reviews")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["requested_at", "id"]
        indexes = [models.Index(fields=["clinician", "referral"], name="red_flag_review_clinician")]
