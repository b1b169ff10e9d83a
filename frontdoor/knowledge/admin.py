"""Administrators maintain articles and canned responses here. Placeholders, links and the
owner are checked by the models' ``clean()``, so a bad edit is refused with a message in the
administrator's language. "Mark reviewed" goes through ``reviews.mark_reviewed`` like the
staff page's button."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from frontdoor.knowledge import reviews
from frontdoor.knowledge.models import Article, CannedResponse


class ChoiceFilter(admin.SimpleListFilter):
    """A list filter whose choices are each a condition (built when the list is shown)."""

    conditions: dict[str, tuple[Any, Callable[[], Q]]] = {}

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(value, label) for value, (label, _condition) in self.conditions.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        chosen = self.conditions.get(self.value() or "")
        return queryset.filter(chosen[1]()) if chosen else queryset


class StaleFilter(ChoiceFilter):
    title = _("review")
    parameter_name = "review"
    conditions = {
        "stale": (_("Stale (review overdue)"), lambda: Q(review_due_at__lte=timezone.now())),
        "current": (_("Reviewed in time"), lambda: Q(review_due_at__gt=timezone.now())),
    }


@admin.register(Article)
class ArticleAdmin(TranslationAdmin):
    list_display = (
        "__str__",
        "audience",
        "owner",
        "last_reviewed_at",
        "review_due_at",
        "stale",
        "active",
    )
    list_filter = ("audience", StaleFilter, "active", "services")
    search_fields = (
        "title_en",
        "title_es",
        "body_en",
        "body_es",
        "services__name_en",
        "services__name_es",
        "services__code",
    )
    autocomplete_fields = ("services",)
    raw_id_fields = ("owner",)
    readonly_fields = (
        "last_reviewed_at",
        "last_reviewed_by",
        "review_due_at",
        "stale_notified_at",
        "created_at",
        "updated_at",
    )
    fields = (
        "title",
        "body",
        "audience",
        "services",
        "owner",
        "review_interval_days",
        "active",
        *readonly_fields,
    )
    actions = ["mark_reviewed"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return super().get_queryset(request).select_related("owner")

    @admin.display(boolean=True, description=_("stale"))
    def stale(self, article: Article) -> bool:
        return article.is_stale()

    @admin.action(description=_("Mark reviewed (checked and still right)"))
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        done = 0
        for pk in queryset.values_list("pk", flat=True):
            reviews.mark_reviewed(pk, by=request.user)  # type: ignore[arg-type]
            done += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d article marked reviewed.",
                "%(count)d articles marked reviewed.",
                done,
            )
            % {"count": done},
            messages.SUCCESS,
        )


class GeneralFilter(ChoiceFilter):
    title = _("scope")
    parameter_name = "scope"
    conditions = {
        "general": (_("General (every service)"), lambda: Q(service__isnull=True)),
        "service": (_("One service"), lambda: Q(service__isnull=False)),
    }


@admin.register(CannedResponse)
class CannedResponseAdmin(TranslationAdmin):
    list_display = ("__str__", "service", "order", "active")
    list_filter = (GeneralFilter, "active", "service")
    search_fields = ("title_en", "title_es", "text_en", "text_es", "service__code")
    autocomplete_fields = ("service",)
    list_editable = ("order", "active")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CannedResponse]:
        return super().get_queryset(request).select_related("service")
