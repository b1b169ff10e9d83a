"""Reporting: the service's page (notice, information-only answer), its form, and the
confirmation. The form is one page that works without JavaScript; the map, "use my
location", address suggestions and the nearby list are progressive enhancements.

A POST goes round until it can be filed: photos are kept between rounds
(``portal.photos``), a typed address that the index knows is located, nearby open reports
of the same service are shown once before filing, and a photo's GPS position is offered
when no location was given. Filing is one call to ``workflow.submit``; its ``InvalidInput``
comes back next to each field, and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from frontdoor.cases import workflow
from frontdoor.cases.answers import validate_answers
from frontdoor.cases.errors import InvalidInput, UnknownService
from frontdoor.cases.images import HEIF, PhotoRejected
from frontdoor.cases.models import Channel, ServiceRequest
from frontdoor.catalogue.cache import cached
from frontdoor.catalogue.models import City, Service
from frontdoor.geocoding.geocoders import geocoder
from frontdoor.portal import nearby, photos, ratelimit, report_form
from frontdoor.portal.report_form import ReportInput

SUBMIT_SCOPE = "submit"
# HEIC only when the optional plugin can read it: iPhones send JPEG to a form that does not
# ask for HEIC.
PHOTO_TYPES = "image/jpeg,image/png,image/webp" + (",image/heic,image/heif" if HEIF else "")
SESSION_KEY = "portal_submitted"


def public_service(code: str) -> Service:
    """An active service residents may use, or 404 (staff-only services included).
    Read through the per-process catalogue cache, like every submission's catalogue."""
    code = code[:40]

    def load() -> Service | None:
        return (
            Service.objects.select_related("category", "default_group")
            .filter(code=code, active=True, audience=Service.Audience.PUBLIC)
            .first()
        )

    service = cached(("portal-service", code), load)
    if service is None:
        raise Http404
    return service


def report(request: HttpRequest, code: str) -> HttpResponse:
    service = public_service(code)
    if service.info_only:
        return render(request, "portal/info.html", {"nav": "report", "service": service})
    if request.method == "POST":
        return _post(request, service)
    user = request.user if request.user.is_authenticated else None
    return _form(request, service, report_form.initial(user))


def _form(
    request: HttpRequest,
    service: Service,
    data: ReportInput,
    *,
    errors: dict[str, list[str]] | None = None,
    kept: list[photos.KeptPhoto] | None = None,
    listed: list[nearby.Nearby] | None = None,
    notice: str = "",
    photo_position: tuple[float, float] | None = None,
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    grouped = report_form.field_errors(errors)
    city = City.current()
    seen = sorted(data.nearby_seen | {item.request.tracking_number for item in listed or []})
    context: dict[str, Any] = {
        "nav": "report",
        "service": service,
        "data": data,
        "questions": report_form.question_fields(service, data, errors),
        "errors": grouped,
        "error_count": sum(len(m) for m in errors.values()),
        "kept": kept or [],
        "max_photos": workflow.MAX_PHOTOS,
        "photo_types": PHOTO_TYPES,
        "nearby": listed or [],
        "nearby_seen": ",".join(seen),
        "notice": notice,
        "photo_position": photo_position,
        "preferences": report_form.PREFERENCES,
        "map": _map_settings(city),
    }
    return render(request, "portal/report.html", context, status=status)


def _map_settings(city: City) -> dict[str, Any]:
    box = None
    if city.min_lat is not None:
        box = [[city.min_lat, city.min_lon], [city.max_lat, city.max_lon]]
    return {
        "tile_url": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "bounds": box,
        "boundary": city.geometry,
    }


def _keep_photos(tokens: list[str], uploads: list[Any]) -> tuple[list[photos.KeptPhoto], list[str]]:
    kept = [photo for photo in map(photos.restore, tokens) if photo is not None]
    problems: list[str] = []
    for upload in uploads:
        if not getattr(upload, "name", "") and not getattr(upload, "size", 0):
            continue  # an empty file input
        if len(kept) >= workflow.MAX_PHOTOS:
            problems.append(
                _("You can attach up to %(count)d photos.") % {"count": workflow.MAX_PHOTOS}
            )
            break
        try:
            kept.append(photos.keep(upload))
        except PhotoRejected as exc:
            name = str(getattr(upload, "name", ""))[:80]
            problems.append(f"{name}: {exc}" if name else str(exc))
    return kept, problems


def _photo_position(kept: list[photos.KeptPhoto], city: City) -> tuple[float, float] | None:
    for photo in kept:
        if photo.gps and (not city.geometry or city.covers(*photo.gps)):
            return photo.gps
    return None


def _locate_address(data: ReportInput) -> None:
    """A typed address the geocoder knows exactly gets its position."""
    if data.has_point or not data.address:
        return
    place = geocoder().exact(data.address)
    if place is not None:
        data.lat, data.long = str(place.lat), str(place.lon)
        data.address_id = data.address_id or place.address_id
        data.postal_code = data.postal_code or place.postal_code


def _post(request: HttpRequest, service: Service) -> HttpResponse:
    data = report_form.read(request.POST, service)
    anonymous = not request.user.is_authenticated
    if anonymous:
        retry = ratelimit.blocked(request, SUBMIT_SCOPE, settings.PORTAL_SUBMISSIONS_PER_WINDOW)
        if retry is not None:
            minutes = max(1, (retry + 59) // 60)
            message = _(
                "Thank you for your reports. You have sent many from this connection in a "
                "short time, so please wait %(minutes)d minutes before sending another, or "
                "call 311."
            ) % {"minutes": minutes}
            kept = [p for p in map(photos.restore, data.photo_tokens) if p is not None]
            response = _form(
                request, service, data, errors={"__all__": [message]}, kept=kept, status=429
            )
            response["Retry-After"] = str(retry)
            return response

    city = City.current()
    kept, photo_problems = _keep_photos(data.photo_tokens, request.FILES.getlist("photos"))
    action = request.POST.get("action", "submit")
    position = None if (data.has_point or data.address) else _photo_position(kept, city)
    if action == "use_photo_position" and position:
        data.lat, data.long = str(position[0]), str(position[1])
        notice = _("The location is set from your photo. Check it, then send the report.")
        return _form(request, service, data, kept=kept, notice=notice)

    _locate_address(data)
    point = nearby.parse_point(data.lat, data.long) if data.has_point else None
    listed = nearby.open_nearby(service, *point) if point else []
    unseen = [item for item in listed if item.request.tracking_number not in data.nearby_seen]

    if photo_problems:
        errors: dict[str, list[str]] = {"photos": photo_problems}
        try:
            validate_answers(service, data.answers, city.time_zone)
        except InvalidInput as exc:
            errors.update(exc.errors)
        return _form(
            request, service, data, errors=errors, kept=kept, listed=listed,
            photo_position=position, status=400,
        )  # fmt: skip
    if unseen:
        notice = _(
            "Before we file it: these open reports of the same problem are close by. If one "
            "of them is yours, choose “This is mine too”. If not, send your report again."
        )
        return _form(request, service, data, kept=kept, listed=listed, notice=notice)

    user = request.user if request.user.is_authenticated else None
    try:
        filed = workflow.submit(
            service=service,
            actor=workflow.Actor.resident(user),
            channel=Channel.WEB,
            description=data.description,
            answers=data.answers,
            lat=data.lat or None,
            long=data.long or None,
            address=data.address,
            address_id=data.address_id,
            postal_code=data.postal_code,
            contact=workflow.Contact(
                user=user,
                name=data.name,
                email=data.email,
                phone=data.phone,
                preference=data.preference or None,
                language=get_language(),
            ),
            photos=[photos.as_clean_photo(photo) for photo in kept],
        )
    except InvalidInput as exc:
        return _form(
            request, service, data, errors=exc.errors, kept=kept, listed=listed,
            photo_position=position, status=400,
        )  # fmt: skip
    except UnknownService as exc:
        return _form(request, service, data, errors={"__all__": [str(exc)]}, kept=kept, status=400)
    photos.discard(kept)
    if anonymous:
        ratelimit.count(request, SUBMIT_SCOPE)
    submitted = [filed.tracking_number, *request.session.get(SESSION_KEY, [])][:20]
    request.session[SESSION_KEY] = submitted
    return redirect("portal:submitted", filed.tracking_number)


def submitted(request: HttpRequest, number: str) -> HttpResponse:
    """The confirmation, for the browser that filed the request; anyone else gets the
    public tracking page."""
    if number not in request.session.get(SESSION_KEY, []):
        return redirect("portal:track", number)
    filed = ServiceRequest.objects.select_related("service").filter(tracking_number=number).first()
    if filed is None:
        return redirect("portal:track", number)
    context = {
        "nav": "report",
        "request_number": filed.display_number,
        "tracking_number": filed.tracking_number,
        "service": filed.service,
        "emailed": filed.contact_preference == "email" and bool(filed.contact_email),
    }
    return render(request, "portal/submitted.html", context)


def nearby_fragment(request: HttpRequest, code: str) -> HttpResponse:
    """The nearby list for a point (HTMX, while the resident places the pin)."""
    service = public_service(code)
    point = nearby.parse_point(request.GET.get("lat", ""), request.GET.get("long", ""))
    listed = nearby.open_nearby(service, *point) if point else []
    seen = ",".join(item.request.tracking_number for item in listed)
    return render(
        request,
        "portal/_nearby.html",
        {"nearby": listed, "nearby_seen": seen, "service": service, "live": True},
    )
