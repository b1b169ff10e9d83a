"""What the public may see of a request: the one projection every public page, API,
feed and export uses. Personal data, internal events and private services never pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from frontdoor.cases.models import (
    Attachment,
    Event,
    ServiceRequest,
    Status,
    Visibility,
    open311_status,
)

# Public locations are rounded to about 10 m so a pin does not point at one front door.
LOCATION_DECIMALS = 4


@dataclass(frozen=True)
class PublicEvent:
    action: str
    label: str
    at: datetime
    text: str


@dataclass(frozen=True)
class PublicRequest:
    tracking_number: str
    service_code: str
    service_name: str
    description: str
    status: str
    open311_status: str
    resolution: str
    status_notes: str
    requested_at: datetime
    updated_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    lat: float | None
    long: float | None
    address: str
    zone_codes: list[str]
    group_name: str
    department_name: str
    supporter_count: int
    duplicate_of: str | None
    photos: list[str] = field(default_factory=list)
    timeline: list[PublicEvent] = field(default_factory=list)


def publicly_listed(queryset: QuerySet[ServiceRequest] | None = None) -> QuerySet[ServiceRequest]:
    """Requests that may appear in public lists: never those of private services."""
    queryset = queryset if queryset is not None else ServiceRequest.objects.all()
    return queryset.filter(service__private=False)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, LOCATION_DECIMALS)


def public_view(request: ServiceRequest, *, with_timeline: bool = True) -> PublicRequest | None:
    """The public projection of ``request``, or None if nothing of it may be shown."""
    if request.service.private:
        return None
    timeline: list[PublicEvent] = []
    photos: list[str] = []
    if with_timeline:
        events = Event.objects.filter(request=request, visibility=Visibility.PUBLIC)
        for event in events.order_by("created_at", "pk"):
            text = event.text if event.action in PUBLIC_TEXT_ACTIONS else ""
            timeline.append(
                PublicEvent(event.action, str(event.get_action_display()), event.created_at, text)
            )
        photos = [
            a.file.url
            for a in Attachment.objects.filter(request=request, visibility=Visibility.PUBLIC)
        ]
    group = request.group
    return PublicRequest(
        tracking_number=request.tracking_number,
        service_code=request.service.code,
        service_name=request.service.name,
        description=request.description,
        status=request.status,
        open311_status=open311_status(request.status),
        resolution=request.resolution if request.status == Status.CLOSED else "",
        status_notes=request.status_notes,
        requested_at=request.requested_at,
        updated_at=request.updated_at,
        due_at=request.due_at,
        closed_at=request.closed_at,
        lat=_round(request.lat),
        long=_round(request.long),
        address=request.address,
        zone_codes=[z.code for z in request.zones.all()],
        group_name=group.name if group else "",
        department_name=group.department.name if group else "",
        supporter_count=request.supporter_count,
        duplicate_of=request.duplicate_of.tracking_number if request.duplicate_of_id else None,
        photos=photos,
        timeline=timeline,
    )


# Only these public events carry staff-written text meant for the public.
PUBLIC_TEXT_ACTIONS = frozenset(
    {Event.Action.REPLY, Event.Action.CLOSED, Event.Action.HELD, Event.Action.REOPENED}
)


def as_dict(view: PublicRequest) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(view)
