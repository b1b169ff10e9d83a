"""Information-only contacts in the admin: a list to read and count, written only by the
intake page (``frontdoor.staff.intake.contacts``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from frontdoor.staff.models import InformationContact


@admin.register(InformationContact)
class InformationContactAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "service", "topic", "caller_name", "agent")
    list_filter = ("channel", "service__category", "service")
    date_hierarchy = "created_at"
    search_fields = ("topic", "note", "caller_name", "caller_email", "caller_phone")
    list_select_related = ("service", "agent")
    show_full_result_count = False

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return [field.name for field in InformationContact._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
