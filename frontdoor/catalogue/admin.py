"""The administrator's maintenance tool for the catalogue, organisation, zones and routing.
Validation lives in model.clean() and in the inline formsets below, so a bad edit is
refused with a message instead of reaching residents."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from frontdoor.catalogue.models import (
    BusinessCalendar,
    Category,
    City,
    Department,
    Holiday,
    Membership,
    Question,
    QuestionValue,
    RoutingRule,
    Service,
    WorkGroup,
    Zone,
)


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ("name", "jurisdiction_id", "time_zone", "default_language")
    fields = (
        "name",
        "jurisdiction_id",
        "time_zone",
        "default_language",
        "calendar",
        "triage_group",
        "general_service",
        "geometry",
    )

    def has_add_permission(self, request: Any) -> bool:
        return not City.objects.exists()


class HolidayInline(TranslationTabularInline):
    model = Holiday
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    inlines = [HolidayInline]


class GroupInline(TranslationTabularInline):
    model = WorkGroup
    extra = 0
    fields = ("code", "name", "email", "active")
    show_change_link = True


@admin.register(Department)
class DepartmentAdmin(TranslationAdmin):
    list_display = ("name", "code", "active")
    filter_horizontal = ("supervisors",)
    inlines = [GroupInline]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(WorkGroup)
class WorkGroupAdmin(TranslationAdmin):
    list_display = ("name", "code", "department", "active")
    list_filter = ("department", "active")
    search_fields = ("name", "code")
    inlines = [MembershipInline]


@admin.register(Zone)
class ZoneAdmin(TranslationAdmin):
    list_display = ("name", "code", "kind", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "code")


@admin.register(Category)
class CategoryAdmin(TranslationAdmin):
    list_display = ("name", "code", "order")


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ("order", "code", "datatype", "required", "variable", "description", "active")
    show_change_link = True


class RoutingRuleInline(admin.TabularInline):
    model = RoutingRule
    extra = 0
    fk_name = "service"
    fields = ("zone", "group", "rank")


@admin.register(Service)
class ServiceAdmin(TranslationAdmin):
    list_display = ("name", "code", "category", "default_group", "audience", "private", "active")
    list_filter = ("category", "audience", "private", "active")
    search_fields = ("code", "name", "keywords")
    inlines = [QuestionInline, RoutingRuleInline]


class ValuesFormSet(BaseInlineFormSet):
    """A list question needs options; other questions must not have any."""

    def clean(self) -> None:
        super().clean()
        kept = [
            form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        question = self.instance
        if question.datatype in Question.LIST_TYPES and not kept:
            raise ValidationError(_("A pick-one or pick-any question needs at least one value."))
        if question.datatype not in Question.LIST_TYPES and kept:
            raise ValidationError(_("Only pick-one and pick-any questions have values."))


class QuestionValueInline(TranslationTabularInline):
    model = QuestionValue
    formset = ValuesFormSet
    extra = 1


@admin.register(Question)
class QuestionAdmin(TranslationAdmin):
    list_display = ("__str__", "datatype", "required", "variable", "order")
    list_filter = ("datatype", "service__category")
    search_fields = ("code", "service__code", "description")
    inlines = [QuestionValueInline]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "zone", "group", "rank")
    list_filter = ("zone__kind", "group")
    autocomplete_fields = ("service", "group", "zone")
