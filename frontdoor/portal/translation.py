"""Portal text translated per language (django-modeltranslation adds message_en, message_es)."""

from modeltranslation.translator import TranslationOptions, register

from frontdoor.portal.models import SiteNotice


@register(SiteNotice)
class SiteNoticeTranslation(TranslationOptions):
    fields = ("message",)
