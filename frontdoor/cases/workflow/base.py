"""Shared machinery of the workflow: the transition table, actors, the locked change,
events and notification dispatch."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontdoor.accounts.models import ContactPreference, User
from frontdoor.cases import idle
from frontdoor.cases.answers import clean_string
from frontdoor.cases.errors import (
    DomainError,
    InvalidInput,
    StaleRequest,
    TransitionNotAllowed,
)
from frontdoor.cases.images import CleanPhoto, PhotoRejected, clean_photo
from frontdoor.cases.models import (
    Attachment,
    Event,
    ServiceRequest,
    Status,
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
    save: bool = True,
) -> Event:
    """An event of this request's current version; ``save=False`` leaves it for the caller
    to insert with others in one statement (``Event.objects.bulk_create``)."""
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
    if save:
        event.save()
    return event


def _dispatch(events: Sequence[Event]) -> None:
    from frontdoor.notifications import services as notifications

    notifications.on_events(events)


def _check(request: ServiceRequest, action: str) -> Status:
    allowed = TRANSITIONS[action]
    current = Status(request.status)
    if current not in allowed:
        message = FORBIDDEN_MESSAGES.get(action, FORBIDDEN_DEFAULT)
        raise TransitionNotAllowed(message % {"status": current.label})
    return allowed[current]


# One whole sentence per action (not a verb spliced into a template) so translators can
# write natural sentences; %(status)s is the request's current status label.
FORBIDDEN_DEFAULT = gettext_lazy("This is not possible while the request is “%(status)s”.")
FORBIDDEN_MESSAGES = {
    "start": gettext_lazy("Work cannot start on a request that is “%(status)s”."),
    "assign": gettext_lazy("A request that is “%(status)s” cannot be assigned."),
    "forward": gettext_lazy("A request that is “%(status)s” cannot be forwarded."),
    "hold": gettext_lazy("A request that is “%(status)s” cannot be put on hold."),
    "request_info": gettext_lazy(
        "You cannot ask for more information on a request that is “%(status)s”."
    ),
    "resume": gettext_lazy("Only a request on hold can be resumed; this one is “%(status)s”."),
    "set_priority": gettext_lazy(
        "The priority of a request that is “%(status)s” cannot be changed."
    ),
    "close": gettext_lazy("This request is already “%(status)s”."),
    "mark_duplicate": gettext_lazy(
        "A request that is “%(status)s” cannot be closed as a duplicate."
    ),
    "reopen": gettext_lazy("Only a closed request can be reopened; this one is “%(status)s”."),
    "record_survey": gettext_lazy(
        "The survey opens when the request is closed; this one is “%(status)s”."
    ),
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
        # Every change is a touch: the idle-reminder clock starts again.
        idle.reset(locked)
        locked.save()
        _dispatch(pending.events)
    if isinstance(request, ServiceRequest):
        request.refresh_from_db()


def _status_data(before: str, after: str) -> dict[str, Any]:
    return {"before": {"status": before}, "after": {"status": after}}


# --- The service-level clock ----------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _with_changes(data: dict[str, Any], changes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Add the before/after values of ``changes`` to an event's data."""
    for side in ("before", "after"):
        if changes.get(side):
            data[side] = {**data.get(side, {}), **changes[side]}
    return data


def _pause_sla(req: ServiceRequest) -> dict[str, dict[str, Any]]:
    """Stop the service-level clock while the city waits on the resident (no-op when it
    already stands still or the request has no due time). Returns before/after data."""
    if req.sla_paused_at is not None or req.due_at is None:
        return {}
    req.sla_paused_at = req.updated_at
    return {"before": {"sla_paused_at": None}, "after": {"sla_paused_at": _iso(req.updated_at)}}


def _unpause_sla(req: ServiceRequest) -> dict[str, dict[str, Any]]:
    """Restart a stopped clock: the due time (and the at-risk time) move later by the paused
    time that counts on the service's clock. Returns before/after data."""
    if req.sla_paused_at is None:
        return {}
    from frontdoor.cases import sla
    from frontdoor.cases.workflow.submission import calendar_for
    from frontdoor.catalogue.models import City

    paused_from, paused_to = req.sla_paused_at, req.updated_at
    before = {
        "sla_paused_at": _iso(paused_from),
        "due_at": _iso(req.due_at),
        "sla_at_risk_at": _iso(req.sla_at_risk_at),
    }
    calendar = calendar_for(req.group, City.current())
    clock = req.service.sla_clock
    if req.due_at is not None:
        req.due_at = sla.extend_due(req.due_at, paused_from, paused_to, calendar, clock)
    if req.sla_at_risk_at is not None:
        req.sla_at_risk_at = sla.extend_due(
            req.sla_at_risk_at, paused_from, paused_to, calendar, clock
        )
    req.sla_paused_at = None
    after = {
        "sla_paused_at": None,
        "due_at": _iso(req.due_at),
        "sla_at_risk_at": _iso(req.sla_at_risk_at),
    }
    return {"before": before, "after": after}


# --- Helpers shared by submission and actions ------------------------------------------


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
    # The file reaches storage before the transaction commits; if it then rolls back, the
    # file is an orphan nobody links to (harmless, never shown).
    attachment.file.save(f"photo.{photo.extension}", photo.content, save=False)
    attachment.save()
    return _event(request, A.ATTACHMENT, actor, visibility, {"attachment": attachment.pk})


def _require_contact(req: ServiceRequest) -> None:
    if req.contact_preference == ContactPreference.NONE or not (
        req.contact_email or req.contact_phone or req.requester_id
    ):
        raise TransitionNotAllowed(
            _("The requester asked not to be contacted or left no contact details.")
        )


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
