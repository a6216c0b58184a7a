"""Information governance records: the access audit, break-glass grants and identity reconciliation.

Imported by ``pathway.models``; kept apart so the core domain module stays one noun per concept.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class AppendOnly(models.Model):
    """Rows an auditor relies on: written once, never changed or deleted through the ORM."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(f"{self._meta.verbose_name} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(f"{self._meta.verbose_name} rows are append-only.")


class RecordAccess(AppendOnly):
    """One read of a patient's data (or one refused attempt), for audit. Holds IDs only, never identifiers."""

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", "Allowed"
        REFUSED = "refused", "Refused"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Empty for a refused attempt at something that is not (or not known to be) a patient's.
    patient = models.ForeignKey("pathway.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey("pathway.Episode", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=20, default="view")
    via = models.CharField(max_length=10, default="web")
    path = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.ALLOWED)
    break_glass = models.BooleanField(default=False)
    reason = models.CharField(max_length=300, blank=True, help_text="The break-glass reason, when there was one")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient", "at"])]
        verbose_name = "record access"


class BreakGlass(AppendOnly):
    """An emergency read of clinical records in the admin site by the service lead, with its reason."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        verbose_name = "break-glass grant"
        verbose_name_plural = "break-glass grants"


class DemographicsReconciliation(models.Model):
    """A referral's demographics that differ from the patient's record, held until SPA staff decide."""

    class Decision(models.TextChoices):
        APPLIED = "applied", "Applied to the record"
        DISMISSED = "dismissed", "Dismissed: the record stays as it is"

    patient = models.ForeignKey("pathway.Patient", on_delete=models.PROTECT, related_name="reconciliations")
    episode = models.ForeignKey("pathway.Episode", on_delete=models.PROTECT, related_name="+")
    current = models.JSONField(help_text="The record's values of the fields that differ, when the referral came")
    proposed = models.JSONField(help_text="The referral's values of those fields")
    created_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    before = models.JSONField(default=dict, blank=True, help_text="The record's values just before a change")
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Demographics to reconcile {self.pk}"
