"""The service-level sweep: warn a request's group when the request is at risk of missing
its target, and its department's supervisors when it has missed it — each once.

The sweep only finds candidates (indexed, in batches); ``workflow.record_system_event``
re-checks each one under its row lock and sets the marker with the event, so two workers
sweeping at once, or a sweep that runs twice, record every warning and breach once.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from frontdoor.cases import workflow
from frontdoor.cases.models import OPEN_STATUSES, Event, ServiceRequest

A = Event.Action
BATCH = 200
# At most this many batches per run; the rest wait for the next minute's run.
MAX_BATCHES = 10


def breach_candidates(now: datetime) -> QuerySet[ServiceRequest]:
    """Open requests past due whose breach is not recorded (index ``req_sla_breach_idx``)."""
    return ServiceRequest.objects.filter(
        status__in=OPEN_STATUSES,
        sla_breached_at__isnull=True,
        due_at__lte=now,
        sla_paused_at__isnull=True,
    ).order_by("due_at", "pk")


def warning_candidates(now: datetime) -> QuerySet[ServiceRequest]:
    """Open requests at risk and not yet warned (index ``req_sla_at_risk_idx``). A request
    already past due gets only the breach."""
    return ServiceRequest.objects.filter(
        status__in=OPEN_STATUSES,
        sla_warned_at__isnull=True,
        sla_breached_at__isnull=True,
        sla_at_risk_at__lte=now,
        due_at__gt=now,
        sla_paused_at__isnull=True,
    ).order_by("sla_at_risk_at", "pk")


def record_each(candidates: QuerySet[ServiceRequest], order: str, action: str) -> int:
    """Walk the candidates in index order, a batch at a time (keyset, so a request the lock
    check refuses — closed or paused meanwhile — is not picked again in this run)."""
    recorded = 0
    after: tuple[datetime, int] | None = None
    for _batch in range(MAX_BATCHES):
        page = candidates
        if after is not None:
            page = page.filter(
                Q(**{f"{order}__gt": after[0]}) | Q(**{order: after[0]}, pk__gt=after[1])
            )
        rows = list(page.values_list(order, "pk")[:BATCH])
        for _moment, pk in rows:
            if workflow.record_system_event(pk, action) is not None:
                recorded += 1
        if len(rows) < BATCH:
            break
        after = rows[-1]
    return recorded


def sweep() -> dict[str, int]:
    """Record due breaches, then due warnings. Side effects: internal events
    ``request.sla_breached`` / ``request.sla_warning`` and their notifications."""
    now = timezone.now()
    breached = record_each(breach_candidates(now), "due_at", A.SLA_BREACHED)
    warned = record_each(warning_candidates(now), "sla_at_risk_at", A.SLA_WARNING)
    return {"breached": breached, "warned": warned}
