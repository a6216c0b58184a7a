"""The self-management resources the service summary recommends, as the starting list."""

from django.db import migrations

RESOURCES = [
    ("Flippin' Pain", "https://www.flippinpain.co.uk/", "Why pain persists and how to retrain it; videos and a podcast."),
    ("Live Well With Pain", "https://livewellwithpain.co.uk/", "Self-management resources and the ten footsteps programme."),
    ("Pain Toolkit", "https://www.paintoolkit.org/", "Twelve practical tools for managing persistent pain day to day."),
    ("Tame the Beast", "https://www.tamethebeast.org/", "A short film and guide on understanding persistent pain."),
]


def add(apps, schema_editor):
    Resource = apps.get_model("programmes", "Resource")
    for name, url, description in RESOURCES:
        Resource.objects.get_or_create(name=name, defaults={"url": url, "description": description})


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
