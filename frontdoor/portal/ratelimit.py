"""Per-client limits for anonymous residents (submissions, failed tracking look-ups).

A fixed window per client address, counted in Django's cache like the Open311 key limits
(shared between processes when the cache is; see README). Behind a proxy set
``CLIENT_IP_HEADER`` (e.g. ``HTTP_X_FORWARDED_FOR``): the address the proxy appended
last is used, since everything before it is whatever the client sent.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    if header:
        forwarded = request.META.get(header, "")
        candidates = [part.strip() for part in forwarded.split(",") if part.strip()]
        if candidates:
            return candidates[-1][:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64] or "unknown"


def _slot(scope: str, request: HttpRequest) -> tuple[str, int]:
    window = settings.PORTAL_RATE_WINDOW_SECONDS
    index = int(time.time() // window)
    retry = int(window - time.time() % window) + 1
    return f"portal:rate:{scope}:{client_ip(request)}:{index}", retry


def blocked(request: HttpRequest, scope: str, limit: int) -> int | None:
    """Seconds until this client may try again, or None while it is under ``limit``
    (0 means no limit)."""
    if not limit:
        return None
    key, retry = _slot(scope, request)
    return retry if (cache.get(key) or 0) >= limit else None


def count(request: HttpRequest, scope: str) -> None:
    """One more for this client in the current window."""
    key, _retry = _slot(scope, request)
    if not cache.add(key, 1, timeout=settings.PORTAL_RATE_WINDOW_SECONDS + 60):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=settings.PORTAL_RATE_WINDOW_SECONDS + 60)
