"""Finding articles: ranked search, the articles shown next to a service, and the index
that makes both portable.

Each article has one ``ArticleIndex`` row per language holding its title, text and the
names and keywords of its services, normalised: lower case, accents removed, words
separated by single spaces, a space at each end. A query is normalised the same way and
each of its words must start a word of the index (``LIKE '% word%'``): "arbol" finds
"Árboles", "pot" finds "pothole", and "rat" does not find "separate". The same SQL runs
on SQLite and PostgreSQL with the same results; a knowledge base has hundreds of
articles, so scanning the index table is cheap (PostgreSQL full-text search would rank
differently on each backend and needs per-language dictionaries for the same gain).

Ranking: a word in the title counts 100, in a linked service's name or keywords 10, in the
text 1; at most ``MAX_TERMS`` words count, so any title hit outranks any number of other
hits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import translation

from frontdoor.catalogue.models import Service
from frontdoor.knowledge import formatting
from frontdoor.knowledge.models import Article, ArticleIndex, ArticleText, Audience

MAX_QUERY = 200
MAX_TERMS = 8
MAX_TERM_LENGTH = 40
MAX_LIMIT = 100
TITLE, SERVICES, BODY = 100, 10, 1

# Words too common to rank by, in English and Spanish.
_COMMON = (
    "a an and are at be by for from how i in is it my of on or the to what when where who why "
    "with do does can el la los las un una unos unas de del al y o u en por para que con se es "
    "mi mis su sus como cuando donde lo le"
)
STOP_WORDS = frozenset(_COMMON.split())
_WORD = re.compile(r"[^\W_]+")


def normalise(text: str | None) -> str:
    """Lower case, no accents, words only: the form both index and queries are kept in."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(bare.casefold()))


def padded(text: str | None) -> str:
    return f" {normalise(text)} "


def terms(query: str | None) -> list[str]:
    """The words of a query worth searching for (at most ``MAX_TERMS``, each shortened)."""
    words = normalise((query or "")[:MAX_QUERY]).split()
    useful = [w for w in words if w not in STOP_WORDS] or words
    result: list[str] = []
    for word in useful:
        word = word[:MAX_TERM_LENGTH]
        # A light plural: "potholes" finds "pothole" (and still "potholes").
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        if word not in result:
            result.append(word)
    return result[:MAX_TERMS]


# --- The index ----------------------------------------------------------------------------


def _service_words(services: Iterable[Service], language: str) -> str:
    parts: list[str] = []
    for service in services:
        if not service.active:
            continue
        for field in ("name", "keywords"):
            parts.append(
                getattr(service, f"{field}_{language}", None)
                or getattr(service, f"{field}_en", None)
                or ""
            )
    return padded(" ".join(parts))


def reindex(article: Article) -> None:
    """Rewrite the article's index rows from its texts and its services."""
    services = list(article.services.all()) if article.pk else []
    for language, _name in settings.LANGUAGES:
        shown = article.in_language(language)
        ArticleIndex.objects.update_or_create(
            article=article,
            language=language,
            defaults={
                "title": padded(shown.title),
                "body": padded(formatting.plain(shown.body)),
                "services": _service_words(services, language),
            },
        )


def links_changed(sender: Any, instance: Any, action: str, reverse: bool, **kwargs: Any) -> None:
    """``m2m_changed`` of Article.services, from either side."""
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if not reverse:
        reindex(instance)
        return
    if action == "pre_clear":  # the service's articles are about to be unlinked
        instance._kb_cleared = list(instance.articles.all())
        return
    articles = (
        getattr(instance, "_kb_cleared", [])
        if action == "post_clear"
        else Article.objects.filter(pk__in=kwargs.get("pk_set") or ())
    )
    for article in articles:
        reindex(article)


def service_saved(sender: Any, instance: Service, raw: bool = False, **kwargs: Any) -> None:
    """A renamed (or deactivated) service changes what its articles are found by."""
    if raw:
        return
    for article in Article.objects.filter(services=instance):
        reindex(article)


# --- Queries --------------------------------------------------------------------------------


def _scoped(
    language: str, audience: str | None, service: Service | int | None
) -> QuerySet[ArticleIndex]:
    language = language if language in dict(settings.LANGUAGES) else "en"
    rows = ArticleIndex.objects.filter(language=language, article__active=True)
    if audience:
        rows = rows.filter(article__audience=audience)
    if service is not None:
        rows = rows.filter(article__services=service)
    return rows


def shown(rows: Iterable[ArticleIndex]) -> list[ArticleText]:
    """The articles of these index rows, each in its row's language."""
    return [row.article.in_language(row.language) for row in rows]


def _clamp(limit: int) -> int:
    return max(1, min(int(limit), MAX_LIMIT))


def search(
    query: str | None,
    language: str,
    audience: str | None = None,
    service: Service | int | None = None,
    limit: int = 20,
) -> list[ArticleText]:
    """Active articles matching ``query`` in ``language``, best first.

    ``audience`` limits to public FAQs or agent scripts (residents' pages always pass
    ``Audience.PUBLIC``); ``service`` to the articles linked to a service. An empty query
    (or one with no words) gives the most recently updated articles. Over-long queries are
    cut; punctuation, markup and SQL wildcards are not words and are ignored.
    """
    limit = _clamp(limit)
    rows = _scoped(language, audience, service).select_related("article")
    words = terms(query)
    if not words:
        return shown(rows.order_by("-article__updated_at", "-article_id")[:limit])
    score: Any = Value(0)
    matches = Q()
    for word in words:
        pattern = f" {word}"
        matches |= Q(title__contains=pattern) | Q(services__contains=pattern)
        matches |= Q(body__contains=pattern)
        for column, weight in (("title", TITLE), ("services", SERVICES), ("body", BODY)):
            score = score + Case(
                When(**{f"{column}__contains": pattern}, then=Value(weight)),
                default=Value(0),
                output_field=IntegerField(),
            )
    ranked = rows.filter(matches).annotate(score=score).order_by("-score", "title", "article_id")
    return shown(ranked[:limit])


def for_service(
    service: Service | int, language: str, audience: str | None = None
) -> list[ArticleText]:
    """The active articles linked to ``service``: agent scripts first, then public FAQs,
    each by title. For the phone-intake and case pages (and, with
    ``audience=Audience.PUBLIC``, residents' pages)."""
    rows = _scoped(language, audience, service).select_related("article")
    internal_first = Case(
        When(article__audience=Audience.INTERNAL, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return shown(rows.order_by(internal_first, "title", "article_id")[:MAX_LIMIT])


def public_articles(language: str) -> QuerySet[ArticleIndex]:
    """Every active public article's index row in ``language``, by title (for the help
    index: paginate it, then call :func:`shown`)."""
    return (
        _scoped(language, Audience.PUBLIC, None)
        .select_related("article")
        .order_by("title", "article_id")
    )


def current_language() -> str:
    language = (translation.get_language() or "en").split("-")[0]
    return language if language in dict(settings.LANGUAGES) else "en"
