"""Which zones contain a point, and which group takes a request."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from frontdoor.catalogue.cache import cached
from frontdoor.catalogue.models import City, RoutingRule, Service, WorkGroup, Zone


def _active_zones() -> list[Zone]:
    return cached("zones", lambda: list(Zone.objects.filter(active=True).order_by("pk")))


def zones_at(lat: float | None, lon: float | None) -> list[Zone]:
    """Active zones containing the point (bounding box first, then the exact polygon)."""
    if lat is None or lon is None:
        return []
    return [zone for zone in _active_zones() if zone.covers(lat, lon)]


def _rules_for(service: Service) -> list[RoutingRule]:
    return cached(
        ("rules", service.pk),
        lambda: list(
            RoutingRule.objects.filter(group__active=True, zone__active=True)
            .filter(Q(service=service) | Q(category_id=service.category_id))
            .select_related("group", "zone")
        ),
    )


@dataclass(frozen=True)
class Route:
    group: WorkGroup
    rule: RoutingRule | None
    reason: str


def route(service: Service, zones: list[Zone], city: City) -> Route:
    """Service rule in a zone > category rule in a zone > service default > triage group."""
    if zones:
        zone_ids = {zone.pk for zone in zones}
        best = min(
            (rule for rule in _rules_for(service) if rule.zone_id in zone_ids),
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
