"""Catalogue text translated per language (django-modeltranslation adds name_en, name_es, …)."""

from modeltranslation.translator import TranslationOptions, register

from frontdoor.catalogue.models import (
    Category,
    Department,
    Holiday,
    Question,
    QuestionValue,
    Service,
    WorkGroup,
    Zone,
)


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name",)


@register(Service)
class ServiceTranslation(TranslationOptions):
    fields = ("name", "description", "keywords", "public_notice")


@register(Question)
class QuestionTranslation(TranslationOptions):
    fields = ("description", "help_text")


@register(QuestionValue)
class QuestionValueTranslation(TranslationOptions):
    fields = ("name",)


@register(Department)
class DepartmentTranslation(TranslationOptions):
    fields = ("name",)


@register(WorkGroup)
class WorkGroupTranslation(TranslationOptions):
    fields = ("name",)


@register(Zone)
class ZoneTranslation(TranslationOptions):
    fields = ("name",)


@register(Holiday)
class HolidayTranslation(TranslationOptions):
    fields = ("name",)
