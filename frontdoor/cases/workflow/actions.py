"""Staff and requester actions on an existing request."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from frontdoor.accounts.models import User
from frontdoor.cases import idle, sla
from frontdoor.cases.errors import (
    InvalidInput,
    TransitionNotAllowed,
)
from frontdoor.cases.models import (
    Event,
    HoldReason,
    Resolution,
    ServiceRequest,
    Status,
    Visibility,
)
from frontdoor.cases.workflow.base import (
    MAX_NOTE,
    A,
    Actor,
    _change,
    _clean_photos,
    _clean_text,
    _dispatch,
    _event,
    _iso,
    _pause_sla,
    _require_contact,
    _status_data,
    _store_photo,
    _unpause_sla,
    _with_changes,
    _writing,
)
from frontdoor.cases.workflow.submission import at_risk_for, calendar_for
from frontdoor.catalogue.models import City, Priority, WorkGroup


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
                    {
                        "assignee": [
                            _("%(name)s is not a member of %(group)s.")
                            % {"name": assignee.display_name, "group": req.group}
                        ]
                    }
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
            raise InvalidInput(
                {"group": [_("The request is already with %(group)s.") % {"group": group}]}
            )
        before = {
            "group": req.group.code if req.group else None,
            "assignee": req.assignee_id,
            "status": req.status,
        }
        # Forwarding ends a wait on the resident: the clock restarts (old group's calendar).
        clock = _unpause_sla(req)
        req.group, req.assignee, req.status, req.hold_reason = group, None, target, ""
        data = {
            "before": before,
            "after": {"group": group.code, "assignee": None, "status": target},
            "text": reason,
        }
        out.events.append(
            _event(req, A.FORWARDED, actor, Visibility.INTERNAL, _with_changes(data, clock))
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
        if reason == HoldReason.WAITING_ON_RESIDENT:
            _with_changes(data, _pause_sla(req))
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
        _with_changes(data, _pause_sla(req))
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
        data = {"before": before, "after": {"status": target, "hold_reason": ""}}
        _with_changes(data, _unpause_sla(req))
        out.events.append(_event(req, A.RESUMED, actor, Visibility.PUBLIC, data))
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
            raise InvalidInput(
                {
                    "priority": [
                        _("The priority is already %(p)s.") % {"p": Priority(priority).label}
                    ]
                }
            )
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


def _post_text(
    request: ServiceRequest | int,
    text: str,
    *,
    action: str,
    event_action: str,
    visibility: str,
    actor: Actor,
    expected_version: int | None,
    needs_contact: bool = False,
) -> ServiceRequest:
    text = _clean_text(text, MAX_NOTE, "text", required=True)
    with _change(request, action, expected_version) as (req, _t, out):
        if needs_contact:
            _require_contact(req)
        out.events.append(_event(req, event_action, actor, visibility, {"text": text}))
        return req


def add_note(
    request: ServiceRequest | int, text: str, *, actor: Actor, expected_version: int | None = None
) -> ServiceRequest:
    """Internal note: staff only, never shown to residents, no notification."""
    return _post_text(
        request,
        text,
        action="add_note",
        event_action=A.NOTE,
        visibility=Visibility.INTERNAL,
        actor=actor,
        expected_version=expected_version,
    )


def reply(
    request: ServiceRequest | int, text: str, *, actor: Actor, expected_version: int | None = None
) -> ServiceRequest:
    """Public reply: on the public timeline; e-mailed to the requester and followers."""
    return _post_text(
        request,
        text,
        action="reply",
        event_action=A.REPLY,
        visibility=Visibility.PUBLIC,
        actor=actor,
        expected_version=expected_version,
    )


def message_requester(
    request: ServiceRequest | int, text: str, *, actor: Actor, expected_version: int | None = None
) -> ServiceRequest:
    """Private message to the requester only (not public, not followers); refused when the
    requester left no way to reach them."""
    return _post_text(
        request,
        text,
        action="message_requester",
        event_action=A.MESSAGE_TO_REQUESTER,
        visibility=Visibility.REQUESTER,
        actor=actor,
        expected_version=expected_version,
        needs_contact=True,
    )


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
            data = {
                "before": before,
                "after": {"status": req.status, "hold_reason": ""},
                "cause": "requester_answered",
            }
            _with_changes(data, _unpause_sla(req))
            out.events.append(_event(req, A.RESUMED, Actor.system(), Visibility.PUBLIC, data))
        return req


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
    at: datetime | None = None,
) -> ServiceRequest:
    """Close with a resolution; the note is shown publicly. E-mails requester and
    followers. Duplicates are closed with ``mark_duplicate`` instead.

    ``at`` records a close that happened earlier (an imported history): it becomes the
    close time, the update time and the event's time; it must lie between the request's
    filing and now."""
    if at is not None and (timezone.is_naive(at) or at > timezone.now()):
        raise InvalidInput({"at": [_("The closing time must be in the past, with a time zone.")]})
    if resolution == Resolution.DUPLICATE:
        raise InvalidInput(
            {"resolution": [_("To close as a duplicate, merge it into the original request.")]}
        )
    if resolution not in Resolution.values:
        raise InvalidInput({"resolution": [_("Choose a resolution.")]})
    public_note = _clean_text(public_note, MAX_NOTE, "public_note")
    with _change(request, "close", expected_version) as (req, target, out):
        if at is not None:
            if at < req.requested_at:
                raise InvalidInput(
                    {"at": [_("The closing time cannot be before the request was made.")]}
                )
            req.updated_at = at
        before = req.status
        # Closed while waiting on the resident: the wait does not count against the target.
        clock = _unpause_sla(req)
        req.status, req.resolution, req.hold_reason = target, resolution, ""
        req.closed_at, req.status_notes = req.updated_at, public_note
        data = _with_changes(_status_data(before, target), clock)
        data["after"]["resolution"] = resolution
        data["text"] = public_note
        out.events.append(_event(req, A.CLOSED, actor, Visibility.PUBLIC, data, at=at))
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
        before = {
            "status": req.status,
            "resolution": req.resolution,
            "duplicate_of": req.duplicate_of_id,
        }
        city = City.current()
        req.status, req.resolution, req.closed_at, req.duplicate_of = target, "", None, None
        req.status_notes = ""
        calendar = calendar_for(req.group, city)
        before |= {
            "due_at": _iso(req.due_at),
            "sla_warned_at": _iso(req.sla_warned_at),
            "sla_breached_at": _iso(req.sla_breached_at),
        }
        req.due_at = sla.compute_due(
            req.updated_at,
            req.service.sla_amount,
            req.service.sla_unit,
            req.service.sla_clock,
            calendar,
        )
        # A fresh target: it may be warned about and missed once again.
        req.sla_at_risk_at = at_risk_for(
            req.updated_at, req.due_at, req.service.sla_clock, calendar
        )
        req.sla_paused_at = req.sla_warned_at = req.sla_breached_at = None
        after = {
            "status": target,
            "due_at": _iso(req.due_at),
            "sla_warned_at": None,
            "sla_breached_at": None,
        }
        out.events.append(
            _event(
                req,
                A.REOPENED,
                actor,
                Visibility.PUBLIC,
                {"before": before, "after": after, "text": reason},
            )
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
    for name, value in (
        ("service_rating", service_rating),
        ("timeliness_rating", timeliness_rating),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            errors[name] = [_("Choose a rating from 1 to 5.")]
    if errors:
        raise InvalidInput(errors)
    comment = _clean_text(comment, MAX_NOTE, "comment")
    with _change(request, "record_survey", None) as (req, _t, out):
        if req.events.filter(action=A.SURVEY).exists():
            raise TransitionNotAllowed(_("The survey for this request was already answered."))
        out.events.append(
            _event(
                req,
                A.SURVEY,
                actor,
                Visibility.INTERNAL,
                {"service": service_rating, "timeliness": timeliness_rating, "text": comment},
            )
        )
        return req


SLA_MARKERS = {A.SLA_WARNING: "sla_warned_at", A.SLA_BREACHED: "sla_breached_at"}


def _sla_event_due(req: ServiceRequest, action: str, now: datetime) -> bool:
    """Is the request, as locked now, still owed this service-level event?"""
    if not req.is_open or req.sla_paused_at is not None or req.sla_breached_at is not None:
        return False
    if action == A.SLA_BREACHED:
        return req.due_at is not None and req.due_at <= now
    return (
        req.sla_warned_at is None
        and req.sla_at_risk_at is not None
        and req.sla_at_risk_at <= now
        and (req.due_at is None or now < req.due_at)
    )


IDLE_MARKERS = {idle.ASSIGNEE: "idle_reminded_at", idle.SUPERVISOR: "idle_escalated_at"}


def _idle_reminder_due(req: ServiceRequest, data: dict[str, Any]) -> bool:
    """Under the row lock: is an idle reminder owed? If so, set its marker, move
    ``idle_due_at`` on to the next level (none after the supervisors) and fill ``data``."""
    now = timezone.now()
    level = idle.level_due(req, now)
    if level is None:
        return False
    marker = IDLE_MARKERS[level]
    before = {marker: None, "idle_due_at": _iso(req.idle_due_at)}
    idle_since = req.updated_at
    setattr(req, marker, now)
    req.idle_due_at = idle.threshold(req, req.idle_due_at) if level == idle.ASSIGNEE else None
    req.save(update_fields=[marker, "idle_due_at"])
    data.update(level=level, idle_since=idle_since.isoformat())
    data.setdefault("idle_days", req.service.idle_reminder_days)
    _with_changes(
        data,
        {
            "before": before,
            "after": {marker: now.isoformat(), "idle_due_at": _iso(req.idle_due_at)},
        },
    )
    return True


def record_system_event(
    request: ServiceRequest | int, action: str, data: dict[str, Any] | None = None
) -> Event | None:
    """Reminders and service-level events: an internal event that changes nothing a person
    sees (the version stays). Used by the worker's sweeps.

    A service-level warning or breach happens once per target: under the row lock it is
    written only while the request is still owed it (open, clock running, at risk or past
    due, not yet marked), and the request's marker (``sla_warned_at`` / ``sla_breached_at``)
    is set in the same transaction. Otherwise nothing is written and None is returned, so
    two sweeps running at once record it once. An idle reminder likewise: only while one is
    owed (``idle.level_due``); ``data["level"]`` says whether it went to the assignee or
    group ("assignee") or to the supervisors ("supervisor")."""
    if action not in (A.REMINDER, A.SLA_WARNING, A.SLA_BREACHED):
        raise ValueError(f"{action} is not a system event")
    pk = request.pk if isinstance(request, ServiceRequest) else request
    data = dict(data or {})
    with _writing():
        req = (
            ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("service", "group")
            .get(pk=pk)
        )
        marker = SLA_MARKERS.get(action)
        if action == A.REMINDER:
            if not _idle_reminder_due(req, data):
                return None
        elif marker is not None:
            now = timezone.now()
            if not _sla_event_due(req, action, now):
                return None
            setattr(req, marker, now)
            req.save(update_fields=[marker])
            data.setdefault("due_at", _iso(req.due_at))
            _with_changes(data, {"before": {marker: None}, "after": {marker: now.isoformat()}})
        event = _event(req, action, Actor.system(), Visibility.INTERNAL, data)
        _dispatch([event])
    return event
