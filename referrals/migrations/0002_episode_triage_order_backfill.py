"""Copy each referral's fast-track priority and triage due date onto its episode (the queue order)."""

from django.db import migrations
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When


def backfill(apps, schema_editor):
    Episode = apps.get_model("pathway", "Episode")
    Referral = apps.get_model("referrals", "Referral")
    referral = Referral.objects.filter(episode_id=OuterRef("pk"))
    priority = Case(
        When(urgency="palliative", then=Value(0)),
        When(urgency="urgent", then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    Episode.objects.filter(referral__isnull=False).update(
        triage_priority=Subquery(referral.annotate(p=priority).values("p")[:1]),
        triage_due_on=Subquery(referral.values("triage_due_on")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_initial"),
        ("pathway", "0004_episode_triage_queue_order"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
