from django.contrib import admin

from audit.admin import AccessLoggedAdmin
from bookings.models import (
    Booking,
    ContactType,
    KallelseTemplate,
    ScheduleActivity,
    ScheduleBlock,
    VisitReason,
)


@admin.register(ContactType)
class ContactTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_video"]
    list_filter = ["is_video"]
    search_fields = ["code", "name"]


@admin.register(ScheduleActivity)
class ScheduleActivityAdmin(admin.ModelAdmin):
    list_display = ["name", "published_on_1177"]
    list_filter = ["published_on_1177"]
    search_fields = ["name"]


@admin.register(VisitReason)
class VisitReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_relative_call", "self_checkin_exempt"]
    list_filter = ["is_relative_call", "self_checkin_exempt"]
    search_fields = ["code", "name"]


@admin.register(KallelseTemplate)
class KallelseTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "audience", "is_active"]
    list_filter = ["audience", "is_active"]
    search_fields = ["name", "body"]


@admin.register(ScheduleBlock)
class ScheduleBlockAdmin(admin.ModelAdmin):
    list_display = ["day", "start_time", "end_time", "clinician", "activity", "slot_minutes"]
    list_filter = ["care_unit", "activity", "day"]
    list_select_related = ["clinician", "activity"]
    date_hierarchy = "day"


@admin.register(Booking)
class BookingAdmin(AccessLoggedAdmin):
    list_display = ["starts_at", "kind", "clinician", "contact_type", "visa_webb",
                    "cancelled_at"]
    list_filter = ["kind", "care_unit", "visa_webb"]
    list_select_related = ["clinician", "contact_type"]
    raw_id_fields = ["patient", "group_patients", "team_owner_booking", "video_visit",
                     "primary_contact", "agent"]
    date_hierarchy = "starts_at"
    log_listed = False  # the list shows times and clinicians, no patient

    def patient_of(self, obj: Booking):
        return obj.patient
