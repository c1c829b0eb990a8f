"""Log review (DESIGN S1): the access log, read-only, per patient and per user, as CSV."""

from __future__ import annotations

import csv

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.models import AccessLogEntry
from audit.services import Action, access_log_write, action_for


class AccessLoggedAdmin(admin.ModelAdmin):
    """Admin pages that show a patient's data write the access log as the app does (S1):
    a row per patient listed, and a row for the patient whose page is opened or saved.

    patient_of names the patient an object's page shows, None for none (a group
    booking's patients are on their own pages). Set log_listed = False when the list
    shows nothing of the patient.
    """

    log_listed = True

    def patient_of(self, obj):
        raise NotImplementedError

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None and self.log_listed:
            for obj in changelist.result_list:
                self._log(request, Action.SEARCH, obj)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code < 400:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                self._log(request, action_for(request, None), obj)
        return response

    def _log(self, request, action: str, obj) -> None:
        patient = self.patient_of(obj)
        if patient is not None:
            access_log_write(request=request, action=action, patient=patient, obj=obj)


class ReviewFilter(admin.SimpleListFilter):
    """The report for log review: look-ups that call for a second look."""

    title = _("granskning")
    parameter_name = "granska"

    def lookups(self, request, model_admin):
        return [
            ("egen", _("Egen journal")),
            ("skyddad", _("Skyddad identitet")),
            ("nekad", _("Nekad åtkomst")),
            ("annan", _("Registrerad, redan känd vid annan vårdenhet")),
            ("alla", _("Allt som ska granskas")),
        ]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        match self.value():
            case "egen":
                return queryset.own_record()
            case "skyddad":
                return queryset.filter(protected_identity=True)
            case "nekad":
                return queryset.filter(outcome=AccessLogEntry.Outcome.DENIED)
            case "annan":
                return queryset.joined_elsewhere()
            case "alla":
                return queryset.for_review()
        return queryset


# Spreadsheet programs run cells that start with these as formulas.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    list_display = ["timestamp", "user_link", "action", "outcome", "patient_link",
                    "personnummer_display", "protected_identity", "own_record", "care_unit",
                    "also_known_at", "object_type", "object_id", "client_address"]
    list_filter = [ReviewFilter, "action", "outcome", "protected_identity",
                   ("care_unit", admin.RelatedOnlyFieldListFilter),
                   ("user", admin.RelatedOnlyFieldListFilter), "timestamp"]
    search_fields = ["personnummer", "user__username", "user__last_name", "user__hsa_id"]
    date_hierarchy = "timestamp"
    list_select_related = ["user", "patient", "care_unit"]
    actions = ["export_csv"]
    list_per_page = 100

    # The log is only ever added to, by the application (S1).
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("användare"), ordering="user__username")
    def user_link(self, entry: AccessLogEntry) -> str:
        url = reverse("admin:audit_accesslogentry_changelist")
        return format_html('<a href="{}?user__id__exact={}">{}</a>', url, entry.user_id,
                           entry.user)

    @admin.display(description=_("patient"), ordering="patient__last_name")
    def patient_link(self, entry: AccessLogEntry) -> str:
        if entry.patient_id is None:
            return "–"
        url = reverse("admin:audit_accesslogentry_changelist")
        return format_html('<a href="{}?patient__id__exact={}">{}</a>', url, entry.patient_id,
                           entry.patient.full_name)

    @admin.display(description=_("personnummer"), ordering="personnummer")
    def personnummer_display(self, entry: AccessLogEntry) -> str:
        return entry.personnummer_display

    @admin.display(description=_("egen journal"), boolean=True)
    def own_record(self, entry: AccessLogEntry) -> bool:
        return bool(entry.personnummer) and entry.personnummer == entry.user.personnummer

    @admin.action(description=_("Exportera markerade loggposter som CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        rows = queryset.select_related("user", "patient", "care_unit").order_by("timestamp", "id")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="atkomstlogg-{stamp}.csv"'
        response.write("\ufeff")  # so spreadsheet programs read UTF-8
        writer = csv.writer(response, delimiter=";")
        writer.writerow([_("Tidpunkt"), _("Användare"), _("HSA-id"), _("Åtgärd"), _("Utfall"),
                         _("Personnummer"), _("Patient"), _("Skyddad identitet"),
                         _("Egen journal"), _("Vårdenhet"), _("Även känd vid"),
                         _("Objekttyp"), _("Objekt-id"), _("Klientadress")])
        count = 0
        for entry in rows.iterator():
            count += 1
            writer.writerow([csv_cell(v) for v in [
                timezone.localtime(entry.timestamp).isoformat(timespec="seconds"),
                entry.user.username, entry.user.hsa_id, entry.get_action_display(),
                entry.get_outcome_display(), entry.personnummer_display,
                entry.patient.full_name if entry.patient else "",
                _("Ja") if entry.protected_identity else _("Nej"),
                _("Ja") if self.own_record(entry) else _("Nej"),
                entry.care_unit or "", entry.also_known_at, entry.object_type, entry.object_id,
                entry.client_address or "",
            ]])
        # Exporting the log is itself a use of personal data worth a row.
        access_log_write(request=request, action=Action.EXPORT, obj=None)
        return response
