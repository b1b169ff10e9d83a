"""Read-only views of requests and their history; changes go through the workflow."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from frontdoor.cases.models import Event, ServiceRequest


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    fields = ("created_at", "action", "actor_label", "visibility", "data")
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    list_display = ("tracking_number", "service", "status", "group", "channel", "requested_at")
    list_filter = ("status", "channel", "service__category")
    search_fields = ("tracking_number", "address", "description")
    list_select_related = ("service", "group")
    show_full_result_count = False
    inlines = [EventInline]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return [f.name for f in ServiceRequest._meta.fields] + ["zones"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
