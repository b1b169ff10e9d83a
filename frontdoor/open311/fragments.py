"""Rendered requests, cached per process under the request's version.

Every change to a request goes through the workflow, which bumps ``version``; every change
to the catalogue (service names, agencies) moves ``City.catalogue_changed_at``. A rendered
item keyed by both can therefore be reused until one of them moves, and a list page costs
one narrow query for the ids and versions on it plus the rendering of whatever changed.
Other processes see a catalogue change within ``CATALOGUE_CACHE_SECONDS``, as for every
other catalogue read.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings

from frontdoor.catalogue.models import City

_lock = threading.Lock()
_items: OrderedDict[tuple[Any, ...], str] = OrderedDict()


def capacity() -> int:
    return int(getattr(settings, "OPEN311_CACHE_ITEMS", 20_000))


def catalogue_stamp() -> str:
    return City.current().catalogue_changed_at.isoformat()


def get_many(
    keys: Iterable[tuple[str, int]],
    context: tuple[Any, ...],
    render: Callable[[list[str]], dict[str, tuple[int, str]]],
) -> list[str]:
    """Rendered items for ``keys`` = [(tracking number, version), …] in that order.

    ``context`` is whatever else the rendering depends on (format, language, host…);
    ``render(numbers)`` renders the missing ones and returns {number: (version, text)}. An item
    that disappeared (or became private) meanwhile is left out."""
    keys = list(keys)
    found: dict[str, str] = {}
    missing: list[str] = []
    with _lock:
        for pk, version in keys:
            text = _items.get((pk, version, context))
            if text is None:
                missing.append(pk)
            else:
                _items.move_to_end((pk, version, context))
                found[pk] = text
    if missing:
        rendered = render(missing)
        limit = capacity()
        with _lock:
            for pk, (version, text) in rendered.items():
                found[pk] = text
                if limit:
                    _items[(pk, version, context)] = text
            while len(_items) > limit:
                _items.popitem(last=False)
    return [found[pk] for pk, _version in keys if pk in found]


def clear() -> None:
    with _lock:
        _items.clear()
