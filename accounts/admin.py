from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import CareUnit, User


@admin.register(CareUnit)
class CareUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "hsa_id", "phone", "name_is_revealing"]
    list_filter = ["name_is_revealing"]
    search_fields = ["name", "hsa_id"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "title", "role", "hsa_id", "is_active"]
    list_filter = ["role", "care_units", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "hsa_id", "email"]
    filter_horizontal = ["care_units", "groups", "user_permissions"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Tjänst"), {"fields": ["title", "role", "hsa_id", "care_units", "personnummer"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        (_("Tjänst"), {"fields": ["first_name", "last_name", "title", "role", "hsa_id",
                                  "care_units"]}),
    ]
