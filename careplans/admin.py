"""Admin: read-mostly views of clinical records; changes go through the services and forms."""

from django import forms
from django.contrib import admin

from pathway.admin import ReadOnlyAdmin
from pathway.services import today_london

from .models import (
    Appointment,
    Assessment,
    CarePlan,
    Discharge,
    DrugClass,
    Extension,
    FormularyDrug,
    GroupSession,
    MdtReview,
    MedicationLine,
    MedicationReview,
    OmeFactorTable,
    OmeRecord,
)

KNOWN_ROUTES = ("oral", "transdermal", "topical")


class FormularyDrugForm(forms.ModelForm):
    """An opioid must be in the OME factor table in force, by the same routes, so its OME is known."""

    class Meta:
        model = FormularyDrug
        fields = ["name", "drug_class", "routes", "max_daily_mg", "monitoring", "active"]

    def clean_name(self):
        return (self.cleaned_data.get("name") or "").strip().lower()

    def clean(self):
        data = super().clean()
        routes = data.get("routes")
        if not isinstance(routes, list) or not routes or not all(r in KNOWN_ROUTES for r in routes):
            self.add_error("routes", f"Give a list of routes from {', '.join(KNOWN_ROUTES)}.")
            return data
        if data.get("drug_class") == DrugClass.OPIOID:
            from .services.medications import factor_table

            factors = factor_table(today_london()).factors.get(data.get("name"), {})
            missing = [r for r in routes if r not in factors]
            if missing:
                self.add_error(
                    "routes",
                    f"The OME factor table has no factor for {data.get('name')} by {', '.join(missing)}: add it to "
                    "the factor table first.",
                )
        return data


@admin.register(FormularyDrug)
class FormularyDrugAdmin(admin.ModelAdmin):
    """The local formulary is configuration: the admin keeps it."""

    form = FormularyDrugForm
    list_display = ["name", "drug_class", "routes", "max_daily_mg", "active"]
    list_filter = ["drug_class", "active"]
    search_fields = ["name"]


@admin.register(OmeFactorTable)
class OmeFactorTableAdmin(admin.ModelAdmin):
    """Local factor tables are configuration: the admin is where they are kept."""

    list_display = ["version", "effective_from"]


@admin.register(GroupSession)
class GroupSessionAdmin(admin.ModelAdmin):
    list_display = ["name", "date", "capacity"]


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "episode_id", "kind", "date", "outcome"]
    list_filter = ["kind", "outcome"]


@admin.register(MedicationLine)
class MedicationLineAdmin(ReadOnlyAdmin):
    list_display = ["id", "episode_id", "drug", "route", "ome_mg_per_day", "factor_version", "stopped_on"]


for model in (Assessment, CarePlan, MdtReview, Extension, Discharge, MedicationReview, OmeRecord):
    admin.site.register(model, ReadOnlyAdmin)
