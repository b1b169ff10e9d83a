"""Requests nearest a point, for "near me": a bounding-box filter SQL can answer, then
the exact great-circle distance (haversine) in Python.

A local stand-in: branch ``staff-domain`` builds ``frontdoor/cases/nearby.py`` for the
same purpose (with a lat/long index); when it lands, ``near_me`` should use it instead.

The box grows step by step until it holds ``limit`` requests within the step's radius,
so a crew in the city is usually answered by the first step; the last step has no box,
so a device far from the city still gets the nearest work. Each step is one query
reading three columns; the chosen requests are then read with one more query.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from frontdoor.cases.models import ServiceRequest

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
# Radii of the successive boxes in metres; None: no box (the whole Earth).
STEPS_M: tuple[float | None, ...] = (1_000, 5_000, 25_000, 100_000, None)


def haversine_m(lat1: float, long1: float, lat2: float, long2: float) -> float:
    """Great-circle distance in metres between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(long2 - long1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, max(0.0, a))))


@dataclass(frozen=True)
class Box:
    """Latitudes from ``south`` to ``north``; longitudes in any of ``longs`` (two ranges
    when the box crosses the ±180° meridian, none when it holds a pole)."""

    south: float
    north: float
    longs: tuple[tuple[float, float], ...]

    def contains(self, lat: float, long: float) -> bool:
        return self.south <= lat <= self.north and (
            not self.longs or any(west <= long <= east for west, east in self.longs)
        )

    def q(self) -> Q:
        """The same test as a filter SQL can answer."""
        inside = Q(lat__gte=self.south, lat__lte=self.north)
        if not self.longs:
            return inside
        either = Q()
        for west, east in self.longs:
            either |= Q(long__gte=west, long__lte=east)
        return inside & either


def box(lat: float, long: float, radius_m: float) -> Box:
    """A box holding every point within ``radius_m`` of (lat, long), and a little more:
    it only narrows what the exact distance then decides."""
    angle = radius_m / EARTH_RADIUS_M
    dlat = math.degrees(angle) * 1.001 + 1e-9
    south, north = lat - dlat, lat + dlat
    if south <= -90 or north >= 90:
        return Box(max(south, -90.0), min(north, 90.0), ())  # every longitude is close
    # The widest longitude of a circle on a sphere: asin(sin r / cos φ), defined here
    # because the circle holds no pole.
    ratio = math.sin(angle) / math.cos(math.radians(lat))
    dlong = math.degrees(math.asin(min(1.0, ratio))) * 1.001 + 1e-9
    west, east = long - dlong, long + dlong
    if dlong >= 180:
        return Box(south, north, ())
    if west < -180:  # across the ±180° meridian: two ranges
        return Box(south, north, ((west + 360, 180.0), (-180.0, east)))
    if east > 180:
        return Box(south, north, ((west, 180.0), (-180.0, east - 360)))
    return Box(south, north, ((west, east),))


@dataclass(frozen=True)
class Near:
    request: ServiceRequest
    distance_m: float


def nearest(
    queryset: QuerySet[ServiceRequest], lat: float, long: float, *, limit: int = 50
) -> list[Near]:
    """The requests of ``queryset`` that have a location, nearest to (lat, long) first
    (ties: the older first), at most ``limit``. ``queryset`` decides whose and which
    requests and what is read with them (select_related is kept). Reads only."""
    candidates = queryset.filter(lat__isnull=False, long__isnull=False).order_by()
    ranked: list[tuple[float, int]] = []
    for radius in STEPS_M:
        rows = candidates if radius is None else candidates.filter(box(lat, long, radius).q())
        found = sorted(
            (haversine_m(lat, long, row_lat, row_long), pk)
            for pk, row_lat, row_long in rows.values_list("pk", "lat", "long")
        )
        ranked = [(d, pk) for d, pk in found if radius is None or d <= radius]
        # Everything within this radius is found; anything not found is farther away.
        if len(ranked) >= limit:
            break
    ranked = ranked[:limit]
    by_pk = queryset.order_by().in_bulk([pk for _d, pk in ranked])
    return [Near(by_pk[pk], d) for d, pk in ranked if pk in by_pk]
