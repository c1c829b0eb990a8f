from django.contrib import admin
from django.contrib.admin.utils import unquote

from audit.services import Action, access_log_write, action_for
from patients.models import Guardian, Patient


class AccessLoggedAdmin(admin.ModelAdmin):
    """Admin pages that show a patient's data write the access log as the app does (S1):
    a row per patient listed, and a row for the patient whose page is opened or saved."""

    def patient_of(self, obj) -> Patient:
        raise NotImplementedError

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            for obj in changelist.result_list:
                access_log_write(request=request, action=Action.SEARCH,
                                 patient=self.patient_of(obj), obj=obj)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code < 400:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                access_log_write(request=request, action=action_for(request, None),
                                 patient=self.patient_of(obj), obj=obj)
        return response


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
