"""Load the local formulary's starting list (careplans.formulary.STARTING_LIST, copied here so the
migration does not change when the module does)."""

from django.db import migrations

STARTING_LIST = [
    ("codeine", "opioid", ["oral"], 240),
    ("dihydrocodeine", "opioid", ["oral"], 240),
    ("tramadol", "opioid", ["oral"], 400),
    ("tapentadol", "opioid", ["oral"], 500),
    ("morphine", "opioid", ["oral"], None),
    ("oxycodone", "opioid", ["oral"], None),
    ("hydromorphone", "opioid", ["oral"], None),
    ("methadone", "opioid", ["oral"], None),
    ("buprenorphine", "opioid", ["transdermal"], None),
    ("fentanyl", "opioid", ["transdermal"], None),
    ("pregabalin", "gabapentinoid", ["oral"], 600),
    ("gabapentin", "gabapentinoid", ["oral"], 3600),
    ("amitriptyline", "tricyclic", ["oral"], 75),
    ("nortriptyline", "tricyclic", ["oral"], 75),
    ("duloxetine", "snri", ["oral"], 120),
    ("ibuprofen", "nsaid", ["oral"], 2400),
    ("naproxen", "nsaid", ["oral"], 1000),
    ("diclofenac", "nsaid", ["oral"], 150),
    ("paracetamol", "paracetamol", ["oral"], 4000),
    ("lidocaine plaster", "topical", ["topical"], 2100),
    ("capsaicin cream", "topical", ["topical"], None),
    ("nefopam", "other", ["oral"], 270),
]


def load(apps, schema_editor):
    FormularyDrug = apps.get_model("careplans", "FormularyDrug")
    for name, drug_class, routes, max_daily_mg in STARTING_LIST:
        FormularyDrug.objects.get_or_create(
            name=name, defaults={"drug_class": drug_class, "routes": routes, "max_daily_mg": max_daily_mg}
        )


def unload(apps, schema_editor):
    FormularyDrug = apps.get_model("careplans", "FormularyDrug")
    FormularyDrug.objects.filter(name__in=[row[0] for row in STARTING_LIST]).delete()


class Migration(migrations.Migration):
    dependencies = [("careplans", "0004_formulary_medication_decisions_and_reviews")]

    operations = [migrations.RunPython(load, unload)]
