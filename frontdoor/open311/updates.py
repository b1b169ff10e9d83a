"""The service request updates feed (GET) and updates posted by partner systems (POST),
a FixMyStreet / mySociety extension of GeoReport v2 (OPEN311.md §3.3)."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from frontdoor.cases import workflow
from frontdoor.cases.errors import DomainError, InvalidInput
from frontdoor.cases.models import Event, Resolution, ServiceRequest, Status
from frontdoor.cases.public import public_requests, publicly_listed
from frontdoor.catalogue.models import City
from frontdoor.open311 import auth
from frontdoor.open311.models import ApiKey, PartnerUpdate
from frontdoor.open311.params import ApiError, optional, parse_datetime, positive_int
from frontdoor.open311.render import respond, w3c
from frontdoor.open311.views import (
    MAX_PAGE,
    _absolute,
    _find,
    _invalid,
    _param,
    api,
)

UPDATES_WINDOW = timedelta(hours=24)


UPDATE_ACTIONS = [
    a
    for a in Event.Action.values
    if a not in (Event.Action.CREATED, Event.Action.ROUTED, Event.Action.FOLLOWED)
]


@csrf_exempt
def updates_dispatch(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return post_update(request, fmt=fmt)
    return updates_feed(request, fmt=fmt)


@api("GET", "HEAD")
def updates_feed(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    start = optional(params, "start_date")
    end = optional(params, "end_date")
    end_at = parse_datetime(end, "end_date") if end else timezone.now()
    start_at = parse_datetime(start, "start_date") if start else end_at - UPDATES_WINDOW
    if end_at < start_at:
        raise ApiError(400, _("end_date is before start_date."))
    page = positive_int(params, "page", 1, 1_000_000)
    size = positive_int(params, "page_size", MAX_PAGE, MAX_PAGE)
    events = list(
        Event.objects.filter(
            visibility="public",
            action__in=UPDATE_ACTIONS,
            created_at__gte=start_at,
            created_at__lte=end_at,
            request__in=publicly_listed(ServiceRequest.objects.all()),
        )
        .order_by("created_at", "pk")
        .values_list("pk", "request_id")[(page - 1) * size : page * size]
    )
    views = {
        v.tracking_number: v
        for v in public_requests({rid for _pk, rid in events}, with_timeline=True)
    }
    by_event = {e.id: (v, e) for v in views.values() for e in v.timeline}
    tz = timezone.get_current_timezone()
    items = []
    for pk, _rid in events:
        if pk not in by_event:
            continue
        view, event = by_event[pk]
        photo = None
        if event.action == Event.Action.ATTACHMENT and view.photos:
            near = min(view.photos, key=lambda p: abs((p.created_at - event.at).total_seconds()))
            photo = _absolute(request, near.url)
        items.append(
            {
                "update_id": str(pk),
                "service_request_id": view.tracking_number,
                "status": "closed" if event.status == Status.CLOSED else "open",
                "updated_datetime": w3c(event.at, tz),
                "description": event.text or event.label,
                "media_url": photo,
                "external_status_code": event.status,
            }
        )
    return respond(fmt, "service_request_updates", items)


CLOSING = {
    "CLOSED": Resolution.FIXED,
    "FIXED": Resolution.FIXED,
    "NOT_COUNCILS_RESPONSIBILITY": Resolution.NOT_CITY,
    "NO_FURTHER_ACTION": Resolution.NO_ACTION,
    "DUPLICATE": Resolution.DUPLICATE,
    "CANCELLED": Resolution.WITHDRAWN,
}
WORKING = {"IN_PROGRESS", "ACTION_SCHEDULED", "PLANNED", "INVESTIGATING"}
KNOWN_STATUSES = {
    *CLOSING,
    *WORKING,
    "OPEN",
    "REOPEN",
    "FOR_TRIAGE",
    "UNCHANGED",
    "INTERNAL_REFERRAL",
}


@api("POST")
def post_update(request: HttpRequest, fmt: str) -> HttpResponse:
    api_key = auth.authenticate(request, need=ApiKey.Scope.PARTNER)
    missing = [
        name
        for name in ("service_request_id", "update_id", "status", "updated_datetime")
        if not _param(request, name)
    ]
    if missing:
        raise ApiError(400, *[_("%(name)s is required.") % {"name": name} for name in missing])
    parse_datetime(_param(request, "updated_datetime"), "updated_datetime")
    status = _param(request, "status").upper()
    if status not in KNOWN_STATUSES:
        raise ApiError(400, _("Unknown status “%(status)s”.") % {"status": status[:40]})
    update_id = _param(request, "update_id")[:120]
    found = _find(_param(request, "service_request_id"))
    if found is None:
        raise ApiError(404, _("There is no request with that id."))
    client = api_key.client
    previous = PartnerUpdate.objects.filter(client=client, update_id=update_id).first()
    if previous is not None:
        return respond(
            fmt,
            "service_request_updates",
            [{"update_id": str(previous.event_id), "account_id": None}],
        )
    description = _param(request, "description")
    actor = workflow.Actor(label=f"Open311: {client.name}", is_staff=True)
    try:
        with transaction.atomic():
            target = ServiceRequest.objects.only("pk", "status", "group_id").get(pk=found.pk)
            is_closed = target.status == Status.CLOSED
            changed = said = False
            if status in CLOSING and not is_closed:
                workflow.close(target.pk, CLOSING[status], actor=actor, public_note=description)
                changed = said = True
            elif status in ("OPEN", "REOPEN") and is_closed:
                reason = description or _("Reopened by %(app)s.") % {"app": client.name}
                workflow.reopen(target.pk, reason=reason, actor=actor)
                changed = said = True
            elif status in WORKING and target.status == Status.NEW:
                workflow.start(target.pk, actor=actor)
                changed = True
            elif status in WORKING and target.status == Status.ON_HOLD:
                workflow.resume(target.pk, actor=actor)
                changed = True
            elif status == "FOR_TRIAGE" and not is_closed:
                triage = City.current().triage_group
                if triage is not None and triage.pk != target.group_id:
                    reason = description or _("Sent back for triage.")
                    workflow.forward(target.pk, triage, reason=reason, actor=actor)
                    changed = said = True
            if description and not said:
                workflow.reply(target.pk, description, actor=actor)
                changed = True
            if not changed:
                raise ApiError(
                    400, _("This update changes nothing: give a new status or a description.")
                )
            event = Event.objects.filter(request_id=target.pk).order_by("-pk").values("pk").first()
            assert event is not None
            PartnerUpdate.objects.create(
                client=client, update_id=update_id, request=target, event_id=event["pk"]
            )
    except IntegrityError:
        previous = PartnerUpdate.objects.filter(client=client, update_id=update_id).first()
        if previous is None:
            raise ApiError(400, _("This update could not be saved; please try again.")) from None
        event = {"pk": previous.event_id}
    except InvalidInput as exc:
        raise _invalid(exc) from None
    except DomainError as exc:
        raise ApiError(400, str(exc)) from None
    return respond(
        fmt, "service_request_updates", [{"update_id": str(event["pk"]), "account_id": None}]
    )
