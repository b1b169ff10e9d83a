"""Times on pages are the city's local time (the city's time zone is catalogue data), not
the server's ``TIME_ZONE``: a resident reads "reported at 2:05 p.m." as their own clock."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from frontdoor.catalogue.models import City


class CityTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            zone = City.current().time_zone
        except City.DoesNotExist:
            return self.get_response(request)
        with timezone.override(zone):
            return self.get_response(request)
