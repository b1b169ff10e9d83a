"""Addresses to positions and back, for the report form and anything else that asks.

Two geocoders share one interface (``search``, ``reverse``, ``exact``):

- ``LocalIndex``: the city's own address points (``AddressPoint``, loaded by
  ``manage.py load_addresses``); no network, always there.
- ``Nominatim``: any Nominatim-compatible HTTP service (``GEOCODER=nominatim``,
  ``NOMINATIM_URL``). It is asked with a timeout; an error, a timeout or an empty answer
  falls back to the local index, so a resident never waits on, or sees, its failure.

``geocoder()`` returns the one the settings choose. Positions outside the city's boundary
are never offered.
"""

from __future__ import annotations

import json
import logging
import math
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q

from frontdoor.catalogue.models import City
from frontdoor.geocoding.models import AddressPoint
from frontdoor.geocoding.normalise import normalise, prefixes

logger = logging.getLogger(__name__)
MAX_QUERY = 120
# A pin further than this from every known address gets no address from the local index.
REVERSE_METRES = 120.0


@dataclass(frozen=True)
class Place:
    label: str
    lat: float
    lon: float
    address_id: str = ""
    postal_code: str = ""


class Geocoder(Protocol):
    def search(self, text: str, limit: int = 8) -> list[Place]: ...

    def reverse(self, lat: float, lon: float) -> Place | None: ...

    def exact(self, text: str) -> Place | None: ...


def _place(point: AddressPoint) -> Place:
    return Place(point.label, point.lat, point.lon, point.source_id, point.postal_code)


def metres_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance: exact enough within a city."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6_371_000 * math.hypot(x, y)


def _in_city(lat: float, lon: float) -> bool:
    try:
        city = City.current()
    except City.DoesNotExist:
        return True
    return not city.geometry or city.covers(lat, lon)


class LocalIndex:
    """Prefix search over the loaded address points ("123 main st" finds "123 Main Street")."""

    name = "local"

    def search(self, text: str, limit: int = 8) -> list[Place]:
        options = prefixes(text[:MAX_QUERY])
        if not options or len(options[0]) < 2:
            return []
        condition = Q()
        for option in options:
            condition |= Q(normalised__startswith=option)
            if not option[:1].isdigit():  # a street name alone: every number on it
                condition |= Q(street_normalised__startswith=option)
        points = AddressPoint.objects.filter(condition).order_by(
            "street_normalised", "house_number", "normalised"
        )[:limit]
        return [_place(point) for point in points]

    def exact(self, text: str) -> Place | None:
        wanted = normalise(text[:MAX_QUERY])
        if not wanted:
            return None
        point = AddressPoint.objects.filter(normalised=wanted).order_by("pk").first()
        return _place(point) if point else None

    def reverse(self, lat: float, lon: float) -> Place | None:
        dlat = REVERSE_METRES / 111_000
        dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
        nearby = AddressPoint.objects.filter(
            lat__range=(lat - dlat, lat + dlat), lon__range=(lon - dlon, lon + dlon)
        )[:500]
        best = min(nearby, key=lambda p: metres_between(lat, lon, p.lat, p.lon), default=None)
        if best is None or metres_between(lat, lon, best.lat, best.lon) > REVERSE_METRES:
            return None
        return _place(best)


class Nominatim:
    """A Nominatim-compatible service (the city's own, or a provider's), with the local
    index as the fallback for every failure."""

    name = "nominatim"

    def __init__(self, base_url: str, *, timeout: float, fallback: Geocoder) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.fallback = fallback

    def _get(self, endpoint: str, params: dict[str, Any]) -> Any:
        params = {**params, "format": "jsonv2", "addressdetails": 1}
        if settings.NOMINATIM_EMAIL:
            params["email"] = settings.NOMINATIM_EMAIL
        url = f"{self.base_url}/{endpoint}?{urllib.parse.urlencode(params)}"
        key = "geocode:" + url[:230]
        cached = cache.get(key)
        if cached is not None:
            return cached
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in settings
            url, headers={"User-Agent": settings.GEOCODER_USER_AGENT, "Accept": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            data = json.loads(response.read(1_000_000).decode("utf-8"))
        cache.set(key, data, timeout=24 * 3600)
        return data

    def _viewbox(self) -> dict[str, Any]:
        try:
            city = City.current()
        except City.DoesNotExist:
            return {}
        if city.min_lat is None:
            return {}
        box = f"{city.min_lon},{city.max_lat},{city.max_lon},{city.min_lat}"
        return {"viewbox": box, "bounded": 1}

    @staticmethod
    def _parse(item: Any) -> Place | None:
        if not isinstance(item, dict):
            return None
        try:
            lat, lon = float(item["lat"]), float(item["lon"])
        except (KeyError, TypeError, ValueError):
            return None
        if not (math.isfinite(lat) and math.isfinite(lon)) or not _in_city(lat, lon):
            return None
        address = item.get("address") if isinstance(item.get("address"), dict) else {}
        street = " ".join(
            str(address[k]) for k in ("house_number", "road") if address.get(k)
        ).strip()
        label = street or ", ".join(str(item.get("display_name", "")).split(", ")[:3])
        osm = f"{str(item.get('osm_type', ''))[:1]}{item.get('osm_id', '')}"
        return Place(
            label[:200],
            lat,
            lon,
            osm if len(osm) > 1 else "",
            str(address.get("postcode", ""))[:16],
        )

    def search(self, text: str, limit: int = 8) -> list[Place]:
        text = " ".join(text[:MAX_QUERY].split())
        if len(text) < 3:
            return self.fallback.search(text, limit)
        try:
            data = self._get("search", {"q": text, "limit": limit, **self._viewbox()})
            places = [p for p in map(self._parse, data if isinstance(data, list) else []) if p]
        except (OSError, ValueError, urllib.error.URLError) as exc:
            logger.warning("Geocoder %s failed (%s); using the local index", self.base_url, exc)
            places = []
        return places[:limit] or self.fallback.search(text, limit)

    def exact(self, text: str) -> Place | None:
        wanted = normalise(text)
        for place in self.search(text, 3):
            if normalise(place.label) == wanted:
                return place
        return self.fallback.exact(text)

    def reverse(self, lat: float, lon: float) -> Place | None:
        try:
            place = self._parse(self._get("reverse", {"lat": lat, "lon": lon}))
        except (OSError, ValueError, urllib.error.URLError) as exc:
            logger.warning("Geocoder %s failed (%s); using the local index", self.base_url, exc)
            place = None
        return place or self.fallback.reverse(lat, lon)


def geocoder() -> Geocoder:
    """The geocoder the settings choose (``GEOCODER``)."""
    local = LocalIndex()
    if settings.GEOCODER == "nominatim":
        return Nominatim(settings.NOMINATIM_URL, timeout=settings.GEOCODER_TIMEOUT, fallback=local)
    return local
