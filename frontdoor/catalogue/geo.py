"""Polygons stored as GeoJSON, checked and queried with shapely.

Zones and the city boundary are small (tens to hundreds of polygons), so they are kept as
GeoJSON in the database with a bounding box for a cheap SQL pre-filter, and the exact
point-in-polygon test runs in Python on prepared shapely geometries cached per process.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.errors import ShapelyError
from shapely.geometry import MultiPolygon, Point, Polygon, shape

POLYGON_TYPES = {"Polygon", "MultiPolygon"}


@dataclass(frozen=True)
class BBox:
    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float


def parse_polygon(value: Any) -> Polygon | MultiPolygon:
    """Return the shapely polygon for a GeoJSON geometry, Feature, or JSON text.

    Raises ValidationError with a message an administrator can act on.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise ValidationError(_("This is not valid JSON.")) from None
    if not isinstance(value, dict):
        raise ValidationError(_("Expected a GeoJSON Polygon or MultiPolygon object."))
    if value.get("type") == "Feature":
        value = value.get("geometry") or {}
        if not isinstance(value, dict):
            raise ValidationError(_("Expected a GeoJSON Polygon or MultiPolygon object."))
    geometry_type = value.get("type")
    if not isinstance(geometry_type, str) or geometry_type not in POLYGON_TYPES:
        raise ValidationError(
            _("The geometry is a %(type)s; a zone must be a Polygon or MultiPolygon.")
            % {"type": geometry_type or _("(missing type)")}
        )
    try:
        geometry = shape(value)
    # ShapelyError: GEOS refuses some rings outright, e.g. with NaN (json.loads reads NaN).
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, ShapelyError):
        raise ValidationError(_("The polygon's coordinates are malformed.")) from None
    if geometry.is_empty:
        raise ValidationError(_("The polygon is empty."))
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValidationError(
            _("Coordinates must be longitude, latitude in degrees (WGS84), in that order.")
        )
    if not geometry.is_valid:
        raise ValidationError(
            _("The polygon is not valid: %(reason)s.")
            % {"reason": shapely.is_valid_reason(geometry)}
        )
    return geometry


def bbox_of(geometry: Polygon | MultiPolygon) -> BBox:
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    return BBox(min_lat=min_lat, min_lon=min_lon, max_lat=max_lat, max_lon=max_lon)


def to_geojson(geometry: Polygon | MultiPolygon) -> dict[str, Any]:
    return json.loads(shapely.to_geojson(shapely.set_precision(geometry, 1e-7)))


_PREPARED: dict[tuple[str, int, str], Polygon | MultiPolygon] = {}
_PREPARED_MAX = 4096


def prepared(key: tuple[str, int, str], geojson: dict[str, Any]) -> Polygon | MultiPolygon:
    """A prepared geometry, cached per process by (kind, id, last-modified stamp).

    The stamp changes whenever the polygon is edited, so a stale shape is never used.
    """
    geometry = _PREPARED.get(key)
    if geometry is None:
        if len(_PREPARED) >= _PREPARED_MAX:
            _PREPARED.clear()
        geometry = shape(geojson)
        shapely.prepare(geometry)
        _PREPARED[key] = geometry
    return geometry


def contains(key: tuple[str, int, str], geojson: dict[str, Any], lat: float, lon: float) -> bool:
    return bool(prepared(key, geojson).covers(Point(lon, lat)))


def valid_coordinates(lat: float, lon: float) -> bool:
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180
