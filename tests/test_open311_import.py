"""``manage.py import_open311`` against a recorded GeoReport v2 server on loopback."""

from __future__ import annotations

import io
import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from datetime import timezone as dt_timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from frontdoor.cases import workflow
from frontdoor.cases.errors import InvalidInput
from frontdoor.cases.models import Event, ServiceRequest, Status
from frontdoor.catalogue.models import Category, Question, Service
from frontdoor.notifications.models import Notification
from frontdoor.open311.importer import Open311Importer, normalise_base_url, parse_w3c
from tests import factories as f
from tests.conftest import submit_pothole

A = Event.Action
pytestmark = pytest.mark.django_db
CDT = dt_timezone(timedelta(hours=-5))


def w3c(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")[:-2] + ":" + moment.strftime("%z")[-2:]


# --- The recorded server -------------------------------------------------------------------


class LegacyServer:
    """A GeoReport v2 server on 127.0.0.1 serving canned JSON. It filters requests on
    start_date <= requested <= end_date (both ends inclusive, as some servers do), newest
    first, honours page/page_size unless ``paging`` is off, and stops at ``cap`` rows."""

    def __init__(self, services: Any, definitions: dict[str, Any], requests: list[dict]) -> None:
        self.services = services
        self.definitions = definitions
        self.requests = requests
        self.paging = True
        self.cap = 1000
        self.wrap = False  # FixMyStreet style: {"services": [...]}, {"service_requests": [...]}
        self.failing_windows: set[str] = set()  # start_date values answered with a 500
        self.hits: list[tuple[str, dict[str, list[str]]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                server.hits.append((parts.path, query))
                status, body = server.answer(unquote(parts.path), query)
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/open311/v2/"

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        prefix = "/open311/v2/"
        resource = path.removeprefix(prefix)
        if resource == "services.json":
            return 200, {"services": self.services} if self.wrap else self.services
        if resource.startswith("services/") and resource.endswith(".json"):
            code = resource.removeprefix("services/").removesuffix(".json")
            if code in self.definitions:
                return 200, self.definitions[code]
            return 404, [{"code": 404, "description": f"No service {code}"}]
        if resource == "requests.json":
            return self.request_list(query)
        return 404, [{"code": 404, "description": "Not found"}]

    def request_list(self, query: dict[str, list[str]]) -> tuple[int, Any]:
        start = parse_w3c(query["start_date"][0])
        end = parse_w3c(query["end_date"][0])
        if start is None or end is None:
            return 400, [{"code": 400, "description": "Dates need a time zone"}]
        if query["start_date"][0] in self.failing_windows:
            return 500, [{"code": 500, "description": "database down"}]
        rows = sorted(
            (r for r in self.requests if start <= r["_when"] <= end),
            key=lambda r: r["_when"],
            reverse=True,
        )[: self.cap]
        if self.paging:
            page, size = int(query["page"][0]), int(query["page_size"][0])
            rows = rows[(page - 1) * size : page * size]
        items = [{k: v for k, v in r.items() if k != "_when"} for r in rows]
        return 200, {"service_requests": items} if self.wrap else items


SERVICES = [
    {
        "service_code": "SAN1",
        "service_name": "Missed collection",
        "description": "Bins not emptied",
        "metadata": True,
        "type": "realtime",
        "keywords": "trash, bins",
        "group": "Sanitation & Waste",
    },
    {
        "service_code": "GRAF",
        "service_name": "Graffiti",
        "description": None,
        "metadata": False,
        "type": "batch",
        "keywords": None,
        "group": None,
    },
    {
        "service_code": "POTHOLE",
        "service_name": "Potholes (legacy name)",
        "metadata": True,
        "type": "realtime",
        "group": "Streets",
    },
    {"service_name": "A service without a code", "metadata": False},
]
DEFINITIONS = {
    "SAN1": {
        "service_code": "SAN1",
        "attributes": [
            {
                "variable": False,
                "code": "NOTICE",
                "datatype": "string",
                "required": False,
                "datatype_description": None,
                "order": 1,
                "description": "Collection is on Tuesdays.",
            },
            {
                "variable": True,
                "code": "BIN",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": "Pick one",
                "order": 2,
                "description": "Which bin?",
                "values": [
                    {"key": "recycling", "name": "Recycling"},
                    {"key": "trash", "name": "Trash"},
                ],
            },
            {
                "variable": True,
                "code": "WHERE",
                "datatype": "text",
                "required": False,
                "datatype_description": None,
                "order": 3,
                "description": "Where exactly?",
            },
            {"variable": True, "code": "BLOB", "datatype": "blob", "order": 4, "description": "?"},
        ],
    },
}
CODES = ["SAN1", "GRAF", "POTHOLE", "GHOST"]  # GHOST: not listed, no definition
VALID = 250


def legacy_requests(now: datetime, since: datetime) -> list[dict[str, Any]]:
    """250 valid requests over ~99 days (a third closed two days later), one exactly on a
    window boundary, and three malformed rows."""
    rows = []
    for i in range(VALID):
        when = (now - timedelta(hours=9.5 * i + 1)).replace(microsecond=0)
        if i == VALID - 1:
            when = since + timedelta(days=30)  # on the boundary of the first two windows
        closed = i % 3 == 0 and i >= 6
        code = CODES[i % 4]
        local = when.astimezone(CDT if i % 2 else UTC)
        rows.append(
            {
                "_when": when,
                "service_request_id": f"L-{1000 + i}",
                "status": "closed" if closed else "open",
                "status_notes": "Duplicate request." if i == 9 else ("Done." if closed else None),
                "service_name": {"GHOST": "Ghost signs"}.get(code, code),
                "service_code": code,
                "description": f"Legacy report {i}",
                "agency_responsible": None,
                "service_notice": None,
                "requested_datetime": w3c(local),
                "updated_datetime": w3c((when + timedelta(days=2)) if closed else when),
                "expected_datetime": None,
                "address": f"{i} Main St",
                "address_id": f"A{i}",
                "zipcode": 64100 + i % 5,  # a number, as the spec's examples print it
                "lat": 38.91 + (i % 80) / 1000,
                "long": -94.29 + (i % 80) / 1000,
                "media_url": f"https://old.example.gov/media/{i}.jpg" if i % 10 == 1 else None,
            }
        )
    base = now - timedelta(days=3)
    rows += [
        {**rows[5], "_when": base, "service_request_id": None},
        {**rows[5], "_when": base, "service_request_id": "BAD-DATE", "requested_datetime": "soon"},
        {**rows[5], "_when": base, "service_request_id": "BAD-LAT", "lat": 123.0},
    ]
    rows[21]["media_url"] = "not a link"  # dropped; the request is still imported
    return rows


@pytest.fixture
def triage(city, group):  # type: ignore[no-untyped-def]
    """The city's triage group with a member, so that any e-mail would be queued."""
    city.triage_group = group
    city.save()
    f.MembershipFactory(group=group, user=f.UserFactory(username="tia", email="tia@city.example"))
    return group


@pytest.fixture
def since() -> datetime:
    return datetime.combine((timezone.now() - timedelta(days=101)).date(), datetime.min.time(), UTC)


@pytest.fixture
def legacy(since: datetime) -> Iterator[LegacyServer]:
    server = LegacyServer(SERVICES, DEFINITIONS, legacy_requests(timezone.now(), since))
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def run(url: str, *options: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_open311", url, *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_import(legacy: LegacyServer, since: datetime, *options: str) -> tuple[str, str]:
    return run(legacy.url, "--since", since.date().isoformat(), "--page-size", "20", *options)


def counts() -> dict[str, int]:
    return {
        "requests": ServiceRequest.objects.count(),
        "events": Event.objects.count(),
        "services": Service.objects.count(),
        "questions": Question.objects.count(),
        "categories": Category.objects.count(),
    }


def summary_value(out: str, label: str) -> int:
    line = next(line for line in out.splitlines() if line.strip().startswith(label))
    return int(line.split()[-1])


# --- The import ----------------------------------------------------------------------------


def test_import_creates_catalogue_and_requests_with_their_history(legacy, since, triage, pothole):
    out, err = run_import(legacy, since)

    # Catalogue: two listed services created, the existing one reused as it was.
    san = Service.objects.get(code="SAN1")
    assert (san.name, san.description, san.keywords) == (
        "Missed collection",
        "Bins not emptied",
        "trash, bins",
    )
    assert san.category.code == "sanitation-waste"
    assert san.category.name == "Sanitation & Waste"
    assert san.default_group == triage
    graf = Service.objects.get(code="GRAF")
    assert graf.category.code == "imported"
    assert graf.response_type == Service.ResponseType.BATCH
    ghost = Service.objects.get(code="GHOST")  # only seen on requests; definition 404
    assert (ghost.name, ghost.category.code) == ("GHOST", "imported")
    assert not ghost.questions.exists()
    pothole.refresh_from_db()
    assert pothole.name == "Pothole"
    assert pothole.questions.count() == 7
    questions = {q.code: q for q in san.questions.all()}
    assert set(questions) == {"NOTICE", "BIN", "WHERE"}
    assert questions["BIN"].required and questions["BIN"].datatype == "singlevaluelist"
    assert list(questions["BIN"].values.values_list("key", "name")) == [
        ("recycling", "Recycling"),
        ("trash", "Trash"),
    ]
    assert not questions["NOTICE"].variable
    assert questions["BIN"].help_text == "Pick one"
    assert "BLOB" in err and "blob" in err

    # Requests: every valid row once, with its original id, time and place.
    source = normalise_base_url(legacy.url)
    assert source == legacy.url.rstrip("/")
    imported = ServiceRequest.objects.filter(external_source=source)
    assert imported.count() == VALID == ServiceRequest.objects.count()
    assert set(imported.values_list("channel", flat=True)) == {"import"}
    rows = {r["service_request_id"]: r for r in legacy.requests}
    for request in imported.select_related("service"):
        row = rows[request.external_id]
        assert request.requested_at == parse_w3c(row["requested_datetime"])
        assert request.service.code == row["service_code"]
        assert (request.description, request.address) == (row["description"], row["address"])
        assert (request.address_id, request.postal_code) == (row["address_id"], str(row["zipcode"]))
        assert request.lat == pytest.approx(row["lat"]) and request.long == pytest.approx(
            row["long"]
        )
        assert request.contact_email == "" and request.requester is None
        assert request.answers == {}
        links = list(request.attachments.values_list("external_url", flat=True))
        assert links == (
            [row["media_url"]] if row["media_url"] != "not a link" and row["media_url"] else []
        )
        if row["status"] == "closed":
            assert request.status == Status.CLOSED
            assert request.closed_at == parse_w3c(row["updated_datetime"])
            assert request.status_notes == row["status_notes"]
        else:
            assert request.status == Status.NEW and request.closed_at is None

    closed = imported.get(external_id="L-1012")
    events = list(closed.events.order_by("pk").values_list("action", "created_at", "actor_label"))
    assert [e[0] for e in events] == [A.CREATED, A.ROUTED, A.CLOSED]
    assert events[0][1] == events[1][1] == closed.requested_at
    assert events[2][1] == closed.closed_at == closed.requested_at + timedelta(days=2)
    assert events[0][2] == f"Open311 import (127.0.0.1:{legacy.httpd.server_address[1]})"
    assert closed.resolution == "fixed"
    assert imported.get(external_id="L-1009").resolution == "no_action"  # "Duplicate request."
    assert imported.filter(status=Status.CLOSED).count() == len(
        [i for i in range(VALID) if i % 3 == 0 and i >= 6]
    )

    # History is imported silently.
    assert Notification.objects.count() == 0
    assert DBTaskResult.objects.count() == 0

    # Malformed rows are reported and counted, not raised.
    assert "without service_request_id" in err
    assert "BAD-DATE" in err and "soon" in err
    assert "BAD-LAT" in err and "Latitude" in err
    assert summary_value(out, "Requests created") == VALID
    assert summary_value(out, "Requests failed") == 3
    assert summary_value(out, "Requests skipped") == 0  # the boundary row counted once
    assert summary_value(out, "Services created") == 3
    assert summary_value(out, "Services reused") == 1
    assert summary_value(out, "Services failed") == 1
    assert summary_value(out, "Questions created") == 3
    # Paging: dates with a time zone, 20 rows a page, more than one page per window.
    request_hits = [q for path, q in legacy.hits if path.endswith("/requests.json")]
    assert all(q["start_date"][0].endswith("Z") and q["page_size"] == ["20"] for q in request_hits)
    assert max(int(q["page"][0]) for q in request_hits) >= 3
    assert len({q["start_date"][0] for q in request_hits}) == 4  # 101 days in 30-day windows


def test_second_run_creates_nothing(legacy, since, triage, pothole):
    run_import(legacy, since)
    before = counts()

    out, _err = run_import(legacy, since)

    assert counts() == before
    assert summary_value(out, "Requests created") == 0
    assert summary_value(out, "Requests skipped") == VALID
    assert summary_value(out, "Services created") == 0
    assert summary_value(out, "Services reused") == 3  # GHOST: no new request needs it
    assert Notification.objects.count() == 0


def test_a_request_closed_upstream_since_the_last_run_is_closed(legacy, since, triage):
    run_import(legacy, since)
    row = next(r for r in legacy.requests if r["service_request_id"] == "L-1004")
    assert row["status"] == "open"
    closed_at = (row["_when"] + timedelta(hours=5)).replace(microsecond=0)
    row.update(status="closed", status_notes="Painted over.", updated_datetime=w3c(closed_at))

    out, _err = run_import(legacy, since)

    request = ServiceRequest.objects.get(external_id="L-1004")
    assert (request.status, request.closed_at, request.status_notes) == (
        Status.CLOSED,
        closed_at,
        "Painted over.",
    )
    assert request.events.get(action=A.CLOSED).created_at == closed_at
    assert summary_value(out, "Requests closed") == 1
    assert summary_value(out, "Requests created") == 0
    assert ServiceRequest.objects.count() == VALID


def test_a_server_that_ignores_paging_is_read_once_per_window(legacy, since, triage):
    legacy.paging = False

    out, _err = run_import(legacy, since)

    assert ServiceRequest.objects.count() == VALID
    assert summary_value(out, "Requests skipped") == 0
    request_hits = [q for path, q in legacy.hits if path.endswith("/requests.json")]
    assert len(request_hits) == 4 * 2  # each window: one page, then a repeat that stops it


def test_a_window_cut_at_the_servers_limit_is_split(legacy, since, triage, monkeypatch):
    legacy.paging, legacy.cap = False, 30
    monkeypatch.setattr(Open311Importer, "cap", 30)

    run_import(legacy, since)

    assert ServiceRequest.objects.count() == VALID
    windows = {q["start_date"][0] for path, q in legacy.hits if path.endswith("/requests.json")}
    assert len(windows) > 4


def test_lists_wrapped_in_an_object_are_accepted(legacy, since, triage):
    legacy.wrap = True

    run_import(legacy, since)

    assert Service.objects.filter(code__in=["SAN1", "GRAF"]).count() == 2
    assert ServiceRequest.objects.count() == VALID


def test_jurisdiction_id_is_sent_on_every_call(legacy, since, triage):
    run_import(legacy, since, "--jurisdiction", "old.example.gov")

    assert legacy.hits
    assert all(query.get("jurisdiction_id") == ["old.example.gov"] for _path, query in legacy.hits)


def test_dry_run_saves_nothing(legacy, since, triage):
    before = counts()

    out, _err = run_import(legacy, since, "--dry-run")

    assert counts() == before
    assert summary_value(out, "Requests created") == VALID
    assert "Dry run: nothing was saved." in out


# --- A server that cannot be read ------------------------------------------------------------


def test_an_unreachable_server_is_a_clear_error(triage):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there

    with pytest.raises(CommandError, match=r"Cannot read http://127\.0\.0\.1:\d+/services\.json"):
        run(f"http://127.0.0.1:{port}", "--timeout", "5")
    assert counts()["requests"] == counts()["services"] == 0


def test_a_server_that_does_not_answer_json_is_a_clear_error(legacy, since, triage):
    legacy.services = b"<html><body>Service unavailable</body></html>"

    with pytest.raises(CommandError, match="did not answer with JSON"):
        run_import(legacy, since)
    assert ServiceRequest.objects.count() == 0


def test_a_failing_window_is_reported_and_the_others_imported(legacy, since, triage):
    legacy.failing_windows = {since.strftime("%Y-%m-%dT%H:%M:%SZ")}

    out, err = run_import(legacy, since)

    assert "HTTP 500" in err and "database down" in err
    assert summary_value(out, "Date windows not read") == 1
    assert 0 < ServiceRequest.objects.count() < VALID


def test_no_readable_window_at_all_is_an_error(legacy, since, triage):
    starts = (since + timedelta(days=30 * k) for k in range(4))
    legacy.failing_windows = {start.strftime("%Y-%m-%dT%H:%M:%SZ") for start in starts}

    with pytest.raises(CommandError, match="No requests could be read"):
        run_import(legacy, since)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--window-days", "0"], "--window-days"),
        (["--page-size", "5000"], "--page-size"),
        (["--since", "last tuesday"], "--since"),
    ],
)
def test_bad_options_are_refused(triage, options, message):
    with pytest.raises(CommandError, match=message):
        run("http://127.0.0.1:9/open311/v2", *options)


def test_only_http_addresses_are_read(triage):
    with pytest.raises(CommandError, match="not an http or https address"):
        run("file:///etc/passwd")


def test_without_a_triage_group_nothing_is_imported(legacy, since, city):
    with pytest.raises(CommandError, match="triage group"):
        run_import(legacy, since)
    assert counts()["services"] == 0


# --- The workflow keywords the import relies on ----------------------------------------------


def test_submit_without_notify_queues_nothing_and_skips_required_answers(pothole, staff):
    request = submit_pothole(pothole, answers={}, notify=False, require_answers=False)

    assert request.events.count() == 2
    assert Notification.objects.count() == 0
    with pytest.raises(InvalidInput, match="Please answer"):
        submit_pothole(pothole, answers={})


def test_close_at_an_earlier_time(pothole, staff):
    filed = submit_pothole(pothole, requested_at=timezone.now() - timedelta(hours=2))
    closed_at = filed.requested_at + timedelta(minutes=30)
    actor = workflow.Actor.staff(staff)
    with pytest.raises(InvalidInput):
        workflow.close(filed, "fixed", actor=actor, at=filed.requested_at - timedelta(seconds=1))
    with pytest.raises(InvalidInput):
        workflow.close(filed, "fixed", actor=actor, at=timezone.now() + timedelta(hours=1))
    filed.refresh_from_db()
    assert filed.status == Status.NEW

    workflow.close(filed, "fixed", actor=actor, at=closed_at)

    filed.refresh_from_db()
    assert (filed.closed_at, filed.updated_at) == (closed_at, closed_at)
    assert filed.events.get(action=A.CLOSED).created_at == closed_at
