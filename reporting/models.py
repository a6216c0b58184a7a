"""Monthly data set runs and their submission to the commissioner; the monthly KPI snapshots."""

from django.db import models

from pathway.models import Commissioner, Practice


class MonthlyDataSet(models.Model):
    commissioner = models.ForeignKey(Commissioner, on_delete=models.PROTECT, related_name="data_sets")
    month = models.DateField(help_text="First day of the month reported")
    generated_at = models.DateTimeField(null=True, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="mds/", blank=True)
    due_on = models.DateField()
    submitted_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["commissioner", "month"], name="one_mds_per_month")]


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
