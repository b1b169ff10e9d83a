"""Finding the right service by typing: names, keywords (the catalogue's synonyms) and
descriptions in every language, matched after folding case and accents, by word prefix.

"baches" finds Pothole in English too, and "streetlight" finds "Street light out": a city's
residents do not all search in the language the page is shown in. The catalogue is small
(tens to a few hundred services) and cached per process, so matching runs in memory.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language

from frontdoor.catalogue.cache import cached
from frontdoor.catalogue.models import Category, City, Service

_NON_WORD = re.compile(r"[^\w]+")
MAX_QUERY = 100


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation to spaces: "Señal dañada!" -> "senal danada"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", bare.casefold()).replace("_", " ").split())


def _stem(word: str) -> str:
    # Plurals in English and Spanish ("potholes", "baches", "luces"): enough for a menu.
    for ending in ("es", "s"):
        if len(word) > 4 and word.endswith(ending):
            return word[: -len(ending)]
    return word


def words(text: str) -> list[str]:
    return [_stem(w) for w in fold(text).split()]


@dataclass(frozen=True)
class ServiceEntry:
    pk: int
    code: str
    name: str
    description: str
    category_code: str
    info_only: bool
    url: str  # the service's page (reversed once, not per link rendered)
    # Folded, stemmed words per weight: name (3), keywords (2), description (1).
    names: frozenset[str] = field(repr=False)
    keywords: frozenset[str] = field(repr=False)
    descriptions: frozenset[str] = field(repr=False)
    phrases: tuple[str, ...] = field(repr=False)  # folded names and keyword phrases


@dataclass(frozen=True)
class MenuCategory:
    code: str
    name: str
    services: list[ServiceEntry]


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _texts(service: Service, name: str) -> list[str]:
    return [getattr(service, f"{name}_{code}", "") or "" for code in _languages()]


def _entry(service: Service) -> ServiceEntry:
    names = _texts(service, "name")
    keywords = [k for text in _texts(service, "keywords") for k in text.split(",")]
    descriptions = _texts(service, "description")
    return ServiceEntry(
        pk=service.pk,
        code=service.code,
        name=service.name,
        description=service.description,
        category_code=service.category.code,
        info_only=service.info_only,
        url=reverse("portal:report", args=[service.code]),
        names=frozenset(w for text in names for w in words(text)),
        keywords=frozenset(w for text in keywords for w in words(text)),
        descriptions=frozenset(w for text in descriptions for w in words(text)),
        phrases=tuple(p for p in (fold(t) for t in names + keywords) if p),
    )


def menu() -> list[MenuCategory]:
    """The public services by category, in menu order, in the current language."""

    def load() -> list[MenuCategory]:
        services = (
            Service.objects.filter(active=True, audience=Service.Audience.PUBLIC)
            .select_related("category")
            .order_by("category__order", "category__code", "order", "code")
        )
        by_category: dict[int, list[ServiceEntry]] = {}
        for service in services:
            by_category.setdefault(service.category_id, []).append(_entry(service))
        return [
            MenuCategory(category.code, category.name, by_category[category.pk])
            for category in Category.objects.order_by("order", "code")
            if category.pk in by_category
        ]

    return cached(("portal-menu", get_language()), load)


def general_service() -> ServiceEntry | None:
    """The city's "something else" service, if it is offered to residents."""
    try:
        general_id = City.current().general_service_id
    except City.DoesNotExist:
        return None
    for category in menu():
        for entry in category.services:
            if entry.pk == general_id:
                return entry
    return None


def _word_score(query_word: str, entry: ServiceEntry) -> int:
    for weight, pool in ((3, entry.names), (2, entry.keywords), (1, entry.descriptions)):
        if query_word in pool:
            return weight * 2
        if len(query_word) >= 3 and any(w.startswith(query_word) for w in pool):
            return weight
    return 0


def search(query: str, limit: int = 12) -> list[ServiceEntry]:
    """Public services matching every word of ``query`` (by prefix), best first."""
    query_words = words(query[:MAX_QUERY])
    if not query_words:
        return []
    phrase = fold(query[:MAX_QUERY])
    scored: list[tuple[int, int, ServiceEntry]] = []
    position = 0
    for category in menu():
        for entry in category.services:
            position += 1
            scores = [_word_score(w, entry) for w in query_words]
            if not all(scores):
                continue
            score = sum(scores)
            if any(p == phrase for p in entry.phrases):
                score += 20
            elif len(phrase) >= 4 and any(phrase in p for p in entry.phrases):
                score += 8
            scored.append((-score, position, entry))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [entry for _score, _position, entry in scored[:limit]]
