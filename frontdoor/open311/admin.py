from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from frontdoor.open311.auth import forget_keys
from frontdoor.open311.models import ApiKey, ClientApp


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    can_delete = False
    fields = ("prefix", "scope", "rate_limit", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # keys are issued from the API key page, which shows the key once


@admin.register(ClientApp)
class ClientAppAdmin(admin.ModelAdmin):
    list_display = ("name", "contact", "active", "created_at")
    search_fields = ("name", "contact")
    inlines = [ApiKeyInline]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("prefix", "client", "scope", "rate_limit", "last_used_at", "revoked_at")
    list_filter = ("scope", "client")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    fields = ("client", "scope", "rate_limit", "prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        issued, plain = ApiKey.issue(obj.client, scope=obj.scope, rate_limit=obj.rate_limit)
        obj.pk, obj.prefix = issued.pk, issued.prefix
        messages.warning(
            request,
            _(
                "The new API key is %(key)s — copy it now; it is stored only as a hash and "
                "cannot be shown again."
            )
            % {"key": plain},
        )

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        forget_keys()
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", count) % {"count": count},
        )
