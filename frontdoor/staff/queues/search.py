"""Search requests by what a caller or a colleague says: a tracking number in any form
("4821 7730 15", "#4821-7730-15"), a phone number, an e-mail address, a name, words of
the address or the description.

PostgreSQL answers from one GIN index on a ``to_tsvector('simple', …)`` expression over
the description, address, contact name, e-mail and the phone's digits (migration
``cases/0006``): each word typed must start a word of the request (``pothole`` finds
"potholes"); a phone matches on its last ten digits, or its last seven when only seven to
nine are typed. Other databases (SQLite in development) match the same fields with
case-insensitive substrings and the phone's digits by suffix: the same results for whole
words and word beginnings, a few more for fragments inside words.

What is typed is never passed to the database as query syntax: words are cut from it with
a pattern and quoted one by one, so no input can make a search fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from frontdoor.cases import tracking
from frontdoor.cases.models import ServiceRequest

MAX_LENGTH = 200
MAX_WORDS = 8
MAX_WORD_LENGTH = 60
# Words of at least this many characters; a single letter would match nearly everything.
MIN_WORD_LENGTH = 2
PHONE_DIGITS = 7

# The indexed document. The migration creates the index on exactly this expression (with
# the columns unqualified); a PostgreSQL test checks that searches use the index.
DOCUMENT_FIELDS = ("description", "address", "contact_name", "contact_email", "contact_phone")
DOCUMENT_SQL = (
    "to_tsvector('simple'::regconfig, {0} || ' ' || {1} || ' ' || {2} || ' ' || {3} || ' ' || "
    "right(regexp_replace({4}, '[^0-9]', '', 'g'), 10) || ' ' || "
    "right(regexp_replace({4}, '[^0-9]', '', 'g'), 7))"
)

_PHONE_LIKE = re.compile(r"[\d\s\-().+/#]+")
_WORD = re.compile(r"[\w@.+'\-]+")
_EDGE = ".+'-"


@dataclass(frozen=True)
class Search:
    """What was typed, read as a tracking number, a phone number and/or words."""

    text: str = ""
    tracking_number: str | None = None
    phone_digits: str | None = None
    words: tuple[str, ...] = ()
    # Why nothing can match (shown to the person), or "".
    problem: str | Promise = field(default="", compare=False)

    def __bool__(self) -> bool:
        return bool(self.text)

    @property
    def searchable(self) -> bool:
        return bool(self.tracking_number or self.phone_digits or self.words)


def parse(text: str | None) -> Search:
    text = " ".join((text or "").split())[:MAX_LENGTH]
    if not text:
        return Search()
    number = tracking.normalise(text)
    if _PHONE_LIKE.fullmatch(text):
        digits = re.sub(r"\D", "", text)
        if len(digits) >= PHONE_DIGITS:
            return Search(text, number, _phone_key(digits))
        if number is None and len(digits) < MIN_WORD_LENGTH:
            return Search(text, problem=_too_short())
    words = []
    for raw in _WORD.findall(text):
        word = raw.strip(_EDGE)[:MAX_WORD_LENGTH]
        if len(word) >= MIN_WORD_LENGTH and any(c.isalnum() for c in word):
            words.append(word.lower())
    words = list(dict.fromkeys(words))[:MAX_WORDS]
    if not words and number is None:
        return Search(text, problem=_too_short())
    return Search(text, number, None, tuple(words))


def _too_short() -> Promise:
    return _(
        "Type a tracking number, a phone number, an e-mail address, or a word of at least "
        "two letters or digits."
    )


def _phone_key(digits: str) -> str:
    """The part of a phone number that identifies it: the last ten digits (a national
    number without the country code), or the last seven (a local number)."""
    return digits[-10:] if len(digits) >= 10 else digits[-PHONE_DIGITS:]


def apply(queryset: QuerySet[ServiceRequest], search: Search) -> QuerySet[ServiceRequest]:
    """The requests of ``queryset`` that match; none when nothing typed can match."""
    if not search:
        return queryset
    if not search.searchable:
        return queryset.none()
    where = Q(pk__in=[])
    if search.tracking_number:
        where |= Q(tracking_number=search.tracking_number)
    terms = [search.phone_digits] if search.phone_digits else list(search.words)
    if terms and connection.vendor == "postgresql":
        where |= Q(Matches(_tsquery(terms)))
    elif search.phone_digits:
        queryset = queryset.alias(phone_digits=_digits_of("contact_phone"))
        where |= Q(phone_digits__endswith=search.phone_digits)
    elif search.words:
        where |= _portable_words(search.words)
    return queryset.filter(where)


def _tsquery(terms: list[str]) -> str:
    """A ``to_tsquery`` text: every term quoted (quotes doubled), prefix-matched, all
    required. Phone keys match whole (they are indexed whole)."""
    parts = []
    for term in terms:
        quoted = "'" + term.replace("'", "''") + "'"
        parts.append(quoted if term.isdigit() and len(term) >= PHONE_DIGITS else quoted + ":*")
    return " & ".join(parts)


class Matches(Func):
    """``<document> @@ to_tsquery('simple', %s)`` with the document's columns compiled
    by Django (so table aliases stay right inside subqueries)."""

    output_field = BooleanField()

    def __init__(self, tsquery: str) -> None:
        super().__init__(*(F(name) for name in DOCUMENT_FIELDS), Value(tsquery))

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        parts, params = [], []
        for expression in self.source_expressions[:-1]:
            sql, expression_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(expression_params)
        document = DOCUMENT_SQL.format(*parts)
        params = [*params, self.source_expressions[-1].value]
        return f"{document} @@ to_tsquery('simple'::regconfig, %s)", params


def _digits_of(field_name: str) -> Any:
    expression: Any = F(field_name)
    for separator in ("-", " ", "(", ")", ".", "+", "/"):
        expression = Replace(expression, Value(separator), Value(""))
    return expression


def _portable_words(words: tuple[str, ...]) -> Q:
    where = Q()
    for word in words:
        where &= (
            Q(description__icontains=word)
            | Q(address__icontains=word)
            | Q(contact_name__icontains=word)
            | Q(contact_email__icontains=word)
        )
    return where
