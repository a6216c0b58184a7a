"""Admin for configuration (users, teams, practices, commissioners, rules).

Clinical records are changed through the services, never here, and are not shown here either: the
admin role is configuration only. The one exception is the service lead's emergency "break glass"
read (``pathway.governance_views.break_glass``), whose every page is logged with its reason.
"""

from django.contrib import admin

from . import audit
from .access import may_view_access_audit
from .models import Commissioner, Episode, Letter, Practice, StaffProfile, Team


class ReadOnlyAdmin(admin.ModelAdmin):
    """For clinical records: read only, and only by the service lead under a break-glass grant."""

    def _break_glass(self, request) -> bool:
        if not hasattr(request, "_painway_break_glass"):
            user = request.user
            request._painway_break_glass = may_view_access_audit(user) and audit.active_break_glass(user) is not None
        return request._painway_break_glass

    def has_module_permission(self, request):
        return self._break_glass(request)

    def has_view_permission(self, request, obj=None):
        return self._break_glass(request)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            audit.note_list(user=request.user, patient_ids=audit.patient_ids_of(changelist.result_list))
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None:
            audit.note_list(user=request.user, patient_ids=audit.patient_ids_of([obj]), action="view")
        return super().change_view(request, object_id, form_url, extra_context)

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


@admin.register(Episode)
class EpisodeAdmin(ReadOnlyAdmin):
    """Episodes by reference, state and team: no names in the list (break glass only, as every record)."""

    list_display = ("id", "state", "tier", "team", "practice", "received_on", "admitted_on", "discharged_on")
    list_filter = ("state", "tier", "team")
    search_fields = ("id",)
    list_select_related = ("team", "practice")


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "episode_id", "recipient", "state", "due_on", "sent_at")
    list_filter = ("kind", "state", "recipient")
    search_fields = ("id", "episode__id")
    exclude = ("pdf",)
