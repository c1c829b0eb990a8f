from django.contrib import admin

from integrations.models import DevInboxMessage, MessageTemplate


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "channel"]
    list_filter = ["channel"]
    search_fields = ["name", "key", "subject", "body"]


@admin.register(DevInboxMessage)
class DevInboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "recipient", "subject"]
    list_filter = ["channel"]
    search_fields = ["recipient", "subject", "body"]
    readonly_fields = ["channel", "recipient", "subject", "body", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False
