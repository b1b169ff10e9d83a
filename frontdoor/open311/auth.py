"""API keys: who is calling, what they may do, and how often."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from frontdoor.open311.models import ApiKey, key_prefix
from frontdoor.open311.params import ApiError

# last_used_at is written at most this often per key, not on every call.
TOUCH_SECONDS = 60
# A key read from the database is reused by this process for this long; a revocation made
# elsewhere takes effect within it (at once in the process that made it).
KEY_CACHE_SECONDS = 5.0
_keys: dict[str, tuple[float, ApiKey | None]] = {}


def forget_keys(*args: object, **kwargs: object) -> None:
    _keys.clear()


def _lookup(prefix: str) -> ApiKey | None:
    now = time.monotonic()
    entry = _keys.get(prefix)
    if entry is not None and entry[0] > now:
        return entry[1]
    api_key = ApiKey.objects.select_related("client").filter(prefix=prefix).first()
    if len(_keys) > 10_000:
        _keys.clear()
    _keys[prefix] = (now + KEY_CACHE_SECONDS, api_key)
    return api_key


def authenticate(request: HttpRequest, *, need: str) -> ApiKey:
    """The valid key of this call with at least scope ``need``, or a 403 (429 when over
    its rate limit). The key may come in the body or the query string."""
    raw = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    if not raw:
        raise ApiError(403, _("An api_key is required to do this."))
    prefix = key_prefix(raw)
    api_key = _lookup(prefix) if prefix else None
    if api_key is None or not api_key.matches(raw):
        raise ApiError(403, _("Invalid api_key received -- can't proceed."))
    if not api_key.active:
        raise ApiError(403, _("This api_key has been revoked."))
    if need == ApiKey.Scope.WRITE and not api_key.can_write:
        raise ApiError(403, _("This api_key may only read."))
    if need == ApiKey.Scope.PARTNER and not api_key.can_update:
        raise ApiError(403, _("This api_key may not post updates to requests."))
    _rate_limit(api_key)
    _touch(api_key)
    return api_key


def _rate_limit(api_key: ApiKey) -> None:
    """A fixed one-minute window per key, counted in the cache (shared between processes
    when the cache is; see README)."""
    if not api_key.rate_limit:
        return
    window = int(time.time() // 60)
    slot = f"open311:rate:{api_key.pk}:{window}"
    if cache.add(slot, 1, timeout=120):
        count = 1
    else:
        try:
            count = cache.incr(slot)
        except ValueError:  # expired between add and incr
            cache.add(slot, 1, timeout=120)
            count = 1
    if count > api_key.rate_limit:
        retry = 60 - int(time.time() % 60)
        raise ApiError(
            429,
            _("Too many requests with this api_key; try again in %(seconds)d seconds.")
            % {"seconds": retry},
            headers={"Retry-After": str(retry)},
        )


def _touch(api_key: ApiKey) -> None:
    if cache.add(f"open311:touch:{api_key.pk}", 1, timeout=TOUCH_SECONDS):
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
