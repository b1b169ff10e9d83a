"""'Near me' (F17): my open work ordered by distance from where I stand.

``/staff/near-me/?lat=…&long=…``: the browser's geolocation fills the two fields when
JavaScript is on; without it a person types the coordinates. The list is the open
requests assigned to me, or (when I have none, or ask for them) my groups' open requests,
nearest first, at most ``LIMIT``.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from frontdoor.cases.models import OPEN_STATUSES, ServiceRequest
from frontdoor.staff import policy
from frontdoor.staff.casefile import city_zone, sla_state
from frontdoor.staff.decorators import staff_required
from frontdoor.staff.nearby import nearest
from frontdoor.staff.roles import request_scope

LIMIT = 50
MINE, GROUPS = "mine", "groups"


def coordinate(label: Promise, limit: int, missing: Promise, wrong: Promise) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        min_value=-limit,
        max_value=limit,
        error_messages={
            "required": missing,
            "invalid": wrong,
            "min_value": wrong,
            "max_value": wrong,
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class LocationForm(forms.Form):
    lat = coordinate(
        _("Latitude"),
        90,
        _("Enter your latitude, or use your location."),
        _("Latitude must be a number from -90 to 90."),
    )
    long = coordinate(
        _("Longitude"),
        180,
        _("Enter your longitude, or use your location."),
        _("Longitude must be a number from -180 to 180."),
    )
    whose = forms.ChoiceField(
        label=_("Whose work"),
        choices=[("", _("Mine, else my groups'")), (MINE, _("Mine")), (GROUPS, _("My groups'"))],
        required=False,
    )


def distance_text(metres: float) -> str:
    """350 m, 2.4 km (numbers in the active language's format)."""
    if metres < 1000:
        return f"{number_format(round(metres), 0)} m"
    return f"{number_format(round(metres / 1000, 1), 1)} km"


@staff_required
@require_GET
def near_me(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    asked = "lat" in request.GET or "long" in request.GET
    form = LocationForm(request.GET if asked else None)
    context: dict[str, object] = {"form": form, "results": None, "limit": LIMIT}
    if asked and form.is_valid():
        open_requests = ServiceRequest.objects.filter(status__in=OPEN_STATUSES).select_related(
            "service", "group", "assignee"
        )
        mine = open_requests.filter(assignee=scope.user)
        whose = form.cleaned_data["whose"] or (MINE if mine.exists() else GROUPS)
        queryset = mine if whose == MINE else policy.actionable(scope, open_requests)
        found = nearest(queryset, form.cleaned_data["lat"], form.cleaned_data["long"], limit=LIMIT)
        now = timezone.now()
        context |= {
            "whose": whose,
            "results": [
                {
                    "request": near.request,
                    "distance": distance_text(near.distance_m),
                    "sla": sla_state(near.request, now).state,
                }
                for near in found
            ],
        }
    status = 422 if asked and not form.is_valid() else 200
    with timezone.override(city_zone()):
        return render(request, "staff/near_me.html", context, status=status)
