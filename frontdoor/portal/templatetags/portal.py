"""Template pieces every portal page shares: the city's name and the active notices."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from frontdoor.catalogue.models import City
from frontdoor.portal.models import SiteNotice

register = template.Library()

_LEVEL_RANK = {SiteNotice.Level.EMERGENCY: 0, SiteNotice.Level.WARNING: 1, SiteNotice.Level.INFO: 2}


@register.simple_tag
def portal_city_name() -> str:
    try:
        return City.current().name
    except City.DoesNotExist:
        return "Frontdoor"


@register.inclusion_tag("portal/_notices.html")
def portal_notices() -> dict[str, Any]:
    now = timezone.now()
    notices = [n for n in SiteNotice.current() if n.is_active(now)]
    return {"notices": sorted(notices, key=lambda n: _LEVEL_RANK.get(n.level, 9))}
