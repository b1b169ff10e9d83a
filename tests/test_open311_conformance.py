"""Open311 GeoReport v2 conformance, end to end: the real server in its own process, driven by
two independent client libraries from PyPI.

- ``civicbot`` (its ``Open311Client``) speaks JSON: services, definitions, POST with
  single- and multi-value attributes, tokens, requests by id and by filters.
- ``georeport`` (``GeoReport``) speaks XML (and JSON) for the GET methods; it has no POST,
  so XML POSTs are plain form posts parsed with ``xmltodict`` (georeport's own parser).

Every JSON answer is validated against the component schemas of our OpenAPI document, and
every XML answer is checked for its declaration, Content-Type and element names.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests
import xmltodict
from civicbot.http import HttpError, HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint
from georeport import GeoReport

from frontdoor.open311.openapi import component_json_schema

ROOT = Path(__file__).resolve().parent.parent
JURISDICTION = "portalder.example"
# A point inside Port Alder's boundary (frontdoor/demo/data/zones.geojson).
INSIDE = (38.952252, -94.198452)
# The demo has no batch service; the fixture makes this one batch so tokens get tested.
BATCH_CODE = "CART_REQUEST"
STAFF_ONLY_CODE = "STREET_DEFECT_INTERNAL"
REQUEST_KEYS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
PHOTO_URL = "https://photos.example.org/pothole.jpg"


# ------------------------------------------------------------------ the server


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:PORT
    write_key: str
    partner_key: str | None
    log: Path

    @property
    def v2(self) -> str:
        return f"{self.base}/open311/v2"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _issue_key(manage: list[str], env: dict[str, str], name: str, scope: str) -> str:
    result = subprocess.run(
        [*manage, "open311_key", "--name", name, "--scope", scope, "--rate-limit", "0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    match = re.search(r"API key: (\S+)", result.stdout)
    assert match, result.stdout
    return match.group(1)


MAKE_BATCH = f"""
from frontdoor.catalogue.models import Service
assert Service.objects.filter(code={BATCH_CODE!r}).update(response_type="batch") == 1
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """gunicorn serving a demo city (no history) from a file SQLite database."""
    tmp = tmp_path_factory.mktemp("open311")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp}/frontdoor.sqlite3",
        "FRONTDOOR_VAR_DIR": str(tmp),
        "DEBUG": "false",
        "PYTHONPATH": str(ROOT),
    }
    for name in ("PYTEST_XDIST_WORKER", "TEST_DATABASE_NAME"):
        env.pop(name, None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=180)
    subprocess.run(
        [*manage, "demo_city", "--requests", "0"], env=env, cwd=ROOT, check=True, timeout=180
    )
    subprocess.run([*manage, "shell", "-c", MAKE_BATCH], env=env, cwd=ROOT, check=True, timeout=60)
    write_key = _issue_key(manage, env, "Conformance app", "write")
    partner_key = _issue_key(manage, env, "Conformance partner", "partner")

    port = _free_port()
    log = tmp / "gunicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "frontdoor.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--access-logfile",
                "-",
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "server did not start:\n" + log.read_text()
            time.sleep(0.2)
        yield Server(base=base, write_key=write_key, partner_key=partner_key, log=log)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    # No answer was a 5xx, not even one a test did not look at.
    output = log.read_text()
    assert "Traceback" not in output, output
    assert not re.search(r'HTTP/1\.[01]" 5\d\d ', output), output


# ------------------------------------------------------------------ clients and helpers


@pytest.fixture(scope="module")
def civic(server: Server) -> Open311Client:
    endpoint = Endpoint(id="portalder", name="Port Alder", base_url=server.v2, write=True)
    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0), timeout=30)
    return Open311Client(endpoint, transport=transport, jurisdiction_id=JURISDICTION)


@pytest.fixture(scope="module")
def geo_xml(server: Server) -> GeoReport:
    return GeoReport(server.v2, jurisdiction=JURISDICTION, output_format="xml")


@pytest.fixture(scope="module")
def geo_json(server: Server) -> GeoReport:
    return GeoReport(server.v2, jurisdiction=JURISDICTION, output_format="json")


_VALIDATORS: dict[str, jsonschema.Draft202012Validator] = {}


def valid(instance: Any, component: str) -> Any:
    """``instance`` if it matches the OpenAPI component ``component``; fails otherwise."""
    if component not in _VALIDATORS:
        _VALIDATORS[component] = jsonschema.Draft202012Validator(component_json_schema(component))
    errors = sorted(_VALIDATORS[component].iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, f"{component}: " + "; ".join(
        f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]
    )
    return instance


def as_list(value: Any) -> list[Any]:
    """xmltodict gives None for an empty container and a dict for a single child."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def xml_of(response: requests.Response, root: str) -> dict[str, Any]:
    """The parsed body under ``root``, after checking the XML envelope."""
    assert response.headers["Content-Type"] == XML_TYPE, response.headers["Content-Type"]
    text = response.content.decode("utf-8")
    assert text.startswith(XML_DECLARATION), text[:80]
    document = xmltodict.parse(response.content)
    assert list(document) == [root], f"root is {list(document)}, expected {root}"
    assert "xmlns" not in text, "GeoReport XML has no namespace"
    return document[root] or {}


def json_of(response: requests.Response, component: str) -> Any:
    assert response.headers["Content-Type"] == JSON_TYPE, response.headers["Content-Type"]
    return valid(response.json(), component)


def xml_items(container: dict[str, Any] | None, item: str) -> list[dict[str, Any]]:
    container = container or {}
    assert set(container) <= {item}, f"<{item}> expected, got {sorted(container)}"
    return as_list(container.get(item))


def error_shape(fmt: str, response: requests.Response, status: int) -> list[dict[str, Any]]:
    """Check an error answer's status and body; the errors as dicts with int codes."""
    assert response.status_code == status, (response.status_code, response.text[:300])
    if fmt == "json":
        errors = json_of(response, "Errors")
    else:
        errors = [
            {"code": int(e["code"]), "description": e["description"]}
            for e in xml_items(xml_of(response, "errors"), "error")
        ]
        assert errors and all(set(e) == {"code", "description"} for e in errors)
    assert all(e["code"] == status for e in errors), errors
    assert all(e["description"] for e in errors), errors
    return errors


def w3c(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def answer_for(attribute: dict[str, Any], *, many: bool = True) -> str | list[str]:
    """A valid answer of the attribute's datatype."""
    datatype = attribute["datatype"]
    keys = [v["key"] for v in attribute.get("values", [])]
    if datatype == "multivaluelist":
        return keys[:2] if many else keys[:1]
    if datatype == "singlevaluelist":
        return keys[0]
    return {
        "string": "Blue sedan",
        "number": "3",
        "datetime": "2026-01-05T08:00:00-06:00",
        "text": "First line\nsecond line",
    }[datatype]


# ------------------------------------------------------------------ the catalogue


@dataclass
class Catalogue:
    services: list[dict[str, Any]]
    definitions: dict[str, dict[str, Any]]

    def service(self, code: str) -> dict[str, Any]:
        return next(s for s in self.services if s["service_code"] == code)

    def answers(self, code: str, *, only_required: bool = False) -> dict[str, Any]:
        return {
            a["code"]: answer_for(a)
            for a in self.definitions.get(code, {}).get("attributes", [])
            if a["variable"] and (a["required"] or not only_required)
        }

    def with_lists(self) -> str:
        """A realtime service asking a required pick-one and a pick-any question."""
        for service in self.services:
            if service["type"] != "realtime":
                continue
            attributes = self.definitions.get(service["service_code"], {}).get("attributes", [])
            variable = [a for a in attributes if a["variable"]]
            single = any(a["datatype"] == "singlevaluelist" and a["required"] for a in variable)
            multi = any(a["datatype"] == "multivaluelist" for a in variable)
            if single and multi:
                return service["service_code"]
        raise AssertionError("the demo has no service with both list datatypes")

    def with_required(self, code_to_avoid: str = "") -> tuple[str, str]:
        """A realtime service with a required question: (service code, attribute code)."""
        for service in self.services:
            code = service["service_code"]
            if service["type"] != "realtime" or code == code_to_avoid:
                continue
            for attribute in self.definitions.get(code, {}).get("attributes", []):
                if attribute["required"] and attribute["variable"]:
                    return code, attribute["code"]
        raise AssertionError("the demo has no service with a required question")


@pytest.fixture(scope="module")
def catalogue(civic: Open311Client) -> Catalogue:
    services = valid(civic.list_services(), "ServiceList")
    definitions = {
        s["service_code"]: valid(
            civic.get_service_definition(s["service_code"]), "ServiceDefinition"
        )
        for s in services
        if s["metadata"]
    }
    return Catalogue(services, definitions)


def file_json(civic: Open311Client, server: Server, code: str, **fields: Any) -> str:
    """POST through civicbot (validated client-side against the live definition)."""
    fields.setdefault("lat", INSIDE[0])
    fields.setdefault("lng", INSIDE[1])
    prepared = civic.create_request(
        code,
        dry_run=False,
        confirm="SEND",
        api_key=server.write_key,
        validate_remote=True,
        **fields,
    )
    result = valid(prepared.response, "PostResult")
    assert len(result) == 1
    assert "token" not in result[0]
    return result[0]["service_request_id"]


# ------------------------------------------------------------------ discovery


@pytest.mark.parametrize("prefix", ["/open311", "/open311/v2"])
def test_discovery_in_both_formats(server: Server, civic: Open311Client, prefix: str) -> None:
    data = valid(civic.http.get_json(f"{server.base}{prefix}/discovery.json"), "Discovery")
    (endpoint,) = data["endpoints"]
    assert endpoint["url"] == server.v2
    assert "GeoReport_v2" in endpoint["specification"]
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}

    root = xml_of(requests.get(f"{server.base}{prefix}/discovery.xml", timeout=10), "discovery")
    assert set(root) == {"changeset", "contact", "key_service", "endpoints"}
    (xml_endpoint,) = xml_items(root["endpoints"], "endpoint")
    assert xml_endpoint["url"] == server.v2
    assert xml_items(xml_endpoint["formats"], "format") == endpoint["formats"]
    assert root["changeset"] == data["changeset"]


# ------------------------------------------------------------------ services


def test_service_list_agrees_in_json_and_xml(
    catalogue: Catalogue, geo_xml: GeoReport, geo_json: GeoReport
) -> None:
    codes = [s["service_code"] for s in catalogue.services]
    assert len(codes) == len(set(codes)) > 10
    assert STAFF_ONLY_CODE not in codes  # staff-only services are not offered to apps
    assert catalogue.service(BATCH_CODE)["type"] == "batch"
    assert valid(geo_json.get_service_list(), "ServiceList") == catalogue.services

    xml_services = as_list(geo_xml.get_service_list())
    assert [s["service_code"] for s in xml_services] == codes
    for xml_service, service in zip(xml_services, catalogue.services, strict=True):
        assert list(xml_service) == list(service)  # same elements, same order
        assert xml_service["metadata"] == ("true" if service["metadata"] else "false")
        assert xml_service["service_name"] == service["service_name"]
        assert xml_service["type"] == service["type"]


def test_every_service_definition_in_both_formats(catalogue: Catalogue, geo_xml: GeoReport) -> None:
    assert catalogue.definitions
    for service in catalogue.services:
        code = service["service_code"]
        if not service["metadata"]:
            assert code not in catalogue.definitions
            continue
        definition = catalogue.definitions[code]
        assert definition["service_code"] == code
        attributes = definition["attributes"]
        assert attributes, f"{code} has metadata=true but no attributes"
        orders = [a["order"] for a in attributes]
        assert len(set(orders)) == len(orders), code
        for attribute in attributes:
            is_list = attribute["datatype"] in ("singlevaluelist", "multivaluelist")
            assert ("values" in attribute) == is_list, (code, attribute["code"])
            if is_list:
                assert attribute["values"], (code, attribute["code"])
            if not attribute["variable"]:
                assert attribute["required"] is False, (code, attribute["code"])

        root = geo_xml.get_service_definition(code)
        assert list(root) == ["service_code", "attributes"]
        xml_attributes = xml_items(root["attributes"], "attribute")
        assert [a["code"] for a in xml_attributes] == [a["code"] for a in attributes]
        for xml_attribute, attribute in zip(xml_attributes, attributes, strict=True):
            assert list(xml_attribute) == list(attribute), code
            assert xml_attribute["required"] == str(attribute["required"]).lower()
            assert xml_attribute["variable"] == str(attribute["variable"]).lower()
            assert int(xml_attribute["order"]) == attribute["order"]
            if "values" in attribute:
                xml_values = xml_items(xml_attribute["values"], "value")
                assert xml_values == attribute["values"]


# ------------------------------------------------------------------ POST and GET


@pytest.fixture(scope="module")
def filed(civic: Open311Client, server: Server, catalogue: Catalogue) -> dict[str, Any]:
    """One request filed in JSON with a pick-one and a pick-any answer (two values)."""
    code = catalogue.with_lists()
    answers = catalogue.answers(code)
    assert any(isinstance(v, list) and len(v) == 2 for v in answers.values())
    request_id = file_json(
        civic,
        server,
        code,
        description="Conformance: a deep hole by the bus stop",
        attributes=answers,
        address_string="100 Main St, Port Alder",
        media_url=PHOTO_URL,
        email="tester@example.org",
        first_name="Ana",
        last_name="Tester",
        device_id="conformance-device",
    )
    return {"id": request_id, "code": code}


def test_post_json_and_read_it_back(
    civic: Open311Client, server: Server, filed: dict[str, Any], geo_json: GeoReport
) -> None:
    raw = civic.http.get_json(civic._url(f"requests/{filed['id']}"), civic._params())
    (item,) = valid(raw, "ServiceRequestList")
    assert tuple(item) == REQUEST_KEYS
    assert item["service_request_id"] == filed["id"]
    assert item["service_code"] == filed["code"]
    assert item["status"] == "open"
    assert item["description"] == "Conformance: a deep hole by the bus stop"
    assert item["media_url"] == PHOTO_URL
    assert item["address"]
    assert item["lat"] == pytest.approx(INSIDE[0], abs=1e-3)
    assert item["long"] == pytest.approx(INSIDE[1], abs=1e-3)
    requested = datetime.fromisoformat(item["requested_datetime"])
    assert abs(datetime.now(UTC) - requested) < timedelta(minutes=5)
    # Personal data never reaches the public API.
    assert "tester@example.org" not in json.dumps(raw)

    # georeport's JSON reader takes the first element of the list of one.
    assert geo_json.get_service_request(filed["id"]) == item
    assert civic.get_request(filed["id"]) == item


def test_extensions_add_notes_and_extended_attributes(
    civic: Open311Client, filed: dict[str, Any]
) -> None:
    for path in (f"requests/{filed['id']}", "requests"):
        params = civic._params(extensions="true")
        if path == "requests":
            params["service_request_id"] = filed["id"]
        (item,) = valid(civic.http.get_json(civic._url(path), params), "ServiceRequestList")
        valid(item, "ServiceRequestExtended")
        assert item["notes"], "a new request has at least its 'created' note"
        photos = item["extended_attributes"]["photos"]
        assert [p["media_url"] for p in photos] == [PHOTO_URL]


def test_post_xml_with_fixmystreet_style_multivalues(
    server: Server, civic: Open311Client, catalogue: Catalogue, geo_xml: GeoReport
) -> None:
    """FixMyStreet posts XML, repeats ``attribute[c]=v`` without ``[]`` and may repeat
    ``media_url``; the api_key and jurisdiction_id travel in the query string (open311 1.1)."""
    code = catalogue.with_lists()
    form: list[tuple[str, str]] = [
        ("service_code", code),
        ("lat", str(INSIDE[0])),
        ("long", str(INSIDE[1])),
        ("description", "Filed as XML"),
        ("first_name", ""),
        ("last_name", ""),
        ("media_url", PHOTO_URL),
        ("media_url", "https://photos.example.org/second.jpg"),
    ]
    for name, value in catalogue.answers(code).items():
        for one in value if isinstance(value, list) else [value]:
            form.append((f"attribute[{name}]", one))
    response = requests.post(
        f"{server.v2}/requests.xml",
        params={"api_key": server.write_key, "jurisdiction_id": JURISDICTION},
        data=form,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    (created,) = xml_items(xml_of(response, "service_requests"), "request")
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    request_id = created["service_request_id"]
    assert request_id

    xml_item = geo_xml.get_service_request(request_id)
    assert tuple(xml_item) == REQUEST_KEYS
    (json_item,) = valid(
        civic.http.get_json(civic._url(f"requests/{request_id}"), civic._params()),
        "ServiceRequestList",
    )
    # The two formats say the same thing: empty element for null, same text otherwise.
    for key in REQUEST_KEYS:
        value = json_item[key]
        if value is None:
            assert xml_item[key] is None, key
        elif isinstance(value, float):
            assert float(xml_item[key]) == pytest.approx(value), key
        else:
            assert xml_item[key] == str(value), key
    assert json_item["media_url"] == PHOTO_URL


def test_multipart_photo_upload(server: Server, catalogue: Catalogue, civic: Open311Client) -> None:
    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(picture, "JPEG")
    code = catalogue.with_lists()
    fields = {
        "api_key": server.write_key,
        "service_code": code,
        "lat": str(INSIDE[0]),
        "long": str(INSIDE[1]),
        "description": "With a photo",
    }
    for name, value in catalogue.answers(code, only_required=True).items():
        fields[f"attribute[{name}]" + ("[]" if isinstance(value, list) else "")] = value
    response = requests.post(
        f"{server.v2}/requests.json",
        data=fields,
        files={"media": ("hole.jpg", picture.getvalue(), "image/jpeg")},
        timeout=30,
    )
    (created,) = json_of(response, "PostResult")
    (item,) = valid(
        civic.http.get_json(
            civic._url(f"requests/{created['service_request_id']}"), civic._params()
        ),
        "ServiceRequestList",
    )
    assert item["media_url"] and item["media_url"].startswith(("http://", "https://"))


def test_requests_by_ids_filters_and_pages(
    civic: Open311Client,
    server: Server,
    catalogue: Catalogue,
    geo_xml: GeoReport,
    filed: dict[str, Any],
) -> None:
    code = filed["code"]
    answers = catalogue.answers(code, only_required=True)
    # Filters take whole seconds: start after every request the other tests filed.
    time.sleep(1.1)
    before = datetime.now(UTC).replace(microsecond=0)
    ids = [
        file_json(civic, server, code, description=f"Paging {n}", attributes=answers)
        for n in range(3)
    ]

    # By ids: exactly those, in the order asked.
    asked = [ids[2], filed["id"], ids[0]]
    listed = valid(civic.list_requests(service_request_ids=asked), "ServiceRequestList")
    assert [r["service_request_id"] for r in listed] == asked
    xml_listed = as_list(geo_xml.get_service_requests(service_request_id=",".join(asked)))
    assert [r["service_request_id"] for r in xml_listed] == asked

    # By service, status and date: ours, newest first.
    start = w3c(before)
    mine = valid(
        civic.list_requests(service_code=code, status="open", start_date=start),
        "ServiceRequestList",
    )
    assert [r["service_request_id"] for r in mine] == ids[::-1]
    assert all(r["service_code"] == code and r["status"] == "open" for r in mine)
    fractional = before.isoformat(timespec="microseconds")  # chicagorequests sends these
    assert (
        valid(civic.list_requests(service_code=code, start_date=fractional), "ServiceRequestList")
        == mine
    )
    assert civic.list_requests(service_code=code, status="closed", start_date=start) == []
    ended = valid(civic.list_requests(service_code=code, end_date=start), "ServiceRequestList")
    assert not {r["service_request_id"] for r in ended} & set(ids)
    xml_mine = as_list(geo_xml.get_service_requests(service_code=code, start_date=start))
    assert [r["service_request_id"] for r in xml_mine] == ids[::-1]

    # Pages of one (the page/page_size extension).
    pages = []
    for page in (1, 2, 3, 4):
        params = civic._params(service_code=code, start_date=start, page=page, page_size=1)
        pages.append(
            valid(civic.http.get_json(civic._url("requests"), params), "ServiceRequestList")
        )
    assert [[r["service_request_id"] for r in p] for p in pages] == [[i] for i in ids[::-1]] + [[]]

    # updated_after sees them too.
    updated = valid(
        civic.http.get_json(
            civic._url("requests"), civic._params(service_code=code, updated_after=start)
        ),
        "ServiceRequestList",
    )
    assert {r["service_request_id"] for r in updated} >= set(ids)


def test_a_batch_service_answers_with_a_token(
    civic: Open311Client, server: Server, catalogue: Catalogue, geo_xml: GeoReport
) -> None:
    prepared = civic.create_request(
        BATCH_CODE,
        dry_run=False,
        confirm="SEND",
        api_key=server.write_key,
        validate_remote=True,
        lat=INSIDE[0],
        lng=INSIDE[1],
        attributes=catalogue.answers(BATCH_CODE),
    )
    (accepted,) = valid(prepared.response, "PostResult")
    assert "service_request_id" not in accepted
    token = accepted["token"]

    (found,) = valid(civic.get_token(token), "TokenResult")
    assert found["token"] == token
    response = requests.get(f"{server.v2}/tokens/{token}.xml", timeout=10)
    (xml_found,) = xml_items(xml_of(response, "service_requests"), "request")
    assert xml_found.get("token") == token
    if "service_request_id" in found:
        assert xml_found["service_request_id"] == found["service_request_id"]
        (item,) = valid(
            civic.list_requests(service_request_ids=[found["service_request_id"]]),
            "ServiceRequestList",
        )
        assert item["service_code"] == BATCH_CODE

    for fmt in ("json", "xml"):
        error_shape(fmt, requests.get(f"{server.v2}/tokens/no-such-token.{fmt}", timeout=10), 404)


def test_idempotent_retry_gets_the_first_answer(
    server: Server, catalogue: Catalogue, civic: Open311Client
) -> None:
    code = catalogue.with_lists()
    form = {
        "api_key": server.write_key,
        "service_code": code,
        "lat": str(INSIDE[0]),
        "long": str(INSIDE[1]),
        "description": "Sent twice over a bad connection",
    }
    for name, value in catalogue.answers(code, only_required=True).items():
        form[f"attribute[{name}]" + ("[]" if isinstance(value, list) else "")] = value
    headers = {"Idempotency-Key": "conformance-retry-1"}
    first = requests.post(f"{server.v2}/requests.json", data=form, headers=headers, timeout=30)
    again = requests.post(f"{server.v2}/requests.json", data=form, headers=headers, timeout=30)
    assert first.status_code == 200, first.text
    assert again.status_code == first.status_code
    assert json_of(again, "PostResult") == json_of(first, "PostResult")

    changed = {**form, "description": "Something else"}
    for fmt in ("json", "xml"):
        response = requests.post(
            f"{server.v2}/requests.{fmt}", data=changed, headers=headers, timeout=30
        )
        error_shape(fmt, response, 422)


# ------------------------------------------------------------------ updates


def test_partner_update_closes_a_request_and_shows_in_the_feed(
    server: Server, civic: Open311Client, catalogue: Catalogue
) -> None:
    code = catalogue.with_lists()
    request_id = file_json(
        civic, server, code, description="To be closed", attributes=catalogue.answers(code)
    )
    start = w3c(datetime.now(UTC) - timedelta(minutes=1))

    def post_update() -> requests.Response:
        return requests.post(
            f"{server.v2}/servicerequestupdates.json",
            data={
                "api_key": server.partner_key,
                "service_request_id": request_id,
                "update_id": "partner-update-1",
                "status": "CLOSED",
                "updated_datetime": w3c(datetime.now(UTC)),
                "description": "Filled the hole.",
            },
            timeout=30,
        )

    response = post_update()
    assert response.status_code == 200, response.text
    (posted,) = json_of(response, "PostedUpdate")
    assert posted["update_id"]

    (item,) = civic.list_requests(service_request_ids=[request_id])
    assert item["status"] == "closed"

    end = w3c(datetime.now(UTC) + timedelta(minutes=1))
    feed = json_of(
        requests.get(
            f"{server.v2}/servicerequestupdates.json",
            params={"start_date": start, "end_date": end},
            timeout=10,
        ),
        "RequestUpdateList",
    )
    closing = [u for u in feed if u["service_request_id"] == request_id and u["status"] == "closed"]
    assert closing, feed
    assert any(u["description"] == "Filled the hole." for u in closing)

    xml_feed = xml_of(
        requests.get(
            f"{server.v2}/servicerequestupdates.xml",
            params={"start_date": start, "end_date": end},
            timeout=10,
        ),
        "service_request_updates",
    )
    xml_updates = xml_items(xml_feed, "request_update")
    assert [u["update_id"] for u in xml_updates] == [u["update_id"] for u in feed]

    # A retry of the same update_id is a no-op with the same answer.
    retry = post_update()
    assert retry.status_code == 200, retry.text
    assert json_of(retry, "PostedUpdate") == [posted]

    # A write key may file requests but not post updates.
    denied = requests.post(
        f"{server.v2}/servicerequestupdates.xml",
        data={"api_key": server.write_key, "service_request_id": request_id},
        timeout=30,
    )
    error_shape("xml", denied, 403)


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_errors_have_the_right_status_and_shape(
    server: Server, catalogue: Catalogue, fmt: str
) -> None:
    v2 = server.v2
    code, required = catalogue.with_required()
    located = {"lat": str(INSIDE[0]), "long": str(INSIDE[1])}

    def post(**form: str) -> requests.Response:
        return requests.post(f"{v2}/requests.{fmt}", data=form, timeout=30)

    error_shape(fmt, requests.get(f"{v2}/services/NO_SUCH_SERVICE.{fmt}", timeout=10), 404)
    error_shape(fmt, requests.get(f"{v2}/requests/0000000000.{fmt}", timeout=10), 404)
    error_shape(
        fmt,
        requests.get(
            f"{v2}/services.{fmt}", params={"jurisdiction_id": "nowhere.example"}, timeout=10
        ),
        404,
    )
    error_shape(fmt, post(api_key=server.write_key, service_code="NO_SUCH_SERVICE", **located), 404)
    error_shape(fmt, post(service_code=code, **located), 403)
    error_shape(
        fmt, post(api_key="fd_abcdefgh_not-the-right-secret", service_code=code, **located), 403
    )
    errors = error_shape(fmt, post(api_key=server.write_key, service_code=code, **located), 400)
    assert any(required in e["description"] for e in errors), errors

    for name in ("start_date", "end_date", "updated_after"):
        response = requests.get(
            f"{v2}/requests.{fmt}", params={name: "2026-01-01T00:00:00"}, timeout=10
        )
        (problem,) = error_shape(fmt, response, 400)
        assert re.search(r"time ?zone", problem["description"], re.IGNORECASE), problem


def test_client_libraries_see_errors(
    civic: Open311Client, geo_xml: GeoReport, server: Server
) -> None:
    """How the two libraries surface our errors: civicbot's HttpError, requests' HTTPError."""
    with pytest.raises(HttpError) as caught:
        civic.get_service_definition("NO_SUCH_SERVICE")
    assert caught.value.status == 404
    valid(json.loads(caught.value.body), "Errors")

    with pytest.raises(HttpError) as caught:
        civic.list_requests(start_date="2026-01-01T00:00:00")
    assert caught.value.status == 400

    with pytest.raises(requests.HTTPError) as xml_caught:
        geo_xml.get_service_request("0000000000")
    assert xml_caught.value.response.status_code == 404
    xml_of(xml_caught.value.response, "errors")


# ------------------------------------------------------------------ envelopes


ENVELOPES = [
    ("/open311/discovery", "discovery", None, "Discovery"),
    ("/open311/v2/discovery", "discovery", None, "Discovery"),
    ("/open311/v2/services", "services", "service", "ServiceList"),
    ("/open311/v2/requests", "service_requests", "request", "ServiceRequestList"),
    (
        "/open311/v2/servicerequestupdates",
        "service_request_updates",
        "request_update",
        "RequestUpdateList",
    ),
    ("/open311/v2/services/NO_SUCH_SERVICE", "errors", "error", "Errors"),
]


@pytest.mark.parametrize(("path", "root", "item", "component"), ENVELOPES)
def test_content_types_declaration_and_element_names(
    server: Server, path: str, root: str, item: str | None, component: str
) -> None:
    xml_response = requests.get(f"{server.base}{path}.xml", timeout=10)
    body = xml_of(xml_response, root)
    if item is not None:
        xml_items(body, item)
    json_response = requests.get(f"{server.base}{path}.json", timeout=10)
    json_of(json_response, component)
    assert json_response.status_code == xml_response.status_code
    # Arrays at the top except for discovery (an object).
    assert isinstance(json_response.json(), dict if root == "discovery" else list)


def test_unknown_extension_is_a_404(server: Server) -> None:
    response = requests.get(f"{server.v2}/services.html", timeout=10)
    assert response.status_code == 404
    valid(response.json(), "Errors")


def test_openapi_document_is_served(server: Server) -> None:
    response = requests.get(f"{server.v2}/openapi.json", timeout=10)
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.0")
    assert document["servers"] == [{"url": server.base}]
