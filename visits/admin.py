from django.contrib import admin

from audit.admin import AccessLoggedAdmin
from visits.models import RoomPresence, VideoVisit


@admin.register(VideoVisit)
class VideoVisitAdmin(AccessLoggedAdmin):
    list_display = ["starts_at", "patient", "owner", "care_unit", "state", "reason"]
    list_filter = ["state", "care_unit"]
    search_fields = ["patient__last_name", "owner__username"]
    date_hierarchy = "starts_at"
    list_select_related = ["patient", "owner", "care_unit"]
    autocomplete_fields = []
    raw_id_fields = ["patient", "owner", "primary_contact", "agent"]
    filter_horizontal = ["staff"]
    readonly_fields = ["received_at", "started_at", "meeting_started_at", "meeting_ended_at",
                       "finished_at", "cancelled_at", "created_at"]

    def patient_of(self, obj: VideoVisit):
        return obj.patient


@admin.register(RoomPresence)
class RoomPresenceAdmin(AccessLoggedAdmin):
    """Who has a video room open; read-only, the room's sockets keep it (R1, R4)."""

    list_display = ["visit", "name", "role", "status", "joined_at", "seen_at"]
    list_filter = ["status"]
    list_select_related = ["visit__patient"]

    def patient_of(self, obj: RoomPresence):
        return obj.visit.patient

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
