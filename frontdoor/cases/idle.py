"""Idle reminders (F14): a request untouched for the service's ``idle_reminder_days``
business days reminds its assignee (or, unassigned, its group); still untouched as many
business days later, the supervisors of its group's department.

"Untouched" means no workflow change since ``updated_at``: every change goes through
``workflow._change``, which calls :func:`reset` to clear the markers and set ``idle_due_at``
afresh. System events (reminders, service-level warnings) do not count as a touch.

A request on hold waiting for the resident is not reminded (the city cannot act); holds for
any other reason (another agency, scheduled work, materials, weather) are, because someone
in the city still owes the next step.

The sweep only finds candidates (index ``req_idle_due_idx``, keyset batches);
``workflow.record_system_event(pk, A.REMINDER)`` re-checks under the row lock which reminder
is owed, sets its marker and moves ``idle_due_at`` on in the same transaction, so each
reminder is recorded once however many sweeps run.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

if TYPE_CHECKING:
    from frontdoor.cases.models import ServiceRequest

ASSIGNEE, SUPERVISOR = "assignee", "supervisor"


def waiting_on_resident(req: ServiceRequest) -> bool:
    from frontdoor.cases.models import HoldReason, Status

    return req.status == Status.ON_HOLD and req.hold_reason == HoldReason.WAITING_ON_RESIDENT


def threshold(req: ServiceRequest, start: datetime) -> datetime | None:
    """``start`` plus the service's idle days on the group's business calendar."""
    from frontdoor.cases.workflow.submission import calendar_for
    from frontdoor.catalogue.models import City

    days = req.service.idle_reminder_days
    if not days:
        return None
    return calendar_for(req.group, City.current()).add_business_days(start, days)


def reset(req: ServiceRequest) -> None:
    """The request was touched at ``req.updated_at``: the idle clock starts again."""
    req.idle_reminded_at = req.idle_escalated_at = None
    if not req.is_open or waiting_on_resident(req):
        req.idle_due_at = None
    else:
        req.idle_due_at = threshold(req, req.updated_at)


def level_due(req: ServiceRequest, now: datetime) -> str | None:
    """Which reminder the request, as locked now, is owed: assignee, supervisor or none."""
    if not req.is_open or waiting_on_resident(req) or not req.service.idle_reminder_days:
        return None
    if req.idle_due_at is None or req.idle_due_at > now:
        return None
    if req.idle_reminded_at is None:
        return ASSIGNEE
    if req.idle_escalated_at is None:
        return SUPERVISOR
    return None


def candidates(now: datetime) -> QuerySet[ServiceRequest]:
    """Open requests with a reminder owed by now (index ``req_idle_due_idx``)."""
    from frontdoor.cases.models import OPEN_STATUSES, ServiceRequest

    return ServiceRequest.objects.filter(
        status__in=OPEN_STATUSES, idle_due_at__isnull=False, idle_due_at__lte=now
    ).order_by("idle_due_at", "pk")


def sweep() -> dict[str, int]:
    """Record owed idle reminders and escalations. Side effects: internal events
    ``request.reminder`` and their notifications (``idle_reminder`` / ``idle_escalation``)."""
    from frontdoor.cases import service_levels
    from frontdoor.cases.models import Event

    candidates_now = candidates(timezone.now())
    reminded = service_levels.record_each(candidates_now, "idle_due_at", Event.Action.REMINDER)
    return {"reminded": reminded}
