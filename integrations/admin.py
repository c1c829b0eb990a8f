from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.admin import AccessLoggedAdmin
from integrations.models import DevInboxMessage, MessageTemplate, OutboxMessage
from integrations.services import outbox_resend


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "channel"]
    list_filter = ["channel"]
    search_fields = ["name", "key", "subject", "body"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(AccessLoggedAdmin):
    """The outbox as staff see it: what went out, what is waiting, and why something failed.

    A message about a visit is logged on the visit's patient (S1), a group visit's
    1177 message on the patient it went to: its recipient and text are their business.
    """

    list_display = ["created_at", "channel", "recipient", "subject", "status", "attempts",
                    "next_attempt_at", "sent_at", "last_error"]
    list_filter = ["status", "channel"]
    search_fields = ["recipient", "subject", "idempotency_key", "provider_message_id"]
    date_hierarchy = "created_at"
    list_select_related = ["visit__patient"]
    actions = ["resend"]
    # Rows are written by services only; what was sent is a record, not a draft.
    # The visit too: as a choice it would list every visit, with its patient's name.
    readonly_fields = ["channel", "recipient", "subject", "body", "status", "attempts",
                       "next_attempt_at", "last_error", "idempotency_key", "created_at",
                       "sent_at", "provider_message_id", "link_ref", "visit"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def patient_of(self, obj: OutboxMessage):
        return obj.patient_concerned()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = (extra_context or {}) | {
            "show_save": False, "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Skicka igen"), permissions=["change"])
    def resend(self, request, queryset) -> None:
        resent = skipped = 0
        for message in queryset:
            try:
                outbox_resend(message=message)
            except ValidationError:
                skipped += 1
            else:
                resent += 1
        if resent:
            self.message_user(request, ngettext(
                "%(count)d meddelande skickas igen.",
                "%(count)d meddelanden skickas igen.", resent) % {"count": resent},
                messages.SUCCESS)
        if skipped:
            self.message_user(request, ngettext(
                "%(count)d meddelande hade inte misslyckats och skickades inte igen.",
                "%(count)d meddelanden hade inte misslyckats och skickades inte igen.",
                skipped) % {"count": skipped},
                messages.WARNING)


@admin.register(DevInboxMessage)
class DevInboxMessageAdmin(AccessLoggedAdmin):
    """What the development backends "sent": numbers, addresses and texts, logged on the
    patient of the outbox message each one was (S1)."""

    list_display = ["created_at", "channel", "recipient", "subject"]
    list_filter = ["channel"]
    search_fields = ["recipient", "subject", "body"]
    list_select_related = ["outbox_message__visit__patient"]
    readonly_fields = ["channel", "recipient", "subject", "body", "created_at",
                       "outbox_message"]

    def patient_of(self, obj: DevInboxMessage):
        return obj.outbox_message.patient_concerned() if obj.outbox_message else None

    def has_add_permission(self, request) -> bool:
        return False
