"""Admin: read-mostly views of clinical records; changes go through the services and forms."""

from django.contrib import admin

from pathway.admin import ReadOnlyAdmin

from .models import (
    Appointment,
    Assessment,
    CarePlan,
    Discharge,
    Extension,
    GroupSession,
    MdtReview,
    MedicationLine,
    OmeFactorTable,
)


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


for model in (Assessment, CarePlan, MdtReview, Extension, Discharge):
    admin.site.register(model, ReadOnlyAdmin)
