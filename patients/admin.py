from django.contrib import admin

from audit.admin import AccessLoggedAdmin
from patients.models import Guardian, GuardianContact, Patient, PatientContact


def _save_unit_contacts(request, formset) -> None:
    # Who changed a unit's details and when, as the patient page shows it.
    for contact in formset.save(commit=False):
        contact.updated_by = request.user
        contact.save()
    for contact in formset.deleted_objects:
        contact.delete()


class PatientContactInline(admin.TabularInline):
    """Each care unit's own contact details, side by side for the administrator."""

    model = PatientContact
    extra = 0
    fields = ["care_unit", "mobile", "email", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]


class GuardianInline(admin.TabularInline):
    model = Guardian
    extra = 0
    fields = ["personnummer", "first_name", "last_name", "protected_identity", "has_eid"]
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
    inlines = [PatientContactInline, GuardianInline]

    def patient_of(self, obj: Patient) -> Patient:
        return obj

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is PatientContact:
            _save_unit_contacts(request, formset)
            return
        super().save_formset(request, form, formset, change)


@admin.register(PatientContact)
class PatientContactAdmin(AccessLoggedAdmin):
    list_display = ["patient", "care_unit", "updated_at", "updated_by"]
    list_filter = ["care_unit"]
    search_fields = ["patient__last_name", "patient__first_name", "care_unit__name"]
    list_select_related = ["patient", "care_unit", "updated_by"]
    readonly_fields = ["patient", "care_unit", "updated_at", "updated_by"]

    def patient_of(self, obj: PatientContact) -> Patient:
        return obj.patient

    def has_add_permission(self, request) -> bool:
        return False  # a unit's details are added on the patient's page (the inline)

    def save_model(self, request, obj: PatientContact, form, change) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


class GuardianContactInline(admin.TabularInline):
    """Each care unit's own contact details for the guardian."""

    model = GuardianContact
    extra = 0
    fields = ["care_unit", "mobile", "email", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]


@admin.register(Guardian)
class GuardianAdmin(AccessLoggedAdmin):
    inlines = [GuardianContactInline]
    list_display = ["first_name", "last_name", "child", "has_eid"]
    search_fields = ["last_name", "child__last_name"]
    list_select_related = ["child"]
    readonly_fields = ["child", "personnummer", "first_name", "last_name", "protected_identity"]

    def patient_of(self, obj: Guardian) -> Patient:
        return obj.child

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is GuardianContact:
            _save_unit_contacts(request, formset)
            return
        super().save_formset(request, form, formset, change)


@admin.register(GuardianContact)
class GuardianContactAdmin(AccessLoggedAdmin):
    """A guardian's details per unit, listed with who changed them last (logged, S1)."""

    list_display = ["guardian", "care_unit", "updated_at", "updated_by"]
    list_filter = ["care_unit"]
    search_fields = ["guardian__last_name", "guardian__child__last_name", "care_unit__name"]
    list_select_related = ["guardian__child", "care_unit", "updated_by"]
    readonly_fields = ["guardian", "care_unit", "updated_at", "updated_by"]

    def patient_of(self, obj: GuardianContact) -> Patient:
        return obj.guardian.child

    def has_add_permission(self, request) -> bool:
        return False  # a unit's details are added on the guardian's page (the inline)

    def save_model(self, request, obj: GuardianContact, form, change) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
