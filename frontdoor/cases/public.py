"""What the public may see of a request: the one projection every public page, API,
feed and export uses. Personal data, internal events and private services never pass.

``public_requests`` projects many requests with a fixed number of queries (for lists and
the API); ``public_view`` is the same projection for one request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import get_language

from frontdoor.cases.models import (
    Attachment,
    Event,
    ServiceRequest,
    Status,
    Visibility,
    open311_status,
)
from frontdoor.catalogue.cache import cached
from frontdoor.catalogue.models import Service, WorkGroup

# Public locations are rounded to about 10 m so a pin does not point at one front door.
LOCATION_DECIMALS = 4

# Only these public events carry staff-written text meant for the public.
PUBLIC_TEXT_ACTIONS = frozenset(
    {Event.Action.REPLY, Event.Action.CLOSED, Event.Action.HELD, Event.Action.REOPENED}
)

# The columns a projection reads; nothing personal is among them.
_COLUMNS = (
    "pk",
    "tracking_number",
    "service_id",
    "description",
    "status",
    "resolution",
    "status_notes",
    "requested_at",
    "updated_at",
    "due_at",
    "closed_at",
    "lat",
    "long",
    "address",
    "address_id",
    "postal_code",
    "group_id",
    "channel",
    "supporter_count",
    "duplicate_of__tracking_number",
    "external_id",
    "version",
)


@dataclass(frozen=True)
class PublicEvent:
    id: int
    action: str
    label: str
    at: datetime
    text: str
    status: str


@dataclass(frozen=True)
class PublicPhoto:
    url: str  # relative to the site (stored file) or absolute (a client's media_url)
    width: int | None
    height: int | None
    created_at: datetime


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
    address_id: str
    postal_code: str
    zone_codes: list[str]
    group_name: str
    department_name: str
    channel: str
    supporter_count: int
    duplicate_of: str | None
    external_id: str
    # Bumped by every change: anything derived from this view can be cached under it.
    version: int
    photos: list[PublicPhoto] = field(default_factory=list)
    timeline: list[PublicEvent] = field(default_factory=list)

    @property
    def photo_urls(self) -> list[str]:
        return [photo.url for photo in self.photos]


@dataclass(frozen=True)
class _ServiceInfo:
    code: str
    name: str
    private: bool


def service_info() -> dict[int, _ServiceInfo]:
    """Every service's code, translated name and privacy, cached per language."""

    def load() -> dict[int, _ServiceInfo]:
        return {s.pk: _ServiceInfo(s.code, s.name, s.private) for s in Service.objects.all()}

    return cached(("public-services", get_language()), load)


def private_service_ids() -> frozenset[int]:
    return frozenset(pk for pk, info in service_info().items() if info.private)


def _group_info() -> dict[int, tuple[str, str]]:
    def load() -> dict[int, tuple[str, str]]:
        return {
            g.pk: (g.name, g.department.name)
            for g in WorkGroup.objects.select_related("department")
        }

    return cached(("public-groups", get_language()), load)


def publicly_listed(queryset: QuerySet[ServiceRequest] | None = None) -> QuerySet[ServiceRequest]:
    """Requests that may appear in public lists: never those of private services."""
    queryset = queryset if queryset is not None else ServiceRequest.objects.all()
    private = private_service_ids()
    return queryset.exclude(service_id__in=private) if private else queryset


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, LOCATION_DECIMALS)


def _photo_url(attachment: dict[str, Any]) -> str:
    if attachment["external_url"]:
        return attachment["external_url"]
    from django.core.files.storage import default_storage

    return default_storage.url(attachment["file"])


def _status_after(event: Event, current: str) -> str:
    after = event.data.get("after") if isinstance(event.data, dict) else None
    if isinstance(after, dict) and after.get("status") in Status.values:
        return str(after["status"])
    return current


def public_requests(
    queryset: QuerySet[ServiceRequest] | Iterable[int],
    *,
    with_timeline: bool = False,
    with_zones: bool = False,
) -> list[PublicRequest]:
    """The public projection of every request in ``queryset`` (in its order) that may be
    shown. Private services' requests are dropped. Reads are bulk: one query for the
    requests, one for their photos, and one each for zones and timelines when asked."""
    if not isinstance(queryset, QuerySet):
        queryset = ServiceRequest.objects.filter(pk__in=list(queryset))
    rows = list(queryset.values(*_COLUMNS))
    services = service_info()
    rows = [
        r for r in rows if r["service_id"] in services and not services[r["service_id"]].private
    ]
    if not rows:
        return []
    ids = [r["pk"] for r in rows]

    photos: dict[int, list[PublicPhoto]] = defaultdict(list)
    for a in Attachment.objects.filter(request_id__in=ids, visibility=Visibility.PUBLIC).values(
        "request_id", "file", "external_url", "width", "height", "created_at"
    ):
        photos[a["request_id"]].append(
            PublicPhoto(_photo_url(a), a["width"], a["height"], a["created_at"])
        )

    zones: dict[int, list[str]] = defaultdict(list)
    if with_zones:
        through = ServiceRequest.zones.through
        for link in through.objects.filter(servicerequest_id__in=ids).values(
            "servicerequest_id", "zone__code"
        ):
            zones[link["servicerequest_id"]].append(link["zone__code"])

    timelines: dict[int, list[PublicEvent]] = defaultdict(list)
    if with_timeline:
        status: dict[int, str] = defaultdict(lambda: Status.NEW)
        # Status-changing events may be internal; they still tell each public event's status.
        for event in Event.objects.filter(request_id__in=ids).order_by("created_at", "pk"):
            status[event.request_id] = _status_after(event, status[event.request_id])
            if event.visibility != Visibility.PUBLIC:
                continue
            text = event.text if event.action in PUBLIC_TEXT_ACTIONS else ""
            timelines[event.request_id].append(
                PublicEvent(
                    event.pk,
                    event.action,
                    str(event.get_action_display()),
                    event.created_at,
                    text,
                    status[event.request_id],
                )
            )

    groups = _group_info()
    result = []
    for r in rows:
        service = services[r["service_id"]]
        group_name, department_name = groups.get(r["group_id"], ("", ""))
        result.append(
            PublicRequest(
                tracking_number=r["tracking_number"],
                service_code=service.code,
                service_name=service.name,
                description=r["description"],
                status=r["status"],
                open311_status=open311_status(r["status"]),
                resolution=r["resolution"] if r["status"] == Status.CLOSED else "",
                status_notes=r["status_notes"],
                requested_at=r["requested_at"],
                updated_at=r["updated_at"],
                due_at=r["due_at"],
                closed_at=r["closed_at"],
                lat=_round(r["lat"]),
                long=_round(r["long"]),
                address=r["address"],
                address_id=r["address_id"],
                postal_code=r["postal_code"],
                zone_codes=zones.get(r["pk"], []),
                group_name=group_name,
                department_name=department_name,
                channel=r["channel"],
                supporter_count=r["supporter_count"],
                duplicate_of=r["duplicate_of__tracking_number"],
                external_id=r["external_id"],
                version=r["version"],
                photos=photos.get(r["pk"], []),
                timeline=timelines.get(r["pk"], []),
            )
        )
    return result


def public_view(request: ServiceRequest, *, with_timeline: bool = True) -> PublicRequest | None:
    """The public projection of ``request``, or None if nothing of it may be shown."""
    views = public_requests(
        ServiceRequest.objects.filter(pk=request.pk), with_timeline=with_timeline, with_zones=True
    )
    return views[0] if views else None


def as_dict(view: PublicRequest) -> dict[str, Any]:
    return asdict(view)
