"""Service-level state as the queues show it: at risk, overdue, clock paused.

The same definitions serve the queue filters (as ``Q`` objects the database evaluates) and
the row marking (in Python on a loaded row), so a row in the "overdue" queue is always
marked overdue. They follow the service-level sweep (``cases/service_levels.py``): a
request is overdue once its breach is recorded, or when it is past due with the clock
running (the sweep records it within a minute); a paused clock (waiting on the resident)
is not overdue until it was breached, because its due time moves on when the wait ends.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from django.db.models import Q

from frontdoor.cases.models import OPEN_STATUSES, ServiceRequest


class DueState(StrEnum):
    NONE = ""  # no target, or closed
    ON_TIME = "on_time"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    PAUSED = "paused"


def overdue_q(now: datetime) -> Q:
    return Q(status__in=OPEN_STATUSES) & (
        Q(sla_breached_at__isnull=False) | Q(due_at__lte=now, sla_paused_at__isnull=True)
    )


def at_risk_q(now: datetime) -> Q:
    return Q(
        status__in=OPEN_STATUSES,
        sla_breached_at__isnull=True,
        sla_paused_at__isnull=True,
        sla_at_risk_at__lte=now,
        due_at__gt=now,
    )


def due_state(request: ServiceRequest, now: datetime) -> DueState:
    """The marking of one loaded row; agrees with ``overdue_q`` and ``at_risk_q``."""
    if request.status not in OPEN_STATUSES or request.due_at is None:
        return DueState.NONE
    if request.sla_breached_at is not None:
        return DueState.OVERDUE
    if request.sla_paused_at is not None:
        return DueState.PAUSED
    if request.due_at <= now:
        return DueState.OVERDUE
    if request.sla_at_risk_at is not None and request.sla_at_risk_at <= now:
        return DueState.AT_RISK
    return DueState.ON_TIME
