"""Knowledge texts per language (django-modeltranslation adds title_en, title_es, …).
English is required; Spanish may be left empty and falls back to English."""

from modeltranslation.translator import TranslationOptions, register

from frontdoor.knowledge.models import Article, CannedResponse


@register(Article)
class ArticleTranslation(TranslationOptions):
    fields = ("title", "body")
    required_languages = ("en",)


@register(CannedResponse)
class CannedResponseTranslation(TranslationOptions):
    fields = ("title", "text")
    required_languages = ("en",)
