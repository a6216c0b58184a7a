"""Seed the acceptance criteria of DESIGN.md section 6 (thresholds blank: the PATHWAY_RULES values)."""

from django.db import migrations

CRITERIA = ["min_age", "pain_duration", "commissioner_served", "not_excluded_condition"]


def seed(apps, schema_editor):
    AcceptanceCriterion = apps.get_model("triage", "AcceptanceCriterion")
    for position, code in enumerate(CRITERIA, start=1):
        AcceptanceCriterion.objects.get_or_create(code=code, defaults={"position": position, "active": True})


def unseed(apps, schema_editor):
    apps.get_model("triage", "AcceptanceCriterion").objects.filter(code__in=CRITERIA).delete()


class Migration(migrations.Migration):
    dependencies = [("triage", "0003_acceptance_criteria_and_overrides")]

    operations = [migrations.RunPython(seed, unseed)]
