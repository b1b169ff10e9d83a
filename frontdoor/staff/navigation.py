"""The staff layout's navigation and header, for ``staff/base.html``.

Pages add themselves to the navigation by URL name: an entry whose URL does not exist
(yet) is left out, so the layout never links to a page that is not there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from frontdoor.staff.roles import Scope, request_scope


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    # Who sees it: None for every staff member, else a Scope property that must be true.
    needs: str | None = None


NAVIGATION = (
    NavItem("staff:home", _("Queues")),
    NavItem("staff:intake", _("New request")),
    NavItem("staff:near_me", _("Near me")),
    NavItem("staff:knowledge", _("Knowledge")),
    NavItem("staff:supervisor", _("Supervisor"), needs="oversees"),
)


def _entries(request: HttpRequest, scope: Scope) -> list[dict[str, Any]]:
    if not scope.is_staff_member:
        return []
    entries = []
    for item in NAVIGATION:
        if item.needs and not getattr(scope, item.needs):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        current = request.path == url or (
            url != reverse("staff:home") and request.path.startswith(url)
        )
        entries.append({"url": url, "label": item.label, "current": current})
    return entries


def _city_name() -> str:
    from frontdoor.catalogue.models import City

    try:
        return City.current().name
    except City.DoesNotExist:
        return "Frontdoor"


def staff_layout(request: HttpRequest) -> dict[str, Any]:
    """Context processor: lazy, so pages outside the staff workspace pay nothing."""
    return {
        "staff_nav": SimpleLazyObject(lambda: _entries(request, request_scope(request))),
        "staff_city_name": SimpleLazyObject(_city_name),
    }
