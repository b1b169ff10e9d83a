"""What a list row shows, prepared in Python.

A page of 50 rows rendered cell by cell through template tags (a translated label, a URL,
a date filter, a plural per cell) cost more than its queries; each row is prepared here
once instead, and the template only prints strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext

from frontdoor.cases.models import Channel, HoldReason, ServiceRequest, Status
from frontdoor.staff import policy
from frontdoor.staff.policy import Action
from frontdoor.staff.queues.due import due_state
from frontdoor.staff.roles import Scope

# Fields a list row reads; the rest of the request (answers, texts) stays in the database.
LIST_DEFERRED = ("answers", "description", "status_notes")


def list_rows(queryset: Any) -> Any:
    """What a row shows, in the same query as the rows."""
    return queryset.select_related("service", "group", "assignee").defer(*LIST_DEFERRED)


@dataclass(frozen=True)
class Row:
    pk: int
    version: int
    tracking_number: str
    number: str  # as printed: 4821-7730-15
    url: str
    service: str
    status: str
    hold_reason: str
    due_iso: str
    due_text: str
    due_state: str
    group: str
    assignee: str
    age: str
    channel: str
    address: str
    # May this person act on it (assign, forward, merge)? Shows its checkbox.
    selectable: bool
    select_label: str


def present(scope: Scope, requests: list[ServiceRequest], now: datetime) -> list[Row]:
    """The rows of ``requests`` (loaded with ``list_rows``) for this person. No queries."""
    statuses = {value: str(label) for value, label in Status.choices}
    holds = {value: str(label) for value, label in HoldReason.choices}
    channels = {value: str(label) for value, label in Channel.choices}
    # One reverse() for the page; each row's link differs only in its number.
    placeholder = "0000000000"
    case_url = reverse("staff:case", args=[placeholder])
    select = gettext("Select %(number)s")
    rows = []
    for request in requests:
        due = localtime(request.due_at) if request.due_at else None
        days = (now - request.requested_at).days
        rows.append(
            Row(
                pk=request.pk,
                version=request.version,
                tracking_number=request.tracking_number,
                number=request.display_number,
                url=case_url.replace(placeholder, request.tracking_number),
                service=request.service.name,
                status=statuses.get(request.status, request.status),
                hold_reason=holds.get(request.hold_reason, "") if request.hold_reason else "",
                due_iso=due.isoformat() if due else "",
                due_text=formats.date_format(due, "SHORT_DATETIME_FORMAT") if due else "",
                due_state=due_state(request, now).value,
                group=request.group.name if request.group else "",
                assignee=request.assignee.display_name if request.assignee else "",
                age=ngettext("%(days)s day", "%(days)s days", days) % {"days": days},
                channel=channels.get(request.channel, request.channel),
                address=request.address,
                selectable=request.is_open and policy.can(scope, Action.ASSIGN, request),
                select_label=select % {"number": request.display_number},
            )
        )
    return rows
