"""Monthly data set runs and their submission to the commissioner; the monthly KPI snapshots."""

from django.db import models

from pathway.governance_models import AppendOnly
from pathway.models import Commissioner, Practice


class MonthlyDataSet(models.Model):
    commissioner = models.ForeignKey(Commissioner, on_delete=models.PROTECT, related_name="data_sets")
    month = models.DateField(help_text="First day of the month reported")
    generated_at = models.DateTimeField(null=True, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="mds/", blank=True)
    due_on = models.DateField()
    submitted_on = models.DateField(null=True, blank=True)
    pseudonym_key_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="Version of the pseudonym key its patient pseudonyms were made with"
    )

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["commissioner", "month"], name="one_mds_per_month")]


class PseudonymKeyVersion(AppendOnly):
    """A pseudonym key adopted under a version. Pseudonyms stay comparable across months only while the
    key stays; a new key is a decision (who, when, why) recorded here, never a silent change."""

    version = models.PositiveIntegerField(unique=True)
    fingerprint = models.CharField(max_length=64, help_text="Keyed hash of a constant: tells keys apart")
    adopted_at = models.DateTimeField(auto_now_add=True)
    adopted_by = models.CharField(max_length=150)
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["version"]

    def __str__(self) -> str:
        return f"Pseudonym key version {self.version}"


class KpiSnapshot(models.Model):
    """A month's KPI counts, computed once the month has ended, so the dashboard and the trend
    read a few hundred stored rows instead of scanning every episode on each request."""

    month = models.DateField(unique=True, help_text="First day of the month counted")
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"KPI snapshot {self.month:%Y-%m}"


class KpiSnapshotCount(models.Model):
    """One KPI's numerator and denominator for one practice and tier in a snapshot month: every
    scope (service, commissioner, practice, tier) is a sum of these rows."""

    snapshot = models.ForeignKey(KpiSnapshot, on_delete=models.CASCADE, related_name="counts")
    code = models.CharField(max_length=40)
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    tier = models.PositiveSmallIntegerField(null=True, blank=True)
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["snapshot", "code"])]
