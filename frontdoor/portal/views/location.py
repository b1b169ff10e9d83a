"""Address suggestions and the address at a map pin, for the report form's JavaScript.
The form works without them: a typed address is located when the report is sent."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from frontdoor.geocoding.geocoders import geocoder
from frontdoor.portal.nearby import parse_point


def suggestions(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("address", "")[:120]
    places = geocoder().search(text) if len(text.strip()) >= 3 else []
    return render(request, "portal/_address_suggestions.html", {"places": places})


def reverse(request: HttpRequest) -> JsonResponse:
    point = parse_point(request.GET.get("lat", ""), request.GET.get("long", ""))
    place = geocoder().reverse(*point) if point else None
    if place is None:
        return JsonResponse({})
    return JsonResponse(
        {"address": place.label, "address_id": place.address_id, "postal_code": place.postal_code}
    )
