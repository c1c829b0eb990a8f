from django.contrib import admin

from audit.admin import AccessLoggedAdmin
from patients.models import Guardian, Patient


class GuardianInline(admin.TabularInline):
    model = Guardian
    extra = 0
    fields = ["personnummer", "first_name", "last_name", "protected_identity", "has_eid",
              "mobile", "email"]
    readonly_fields = ["personnummer", "first_name", "last_name", "protected_identity"]


@admin.register(Patient)
class PatientAdmin(AccessLoggedAdmin):
    list_display = ["personnummer_display", "first_name", "last_name", "protected_identity",
                    "has_eid", "created_at"]
    list_filter = ["protected_identity", "has_eid", "care_units"]
    # Not by personnummer: an admin search is a GET, and numbers stay out of URLs (P1).
    search_fields = ["last_name", "first_name"]
    readonly_fields = ["personnummer", "first_name", "last_name", "protected_identity",
                       "street", "postal_code", "city", "registry_checked_at", "created_at",
                       "created_by"]
    filter_horizontal = ["care_units"]
    inlines = [GuardianInline]

    def patient_of(self, obj: Patient) -> Patient:
        return obj


@admin.register(Guardian)
class GuardianAdmin(AccessLoggedAdmin):
    list_display = ["first_name", "last_name", "child", "has_eid"]
    search_fields = ["last_name", "child__last_name"]
    list_select_related = ["child"]
    readonly_fields = ["child", "personnummer", "first_name", "last_name", "protected_identity"]

    def patient_of(self, obj: Guardian) -> Patient:
        return obj.child
