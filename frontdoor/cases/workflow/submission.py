"""Filing a new request: validate everything, then route, time and record it at once."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from frontdoor.accounts.models import ContactPreference
from frontdoor.cases import idle, routing, sla, tracking
from frontdoor.cases.answers import MAX_TEXT, clean_string, validate_answers
from frontdoor.cases.errors import (
    DomainError,
    InvalidInput,
    UnknownService,
)
from frontdoor.cases.images import CleanPhoto
from frontdoor.cases.models import (
    Attachment,
    Channel,
    Event,
    ServiceRequest,
    Status,
    Visibility,
)
from frontdoor.cases.workflow.base import (
    MAX_PHOTOS,
    A,
    Actor,
    Contact,
    _clean_photos,
    _dispatch,
    _event,
    _store_photo,
    _writing,
)
from frontdoor.catalogue.models import City, Priority, Service, WorkGroup


def _parse_coordinate(value: Any, lo: float, hi: float, message: str) -> float:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(message) from None
    if not math.isfinite(number) or not lo <= number <= hi:
        raise ValueError(message)
    return round(number, 7)


def calendar_for(group: WorkGroup | None, city: City) -> sla.Calendar:
    """The business calendar of the group's department, else the city's (cached)."""
    from frontdoor.catalogue.cache import cached

    department_id = group.department_id if group else None

    def load() -> sla.Calendar:
        department = group.department if group else None
        calendar = department.calendar if department and department.calendar_id else None
        calendar = calendar or city.calendar
        if calendar is None:
            return sla.Calendar.build(sla.DEFAULT_HOURS, (), city.time_zone)
        holidays = list(calendar.holidays.values_list("date", flat=True))
        return sla.Calendar.build(calendar.hours, holidays, city.time_zone)

    return cached(("calendar", department_id, city.pk, city.time_zone), load)


def at_risk_for(
    start: datetime, due: datetime | None, clock: str, calendar: sla.Calendar
) -> datetime | None:
    """When a request with this due time becomes at risk (``SLA_AT_RISK_SHARE``)."""
    if due is None:
        return None
    return sla.at_risk_from(start, due, settings.SLA_AT_RISK_SHARE, calendar, clock)


def _clean_contact(contact: Contact | None, errors: dict[str, list[str]]) -> dict[str, Any]:
    contact = contact or Contact()
    user = contact.user if contact.user and contact.user.is_authenticated else None
    name = " ".join((contact.name or (user.get_full_name() if user else "")).split())[:150]
    email = (contact.email or (user.email if user else "")).strip()
    phone = (contact.phone or (user.phone if user else "")).strip()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid e-mail address.")]
    if phone:
        digits = [c for c in phone if c.isdigit()]
        if len(phone) > 32 or len(digits) < 7 or any(c not in "0123456789+-(). " for c in phone):
            errors["phone"] = [_("Enter a valid phone number.")]
    preference = contact.preference or (user.contact_preference if user else None)
    if not preference:
        preference = (
            ContactPreference.EMAIL if email else ContactPreference.SMS if phone else "none"
        )
    if preference not in ContactPreference.values:
        errors["contact_preference"] = [_("Choose how we should contact you.")]
    elif preference == ContactPreference.EMAIL and not email:
        errors["email"] = [_("Give an e-mail address to get updates by e-mail.")]
    elif preference in (ContactPreference.SMS, ContactPreference.PHONE) and not phone:
        errors["phone"] = [_("Give a phone number to be contacted by phone or text.")]
    languages = {code for code, _name in settings.LANGUAGES}
    language = contact.language or (user.language if user else None) or ""
    if language not in languages:
        language = City.current().default_language
    return {
        "requester": user,
        "contact_name": name,
        "contact_email": email[:254],
        "contact_phone": phone,
        "contact_preference": preference,
        "language": language,
    }


def submit(
    *,
    service: Service | str,
    actor: Actor,
    channel: str,
    description: str = "",
    answers: Mapping[str, Any] | None = None,
    lat: Any = None,
    long: Any = None,
    address: str = "",
    address_id: str = "",
    postal_code: str = "",
    contact: Contact | None = None,
    photos: Sequence[Any] = (),
    media_urls: Sequence[str] = (),
    priority: str | None = None,
    client_app: str = "",
    requested_at: datetime | None = None,
    external_source: str = "",
    external_id: str = "",
    notify: bool = True,
    require_answers: bool = True,
    on_created: Callable[[ServiceRequest], None] | None = None,
) -> ServiceRequest:
    """File a new request.

    Validates everything first (service, answers, location, contact, photos) and raises
    ``InvalidInput`` with every problem at once, writing nothing. Then, in one
    transaction: creates the request with a tracking number, its zones, group (routing)
    and due time; writes ``request.created``, ``request.routed`` and one
    ``request.attachment_added`` per photo; queues the confirmation and group e-mails.

    Imports of historical requests pass ``notify=False`` (nobody is e-mailed about a
    request filed elsewhere years ago) and ``require_answers=False`` (the source system
    exported no answers, so today's required questions cannot be enforced).
    """
    city = City.current()
    errors: dict[str, list[str]] = {}

    if isinstance(service, str):
        code = service
        service = (
            Service.objects.select_related("default_group", "category").filter(code=code).first()
        )  # type: ignore[assignment]
        if service is None:
            raise UnknownService(
                _("There is no service with the code “%(code)s”.") % {"code": code[:40]}
            )
    assert isinstance(service, Service)
    if not service.active:
        raise UnknownService(
            _("The service “%(name)s” is no longer offered.") % {"name": service.name}
        )
    if service.info_only and not actor.is_staff:
        raise UnknownService(
            _("“%(name)s” is information only: there is no request to file.")
            % {"name": service.name}
        )
    if service.audience == Service.Audience.STAFF and not actor.is_staff:
        raise UnknownService(
            _("“%(name)s” can only be requested by calling the city.") % {"name": service.name}
        )
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel.")]

    try:
        description = clean_string(description or "", MAX_TEXT, multiline=True)
    except ValueError as exc:
        errors["description"] = [str(exc)]
    try:
        address = clean_string(address or "", 300, multiline=False)
    except ValueError as exc:
        errors["address"] = [str(exc)]
    address_id = clean_string(address_id or "", 64, multiline=False)[:64]
    postal_code = clean_string(postal_code or "", 16, multiline=False)[:16]

    point: tuple[float, float] | None = None
    has_lat = lat not in (None, "")
    has_long = long not in (None, "")
    if has_lat != has_long:
        errors["location"] = [_("Give both latitude and longitude, or neither.")]
    elif has_lat:
        try:
            point = (
                _parse_coordinate(lat, -90, 90, _("Latitude must be a number from -90 to 90.")),
                _parse_coordinate(
                    long, -180, 180, _("Longitude must be a number from -180 to 180.")
                ),
            )
        except ValueError as exc:
            errors["location"] = [str(exc)]
        else:
            if city.geometry and not city.covers(*point):
                errors["location"] = [
                    _("This location is outside %(city)s. Please choose a place in the city.")
                    % {"city": city.name}
                ]
    if service.location_required and point is None and not address and "location" not in errors:
        errors["location"] = [_("Please give a location: a point on the map or an address.")]

    contact_fields = _clean_contact(contact, errors)

    if priority is None:
        priority = service.priority
    elif priority not in Priority.values:
        errors["priority"] = [_("Unknown priority.")]

    try:
        cleaned_answers = validate_answers(
            service, answers or {}, city.time_zone, require=require_answers
        )
    except InvalidInput as exc:
        errors.update(exc.errors)
        cleaned_answers = {}

    clean_photos: list[CleanPhoto] = []
    try:
        clean_photos = _clean_photos(photos)
    except InvalidInput as exc:
        errors.update(exc.errors)

    clean_urls: list[str] = []
    for url in media_urls:
        url = (url or "").strip()
        if not url:
            continue
        try:
            URLValidator(schemes=["http", "https"])(url)
            if len(url) > 500:
                raise ValidationError("too long")
        except ValidationError:
            errors["media_url"] = [_("A photo link must be a web address (http or https).")]
            break
        clean_urls.append(url)
    if len(clean_photos) + len(clean_urls) > MAX_PHOTOS:
        errors["photos"] = [_("You can attach up to %(count)d photos.") % {"count": MAX_PHOTOS}]

    if errors:
        raise InvalidInput(errors)

    now = timezone.now()
    requested_at = requested_at or now
    zones = routing.zones_at(*point) if point else []
    route = routing.route(service, zones, city)
    calendar = calendar_for(route.group, city)
    due_at = sla.compute_due(
        requested_at, service.sla_amount, service.sla_unit, service.sla_clock, calendar
    )
    at_risk_at = at_risk_for(requested_at, due_at, service.sla_clock, calendar)
    system = Actor.system()

    def write() -> ServiceRequest:
        with _writing():
            request = ServiceRequest(
                service=service,
                description=description,
                answers=cleaned_answers,
                lat=point[0] if point else None,
                long=point[1] if point else None,
                address=address,
                address_id=address_id,
                postal_code=postal_code,
                channel=channel,
                client_app=client_app[:120],
                status=Status.NEW,
                group=route.group,
                priority=priority,
                requested_at=requested_at,
                updated_at=now,
                due_at=due_at,
                sla_at_risk_at=at_risk_at,
                external_source=external_source[:200],
                external_id=external_id[:120],
                **contact_fields,
            )
            idle.reset(request)  # the idle clock starts at filing, as after every change
            request.tracking_number = tracking.generate()
            request.save()
            if zones:
                through = ServiceRequest.zones.through
                through.objects.bulk_create(
                    [through(servicerequest_id=request.pk, zone_id=zone.pk) for zone in zones]
                )
            events = [
                _event(
                    request,
                    A.CREATED,
                    actor,
                    Visibility.PUBLIC,
                    {
                        "after": {
                            "service": service.code,
                            "status": Status.NEW,
                            "priority": priority,
                            "channel": channel,
                            "due_at": due_at.isoformat() if due_at else None,
                        }
                    },
                    at=requested_at,
                    save=False,
                ),
                _event(
                    request,
                    A.ROUTED,
                    system,
                    Visibility.INTERNAL,
                    {
                        "after": {"group": route.group.code},
                        "zones": [zone.code for zone in zones],
                        "rule": route.rule.pk if route.rule else None,
                        "reason": str(route.reason),
                    },
                    at=requested_at,
                    save=False,
                ),
            ]
            Event.objects.bulk_create(events)
            for photo in clean_photos:
                events.append(_store_photo(request, photo, actor, Visibility.PUBLIC))
            for url in clean_urls:
                attachment = Attachment.objects.create(
                    request=request, external_url=url, visibility=Visibility.PUBLIC
                )
                events.append(
                    _event(
                        request,
                        A.ATTACHMENT,
                        actor,
                        Visibility.PUBLIC,
                        {"attachment": attachment.pk, "url": url},
                        at=requested_at,
                    )
                )
            if notify:
                _dispatch(events)
            if on_created is not None:
                # The caller's own record of this submission (e.g. an API idempotency key),
                # committed or rolled back together with the request.
                on_created(request)
        return request

    # A tracking number is random; on the rare clash with an existing one the whole
    # transaction rolls back and is tried again with a new number (a savepoint around the
    # insert would cost two more round trips on every submission).
    for _attempt in range(8):
        try:
            return write()
        except IntegrityError as exc:
            if "tracking_number" in str(exc):
                continue
            if (
                external_id
                and ServiceRequest.objects.filter(
                    external_source=external_source, external_id=external_id
                ).exists()
            ):
                raise DomainError(
                    _("This request was already imported."), code="duplicate_import"
                ) from None
            raise
    raise DomainError(_("Could not allocate a tracking number; please try again."))
