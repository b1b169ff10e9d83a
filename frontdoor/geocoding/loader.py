"""Reading a city's address points from CSV or GeoJSON into the local index.

CSV: a header row; columns (any case) ``address`` or ``number`` + ``street``; ``lat`` /
``latitude``; ``lon`` / ``lng`` / ``longitude``; optional ``postal_code`` / ``postcode`` /
``zip`` and ``id``. GeoJSON: Point features with the same property names (OpenStreetMap's
``addr:housenumber``, ``addr:street``, ``addr:postcode`` work too).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from frontdoor.catalogue.models import City
from frontdoor.geocoding.models import AddressPoint
from frontdoor.geocoding.normalise import normalise

BATCH = 2000
_ALIASES = {
    "address": ("address", "full_address", "label"),
    "number": ("number", "house_number", "housenumber", "addr:housenumber"),
    "street": ("street", "street_name", "road", "addr:street"),
    "lat": ("lat", "latitude", "y"),
    "lon": ("lon", "lng", "long", "longitude", "x"),
    "postal_code": ("postal_code", "postcode", "zip", "zipcode", "addr:postcode"),
    "id": ("id", "address_id", "source_id"),
}


class AddressFileError(ValueError):
    """The file cannot be read as address points; the message says why."""


@dataclass
class LoadResult:
    loaded: int = 0
    outside: int = 0
    unreadable: int = 0


def _pick(row: Mapping[str, Any], name: str) -> str:
    lowered = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
    for alias in _ALIASES[name]:
        value = lowered.get(alias)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    if path.suffix.lower() in (".geojson", ".json"):
        try:
            data = json.loads(path.read_text("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise AddressFileError(f"{path.name} is not valid GeoJSON: {exc}") from None
        features = data.get("features") if isinstance(data, dict) else None
        if not isinstance(features, list):
            raise AddressFileError(f"{path.name} has no GeoJSON 'features' list.")
        for feature in features:
            geometry = (feature or {}).get("geometry") or {}
            row = dict((feature or {}).get("properties") or {})
            coordinates = geometry.get("coordinates")
            is_point = geometry.get("type") == "Point" and isinstance(coordinates, list | tuple)
            if is_point and len(coordinates) >= 2:
                row["lon"], row["lat"] = coordinates[0], coordinates[1]
            yield row
        return
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames:
                raise AddressFileError(f"{path.name} has no header row.")
            yield from reader
    except UnicodeDecodeError as exc:
        raise AddressFileError(f"{path.name} is not UTF-8 text: {exc}") from None


def _point(row: Mapping[str, Any]) -> AddressPoint | None:
    number, street = _pick(row, "number"), _pick(row, "street")
    label = _pick(row, "address") or " ".join(part for part in (number, street) if part)
    try:
        lat, lon = float(_pick(row, "lat")), float(_pick(row, "lon"))
    except ValueError:
        return None
    if not label or not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if not street:
        first, _sep, rest = label.partition(" ")
        number, street = (first, rest) if first[:1].isdigit() else ("", label)
    digits = "".join(c for c in number if c.isdigit())[:9]
    return AddressPoint(
        label=label[:200],
        normalised=normalise(label)[:200],
        street_normalised=normalise(street)[:200],
        house_number=int(digits) if digits else None,
        postal_code=_pick(row, "postal_code")[:16],
        source_id=_pick(row, "id")[:64],
        lat=round(lat, 7),
        lon=round(lon, 7),
    )


def load_addresses(path: Path, *, replace: bool = True) -> LoadResult:
    """Load the file into the index in one transaction (replacing what was there unless
    ``replace`` is false). Points outside the city's boundary and unreadable rows are
    counted and left out."""
    city = City.objects.order_by("pk").first()
    result = LoadResult()
    with transaction.atomic():
        if replace:
            AddressPoint.objects.all().delete()
        batch: list[AddressPoint] = []
        for row in _rows(path):
            point = _point(row)
            if point is None:
                result.unreadable += 1
                continue
            if city is not None and city.geometry and not city.covers(point.lat, point.lon):
                result.outside += 1
                continue
            batch.append(point)
            if len(batch) >= BATCH:
                AddressPoint.objects.bulk_create(batch)
                result.loaded += len(batch)
                batch = []
        AddressPoint.objects.bulk_create(batch)
        result.loaded += len(batch)
    return result
