from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from frontdoor.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Contact"), {"fields": ("phone", "language", "contact_preference")}),
        (
            _("Staff role"),
            {
                "fields": ("is_agent",),
                "description": _(
                    "Department staff and supervisors are set on work groups and "
                    "departments; administrators are superusers."
                ),
            },
        ),
    )
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "is_agent",
        "is_staff",
        "is_active",
    )
    list_filter = ("is_agent", *BaseUserAdmin.list_filter)
