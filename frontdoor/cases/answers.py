"""Validate answers to a service's questions (Open311 attributes) and normalise them.

Stored form: {code: value} where value is a str (string, text, single list key, datetime
as ISO 8601 UTC), an int or float (number), or a list of keys (multi list).
"""

from __future__ import annotations

import math
import re
import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import UTC
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from frontdoor.cases.errors import InvalidInput
from frontdoor.catalogue.models import Question, Service

MAX_STRING = 500
MAX_TEXT = 4000
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")

Answer = str | int | float | list[str]


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, list | tuple):
        return all(_blank(item) for item in value)
    return False


def _single(value: Any) -> str:
    if isinstance(value, list | tuple):
        items = [str(item) for item in value if not _blank(item)]
        if len(items) != 1:
            raise ValueError(_("Choose exactly one option."))
        return items[0].strip()
    return str(value).strip()


def clean_string(text: str, limit: int, *, multiline: bool) -> str:
    # Control characters (other than tab and line breaks) are never meant and break XML.
    text = _CONTROL.sub("", text)
    if not multiline:
        text = " ".join(text.split())
    else:
        text = text.replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise ValueError(
            _("This is %(length)d characters long; the limit is %(limit)d.")
            % {"length": len(text), "limit": limit}
        )
    return text


def parse_number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError(_("Enter a number."))
    text = str(value).strip()
    if "," in text:
        # Only as thousands separators: "12,5" (Spanish for 12.5) must not become 125.
        if not _THOUSANDS.fullmatch(text):
            raise ValueError(_("Enter a number."))
        text = text.replace(",", "")
    try:
        number = float(text)
    except ValueError:
        raise ValueError(_("Enter a number.")) from None
    if not math.isfinite(number) or abs(number) > 1e12:
        raise ValueError(_("Enter a number."))
    return int(number) if number.is_integer() else number


def parse_answer_datetime(value: Any, tz_name: str) -> str:
    text = str(value).strip()
    try:
        moment = parse_datetime(text.replace("z", "Z"))
    except ValueError:
        moment = None
    if moment is None:
        raise ValueError(_("Enter a date and time, e.g. 2026-03-01T14:30."))
    if moment.tzinfo is None:
        # Forms send local time without an offset: it is the city's local time.
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(tz_name))
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:59 local is in the year 10000 in UTC
        raise ValueError(_("Enter a date and time, e.g. 2026-03-01T14:30.")) from None
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _list_keys(value: Any) -> list[str]:
    if isinstance(value, str):
        raw: Iterable[Any] = value.split(",")
    elif isinstance(value, list | tuple):
        raw = value
    else:
        raw = [value]
    keys: list[str] = []
    for item in raw:
        key = str(item).strip()
        if key and key not in keys:
            keys.append(key)
    return keys


def clean_answer(question: Question, value: Any, tz_name: str, keys: set[str]) -> Answer:
    datatype = question.datatype
    if datatype == Question.Datatype.STRING:
        return clean_string(_single(value), MAX_STRING, multiline=False)
    if datatype == Question.Datatype.TEXT:
        return clean_string(_single(value), MAX_TEXT, multiline=True)
    if datatype == Question.Datatype.NUMBER:
        return parse_number(_single(value))
    if datatype == Question.Datatype.DATETIME:
        return parse_answer_datetime(_single(value), tz_name)
    if datatype == Question.Datatype.SINGLE:
        key = _single(value)
        if key not in keys:
            raise ValueError(_("“%(value)s” is not one of the options.") % {"value": key[:60]})
        return key
    chosen = _list_keys(value)
    unknown = [key for key in chosen if key not in keys]
    if unknown:
        raise ValueError(
            _("“%(value)s” is not one of the options.") % {"value": ", ".join(unknown)[:60]}
        )
    return chosen


def service_questions(service: Service) -> list[Question]:
    """The active questions of a service with their values (cached per process)."""
    from frontdoor.catalogue.cache import cached

    return cached(
        ("questions", service.pk),
        lambda: list(service.questions.filter(active=True).prefetch_related("values")),
    )


def validate_answers(
    service: Service,
    raw: Mapping[str, Any],
    tz_name: str,
    questions: Iterable[Question] | None = None,
    *,
    require: bool = True,
) -> dict[str, Answer]:
    """Return normalised answers or raise InvalidInput keyed "answers.<code>".

    ``require=False`` accepts a missing answer to a required question (imported history)."""
    if questions is None:
        questions = service_questions(service)
    by_code = {q.code: q for q in questions}
    errors: dict[str, list[str]] = {}
    for code in raw:
        if code not in by_code:
            errors[f"answers.{code}"] = [
                _("“%(code)s” is not a question of this service.") % {"code": str(code)[:40]}
            ]
    cleaned: dict[str, Answer] = {}
    for code, question in by_code.items():
        if not question.variable:
            continue  # informational notice; nothing to answer
        value = raw.get(code)
        if _blank(value):
            if question.required and require:
                errors[f"answers.{code}"] = [
                    _("Please answer: %(question)s") % {"question": question.description}
                ]
            continue
        keys = {v.key for v in question.values.all()} if question.is_list else set()
        try:
            answer = clean_answer(question, value, tz_name, keys)
        except ValueError as exc:
            errors[f"answers.{code}"] = [str(exc)]
            continue
        if _blank(answer) and question.required:
            errors[f"answers.{code}"] = [
                _("Please answer: %(question)s") % {"question": question.description}
            ]
        elif not _blank(answer):
            cleaned[code] = answer
    if errors:
        raise InvalidInput(errors)
    return cleaned
