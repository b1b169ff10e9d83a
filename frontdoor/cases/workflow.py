"""The one door into the case domain.

Every channel (portal, staff pages, Open311, e-mail, SMS, import, admin actions, jobs)
changes service requests only through these functions. Each one, in a single
transaction: locks the request row, checks the move against ``TRANSITIONS``, applies it,
bumps ``version``, appends the events, and queues the notifications those events cause.
A forbidden move raises a ``DomainError`` and writes nothing.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontdoor.accounts.models import ContactPreference, User
from frontdoor.catalogue.models import City, Priority, Service, WorkGroup
from frontdoor.cases import routing, sla, tracking
from frontdoor.cases.answers import MAX_TEXT, clean_string, validate_answers
from frontdoor.cases.errors import (
    DomainError,
    InvalidInput,
    StaleRequest,
    TransitionNotAllowed,
    UnknownService,
)
from frontdoor.cases.images import CleanPhoto, PhotoRejected, clean_photo
from frontdoor.cases.models import (
    Attachment,
    Channel,
    Event,
    Follower,
    HoldReason,
    Resolution,
    ServiceRequest,
    Status,
    Visibility,
    workflow_writing,
)

A = Event.Action
MAX_PHOTOS = 5
MAX_NOTE = 4000
ALL = tuple(Status)
OPEN = (Status.NEW, Status.IN_PROGRESS, Status.ON_HOLD)

# action -> {from status: to status}. A status missing from an action's map is forbidden.
TRANSITIONS: dict[str, dict[Status, Status]] = {
    "start": {Status.NEW: Status.IN_PROGRESS},
    "assign": {
        Status.NEW: Status.IN_PROGRESS,
        Status.IN_PROGRESS: Status.IN_PROGRESS,
        Status.ON_HOLD: Status.ON_HOLD,
    },
    "forward": {s: Status.NEW for s in OPEN},
    "hold": {Status.NEW: Status.ON_HOLD, Status.IN_PROGRESS: Status.ON_HOLD},
    "request_info": {s: Status.ON_HOLD for s in OPEN},
    "resume": {Status.ON_HOLD: Status.IN_PROGRESS},
    "set_priority": {s: s for s in OPEN},
    "close": {s: Status.CLOSED for s in OPEN},
    "mark_duplicate": {s: Status.CLOSED for s in OPEN},
    "reopen": {Status.CLOSED: Status.NEW},
    "add_note": {s: s for s in ALL},
    "reply": {s: s for s in ALL},
    "message_requester": {s: s for s in ALL},
    # A resident's answer while the city waits on them resumes the request (see below).
    "receive_message": {s: s for s in ALL},
    "add_attachment": {s: s for s in ALL},
    "follow": {s: s for s in ALL},
    "merge_into": {s: s for s in ALL},
    "record_survey": {Status.CLOSED: Status.CLOSED},
}


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in user, or a label for residents without accounts, client
    applications and the system itself."""

    user: User | None = None
    label: str = ""
    is_staff: bool = False
    is_requester: bool = False

    @classmethod
    def system(cls, label: str = "Frontdoor") -> Actor:
        return cls(label=label, is_staff=True)

    @classmethod
    def staff(cls, user: User) -> Actor:
        return cls(user=user, label=user.display_name, is_staff=True)

    @classmethod
    def resident(cls, user: User | None = None, label: str = "") -> Actor:
        return cls(user=user, label=label or (user.display_name if user else _("Resident")))

    @classmethod
    def client(cls, app_name: str) -> Actor:
        return cls(label=f"Open311: {app_name}")

    @property
    def name(self) -> str:
        return self.label or (self.user.display_name if self.user else "")


@dataclass(frozen=True)
class Contact:
    """The requester: an account, contact details only, or nobody (anonymous)."""

    user: User | None = None
    name: str = ""
    email: str = ""
    phone: str = ""
    preference: str | None = None
    language: str | None = None


@dataclass
class _Pending:
    events: list[Event] = field(default_factory=list)


@contextlib.contextmanager
def _writing() -> Iterator[None]:
    token = workflow_writing.set(True)
    try:
        with transaction.atomic():
            yield
    finally:
        workflow_writing.reset(token)


def _clean_text(value: str | None, limit: int, label: str, *, required: bool = False) -> str:
    try:
        text = clean_string(value or "", limit, multiline=True)
    except ValueError as exc:
        raise InvalidInput({label: [str(exc)]}) from None
    if required and not text:
        raise InvalidInput({label: [_("This field is required.")]})
    return text


def _event(
    request: ServiceRequest,
    action: str,
    actor: Actor,
    visibility: str,
    data: dict[str, Any] | None = None,
    *,
    at: datetime | None = None,
) -> Event:
    event = Event(
        request=request,
        action=action,
        actor=actor.user,
        actor_label=actor.name[:150],
        visibility=visibility,
        version=request.version,
        data=data or {},
        created_at=at or timezone.now(),
    )
    event.save()
    return event


def _dispatch(events: Sequence[Event]) -> None:
    from frontdoor.notifications import services as notifications

    notifications.on_events(events)


def _check(request: ServiceRequest, action: str) -> Status:
    allowed = TRANSITIONS[action]
    current = Status(request.status)
    if current not in allowed:
        raise TransitionNotAllowed(
            _("You cannot %(action)s a request that is %(status)s.")
            % {"action": ACTION_VERBS.get(action, action), "status": current.label.lower()}
        )
    return allowed[current]


ACTION_VERBS = {
    "start": _("start work on"),
    "assign": _("assign"),
    "forward": _("forward"),
    "hold": _("put on hold"),
    "request_info": _("ask for information on"),
    "resume": _("resume"),
    "set_priority": _("change the priority of"),
    "close": _("close"),
    "mark_duplicate": _("close as a duplicate"),
    "reopen": _("reopen"),
    "record_survey": _("answer the survey of"),
}


@contextlib.contextmanager
def _change(
    request: ServiceRequest | int, action: str, expected_version: int | None
) -> Iterator[tuple[ServiceRequest, Status, _Pending]]:
    """Lock the request, check the move, and on exit save it with its events."""
    pk = request.pk if isinstance(request, ServiceRequest) else request
    with _writing():
        try:
            locked = (
                ServiceRequest.objects.select_for_update(of=("self",))
                .select_related("service", "group", "group__department", "assignee", "requester")
                .get(pk=pk)
            )
        except ServiceRequest.DoesNotExist:
            raise DomainError(_("That request does not exist."), code="not_found") from None
        if expected_version is not None and locked.version != expected_version:
            raise StaleRequest(
                _(
                    "Someone else changed this request while you were working on it. "
                    "Reload it to see their change, then try again."
                )
            )
        target = _check(locked, action)
        pending = _Pending()
        locked.version += 1
        locked.updated_at = timezone.now()
        yield locked, target, pending
        if not pending.events:
            raise AssertionError(f"workflow action {action} wrote no event")
        locked.save()
        _dispatch(pending.events)
    if isinstance(request, ServiceRequest):
        request.refresh_from_db()


def _status_data(before: str, after: str) -> dict[str, Any]:
    return {"before": {"status": before}, "after": {"status": after}}


# --- Submission -----------------------------------------------------------------------


def _parse_coordinate(value: Any, lo: float, hi: float, message: str) -> float:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(message) from None
    if not math.isfinite(number) or not lo <= number <= hi:
        raise ValueError(message)
    return round(number, 7)


def calendar_for(group: WorkGroup | None, city: City) -> sla.Calendar:
    calendar = group.department.calendar if group and group.department.calendar_id else None
    calendar = calendar or city.calendar
    if calendar is None:
        return sla.Calendar.build(sla.DEFAULT_HOURS, (), city.time_zone)
    holidays = calendar.holidays.values_list("date", flat=True)
    return sla.Calendar.build(calendar.hours, list(holidays), city.time_zone)


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
    priority: str | None = None,
    client_app: str = "",
    requested_at: datetime | None = None,
    external_source: str = "",
    external_id: str = "",
) -> ServiceRequest:
    """File a new request.

    Validates everything first (service, answers, location, contact, photos) and raises
    ``InvalidInput`` with every problem at once, writing nothing. Then, in one
    transaction: creates the request with a tracking number, its zones, group (routing)
    and due time; writes ``request.created``, ``request.routed`` and one
    ``request.attachment_added`` per photo; queues the confirmation and group e-mails.
    """
    city = City.current()
    errors: dict[str, list[str]] = {}

    if isinstance(service, str):
        code = service
        service = Service.objects.select_related("default_group", "category").filter(
            code=code
        ).first()  # type: ignore[assignment]
        if service is None:
            raise UnknownService(_("There is no service with the code “%(code)s”.") % {
                "code": code[:40]
            })
    assert isinstance(service, Service)
    if not service.active:
        raise UnknownService(_("The service “%(name)s” is no longer offered.") % {
            "name": service.name
        })
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
        cleaned_answers = validate_answers(service, answers or {}, city.time_zone)
    except InvalidInput as exc:
        errors.update(exc.errors)
        cleaned_answers = {}

    clean_photos: list[CleanPhoto] = []
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [
            _("You can attach up to %(count)d photos.") % {"count": MAX_PHOTOS}
        ]
    else:
        for photo in photos:
            if isinstance(photo, CleanPhoto):
                clean_photos.append(photo)
                continue
            try:
                clean_photos.append(clean_photo(photo, size=getattr(photo, "size", None)))
            except PhotoRejected as exc:
                errors.setdefault("photos", []).append(str(exc))

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
    system = Actor.system()

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
            external_source=external_source[:200],
            external_id=external_id[:120],
            **contact_fields,
        )
        for _attempt in range(8):
            request.tracking_number = tracking.generate()
            try:
                with transaction.atomic():
                    request.save()
                break
            except IntegrityError:
                if external_id and ServiceRequest.objects.filter(
                    external_source=external_source, external_id=external_id
                ).exists():
                    raise DomainError(
                        _("This request was already imported."), code="duplicate_import"
                    ) from None
                continue
        else:
            raise DomainError(_("Could not allocate a tracking number; please try again."))
        if zones:
            request.zones.set(zones)
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
            ),
        ]
        for photo in clean_photos:
            events.append(_store_photo(request, photo, actor, Visibility.PUBLIC))
        _dispatch(events)
    return request


def _store_photo(
    request: ServiceRequest, photo: CleanPhoto, actor: Actor, visibility: str
) -> Event:
    attachment = Attachment(
        request=request,
        content_type=photo.content_type,
        width=photo.width,
        height=photo.height,
        size=photo.content.size,
        visibility=visibility,
        uploaded_by=actor.user,
    )
    attachment.file.save(f"photo.{photo.extension}", photo.content, save=False)
    attachment.save()
    return _event(
        request, A.ATTACHMENT, actor, visibility, {"attachment": attachment.pk}
    )


# --- Staff actions ----------------------------------------------------------------------


def start(request: ServiceRequest | int, *, actor: Actor, expected_version: int | None = None):
    """Mark a new request as being worked on. Writes ``request.status_changed`` (public)."""
    with _change(request, "start", expected_version) as (req, target, out):
        before, req.status = req.status, target
        out.events.append(
            _event(req, A.STATUS_CHANGED, actor, Visibility.PUBLIC, _status_data(before, target))
        )
        return req


def assign(
    request: ServiceRequest | int,
    assignee: User | None,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Give the request to a member of its group (None: unassign). A new request becomes
    in progress. Writes ``request.assigned`` (internal); e-mails the assignee."""
    with _change(request, "assign", expected_version) as (req, target, out):
        if assignee is not None:
            if not assignee.is_active:
                raise InvalidInput({"assignee": [_("This account is deactivated.")]})
            if not req.group or not req.group.memberships.filter(user=assignee).exists():
                raise InvalidInput(
                    {"assignee": [_("%(name)s is not a member of %(group)s.") % {
                        "name": assignee.display_name, "group": req.group}]}
                )
        if assignee is None and req.assignee_id is None:
            raise TransitionNotAllowed(_("This request is not assigned to anyone."))
        if assignee is not None and req.assignee_id == assignee.pk:
            raise TransitionNotAllowed(
                _("This request is already assigned to %(name)s.") % {"name": assignee.display_name}
            )
        before = {"assignee": req.assignee_id, "status": req.status}
        req.assignee = assignee
        req.status = target if assignee is not None else req.status
        out.events.append(
            _event(
                req,
                A.ASSIGNED,
                actor,
                Visibility.INTERNAL,
                {
                    "before": before,
                    "after": {"assignee": req.assignee_id, "status": req.status},
                    "assignee_name": assignee.display_name if assignee else "",
                },
            )
        )
        return req


def forward(
    request: ServiceRequest | int,
    group: WorkGroup,
    *,
    reason: str,
    actor: Actor,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Send the request to another group's queue (unassigned, status new). Writes
    ``request.forwarded`` (internal); e-mails the new group."""
    reason = _clean_text(reason, MAX_NOTE, "reason", required=True)
    with _change(request, "forward", expected_version) as (req, target, out):
        if not group.active:
            raise InvalidInput({"group": [_("%(group)s is inactive.") % {"group": group}]})
        if group.pk == req.group_id:
            raise InvalidInput({"group": [_("The request is already with %(group)s.") % {
                "group": group}]})
        before = {"group": req.group.code if req.group else None, "assignee": req.assignee_id,
                  "status": req.status}
        req.group, req.assignee, req.status, req.hold_reason = group, None, target, ""
        out.events.append(
            _event(
                req,
                A.FORWARDED,
                actor,
                Visibility.INTERNAL,
                {
                    "before": before,
                    "after": {"group": group.code, "assignee": None, "status": target},
                    "text": reason,
                },
            )
        )
        return req


def hold(
    request: ServiceRequest | int,
    *,
    reason: str,
    actor: Actor,
    public_note: str = "",
    expected_version: int | None = None,
) -> ServiceRequest:
    """Pause work for a reason (shown to the public with the optional note)."""
    if reason not in HoldReason.values:
        raise InvalidInput({"reason": [_("Choose why the request is on hold.")]})
    public_note = _clean_text(public_note, MAX_NOTE, "public_note")
    with _change(request, "hold", expected_version) as (req, target, out):
        before = req.status
        req.status, req.hold_reason = target, reason
        data = _status_data(before, target) | {"reason": reason, "text": public_note}
        out.events.append(_event(req, A.HELD, actor, Visibility.PUBLIC, data))
        return req


def request_info(
    request: ServiceRequest | int,
    text: str,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Ask the requester a question; the request waits on them (on hold) until they
    answer. Writes ``request.info_requested`` (requester); e-mails the requester."""
    text = _clean_text(text, MAX_NOTE, "text", required=True)
    with _change(request, "request_info", expected_version) as (req, target, out):
        _require_contact(req)
        before = req.status
        req.status, req.hold_reason = target, HoldReason.WAITING_ON_RESIDENT
        data = _status_data(before, target) | {"reason": req.hold_reason, "text": text}
        out.events.append(_event(req, A.INFO_REQUESTED, actor, Visibility.REQUESTER, data))
        return req


def resume(
    request: ServiceRequest | int,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> ServiceRequest:
    with _change(request, "resume", expected_version) as (req, target, out):
        before = {"status": req.status, "hold_reason": req.hold_reason}
        req.status, req.hold_reason = target, ""
        out.events.append(
            _event(
                req,
                A.RESUMED,
                actor,
                Visibility.PUBLIC,
                {"before": before, "after": {"status": target, "hold_reason": ""}},
            )
        )
        return req


def set_priority(
    request: ServiceRequest | int,
    priority: str,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> ServiceRequest:
    if priority not in Priority.values:
        raise InvalidInput({"priority": [_("Unknown priority.")]})
    with _change(request, "set_priority", expected_version) as (req, _target, out):
        if req.priority == priority:
            raise InvalidInput({"priority": [_("The priority is already %(p)s.") % {
                "p": Priority(priority).label}]})
        before, req.priority = req.priority, priority
        out.events.append(
            _event(
                req,
                A.PRIORITY_CHANGED,
                actor,
                Visibility.INTERNAL,
                {"before": {"priority": before}, "after": {"priority": priority}},
            )
        )
        return req


def add_note(
    request: ServiceRequest | int,
    text: str,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Internal note: staff only, never shown to residents, no notification."""
    text = _clean_text(text, MAX_NOTE, "text", required=True)
    with _change(request, "add_note", expected_version) as (req, _t, out):
        out.events.append(_event(req, A.NOTE, actor, Visibility.INTERNAL, {"text": text}))
        return req


def reply(
    request: ServiceRequest | int,
    text: str,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Public reply: on the public timeline; e-mailed to the requester and followers."""
    text = _clean_text(text, MAX_NOTE, "text", required=True)
    with _change(request, "reply", expected_version) as (req, _t, out):
        out.events.append(_event(req, A.REPLY, actor, Visibility.PUBLIC, {"text": text}))
        return req


def _require_contact(req: ServiceRequest) -> None:
    if req.contact_preference == ContactPreference.NONE or not (
        req.contact_email or req.contact_phone or req.requester_id
    ):
        raise TransitionNotAllowed(
            _("The requester asked not to be contacted or left no contact details.")
        )


def message_requester(
    request: ServiceRequest | int,
    text: str,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Private message to the requester only (not public, not followers)."""
    text = _clean_text(text, MAX_NOTE, "text", required=True)
    with _change(request, "message_requester", expected_version) as (req, _t, out):
        _require_contact(req)
        out.events.append(
            _event(req, A.MESSAGE_TO_REQUESTER, actor, Visibility.REQUESTER, {"text": text})
        )
        return req


def receive_message(
    request: ServiceRequest | int,
    text: str,
    *,
    actor: Actor,
    photos: Sequence[Any] = (),
    expected_version: int | None = None,
) -> ServiceRequest:
    """A message from the requester. If the city was waiting on them, work resumes.
    E-mails the assignee (or the group)."""
    text = _clean_text(text, MAX_NOTE, "text", required=not photos)
    cleaned = _clean_photos(photos)
    with _change(request, "receive_message", expected_version) as (req, _t, out):
        out.events.append(
            _event(req, A.MESSAGE_FROM_REQUESTER, actor, Visibility.REQUESTER, {"text": text})
        )
        for photo in cleaned:
            out.events.append(_store_photo(req, photo, actor, Visibility.REQUESTER))
        if req.status == Status.ON_HOLD and req.hold_reason == HoldReason.WAITING_ON_RESIDENT:
            before = {"status": req.status, "hold_reason": req.hold_reason}
            req.status, req.hold_reason = Status.IN_PROGRESS, ""
            out.events.append(
                _event(
                    req,
                    A.RESUMED,
                    Actor.system(),
                    Visibility.PUBLIC,
                    {"before": before, "after": {"status": req.status, "hold_reason": ""},
                     "cause": "requester_answered"},
                )
            )
        return req


def _clean_photos(photos: Sequence[Any]) -> list[CleanPhoto]:
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(
            {"photos": [_("You can attach up to %(count)d photos.") % {"count": MAX_PHOTOS}]}
        )
    cleaned = []
    for photo in photos:
        if isinstance(photo, CleanPhoto):
            cleaned.append(photo)
            continue
        try:
            cleaned.append(clean_photo(photo, size=getattr(photo, "size", None)))
        except PhotoRejected as exc:
            raise InvalidInput({"photos": [str(exc)]}) from None
    return cleaned


def add_attachment(
    request: ServiceRequest | int,
    photo: Any,
    *,
    actor: Actor,
    visibility: str = Visibility.PUBLIC,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Attach a photo (re-encoded without EXIF). Writes ``request.attachment_added``."""
    if visibility not in Visibility.values:
        raise InvalidInput({"visibility": [_("Unknown visibility.")]})
    (cleaned,) = _clean_photos([photo])
    with _change(request, "add_attachment", expected_version) as (req, _t, out):
        out.events.append(_store_photo(req, cleaned, actor, visibility))
        return req


def close(
    request: ServiceRequest | int,
    resolution: str,
    *,
    actor: Actor,
    public_note: str = "",
    expected_version: int | None = None,
) -> ServiceRequest:
    """Close with a resolution; the note is shown publicly. E-mails requester and
    followers. Duplicates are closed with ``mark_duplicate`` instead."""
    if resolution == Resolution.DUPLICATE:
        raise InvalidInput(
            {"resolution": [_("To close as a duplicate, merge it into the original request.")]}
        )
    if resolution not in Resolution.values:
        raise InvalidInput({"resolution": [_("Choose a resolution.")]})
    public_note = _clean_text(public_note, MAX_NOTE, "public_note")
    with _change(request, "close", expected_version) as (req, target, out):
        before = req.status
        req.status, req.resolution, req.hold_reason = target, resolution, ""
        req.closed_at, req.status_notes = req.updated_at, public_note
        data = _status_data(before, target)
        data["after"]["resolution"] = resolution
        data["text"] = public_note
        out.events.append(_event(req, A.CLOSED, actor, Visibility.PUBLIC, data))
        return req


def reopen(
    request: ServiceRequest | int,
    *,
    reason: str,
    actor: Actor,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Reopen a closed request (back to its group as new, with a fresh due time)."""
    reason = _clean_text(reason, MAX_NOTE, "reason", required=True)
    with _change(request, "reopen", expected_version) as (req, target, out):
        before = {"status": req.status, "resolution": req.resolution,
                  "duplicate_of": req.duplicate_of_id}
        city = City.current()
        req.status, req.resolution, req.closed_at, req.duplicate_of = target, "", None, None
        req.status_notes = ""
        req.due_at = sla.compute_due(
            req.updated_at,
            req.service.sla_amount,
            req.service.sla_unit,
            req.service.sla_clock,
            calendar_for(req.group, city),
        )
        out.events.append(
            _event(
                req,
                A.REOPENED,
                actor,
                Visibility.PUBLIC,
                {"before": before, "after": {"status": target}, "text": reason},
            )
        )
        return req


def mark_duplicate(
    request: ServiceRequest | int,
    original: ServiceRequest | int,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Close ``request`` as a duplicate of ``original`` and merge it in: its requester
    becomes a supporter of the original, its followers and photos carry over.
    Writes ``request.marked_duplicate`` on the duplicate and ``request.merged`` on the
    original (both public)."""
    dup_pk = request.pk if isinstance(request, ServiceRequest) else request
    orig_pk = original.pk if isinstance(original, ServiceRequest) else original
    if dup_pk == orig_pk:
        raise InvalidInput({"original": [_("A request cannot be a duplicate of itself.")]})
    with _writing():
        # Lock both rows in a fixed order so two opposite merges cannot deadlock.
        for pk in sorted((dup_pk, orig_pk)):
            if not ServiceRequest.objects.select_for_update().filter(pk=pk).exists():
                raise DomainError(_("That request does not exist."), code="not_found")
        survivor = ServiceRequest.objects.get(pk=orig_pk)
        if survivor.duplicate_of_id is not None:
            raise InvalidInput(
                {"original": [_("%(number)s is itself a duplicate; merge into %(root)s.") % {
                    "number": survivor.display_number,
                    "root": survivor.duplicate_of.display_number}]}
            )
        with _change(dup_pk, "mark_duplicate", expected_version) as (dup, target, out):
            before = dup.status
            dup.status, dup.resolution, dup.duplicate_of = target, Resolution.DUPLICATE, survivor
            dup.closed_at, dup.hold_reason = dup.updated_at, ""
            data = _status_data(before, target)
            data["after"] |= {"resolution": Resolution.DUPLICATE,
                              "duplicate_of": survivor.tracking_number}
            out.events.append(_event(dup, A.MARKED_DUPLICATE, actor, Visibility.PUBLIC, data))
        dup.refresh_from_db()
        with _change(orig_pk, "merge_into", None) as (orig, _t, out):
            added_followers = _carry_followers(dup, orig)
            added_photos = 0
            for attachment in dup.attachments.filter(copied_from__isnull=True):
                Attachment.objects.create(
                    request=orig,
                    file=attachment.file.name,
                    content_type=attachment.content_type,
                    width=attachment.width,
                    height=attachment.height,
                    size=attachment.size,
                    visibility=attachment.visibility,
                    uploaded_by=attachment.uploaded_by,
                    copied_from=attachment,
                )
                added_photos += 1
            orig.supporter_count += 1 + dup.supporter_count
            out.events.append(
                _event(
                    orig,
                    A.MERGED,
                    actor,
                    Visibility.PUBLIC,
                    {
                        "merged": dup.tracking_number,
                        "followers_added": added_followers,
                        "attachments_added": added_photos,
                        "before": {"supporter_count": orig.supporter_count - 1 - dup.supporter_count},
                        "after": {"supporter_count": orig.supporter_count},
                    },
                )
            )
    if isinstance(request, ServiceRequest):
        request.refresh_from_db()
    return dup


def _carry_followers(dup: ServiceRequest, orig: ServiceRequest) -> int:
    wanted: list[tuple[User | None, str, bool]] = []
    if dup.requester_id:
        wanted.append((dup.requester, "", True))
    elif dup.contact_email and dup.contact_preference != ContactPreference.NONE:
        wanted.append((None, dup.contact_email, True))
    for follower in dup.followers.select_related("user"):
        wanted.append((follower.user, follower.email, follower.supporter))
    added = 0
    for user, email, supporter in wanted:
        existing = Follower.objects.filter(request=orig)
        existing = existing.filter(user=user) if user else existing.filter(email=email)
        if existing.exists():
            if supporter:
                existing.update(supporter=True)
            continue
        Follower.objects.create(request=orig, user=user, email="" if user else email,
                                supporter=supporter)
        added += 1
    return added


def follow(
    request: ServiceRequest | int,
    *,
    actor: Actor,
    user: User | None = None,
    email: str = "",
    supporter: bool = False,
) -> ServiceRequest:
    """Follow a request for updates; a supporter also counts as having reported it."""
    if user is None:
        email = (email or "").strip()
        try:
            EmailValidator()(email)
        except ValidationError:
            raise InvalidInput({"email": [_("Enter a valid e-mail address.")]}) from None
    with _change(request, "follow", None) as (req, _t, out):
        existing = Follower.objects.filter(request=req)
        existing = existing.filter(user=user) if user else existing.filter(email=email)
        follower = existing.first()
        if follower and (follower.supporter or not supporter):
            raise InvalidInput({"__all__": [_("You already follow this request.")]})
        if follower:
            follower.supporter = True
            follower.save(update_fields=["supporter"])
        else:
            Follower.objects.create(request=req, user=user, email="" if user else email,
                                    supporter=supporter)
        if supporter:
            req.supporter_count += 1
        out.events.append(
            _event(req, A.FOLLOWED, actor, Visibility.INTERNAL,
                   {"supporter": supporter, "user": user.pk if user else None})
        )
        return req


def record_survey(
    request: ServiceRequest | int,
    *,
    service_rating: int,
    timeliness_rating: int,
    comment: str = "",
    actor: Actor,
) -> ServiceRequest:
    """The requester's 1–5 ratings of a closed request, once."""
    errors = {}
    for name, value in (("service_rating", service_rating), ("timeliness_rating",
                                                             timeliness_rating)):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            errors[name] = [_("Choose a rating from 1 to 5.")]
    if errors:
        raise InvalidInput(errors)
    comment = _clean_text(comment, MAX_NOTE, "comment")
    with _change(request, "record_survey", None) as (req, _t, out):
        if req.events.filter(action=A.SURVEY).exists():
            raise TransitionNotAllowed(_("The survey for this request was already answered."))
        out.events.append(
            _event(req, A.SURVEY, actor, Visibility.INTERNAL,
                   {"service": service_rating, "timeliness": timeliness_rating,
                    "text": comment})
        )
        return req


def record_system_event(
    request: ServiceRequest | int, action: str, data: dict[str, Any] | None = None
) -> Event:
    """Reminders and service-level warnings: an internal event that changes nothing else.
    Used by the worker's sweeps."""
    if action not in (A.REMINDER, A.SLA_WARNING, A.SLA_BREACHED):
        raise ValueError(f"{action} is not a system event")
    pk = request.pk if isinstance(request, ServiceRequest) else request
    with _writing():
        req = ServiceRequest.objects.select_for_update(of=("self",)).get(pk=pk)
        event = _event(req, action, Actor.system(), Visibility.INTERNAL, data)
        _dispatch([event])
    return event
