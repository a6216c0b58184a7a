"""Monthly data set runs and their submission to the commissioner."""

from django.db import models

from pathway.models import Commissioner


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
