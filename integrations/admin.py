from django.contrib import admin

from integrations.models import MessageTemplate


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "channel"]
    list_filter = ["channel"]
    search_fields = ["name", "key", "subject", "body"]
