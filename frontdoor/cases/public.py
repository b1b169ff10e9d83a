"""What the public may see of a request: the one projection every public page, API,
feed and export uses. Personal data, internal events and private services never pass.

``public_requests`` projects many requests with a fixed number of queries (for lists and
the API); ``public_view`` is the same projection for one request.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
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


@functools.cache
def _select_sql(vendor: str, key: str) -> str:
    """The projection's one query, written once: the ORM would rebuild it on every call,
    which costs more than running it."""
    q = connection.ops.quote_name
    r = ServiceRequest._meta.db_table
    a = Attachment._meta.db_table
    columns = ", ".join(
        f"r.{q(ServiceRequest._meta.get_field(name).column)}"
        for name in _COLUMNS
        if name not in ("pk", "duplicate_of__tracking_number")
    )
    return (
        # Names come from the models, values are parameters.
        f"SELECT r.{q('id')}, {columns}, d.{q('tracking_number')}, "  # noqa: S608
        f"EXISTS (SELECT 1 FROM {q(a)} a WHERE a.{q('request_id')} = r.{q('id')} "
        f"AND a.{q('visibility')} = %s) "
        f"FROM {q(r)} r LEFT JOIN {q(r)} d ON d.{q('id')} = r.{q('duplicate_of_id')} "
        f"WHERE r.{q(key)} IN ({{marks}})"
    )


_DATETIMES = ("requested_at", "updated_at", "due_at", "closed_at")


def _rows(keys: list[Any], key: str = "id") -> list[dict[str, Any]]:
    """Rows of the requests whose ``key`` column is in ``keys``, in that order."""
    if not keys:
        return []
    names = [n for n in _COLUMNS if n not in ("pk", "duplicate_of__tracking_number")]
    names = ["pk", *names, "duplicate_of__tracking_number", "has_photo"]
    sql = _select_sql(connection.vendor, key).replace("{marks}", ", ".join(["%s"] * len(keys)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [Visibility.PUBLIC, *keys])
        fetched = cursor.fetchall()
    by_key = {}
    position = names.index("pk" if key == "id" else key)
    for values in fetched:
        row = dict(zip(names, values, strict=True))
        for name in _DATETIMES:
            row[name] = _aware(row[name])
        row["has_photo"] = bool(row["has_photo"])
        by_key[values[position]] = row
    return [by_key[k] for k in keys if k in by_key]


@dataclass(frozen=True)
class PageQuery:
    """A page of publicly listed requests, newest first (by filing, or by last update)."""

    service_ids: list[int] | None = None  # None: every service
    closed: bool | None = None  # None: open and closed
    requested_from: datetime | None = None
    requested_to: datetime | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None
    by_update: bool = False
    offset: int = 0
    limit: int = 100


def public_page(query: PageQuery) -> list[tuple[str, int]]:
    """(tracking number, version) of each request on the page, in order. Requests of
    private services are never listed. Hand-written SQL: this runs on every list call
    of the API, and building it through the ORM costs more than running it."""
    q = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    where: list[str] = []
    params: list[Any] = []
    private = private_service_ids()
    if private:
        where.append(f"{q('service_id')} NOT IN ({', '.join(['%s'] * len(private))})")
        params.extend(sorted(private))
    if query.service_ids is not None:
        if not query.service_ids:
            return []
        where.append(f"{q('service_id')} IN ({', '.join(['%s'] * len(query.service_ids))})")
        params.extend(query.service_ids)
    if query.closed is not None:
        where.append(f"{q('status')} {'=' if query.closed else '<>'} %s")
        params.append(Status.CLOSED.value)
    for column, operator, value in (
        ("requested_at", ">=", query.requested_from),
        ("requested_at", "<=", query.requested_to),
        ("updated_at", ">=", query.updated_from),
        ("updated_at", "<=", query.updated_to),
    ):
        if value is not None:
            where.append(f"{q(column)} {operator} %s")
            params.append(adapt(value))
    order = q("updated_at" if query.by_update else "requested_at")
    sql = (
        f"SELECT {q('tracking_number')}, {q('version')} "  # noqa: S608 - names are ours
        f"FROM {q(ServiceRequest._meta.db_table)} "
        f"{'WHERE ' + ' AND '.join(where) if where else ''} "
        f"ORDER BY {order} DESC, {q('id')} DESC LIMIT %s OFFSET %s"
    )
    params.extend([query.limit, query.offset])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(number, version) for number, version in cursor.fetchall()]


def _aware(value: Any) -> datetime | None:
    """PostgreSQL returns aware datetimes; SQLite returns naive ones (or text) in UTC."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else parse_datetime(str(value))
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def public_requests(
    queryset: QuerySet[ServiceRequest] | Iterable[int] | None = None,
    *,
    tracking_numbers: Iterable[str] | None = None,
    with_timeline: bool = False,
    with_zones: bool = False,
) -> list[PublicRequest]:
    """The public projection of every request in ``queryset`` (or of those ids, or of
    those ``tracking_numbers``), in that order, that may be shown. Private services'
    requests are dropped. Reads are bulk: one query for the requests (hand-written SQL,
    built once), one for the photos of those that have any, and one each for zones and
    timelines when asked."""
    if tracking_numbers is not None:
        rows = _rows(list(tracking_numbers), "tracking_number")
    elif isinstance(queryset, QuerySet):
        rows = _rows(list(queryset.values_list("pk", flat=True)))
    else:
        rows = _rows(list(queryset or ()))
    services = service_info()
    rows = [
        r for r in rows if r["service_id"] in services and not services[r["service_id"]].private
    ]
    if not rows:
        return []
    ids = [r["pk"] for r in rows]

    photos: dict[int, list[PublicPhoto]] = defaultdict(list)
    with_photos = [r["pk"] for r in rows if r["has_photo"]]
    if with_photos:
        attachments = Attachment.objects.filter(
            request_id__in=with_photos, visibility=Visibility.PUBLIC
        ).values("request_id", "file", "external_url", "width", "height", "created_at")
        for a in attachments:
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
    views = public_requests([request.pk], with_timeline=with_timeline, with_zones=True)
    return views[0] if views else None


def as_dict(view: PublicRequest) -> dict[str, Any]:
    return asdict(view)
