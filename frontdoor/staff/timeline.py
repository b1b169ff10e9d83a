"""The staff timeline: every event of a request, newest first, each marked with who may
see it (public, the requester, or staff only), who did it and when, and what changed.

Events keep codes (group codes, statuses, priorities) in their data; this module turns
them into words in the active language. Group names come from the catalogue cache, so a
timeline costs no query beyond reading its events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from frontdoor.cases import tracking
from frontdoor.cases.models import Channel, Event, HoldReason, Resolution, Status, Visibility
from frontdoor.catalogue.cache import cached
from frontdoor.catalogue.models import Priority, WorkGroup

A = Event.Action


@dataclass(frozen=True)
class TimelineEntry:
    pk: int
    action: str
    label: str
    visibility: str  # public / requester / internal
    visibility_label: str
    actor: str
    at: datetime
    text: str  # what a person wrote (note, reply, reason), as written
    detail: str  # what changed, in words
    link_number: str  # a related request's tracking number (duplicates), or ""


def timeline(events: Iterable[Event]) -> list[TimelineEntry]:
    """Entries for ``events`` in the order given."""
    return [_entry(event) for event in events]


def _entry(event: Event) -> TimelineEntry:
    data = event.data if isinstance(event.data, dict) else {}
    describe = _DESCRIBERS.get(event.action)
    detail = describe(data) if describe else ""
    link = ""
    if event.action == A.MARKED_DUPLICATE:
        link = str(_after(data).get("duplicate_of") or "")
    elif event.action == A.MERGED:
        link = str(data.get("merged") or "")
    return TimelineEntry(
        pk=event.pk,
        action=event.action,
        label=str(event.get_action_display()),
        visibility=event.visibility,
        visibility_label=str(Visibility(event.visibility).label)
        if event.visibility in Visibility.values
        else event.visibility,
        actor=event.actor_label or _("Frontdoor"),
        at=event.created_at,
        text=str(data.get("text") or ""),
        detail=detail,
        link_number=tracking.display(link) if tracking.is_valid(link) else "",
    )


def _after(data: dict[str, Any]) -> dict[str, Any]:
    after = data.get("after")
    return after if isinstance(after, dict) else {}


def _before(data: dict[str, Any]) -> dict[str, Any]:
    before = data.get("before")
    return before if isinstance(before, dict) else {}


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def _group_names() -> dict[str, str]:
    def load() -> dict[str, str]:
        return {g.code: g.name for g in WorkGroup.objects.all()}

    return cached(("staff-group-names", get_language()), load)


def _group(code: Any) -> str:
    return _group_names().get(str(code), str(code or "")) if code else ""


def _moment(value: Any) -> str:
    moment = parse_datetime(str(value)) if value else None
    return date_format(moment, "SHORT_DATETIME_FORMAT") if moment else ""


def _created(data: dict[str, Any]) -> str:
    after = _after(data)
    return _("Channel: %(channel)s. Priority: %(priority)s.") % {
        "channel": _label(Channel, after.get("channel")),
        "priority": _label(Priority, after.get("priority")),
    }


def _routed(data: dict[str, Any]) -> str:
    return _("To %(group)s.") % {"group": _group(_after(data).get("group"))}


def _assigned(data: dict[str, Any]) -> str:
    name = data.get("assignee_name")
    return _("To %(name)s.") % {"name": name} if name else _("Nobody is assigned now.")


def _forwarded(data: dict[str, Any]) -> str:
    return _("From %(old)s to %(new)s.") % {
        "old": _group(_before(data).get("group")) or "—",
        "new": _group(_after(data).get("group")),
    }


def _status_changed(data: dict[str, Any]) -> str:
    return _("From “%(old)s” to “%(new)s”.") % {
        "old": _label(Status, _before(data).get("status")),
        "new": _label(Status, _after(data).get("status")),
    }


def _held(data: dict[str, Any]) -> str:
    return _("Reason: %(reason)s.") % {"reason": _label(HoldReason, data.get("reason"))}


def _resumed(data: dict[str, Any]) -> str:
    if data.get("cause") == "requester_answered":
        return _("The requester answered.")
    return ""


def _priority(data: dict[str, Any]) -> str:
    return _("From %(old)s to %(new)s.") % {
        "old": _label(Priority, _before(data).get("priority")),
        "new": _label(Priority, _after(data).get("priority")),
    }


def _closed(data: dict[str, Any]) -> str:
    return _("Resolution: %(resolution)s.") % {
        "resolution": _label(Resolution, _after(data).get("resolution"))
    }


def _marked_duplicate(data: dict[str, Any]) -> str:
    return _("Merged into the original request:")


def _merged(data: dict[str, Any]) -> str:
    return _("Followers added: %(followers)d. Photos added: %(photos)d. Merged in:") % {
        "followers": int(data.get("followers_added") or 0),
        "photos": int(data.get("attachments_added") or 0),
    }


def _reminder(data: dict[str, Any]) -> str:
    if data.get("level") == "supervisor":
        return _("Still idle: the supervisors were told.")
    return _("Idle: the assignee or group was reminded.")


def _sla(data: dict[str, Any]) -> str:
    due = _moment(data.get("due_at"))
    return _("Due %(due)s.") % {"due": due} if due else ""


def _followed(data: dict[str, Any]) -> str:
    return _("A supporter (“me too”).") if data.get("supporter") else ""


def _survey(data: dict[str, Any]) -> str:
    return _("Service %(service)s/5, timeliness %(timeliness)s/5.") % {
        "service": data.get("service", "?"),
        "timeliness": data.get("timeliness", "?"),
    }


def _reopened(data: dict[str, Any]) -> str:
    due = _moment(_after(data).get("due_at"))
    return _("New due time: %(due)s.") % {"due": due} if due else ""


_DESCRIBERS: dict[str, Callable[[dict[str, Any]], str]] = {
    A.CREATED: _created,
    A.ROUTED: _routed,
    A.ASSIGNED: _assigned,
    A.FORWARDED: _forwarded,
    A.STATUS_CHANGED: _status_changed,
    A.HELD: _held,
    A.INFO_REQUESTED: _held,
    A.RESUMED: _resumed,
    A.PRIORITY_CHANGED: _priority,
    A.CLOSED: _closed,
    A.MARKED_DUPLICATE: _marked_duplicate,
    A.MERGED: _merged,
    A.REMINDER: _reminder,
    A.SLA_WARNING: _sla,
    A.SLA_BREACHED: _sla,
    A.FOLLOWED: _followed,
    A.SURVEY: _survey,
    A.REOPENED: _reopened,
}
