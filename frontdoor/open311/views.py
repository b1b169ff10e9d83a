"""Open311 GeoReport v2 endpoints, in XML and JSON (see OPEN311.md).

Reads go through ``frontdoor.cases.public`` (the one public projection); writes go through
``frontdoor.cases.workflow`` (the one door into the domain), so an app's report gets the
same validation, routing, events and notifications as one from the portal.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from frontdoor.cases import workflow
from frontdoor.cases.errors import DomainError, InvalidInput, UnknownService
from frontdoor.cases.models import Channel, Resolution, ServiceRequest
from frontdoor.cases.public import (
    PageQuery,
    PublicRequest,
    public_page,
    public_requests,
    publicly_listed,
    service_info,
)
from frontdoor.catalogue.cache import cached
from frontdoor.catalogue.models import City, Question, Service
from frontdoor.open311 import auth, fragments
from frontdoor.open311.models import ApiKey, BatchToken, IdempotentPost
from frontdoor.open311.params import (
    ApiError,
    attributes,
    boolean,
    comma_list,
    optional,
    parse_datetime,
    positive_int,
    request_id,
)
from frontdoor.open311.render import (
    FORMATS,
    JSON_TYPE,
    XML_TYPE,
    error,
    fragment,
    respond,
    respond_fragments,
    w3c,
)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
DEFAULT_WINDOW = timedelta(days=90)
MAX_PAGE = 1000


def api(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Format check, jurisdiction check, method check, and errors in spec format."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if fmt not in FORMATS:
                return error("json", 404, _("Bad extension. We support .xml and .json."))
            try:
                if request.method not in methods:
                    raise ApiError(
                        405,
                        _("This address accepts %(methods)s.") % {"methods": ", ".join(methods)},
                    )
                _check_jurisdiction(request)
                response = view(request, *args, fmt=fmt, **kwargs)
            except ApiError as exc:
                response = error(fmt, exc.status, *(exc.descriptions or [_("Bad request.")]))
                for header, value in exc.headers.items():
                    response[header] = value
                if exc.status == 405:
                    response["Allow"] = ", ".join(methods)
            response["Access-Control-Allow-Origin"] = "*"
            return response

        return wrapper

    return decorate


def _check_jurisdiction(request: HttpRequest) -> None:
    given = (
        request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id") or ""
    ).strip()
    if not given:
        return
    ours = City.current().jurisdiction_id.strip().lower()
    if given.lower().removeprefix("www.") != ours.removeprefix("www."):
        raise ApiError(404, _("Unknown jurisdiction_id “%(id)s”.") % {"id": given[:60]})


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    fmt = rest.rsplit(".", 1)[-1] if "." in rest else "json"
    if fmt not in FORMATS:
        return error("json", 404, _("Bad extension. We support .xml and .json."))
    return error(fmt, 404, _("There is no such Open311 method."))


# ---------------------------------------------------------------- discovery


@api("GET", "HEAD")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    city = City.current()
    changeset = w3c(city.catalogue_changed_at)
    base = request.build_absolute_uri("/open311/v2")
    data = {
        "changeset": changeset,
        "contact": city.contact_text if hasattr(city, "contact_text") else city.name,
        "key_service": _(
            "Ask %(city)s's 311 office for an API key; staff issue keys in the "
            "administration pages."
        )
        % {"city": city.name},
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", data)


# ---------------------------------------------------------------- services


def _public_services() -> list[Service]:
    def load() -> list[Service]:
        return list(
            Service.objects.filter(active=True, audience=Service.Audience.PUBLIC)
            .select_related("category")
            .prefetch_related("questions")
            .order_by("category__order", "order", "code")
        )

    return cached(("open311-services", timezone.get_current_timezone_name(), _lang()), load)


def _lang() -> str:
    from django.utils.translation import get_language

    return get_language() or "en"


@api("GET", "HEAD")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    def build() -> HttpResponse:
        data = [
            {
                "service_code": s.code,
                "service_name": s.name,
                "description": s.description or None,
                "metadata": any(q.active for q in s.questions.all()),
                "type": s.response_type,
                "keywords": s.keywords or None,
                "group": s.category.name,
            }
            for s in _public_services()
        ]
        return respond(fmt, "services", data)

    # The rendered list is cached with the catalogue, per format and language.
    body = cached(("open311-services-body", fmt, _lang()), lambda: build().content)
    return HttpResponse(body, content_type=XML_TYPE if fmt == "xml" else JSON_TYPE)


@api("GET", "HEAD")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    service = next((s for s in _public_services() if s.code == code), None)
    if service is None:
        raise ApiError(
            404, _("There is no service with the code “%(code)s”.") % {"code": code[:40]}
        )
    questions = (
        Question.objects.filter(service=service, active=True)
        .prefetch_related("values")
        .order_by("order", "pk")
    )
    attributes_out = []
    for q in questions:
        item: dict[str, Any] = {
            "variable": q.variable,
            "code": q.code,
            "datatype": q.datatype,
            "required": q.required and q.variable,
            "datatype_description": q.help_text or None,
            "order": q.order,
            "description": q.description,
        }
        if q.datatype in (Question.Datatype.SINGLE, Question.Datatype.MULTI):
            item["values"] = [{"key": v.key, "name": v.name} for v in q.values.all()]
        attributes_out.append(item)
    return respond(
        fmt, "service_definition", {"service_code": service.code, "attributes": attributes_out}
    )


# ---------------------------------------------------------------- requests (read)


def _absolute(request: HttpRequest, url: str) -> str:
    return url if url.startswith(("http://", "https://")) else request.build_absolute_uri(url)


def request_item(
    request: HttpRequest, view: PublicRequest, *, extensions: bool = False
) -> dict[str, Any]:
    """One request, with all 17 GeoReport keys present."""
    tz = timezone.get_current_timezone()
    closed = view.open311_status == "closed"
    notes = view.status_notes or (
        str(Resolution(view.resolution).label) if closed and view.resolution else ""
    )
    address = view.address or (
        f"{view.lat:.4f}, {view.long:.4f}" if view.lat is not None and view.long is not None else ""
    )
    item: dict[str, Any] = {
        "service_request_id": view.tracking_number,
        "status": view.open311_status,
        "status_notes": notes or None,
        "service_name": view.service_name,
        "service_code": view.service_code,
        "description": view.description or None,
        "agency_responsible": view.department_name or None,
        "service_notice": None,
        "requested_datetime": w3c(view.requested_at, tz),
        "updated_datetime": w3c((view.closed_at if closed else None) or view.updated_at, tz),
        "expected_datetime": w3c(view.due_at, tz),
        "address": address or None,
        "address_id": view.address_id or None,
        "zipcode": view.postal_code or None,
        "lat": view.lat,
        "long": view.long,
        "media_url": _absolute(request, view.photos[0].url) if view.photos else None,
    }
    if extensions:
        item["notes"] = [
            {
                "datetime": w3c(event.at, tz),
                "description": event.text or event.label,
                "type": event.action.removeprefix("request."),
            }
            for event in view.timeline
        ]
        item["extended_attributes"] = {
            "channel": view.channel,
            "detailed_status": view.status,
            "resolution": view.resolution or None,
            "zones": view.zone_codes,
            "duplicate_of": view.duplicate_of,
            "supporters": view.supporter_count,
            "external_id": view.external_id or None,
            "photos": [
                {
                    "media_url": _absolute(request, photo.url),
                    "width": photo.width,
                    "height": photo.height,
                    "created_at": w3c(photo.created_at, tz),
                }
                for photo in view.photos
            ],
        }
    return item


def _find(identifier: str) -> ServiceRequest | None:
    identifier = request_id(identifier)[:120]
    found = (
        ServiceRequest.objects.filter(tracking_number=identifier)
        .only("pk", "tracking_number")
        .first()
    )
    if found is None:
        # Imported requests keep answering to the id they had in the old system.
        found = (
            ServiceRequest.objects.filter(external_id=identifier)
            .only("pk", "tracking_number")
            .first()
        )
    return found


@api("GET", "HEAD")
def requests_endpoint(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    extensions = boolean(params, "extensions")
    ids = comma_list(params, "service_request_id")
    if ids:
        # "This overrides all other arguments."
        wanted = [request_id(i)[:120] for i in ids]
        listed = publicly_listed(ServiceRequest.objects.all())
        pairs = dict(
            listed.filter(tracking_number__in=wanted).values_list("tracking_number", "version")
        )
        by_old_id = {
            external: (number, version)
            for external, number, version in listed.filter(external_id__in=wanted).values_list(
                "external_id", "tracking_number", "version"
            )
        }
        ordered: dict[str, int] = {}
        for identifier in wanted:
            if identifier in pairs:
                ordered.setdefault(identifier, pairs[identifier])
            elif identifier in by_old_id:
                ordered.setdefault(*by_old_id[identifier])
        return _requests_response(request, fmt, list(ordered.items()), extensions)

    codes = comma_list(params, "service_code")
    service_ids: list[int] | None = None
    if codes:
        wanted = set(codes)
        service_ids = [pk for pk, info in service_info().items() if info.code in wanted]
    statuses = comma_list(params, "status")
    closed: bool | None = None
    if statuses:
        if any(s.lower() not in ("open", "closed") for s in statuses):
            raise ApiError(400, _("status must be open or closed (or both, comma-separated)."))
        wanted_status = {s.lower() for s in statuses}
        if len(wanted_status) == 1:
            closed = wanted_status == {"closed"}

    start = optional(params, "start_date")
    end = optional(params, "end_date")
    start_at = parse_datetime(start, "start_date") if start else None
    end_at = parse_datetime(end, "end_date") if end else None
    updated_after = optional(params, "updated_after")
    updated_before = optional(params, "updated_before")
    after_at = parse_datetime(updated_after, "updated_after") if updated_after else None
    before_at = parse_datetime(updated_before, "updated_before") if updated_before else None
    if start_at and end_at and end_at < start_at:
        raise ApiError(400, _("end_date is before start_date."))
    if after_at and before_at and before_at < after_at:
        raise ApiError(400, _("updated_before is before updated_after."))
    if not (start_at or end_at or after_at or before_at):
        # "When not specified, the range defaults to most recent 90 days."
        start_at = timezone.now() - DEFAULT_WINDOW
    elif end_at and not start_at and not (after_at or before_at):
        start_at = end_at - DEFAULT_WINDOW

    page = positive_int(params, "page", 1, 1_000_000)
    size = positive_int(params, "page_size", MAX_PAGE, MAX_PAGE)
    pairs = public_page(
        PageQuery(
            service_ids=service_ids,
            closed=closed,
            requested_from=start_at,
            requested_to=end_at,
            updated_from=after_at,
            updated_to=before_at,
            by_update=bool(after_at or before_at),
            offset=(page - 1) * size,
            limit=size,
        )
    )
    return _requests_response(request, fmt, pairs, extensions)


def _render_context(request: HttpRequest, fmt: str, extensions: bool) -> tuple[Any, ...]:
    """Everything besides the request itself that its rendering depends on."""
    return (
        fmt,
        extensions,
        _lang(),
        request.scheme,
        request.get_host(),
        timezone.get_current_timezone_name(),
        fragments.catalogue_stamp(),
    )


def _requests_response(
    request: HttpRequest, fmt: str, pairs: list[tuple[str, int]], extensions: bool
) -> HttpResponse:
    """``service_requests`` for these (tracking number, version) pairs, in their order,
    each item rendered once per version (see fragments.py)."""
    context = _render_context(request, fmt, extensions)

    def render(numbers: list[str]) -> dict[str, tuple[int, str]]:
        views = public_requests(
            tracking_numbers=numbers, with_timeline=extensions, with_zones=extensions
        )
        return {
            v.tracking_number: (
                v.version,
                fragment(fmt, "request", request_item(request, v, extensions=extensions)),
            )
            for v in views
        }

    items = fragments.get_many(pairs, context, render)
    return respond_fragments(fmt, "service_requests", items)


@api("GET", "HEAD")
def request_detail(request: HttpRequest, fmt: str, identifier: str) -> HttpResponse:
    extensions = boolean(request.GET, "extensions")
    wanted = request_id(identifier)[:120]
    options = {"with_timeline": extensions, "with_zones": extensions}
    # One query in the usual case; imported requests also answer to their old id.
    views = public_requests(tracking_numbers=[wanted], **options) or public_requests(
        ServiceRequest.objects.filter(external_id=wanted)[:1], **options
    )
    if not views:
        raise ApiError(
            404, _("There is no request with the id “%(id)s”.") % {"id": identifier[:40]}
        )
    view = views[0]

    def render(numbers: list[str]) -> dict[str, tuple[int, str]]:
        item = request_item(request, view, extensions=extensions)
        return {view.tracking_number: (view.version, fragment(fmt, "request", item))}

    items = fragments.get_many(
        [(view.tracking_number, view.version)], _render_context(request, fmt, extensions), render
    )
    return respond_fragments(fmt, "service_requests", items)


@api("GET", "HEAD")
def token_lookup(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    pending = (
        BatchToken.objects.filter(token=token[:40])
        .values("token", "request__tracking_number")
        .first()
    )
    if pending is None:
        raise ApiError(404, _("There is no token “%(token)s”.") % {"token": token[:40]})
    item: dict[str, Any] = {"token": pending["token"]}
    if pending["request__tracking_number"]:
        item = {"service_request_id": pending["request__tracking_number"], **item}
    return respond(fmt, "service_requests", [item])


# ---------------------------------------------------------------- requests (write)


def _param(request: HttpRequest, name: str) -> str:
    return (request.POST.get(name) or request.GET.get(name) or "").strip()


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for key in sorted(request.POST):
        if key == "api_key":
            continue
        for value in request.POST.getlist(key):
            digest.update(f"{key}={value}\n".encode())
    for key in sorted(request.FILES):
        for upload in request.FILES.getlist(key):
            digest.update(f"{key}:{upload.name}:{upload.size}\n".encode())
    return digest.hexdigest()


def _idempotency_key(request: HttpRequest) -> str:
    key = request.headers.get("Idempotency-Key", "") or _param(request, "idempotency_key")
    if not key:
        device, client_id = _param(request, "device_id"), _param(request, "client_request_id")
        if device and client_id:
            key = f"device:{device}:{client_id}"
    key = key.strip()
    if len(key) > 200:
        raise ApiError(400, _("The idempotency key is longer than 200 characters."))
    return key


FIELD_NAMES = {
    "description",
    "location",
    "address",
    "email",
    "phone",
    "photos",
    "media_url",
    "contact_preference",
    "channel",
    "priority",
}


def _invalid(exc: InvalidInput) -> ApiError:
    messages = []
    for field, problems in exc.errors.items():
        code = field.removeprefix("answers.")
        label = field if field in FIELD_NAMES else f"attribute[{code}]"
        messages.extend(f"{label}: {problem}" for problem in problems)
    return ApiError(400, *(messages or [str(exc)]))


@csrf_exempt
def requests_dispatch(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return post_request(request, fmt=fmt)
    return requests_endpoint(request, fmt=fmt)


@api("POST")
def post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    api_key = auth.authenticate(request, need=ApiKey.Scope.WRITE)
    idempotency_key = _idempotency_key(request)
    fingerprint = _fingerprint(request) if idempotency_key else ""
    # No look-up first: a retry is rare. It collides with the first answer's row at the end
    # of the transaction, or, if it no longer validates, is looked up before answering 4xx.
    try:
        return _file_request(request, fmt, api_key, idempotency_key, fingerprint)
    except ApiError:
        replay = _replay(api_key, idempotency_key, fingerprint, fmt) if idempotency_key else None
        if replay is None:
            raise
        return replay


def _file_request(
    request: HttpRequest, fmt: str, api_key: ApiKey, idempotency_key: str, fingerprint: str
) -> HttpResponse:
    code = _param(request, "service_code")
    if not code:
        raise ApiError(400, _("service_code is required."))
    service = next((s for s in _public_services() if s.code == code), None)
    if service is None:
        raise ApiError(
            404, _("There is no service with the code “%(code)s”.") % {"code": code[:40]}
        )
    name = " ".join(
        part for part in (_param(request, "first_name"), _param(request, "last_name")) if part
    )
    contact = workflow.Contact(
        name=name,
        email=_param(request, "email"),
        phone=_param(request, "phone"),
        language=_lang(),
    )
    photos = [
        upload
        for field in request.FILES
        if field in ("media", "photo") or field.startswith(("photo", "file_", "media"))
        for upload in request.FILES.getlist(field)
    ]
    media_urls = request.POST.getlist("media_url") or request.GET.getlist("media_url")
    client = api_key.client
    answer: list[dict[str, Any]] = []

    def record(created: ServiceRequest) -> None:
        item: dict[str, Any]
        if service.response_type == Service.ResponseType.BATCH:
            token = secrets.token_hex(8)
            BatchToken.objects.create(token=token, client=client, request=created)
            item = {"token": token, "service_notice": None, "account_id": None}
        else:
            item = {
                "service_request_id": created.tracking_number,
                "service_notice": None,
                "account_id": None,
            }
        if idempotency_key:
            IdempotentPost.objects.create(
                client=client,
                key=idempotency_key,
                fingerprint=fingerprint,
                status_code=200,
                response=[item],
            )
        answer.append(item)

    try:
        workflow.submit(
            service=service,
            actor=workflow.Actor.client(client.name),
            channel=Channel.MOBILE,
            client_app=client.name,
            description=_param(request, "description"),
            answers=attributes(request.POST) or attributes(request.GET),
            lat=_param(request, "lat") or None,
            long=_param(request, "long") or None,
            address=_param(request, "address_string"),
            address_id=_param(request, "address_id"),
            postal_code=_param(request, "zipcode"),
            contact=contact,
            photos=photos,
            media_urls=media_urls,
            on_created=record,
        )
    except IntegrityError:
        # Another copy of this POST, sent at the same moment, won: answer as it did.
        replay = _replay(api_key, idempotency_key, fingerprint, fmt) if idempotency_key else None
        if replay is None:
            raise ApiError(400, _("This request could not be saved; please try again.")) from None
        return replay
    except UnknownService as exc:
        raise ApiError(404, str(exc)) from None
    except InvalidInput as exc:
        raise _invalid(exc) from None
    except DomainError as exc:
        raise ApiError(400, str(exc)) from None
    return respond(fmt, "service_requests", answer)


def _replay(api_key: ApiKey, key: str, fingerprint: str, fmt: str) -> HttpResponse | None:
    first = IdempotentPost.objects.filter(client_id=api_key.client_id, key=key).first()
    if first is None:
        return None
    if first.fingerprint != fingerprint:
        raise ApiError(422, _("This idempotency key was already used for a different request."))
    # JSONB keeps keys in its own order; answer in the spec's.
    order = ("service_request_id", "token", "service_notice", "account_id")
    items = [{k: item[k] for k in order if k in item} for item in first.response]
    response = respond(fmt, "service_requests", items, status=first.status_code)
    response["Idempotent-Replayed"] = "true"
    return response
