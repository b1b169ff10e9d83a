"""The real URLs plus a staff view that is always refused (for testing how refusals show)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from frontdoor.staff.decorators import staff_required
from frontdoor.staff.policy import Forbidden
from frontdoor.urls import urlpatterns as real_urlpatterns


@staff_required
def refuse(request: HttpRequest) -> HttpResponse:
    raise Forbidden("Refused for the test: ask its supervisor to forward it.")


urlpatterns = [path("test/refuse/", refuse), *real_urlpatterns]
