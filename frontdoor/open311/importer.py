"""Import the catalogue and the request history of another Open311 GeoReport v2 server.

The legacy server is read through its public GET methods only (JSON format):
``services.json``, ``services/{code}.json`` for services with metadata, and
``requests.json`` in date windows, page by page. Services become catalogue rows (written
with the ORM: catalogue data, not requests); every legacy request is filed through
``workflow.submit`` with channel "import", keeping its original id in ``external_id``, and
closed through ``workflow.close`` at its original close time when it is closed upstream.

Running the import again creates nothing new: a legacy id already imported from the same
source is skipped, or closed if it has been closed upstream since.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.request
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from frontdoor.cases import workflow
from frontdoor.cases.answers import MAX_TEXT
from frontdoor.cases.errors import DomainError
from frontdoor.cases.models import Channel, Resolution, ServiceRequest, Status
from frontdoor.catalogue import cache
from frontdoor.catalogue.models import (
    Category,
    City,
    Question,
    QuestionValue,
    Service,
    WorkGroup,
)

USER_AGENT = "Frontdoor-import/1 (Open311 GeoReport v2)"
MAX_BODY = 64 * 1024 * 1024
# The spec's default limit of GET requests: a window answering this many rows while
# ignoring our page size was probably cut off, so it is split in two and read again.
CAP = 1000
MIN_WINDOW = timedelta(minutes=1)
SERVICE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
QUESTION_CODE = re.compile(r"^[A-Za-z0-9_\-]+$")
VALUE_KEY = re.compile(r"^[^\s,]+$")
# Legacy status -> our resolution. Plain GeoReport has only open/closed; mySociety's
# extended statuses say more. A duplicate without its original cannot be merged here.
CLOSED_STATUSES = {
    "closed": Resolution.FIXED,
    "fixed": Resolution.FIXED,
    "duplicate": Resolution.NO_ACTION,
    "cancelled": Resolution.WITHDRAWN,
    "no_further_action": Resolution.NO_ACTION,
    "not_councils_responsibility": Resolution.NOT_CITY,
    "internal_referral": Resolution.REFERRED,
}


class ImportAborted(Exception):
    """The import cannot go on: the legacy server could not be read at all, or the city
    is not ready for it (no triage group)."""


class FetchError(Exception):
    """One GET failed (unreachable, HTTP error, not JSON); the message says which and why."""


class _WindowTooBig(Exception):
    pass


@dataclass
class ImportSummary:
    services_created: int = 0
    services_reused: int = 0
    services_failed: int = 0
    questions_created: int = 0
    requests_created: int = 0
    requests_skipped: int = 0
    requests_closed: int = 0
    requests_failed: int = 0
    windows_failed: int = 0
    pages: int = 0

    def rows(self) -> list[tuple[str, int]]:
        return [
            (_("Services created"), self.services_created),
            (_("Services reused"), self.services_reused),
            (_("Services failed"), self.services_failed),
            (_("Questions created"), self.questions_created),
            (_("Requests created"), self.requests_created),
            (_("Requests skipped (already imported)"), self.requests_skipped),
            (_("Requests closed"), self.requests_closed),
            (_("Requests failed"), self.requests_failed),
            (_("Date windows not read"), self.windows_failed),
            (_("Pages read"), self.pages),
        ]


def normalise_base_url(url: str) -> str:
    """``https://Host/path/`` -> ``https://host/path``; the form stored as external_source."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(_("“%(url)s” is not an http or https address.") % {"url": url[:200]})
    path = parts.path.rstrip("/")
    for endpoint in ("/services.json", "/services.xml", "/requests.json", "/requests.xml"):
        if path.endswith(endpoint):
            path = path[: -len(endpoint)]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, "", ""))


def parse_w3c(value: Any) -> datetime | None:
    """A W3C date-time with a time zone, else None (naive times are ambiguous)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def w3c(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: Any) -> str:
    """A JSON scalar as stripped text; null and objects are empty."""
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()


def _flag(value: Any, default: bool = False) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return default


@contextmanager
def _catalogue_language() -> Iterator[None]:
    # Legacy text is stored in the default language, the fallback of every other one.
    with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
        yield


class Open311Importer:
    """One import run. ``run()`` returns an ``ImportSummary``; problems with single rows
    are passed to ``report`` (one line each) and counted, never raised."""

    cap = CAP

    def __init__(
        self,
        base_url: str,
        *,
        jurisdiction_id: str = "",
        since: datetime,
        until: datetime | None = None,
        window: timedelta = timedelta(days=30),
        page_size: int = 100,
        dry_run: bool = False,
        timeout: float = 30,
        report: Callable[[str], None] = lambda message: None,
    ) -> None:
        self.base_url = normalise_base_url(base_url)
        self.jurisdiction_id = jurisdiction_id
        self.since = since
        self.until = until
        self.window = window
        self.page_size = page_size
        self.dry_run = dry_run
        self.timeout = timeout
        self.report = report
        self.summary = ImportSummary()
        self.services: dict[str, Service | None] = {}
        host = urlsplit(self.base_url).netloc
        self.actor = workflow.Actor.system(label=f"Open311 import ({host})"[:150])
        self._default_group: WorkGroup | None = None

    # --- HTTP ---------------------------------------------------------------------------

    def get_json(self, resource: str, params: dict[str, Any] | None = None) -> Any:
        query = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        if self.jurisdiction_id:
            query["jurisdiction_id"] = self.jurisdiction_id
        url = f"{self.base_url}/{resource}" + (f"?{urlencode(query)}" if query else "")
        request = urllib.request.Request(  # noqa: S310 - scheme checked in normalise_base_url
            url, headers={"Accept": "application/json", "User-Agent": USER_AGENT}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read(MAX_BODY + 1)
        except HTTPError as exc:
            detail = _error_description(exc)
            raise FetchError(
                _("%(url)s answered HTTP %(status)d%(detail)s.")
                % {"url": url, "status": exc.code, "detail": f" ({detail})" if detail else ""}
            ) from None
        except (URLError, OSError, http.client.HTTPException, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise FetchError(
                _("Cannot read %(url)s: %(reason)s.") % {"url": url, "reason": reason}
            ) from None
        if len(body) > MAX_BODY:
            raise FetchError(_("%(url)s sent more than 64 MB.") % {"url": url})
        try:
            return json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            raise FetchError(_("%(url)s did not answer with JSON.") % {"url": url}) from None

    # --- The run ------------------------------------------------------------------------

    def run(self) -> ImportSummary:
        """Read the services, then the requests window by window.

        Side effects: creates categories, services, questions and values; files requests
        (events, no notifications) and closes the closed ones. With ``dry_run`` all of it
        happens inside one transaction that is rolled back.

        Raises ``ImportAborted`` when the service list or every window of requests
        could not be read.
        """
        if not self.dry_run:
            return self._run()
        try:
            with transaction.atomic():
                self._run()
                transaction.set_rollback(True)
        finally:
            cache.clear()  # may hold catalogue rows that the rollback removed
        return self.summary

    def _run(self) -> ImportSummary:
        city = City.current()
        if city.triage_group is None:
            raise ImportAborted(
                _(
                    "The city has no triage group; set one in the admin first: imported "
                    "services are given to it."
                )
            )
        self._default_group = city.triage_group
        self.import_services()
        if not self.import_requests():
            raise ImportAborted(
                _("No requests could be read from %(url)s.") % {"url": self.base_url}
            )
        return self.summary

    # --- Services -----------------------------------------------------------------------

    def import_services(self) -> None:
        try:
            data = _unwrap(self.get_json("services.json"), "services")
        except FetchError as exc:
            raise ImportAborted(str(exc)) from None
        if not isinstance(data, list):
            raise ImportAborted(
                _("%(url)s/services.json is not a list of services.") % {"url": self.base_url}
            )
        for row in data:
            code = _text(row.get("service_code")) if isinstance(row, dict) else ""
            if not code:
                self.summary.services_failed += 1
                self.report(_("A service without a service_code was skipped."))
                continue
            self.service_for(code, row)

    def service_for(self, code: str, row: dict[str, Any] | None) -> Service | None:
        """Our service with this code: reused if it exists, else created from the legacy
        list row (or, for a code only seen on requests, from its definition, else minimal).
        """
        if code in self.services:
            return self.services[code]
        service = Service.objects.select_related("default_group").filter(code=code).first()
        if service is not None:
            self.summary.services_reused += 1
        elif len(code) > 40 or not SERVICE_CODE.match(code):
            self.summary.services_failed += 1
            self.report(
                _(
                    "Service “%(code)s” skipped: a code is up to 40 letters, digits, "
                    "'-', '_' or '.'."
                )
                % {"code": code[:60]}
            )
        else:
            service = self._create_service(code, row)
        self.services[code] = service
        return service

    def _create_service(self, code: str, row: dict[str, Any] | None) -> Service:
        definition: Any = None
        if row is None or _flag(row.get("metadata")):
            try:
                definition = self.get_json(f"services/{quote(code, safe='')}.json")
            except FetchError as exc:
                if row is not None:  # a listed service whose definition fails is worth a word
                    self.report(
                        _(
                            "Service “%(code)s”: definition not read, created without "
                            "questions: %(error)s"
                        )
                        % {"code": code, "error": exc}
                    )
        row = row or {}
        group_name = _text(row.get("group"))
        if not group_name and isinstance(row.get("groups"), list) and row["groups"]:
            group_name = _text(row["groups"][0])  # FixMyStreet's several groups: the first
        category_code = slugify(group_name)[:40].strip("-") or "imported"
        with _catalogue_language(), transaction.atomic():
            category = Category.objects.filter(code=category_code).first()
            if category is None:
                category = Category.objects.create(
                    code=category_code, name=group_name[:120] or _("Imported")
                )
            service = Service.objects.create(
                code=code,
                category=category,
                name=(_text(row.get("service_name")) or code)[:120],
                description=_text(row.get("description"))[:MAX_TEXT],
                keywords=_text(row.get("keywords"))[:500],
                default_group=self._default_group,
                response_type=(
                    Service.ResponseType.BATCH
                    if _text(row.get("type")) == "batch"
                    else Service.ResponseType.REALTIME
                ),
            )
            if isinstance(definition, dict):
                self._create_questions(service, definition.get("attributes"))
        self.summary.services_created += 1
        return service

    def _create_questions(self, service: Service, attributes: Any) -> None:
        if not isinstance(attributes, list):
            return
        codes: set[str] = set()
        orders: set[int] = set()
        for attribute in attributes:
            if not isinstance(attribute, dict):
                continue
            code = _text(attribute.get("code"))
            datatype = _text(attribute.get("datatype")).lower() or Question.Datatype.STRING
            problem = None
            if not code or len(code) > 40 or not QUESTION_CODE.match(code) or code in codes:
                problem = _("its code is missing, repeated or not letters, digits, '-', '_'")
            elif datatype not in Question.Datatype.values:
                problem = _("unknown datatype “%(datatype)s”") % {"datatype": datatype[:40]}
            values = _values(attribute.get("values")) if datatype in Question.LIST_TYPES else []
            if problem is None and datatype in Question.LIST_TYPES and not values:
                problem = _("a list without values")
            if problem:
                self.report(
                    _("Service “%(service)s”: attribute “%(code)s” skipped: %(problem)s.")
                    % {"service": service.code, "code": code[:40], "problem": problem}
                )
                continue
            order = attribute.get("order")
            if (
                not isinstance(order, int)
                or isinstance(order, bool)
                or order < 1
                or order in orders
            ):
                order = max(orders, default=0) + 1
            variable = _flag(attribute.get("variable"), default=True)
            question = Question.objects.create(
                service=service,
                code=code,
                datatype=datatype,
                required=variable and _flag(attribute.get("required")),
                variable=variable,
                order=order,
                description=_text(attribute.get("description")) or code,
                help_text=_text(attribute.get("datatype_description"))[:300],
            )
            QuestionValue.objects.bulk_create(
                QuestionValue(question=question, key=key, name=name, order=index)
                for index, (key, name) in enumerate(values, start=1)
            )
            codes.add(code)
            orders.add(order)
            self.summary.questions_created += 1

    # --- Requests -----------------------------------------------------------------------

    def windows(self) -> deque[tuple[datetime, datetime]]:
        until = self.until or timezone.now().replace(microsecond=0) + timedelta(seconds=1)
        result: deque[tuple[datetime, datetime]] = deque()
        start = self.since
        while start < until:
            end = min(start + self.window, until)
            result.append((start, end))
            start = end
        return result

    def import_requests(self) -> bool:
        """Every window, oldest first. True if at least one window could be read."""
        windows = self.windows()
        read_any = not windows
        previous: set[str] = set()
        while windows:
            start, end = windows.popleft()
            try:
                previous = self._import_window(start, end, previous)
            except _WindowTooBig:
                middle = start + (end - start) / 2
                windows.extendleft([(middle, end), (start, middle)])
                continue
            except FetchError as exc:
                self.summary.windows_failed += 1
                self.report(
                    _("Requests from %(start)s to %(end)s not read: %(error)s")
                    % {"start": w3c(start), "end": w3c(end), "error": exc}
                )
                continue
            read_any = True
        return read_any

    def _import_window(self, start: datetime, end: datetime, previous: set[str]) -> set[str]:
        """Page through one window. ``previous`` holds the ids of the window before, which a
        server may return again when a request lies on the boundary. Returns this window's
        ids."""
        seen: set[str] = set()
        page = 1
        while True:
            rows = _unwrap(
                self.get_json(
                    "requests.json",
                    {
                        "start_date": w3c(start),
                        "end_date": w3c(end),
                        "page": page,
                        "page_size": self.page_size,
                    },
                ),
                "service_requests",
            )
            if not isinstance(rows, list):
                raise FetchError(_("The answer is not a list of requests."))
            self.summary.pages += 1
            if page == 1 and len(rows) >= self.cap and len(rows) > self.page_size:
                # The server ignores paging and stopped at its limit: read two halves.
                if end - start > MIN_WINDOW:
                    raise _WindowTooBig
                self.report(
                    _(
                        "Requests from %(start)s to %(end)s: the server returns its limit "
                        "of %(cap)d rows even for one minute; some may be missing."
                    )
                    % {"start": w3c(start), "end": w3c(end), "cap": self.cap}
                )
            ids = [
                _text(row.get("service_request_id")) if isinstance(row, dict) else ""
                for row in rows
            ]
            if page > 1 and rows and all(i in seen for i in ids if i):
                break  # the server ignores ``page``: this is a page we already read
            for row, legacy_id in zip(rows, ids, strict=True):
                if legacy_id in seen:
                    continue
                if legacy_id:
                    seen.add(legacy_id)  # also when in ``previous``: the repeat test needs it
                    if legacy_id in previous:
                        continue
                self.import_row(row)
            if len(rows) < self.page_size:
                break
            page += 1
        return seen

    def import_row(self, row: Any) -> None:
        """File one legacy request (or close/skip it when it was imported before)."""
        if not isinstance(row, dict):
            self._failed(_("A request row that is not an object was skipped."))
            return
        legacy_id = _text(row.get("service_request_id"))
        service_code = _text(row.get("service_code"))
        if not legacy_id:
            self._failed(
                _(
                    "A request without service_request_id (service “%(code)s”, "
                    "requested %(when)s) was skipped."
                )
                % {"code": service_code[:40], "when": _text(row.get("requested_datetime"))[:40]}
            )
            return
        if len(legacy_id) > 120:
            self._failed(
                _("Request “%(id)s…”: the id is longer than 120 characters.")
                % {"id": legacy_id[:40]}
            )
            return
        status = _text(row.get("status")).lower()
        notes = _text(row.get("status_notes"))[:MAX_TEXT]
        resolution = CLOSED_STATUSES.get(status)
        if resolution == Resolution.FIXED and "duplicate" in notes.lower():
            resolution = Resolution.NO_ACTION
        requested_at = parse_w3c(row.get("requested_datetime"))
        updated_at = parse_w3c(row.get("updated_datetime"))

        existing = (
            ServiceRequest.objects.filter(external_source=self.base_url, external_id=legacy_id)
            .only("pk", "status", "requested_at")
            .first()
        )
        if existing is not None:
            if resolution and existing.status != Status.CLOSED:
                self._close(existing, legacy_id, resolution, notes, updated_at)
            else:
                self.summary.requests_skipped += 1
            return

        now = timezone.now()
        problem = None
        if requested_at is None:
            problem = _(
                "requested_datetime “%(value)s” is not a date and time with a time zone"
            ) % {"value": _text(row.get("requested_datetime"))[:40]}
        elif requested_at > now + timedelta(minutes=5):
            problem = _("requested_datetime is in the future")
        elif not service_code:
            problem = _("no service_code")
        else:
            requested_at = min(requested_at, now)  # a few seconds of clock skew
        if problem:
            self._failed(
                _("Request “%(id)s” skipped: %(problem)s.") % {"id": legacy_id, "problem": problem}
            )
            return
        service = self.service_for(service_code, None)
        if service is None:
            self._failed(
                _("Request “%(id)s” skipped: its service “%(code)s” could not be created.")
                % {"id": legacy_id, "code": service_code[:40]}
            )
            return
        try:
            with transaction.atomic():
                request = workflow.submit(
                    service=service,
                    actor=self.actor,
                    channel=Channel.IMPORT,
                    description=_text(row.get("description"))[:MAX_TEXT],
                    lat=row.get("lat"),
                    long=row.get("long"),
                    address=" ".join(_text(row.get("address")).split())[:300],
                    address_id=_text(row.get("address_id")),
                    postal_code=_text(row.get("zipcode")),
                    media_urls=_media_urls(row.get("media_url")),
                    requested_at=requested_at,
                    external_source=self.base_url,
                    external_id=legacy_id,
                    notify=False,
                    require_answers=False,
                )
                if resolution:
                    workflow.close(
                        request,
                        resolution,
                        actor=self.actor,
                        public_note=notes,
                        at=_close_time(requested_at, updated_at),
                    )
        except DomainError as exc:
            if exc.code == "duplicate_import":  # another import run got there first
                self.summary.requests_skipped += 1
            else:
                self._failed(
                    _("Request “%(id)s” skipped: %(error)s") % {"id": legacy_id, "error": exc}
                )
            return
        except (ValueError, OverflowError) as exc:  # e.g. a date near year 1 or 9999
            self._failed(_("Request “%(id)s” skipped: %(error)s") % {"id": legacy_id, "error": exc})
            return
        self.summary.requests_created += 1
        if resolution:
            self.summary.requests_closed += 1

    def _close(
        self,
        existing: ServiceRequest,
        legacy_id: str,
        resolution: str,
        notes: str,
        updated_at: datetime | None,
    ) -> None:
        try:
            workflow.close(
                existing.pk,
                resolution,
                actor=self.actor,
                public_note=notes,
                at=_close_time(existing.requested_at, updated_at),
            )
        except DomainError as exc:
            self._failed(
                _("Request “%(id)s” not closed: %(error)s") % {"id": legacy_id, "error": exc}
            )
            return
        self.summary.requests_closed += 1

    def _failed(self, message: str) -> None:
        self.summary.requests_failed += 1
        self.report(message)


def _unwrap(data: Any, key: str) -> Any:
    """FixMyStreet's server wraps its lists (``{"services": [...]}``); the spec does not."""
    if isinstance(data, dict) and isinstance(data.get(key), list):
        return data[key]
    return data


def _close_time(requested_at: datetime, updated_at: datetime | None) -> datetime:
    """The legacy close time (updated_datetime), kept between filing and now."""
    if updated_at is None:
        return requested_at
    return min(max(updated_at, requested_at), timezone.now())


def _media_urls(raw: Any) -> list[str]:
    """The legacy photo links worth keeping (a string, or FixMyStreet's list). A link that
    is not a web address is dropped rather than costing the whole request."""
    urls = []
    for value in raw if isinstance(raw, list) else [raw]:
        url = _text(value)
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            continue
        if len(url) <= 500 and url not in urls:
            urls.append(url)
    return urls[: workflow.MAX_PHOTOS]


def _values(raw: Any) -> list[tuple[str, str]]:
    values: list[tuple[str, str]] = []
    keys: set[str] = set()
    for value in raw if isinstance(raw, list) else []:
        if not isinstance(value, dict):
            continue
        key = _text(value.get("key"))
        if not key or len(key) > 60 or not VALUE_KEY.match(key) or key in keys:
            continue
        keys.add(key)
        values.append((key, (_text(value.get("name")) or key)[:200]))
    return values


def _error_description(exc: HTTPError) -> str:
    """The first ``description`` of a GeoReport error body, if there is one."""
    try:
        body = json.loads(exc.read(65536).decode("utf-8"))
        exc.close()
    except (OSError, ValueError, UnicodeDecodeError):
        return ""
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return _text(body[0].get("description"))[:200]
    return ""
