"""Admin for reference data; clinical records are changed through services, not here."""

from django.contrib import admin

from .models import Commissioner, Practice, StaffProfile, Team


class ReadOnlyAdmin(admin.ModelAdmin):
    """For clinical records: they change only through the services, never in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Commissioner)
class CommissionerAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["ods_code", "name", "commissioner", "mesh_mailbox"]
    list_filter = ["commissioner"]
    search_fields = ["ods_code", "name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    filter_horizontal = ["members"]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "practice", "commissioner", "job_title"]
    raw_id_fields = ["user"]
