"""Find a service by typing: its name or keywords, in English or Spanish, for staff.

A catalogue has tens to a few hundred services, so the search runs in memory over the
active services (kept per process by the catalogue cache, refreshed on every catalogue
change) instead of in SQL: it can then ignore case and accents ("via" finds "vía") and rank
a name match above a keyword match the same way on SQLite and PostgreSQL. Staff-only
services are included: only staff pages call this.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from modeltranslation.utils import build_localized_fieldname

from frontdoor.catalogue.cache import cached
from frontdoor.catalogue.models import Service

MAX_RESULTS = 12
MAX_QUERY = 100
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower case without accents, for comparing what people type with catalogue text."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass(frozen=True)
class _Entry:
    service: Service
    names: str  # every language's name, folded, one per line
    keywords: str
    code: str
    name_words: frozenset[str]
    keyword_words: frozenset[str]


def _texts(service: Service, field: str) -> str:
    values = (
        getattr(service, build_localized_fieldname(field, code), "") or ""
        for code, _name in settings.LANGUAGES
    )
    return "\n".join(fold(value) for value in values if value)


def _load() -> list[_Entry]:
    entries = []
    services = Service.objects.filter(active=True).select_related("category")
    for service in services.order_by("category__order", "order", "code"):
        names, keywords = _texts(service, "name"), _texts(service, "keywords")
        entries.append(
            _Entry(
                service=service,
                names=names,
                keywords=keywords,
                code=fold(service.code),
                name_words=frozenset(_WORD.findall(names)),
                keyword_words=frozenset(_WORD.findall(keywords)),
            )
        )
    return entries


def _starts_a_word(token: str, words: frozenset[str]) -> bool:
    return any(word.startswith(token) for word in words)


def _score(entry: _Entry, token: str) -> int:
    """How well one typed word matches a service (0: not at all). Short words only match
    the start of a word, so "ba" finds "bache" but not "garbage"."""
    if token in entry.name_words:
        return 6
    if _starts_a_word(token, entry.name_words):
        return 5
    if len(token) >= 3 and token in entry.names:
        return 3
    if token in entry.keyword_words or entry.code.startswith(token):
        return 3
    if _starts_a_word(token, entry.keyword_words):
        return 2
    if len(token) >= 3 and token in entry.keywords:
        return 1
    return 0


def search(text: str, limit: int = MAX_RESULTS) -> list[Service]:
    """Active services matching every word of ``text``, best first (empty for no words)."""
    tokens = _WORD.findall(fold(text[:MAX_QUERY]))
    if not tokens:
        return []
    ranked = []
    for position, entry in enumerate(cached(("intake_finder",), _load)):
        scores = [_score(entry, token) for token in tokens]
        if all(scores):
            ranked.append((-sum(scores), position, entry.service))
    ranked.sort(key=lambda item: item[:2])
    return [service for _score_, _position, service in ranked[:limit]]


def by_code(code: str) -> Service | None:
    """The active service with this code (from the same cached list), or None."""
    for entry in cached(("intake_finder",), _load):
        if entry.service.code == code:
            return entry.service
    return None
