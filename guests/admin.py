from django.contrib import admin

from guests.models import InterpreterAgency


@admin.register(InterpreterAgency)
class InterpreterAgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "first_name", "last_name", "email"]
    search_fields = ["name", "email"]
