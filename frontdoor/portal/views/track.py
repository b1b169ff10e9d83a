"""Tracking a request by its number: what anyone may see, through the public projection.

Failed look-ups are counted per client so the random numbers cannot be walked through.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from frontdoor.cases import tracking
from frontdoor.cases.models import ServiceRequest, Status
from frontdoor.cases.public import public_view
from frontdoor.portal import ratelimit

LOOKUP_SCOPE = "lookup"


def _too_many(request: HttpRequest) -> HttpResponse | None:
    retry = ratelimit.blocked(request, LOOKUP_SCOPE, settings.PORTAL_FAILED_LOOKUPS_PER_WINDOW)
    if retry is None:
        return None
    response = render(
        request,
        "portal/track_lookup.html",
        {"nav": "track", "error": _rate_message(retry)},
        status=429,
    )
    response["Retry-After"] = str(retry)
    return response


def _rate_message(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return _(
        "You have tried many tracking numbers that do not exist. Please wait %(minutes)d "
        "minutes and try again, or call 311."
    ) % {"minutes": minutes}


def lookup(request: HttpRequest) -> HttpResponse:
    """The form to type a tracking number; a valid one leads to its page."""
    typed = request.GET.get("number", "").strip()[:40]
    context: dict[str, object] = {"nav": "track", "typed": typed}
    if typed:
        number = tracking.normalise(typed)
        if number:
            return redirect("portal:track", number)
        context["error"] = _(
            "“%(number)s” is not a tracking number. It has ten digits, like 4821-7730-15."
        ) % {"number": typed}
        return render(request, "portal/track_lookup.html", context, status=400)
    return render(request, "portal/track_lookup.html", context)


def track(request: HttpRequest, number: str) -> HttpResponse:
    """A request's public page: service, status, timeline, approximate place, photos."""
    limited = _too_many(request)
    if limited is not None:
        return limited
    normalised = tracking.normalise(number)
    found = (
        ServiceRequest.objects.filter(tracking_number=normalised).only("pk").first()
        if normalised
        else None
    )
    if found is None:
        ratelimit.count(request, LOOKUP_SCOPE)
        context = {
            "nav": "track",
            "typed": number[:40],
            "error": _(
                "We could not find a request with the number %(number)s. Check the number "
                "in your confirmation e-mail."
            )
            % {"number": number[:40]},
        }
        return render(request, "portal/track_lookup.html", context, status=404)
    view = public_view(found)
    context = {
        "nav": "track",
        "number": tracking.display(found.tracking_number),
        "view": view,
        "closed": view is not None and view.status == Status.CLOSED,
    }
    return render(request, "portal/track.html", context)
