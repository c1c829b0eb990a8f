from django.contrib import admin

from audit.admin import AccessLoggedAdmin
from guests.models import InterpreterAgency, InvitationLink, Participant


@admin.register(InterpreterAgency)
class InterpreterAgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "first_name", "last_name", "email"]
    search_fields = ["name", "email"]


class InvitationLinkInline(admin.TabularInline):
    model = InvitationLink
    extra = 0
    can_delete = False
    fields = ["created_at", "redeemed_at", "revoked_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Participant)
class ParticipantAdmin(AccessLoggedAdmin):
    list_display = ["first_name", "last_name", "kind", "visit", "channel", "removed_at"]
    list_filter = ["kind", "channel"]
    search_fields = ["last_name", "email"]
    list_select_related = ["visit__patient"]
    raw_id_fields = ["visit"]
    inlines = [InvitationLinkInline]

    def patient_of(self, obj: Participant):
        return obj.visit.patient  # whose visit the guest is in


@admin.register(InvitationLink)
class InvitationLinkAdmin(AccessLoggedAdmin):
    """Read-only: a link is issued and revoked through the participant, never edited."""

    list_display = ["participant", "created_at", "redeemed_at", "revoked_at"]
    search_fields = ["participant__last_name"]
    list_select_related = ["participant__visit__patient"]
    readonly_fields = ["participant", "token_hash", "created_at", "redeemed_at", "revoked_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def patient_of(self, obj: InvitationLink):
        return obj.participant.visit.patient  # the link is to the patient's visit
