"""Which zones contain a point, and which group takes a request."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from frontdoor.catalogue.models import City, RoutingRule, Service, WorkGroup, Zone


def zones_at(lat: float | None, lon: float | None) -> list[Zone]:
    if lat is None or lon is None:
        return []
    candidates = Zone.objects.filter(
        active=True, min_lat__lte=lat, max_lat__gte=lat, min_lon__lte=lon, max_lon__gte=lon
    )
    return [zone for zone in candidates if zone.covers(lat, lon)]


@dataclass(frozen=True)
class Route:
    group: WorkGroup
    rule: RoutingRule | None
    reason: str


def route(service: Service, zones: list[Zone], city: City) -> Route:
    """Service rule in a zone > category rule in a zone > service default > triage group."""
    if zones:
        rules = (
            RoutingRule.objects.filter(zone__in=zones, group__active=True)
            .filter(Q(service=service) | Q(category_id=service.category_id))
            .select_related("group", "zone")
        )
        best = min(
            rules,
            key=lambda rule: (0 if rule.service_id else 1, rule.rank, rule.pk),
            default=None,
        )
        if best is not None:
            return Route(
                best.group,
                best,
                _("Routing rule for %(zone)s") % {"zone": best.zone.name},
            )
    if service.default_group.active:
        return Route(service.default_group, None, _("The service's default group"))
    if city.triage_group is not None:
        return Route(city.triage_group, None, _("Default group inactive: sent to triage"))
    return Route(service.default_group, None, _("The service's default group (inactive)"))
