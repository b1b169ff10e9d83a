"""Open requests of the same service near a point: the "is it one of these?" list.

Only the public projection is used, so nothing personal is ever listed, and a private
service's requests are never offered at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings

from frontdoor.cases.models import OPEN_STATUSES, ServiceRequest
from frontdoor.cases.public import PublicRequest, public_requests
from frontdoor.catalogue.models import Service
from frontdoor.geocoding.geocoders import metres_between

MAX_LISTED = 5
MAX_SCANNED = 200


@dataclass(frozen=True)
class Nearby:
    request: PublicRequest
    metres: int


def parse_point(lat: object, long: object) -> tuple[float, float] | None:
    try:
        point = (float(str(lat)), float(str(long)))
    except (TypeError, ValueError):
        return None
    if not all(math.isfinite(v) for v in point):
        return None
    if not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
        return None
    return point


def open_nearby(service: Service, lat: float, lon: float) -> list[Nearby]:
    """Up to five open, not-merged requests of ``service`` within ``PORTAL_NEARBY_METRES``
    of the point, nearest first."""
    if service.private:
        return []
    radius = settings.PORTAL_NEARBY_METRES
    dlat = radius / 111_000
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    rows = ServiceRequest.objects.filter(
        service=service,
        status__in=sorted(OPEN_STATUSES),
        duplicate_of__isnull=True,
        lat__range=(lat - dlat, lat + dlat),
        long__range=(lon - dlon, lon + dlon),
    ).values_list("tracking_number", "lat", "long")[:MAX_SCANNED]
    distances = {number: metres_between(lat, lon, r_lat, r_lon) for number, r_lat, r_lon in rows}
    nearest = sorted(
        (number for number, metres in distances.items() if metres <= radius),
        key=distances.__getitem__,
    )[:MAX_LISTED]
    return [
        Nearby(view, round(distances[view.tracking_number]))
        for view in public_requests(tracking_numbers=nearest)
    ]
