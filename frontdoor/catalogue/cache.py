"""A small per-process cache of catalogue reads used on every submission (the city, a
service's questions, zones, routing rules, holidays).

Catalogue rows change rarely (an administrator edits them) and are read on every request,
so each process keeps them for a few seconds. A save or delete of any catalogue model
clears this process's cache at once; other processes see the change within
``CATALOGUE_CACHE_SECONDS``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings

T = TypeVar("T")
_lock = threading.Lock()
_entries: dict[Any, tuple[float, Any]] = {}


def cached(key: Any, loader: Callable[[], T]) -> T:
    ttl = getattr(settings, "CATALOGUE_CACHE_SECONDS", 10)
    now = time.monotonic()
    entry = _entries.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]
    value = loader()
    with _lock:
        _entries[key] = (now + ttl, value)
    return value


def clear(*args: Any, **kwargs: Any) -> None:
    with _lock:
        _entries.clear()
