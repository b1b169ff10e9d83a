from __future__ import annotations

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from frontdoor.portal.models import SiteNotice


@admin.register(SiteNotice)
class SiteNoticeAdmin(TranslationAdmin):
    list_display = ("__str__", "level", "starts_at", "ends_at")
    list_filter = ("level",)
    fields = ("message", "link", "level", "starts_at", "ends_at")
