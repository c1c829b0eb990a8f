from django.contrib import admin

from bookings.models import ContactType, KallelseTemplate, ScheduleActivity, VisitReason


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
