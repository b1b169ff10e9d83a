"""Schemathesis fuzzes every operation of our OpenAPI document against the app, in process.

Each operation gets a bounded number of generated requests (valid ones and invalid ones)
and must never answer 5xx; every JSON answer must match the schema documented for its
status, and every XML answer must be well formed, with the declaration and Content-Type
the spec asks for.

The document is narrowed to the fixture's data (service codes, a form per service with
its questions, locations inside the city, our jurisdiction) so that many generated cases
are valid and reach the code behind validation; ids and tokens, known only once the
fixture has run, are placeholders filled into each case. Each operation is its own test,
in its own transaction, on SQLite or PostgreSQL.

The tests at the end pin down what the fuzzer found, without Hypothesis.
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)
from schemathesis.specs.openapi.definitions import OPENAPI_30

from frontdoor.cases import workflow
from frontdoor.cases.models import Resolution
from frontdoor.catalogue.models import Question, Service
from frontdoor.open311.models import ApiKey, ClientApp
from frontdoor.open311.openapi import openapi_document
from frontdoor.wsgi import application
from tests import factories as f
from tests.conftest import submit_pothole

# Inside tests.factories.CITY_SQUARE, so generated locations are in the city.
LAT_RANGE = (38.91, 38.99)
LONG_RANGE = (-94.29, -94.21)
XML_ROOTS = {
    "discovery",
    "services",
    "service_definition",
    "service_requests",
    "service_request_updates",
    "errors",
}
MAX_EXAMPLES = 30  # per operation, valid and invalid cases together
PHOTO_URL = "https://photos.example.org/hole.jpg"


@dataclass
class FuzzCity:
    write_key: str
    partner_key: str
    request_ids: list[str]
    token: str


@pytest.fixture
def fuzz_city(pothole: Service, group: Any) -> FuzzCity:
    """The test city's pothole service (every datatype), a batch service, a service not
    about a place, a staff-only and a private one; three requests (one closed, one with a
    public reply) and a pending token."""
    bulky = f.ServiceFactory(
        code="BULKY",
        name="Bulky item pickup",
        default_group=group,
        response_type=Service.ResponseType.BATCH,
    )
    items = f.QuestionFactory(
        service=bulky,
        code="items",
        order=1,
        required=True,
        datatype=Question.Datatype.MULTI,
        description="What items?",
    )
    for key in ("sofa", "fridge"):
        f.ValueFactory(question=items, key=key, name=key.title())
    f.ServiceFactory(code="QUESTION", default_group=group, location_required=False)
    f.ServiceFactory(code="STAFF_ONLY", default_group=group, audience=Service.Audience.STAFF)
    f.ServiceFactory(code="PRIVATE", default_group=group, private=True)

    _, write_key = ApiKey.issue(
        ClientApp.objects.create(name="Fuzzer"), scope=ApiKey.Scope.WRITE, rate_limit=0
    )
    _, partner_key = ApiKey.issue(
        ClientApp.objects.create(name="Fuzzing partner"), scope=ApiKey.Scope.PARTNER, rate_limit=0
    )

    first = submit_pothole(pothole, media_urls=[PHOTO_URL])
    second = submit_pothole(pothole, description="Another one")
    staff = workflow.Actor.system("Streets crew")
    workflow.reply(second.pk, "We will be there on Monday.", actor=staff)
    workflow.close(first.pk, Resolution.FIXED, actor=staff, public_note="Filled.")
    answer = Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": write_key,
            "service_code": "BULKY",
            "lat": f.WEST_POINT[0],
            "long": f.WEST_POINT[1],
            "attribute[items][]": ["sofa", "fridge"],
        },
    )
    assert answer.status_code == 200, answer.content
    (accepted,) = answer.json()
    posted = Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": write_key,
            "service_code": "POTHOLE",
            "lat": f.EAST_POINT[0],
            "long": f.EAST_POINT[1],
            "attribute[size]": "small",
        },
    )
    assert posted.status_code == 200, posted.content
    return FuzzCity(
        write_key=write_key,
        partner_key=partner_key,
        request_ids=[
            first.tracking_number,
            second.tracking_number,
            posted.json()[0]["service_request_id"],
        ],
        token=accepted["token"],
    )


# Answers for the fixtures' services, mostly with keys that exist: one form per service, so
# that many generated requests are complete and get filed.
POTHOLE_ANSWERS: dict[str, Any] = {
    "attribute[notice]": {"type": "string"},
    "attribute[size]": {"type": "string", "enum": ["small", "medium", "large", "huge"]},
    "attribute[depth_cm]": {"type": "string"},
    "attribute[seen_at]": {"type": "string"},
    "attribute[landmark]": {"type": "string"},
    "attribute[details]": {"type": "string"},
    "attribute[lanes][]": {
        "type": "array",
        "items": {"type": "string", "enum": ["left", "right", "bike", "middle"]},
    },
}
BULKY_ANSWERS: dict[str, Any] = {
    "attribute[items][]": {
        "type": "array",
        "items": {"type": "string", "enum": ["sofa", "fridge", "piano"]},
        "minItems": 1,
    },
}
# Ours in two spellings, none, and an unknown one (a 404). Arbitrary text is left out: it
# would make nearly every case a 404 and hide the rest (test_xml_survives_control_characters
# covers what an unknown id echoes).
JURISDICTIONS = {
    "type": "string",
    "enum": ["testville.example", "www.testville.example", "", "nowhere.example"],
}
SERVICE_CODES = ["POTHOLE", "BULKY", "QUESTION", "STAFF_ONLY", "PRIVATE", "NO_SUCH_SERVICE"]
# Ids and tokens exist only once the fixture has run, so the document holds placeholders
# that each generated case gets replaced with the real values.
REQUEST_PLACEHOLDERS = ["REQUEST_0", "REQUEST_1", "REQUEST_2"]
TOKEN_PLACEHOLDER = "TOKEN_0"


def _request_forms(form: dict[str, Any]) -> dict[str, Any]:
    """One form per service: located in the city, with that service's questions. (Invalid
    forms come from the negative generation mode.)"""
    located = copy.deepcopy(form)
    located["properties"]["lat"].update(minimum=LAT_RANGE[0], maximum=LAT_RANGE[1])
    located["properties"]["long"].update(minimum=LONG_RANGE[0], maximum=LONG_RANGE[1])
    located["required"] = [*form["required"], "lat", "long"]
    located["additionalProperties"] = False
    located["properties"]["email"] = {"type": "string", "format": "email"}
    located["properties"]["phone"] = {"type": "string", "pattern": r"^\+1 816 555 0[0-9]{3}$"}
    variants = []
    for code, answers, required in (
        ("POTHOLE", POTHOLE_ANSWERS, ["attribute[size]"]),
        ("BULKY", BULKY_ANSWERS, ["attribute[items][]"]),
        ("QUESTION", {}, []),
    ):
        variant = copy.deepcopy(located)
        variant["properties"]["service_code"] = {"type": "string", "enum": [code]}
        variant["properties"].update(copy.deepcopy(answers))
        variant["required"] += required
        variant["properties"].pop("media_url")  # an invalid URL fails the whole request
        variants.append(variant)
    return {"anyOf": variants}


def fuzz_document() -> dict[str, Any]:
    """Our document, with the fixtures' codes, ids and a box inside the city filled in, so
    the fuzzer reaches the code behind validation as well as the validation itself."""
    document = copy.deepcopy(openapi_document("http://localhost"))
    codes = {"type": "string", "enum": SERVICE_CODES}
    ids = {"type": "string", "enum": [*REQUEST_PLACEHOLDERS, "0000000000", "1234-5678-90"]}
    path_values = {
        "service_code": codes,
        "service_request_id": ids,
        "token": {"type": "string", "enum": [TOKEN_PLACEHOLDER, "no-such-token"]},
    }
    for item in document["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    parameter["schema"] = path_values[parameter["name"]]
                elif parameter["name"] == "jurisdiction_id":
                    parameter["schema"] = JURISDICTIONS
                elif parameter["name"] == "service_request_id":
                    parameter["schema"] = {
                        "type": "string",
                        "enum": [*REQUEST_PLACEHOLDERS, ",".join(REQUEST_PLACEHOLDERS), "nope"],
                    }
            for media in operation.get("requestBody", {}).get("content", {}).values():
                properties = media["schema"]["properties"]
                properties["jurisdiction_id"] = JURISDICTIONS
                if "address_string" in properties:  # the form that files a request
                    media["schema"] = _request_forms(media["schema"])
                else:  # the form that posts an update
                    properties["service_request_id"] = ids
    return document


CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "no-shrink": True,
        },
        "phases": {
            "examples": {"enabled": False},
            "coverage": {"enabled": False},
            "stateful": {"enabled": False},
        },
    }
)
schema = schemathesis.openapi.from_dict(fuzz_document(), config=CONFIG)
schema.app = application


def _fill(value: Any, real: dict[str, str]) -> Any:
    if isinstance(value, str):
        for placeholder, actual in real.items():
            value = value.replace(placeholder, actual)
        return value
    if isinstance(value, list):
        return [_fill(item, real) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, real) for key, item in value.items()}
    return value


@pytest.fixture
def keep_db_connection() -> Iterator[None]:
    """Calls straight into the WSGI app fire request_finished, whose handler closes the
    database connection, and with it the test's transaction on PostgreSQL. Django's own
    test client unhooks it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def check_xml(response: schemathesis.Response) -> None:
    """An XML answer: the spec's Content-Type and declaration, a known root, no namespace."""
    assert response.headers["content-type"] == ["text/xml; charset=utf-8"]
    body = response.content.decode("utf-8")
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>'), body[:80]
    try:
        root = ET.fromstring(response.content)  # noqa: S314 (parsing our own output)
    except ET.ParseError as exc:
        raise AssertionError(f"not well-formed XML ({exc}): {response.content[:300]!r}") from None
    assert root.tag in XML_ROOTS, root.tag


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_open311_api(
    case: schemathesis.Case, fuzz_city: FuzzCity, keep_db_connection: None
) -> None:
    real = dict(zip(REQUEST_PLACEHOLDERS, fuzz_city.request_ids, strict=True))
    real[TOKEN_PLACEHOLDER] = fuzz_city.token
    case.path_parameters = _fill(case.path_parameters, real)
    case.query = _fill(case.query, real)
    if isinstance(case.body, dict):
        case.body = _fill(case.body, real)
    if case.method == "POST" and isinstance(case.body, dict):
        # A valid key, so the fuzzer gets past authentication to the real work.
        is_update = "servicerequestupdates" in case.path
        case.body["api_key"] = fuzz_city.partner_key if is_update else fuzz_city.write_key
    response = case.call()
    case.validate_response(
        response,
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
    if case.path.endswith(".xml"):
        check_xml(response)
    else:
        assert response.headers["content-type"] == ["application/json; charset=utf-8"]


def test_the_document_is_valid_openapi_3_0() -> None:
    errors = list(jsonschema.Draft4Validator(OPENAPI_30).iter_errors(openapi_document("http://x")))
    assert not errors, [e.message for e in errors[:5]]


@pytest.mark.django_db
def test_the_document_is_served_with_the_callers_host(client: Client) -> None:
    response = client.get("/open311/v2/openapi.json", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == openapi_document("http://localhost")


# ------------------------------------------------------------------ what the fuzzer found
# Each of these failed when it was written; they pin the cases down without Hypothesis.


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_jurisdiction_with_a_control_character_is_a_clean_404(
    client: Client, pothole: Service, fmt: str
) -> None:
    """XML 1.0 cannot carry U+0008; echoing it made the error body unparseable."""
    response = client.get(f"/open311/v2/services.{fmt}", {"jurisdiction_id": "a\x08b"})
    assert response.status_code == 404
    if fmt == "xml":
        root = ET.fromstring(response.content)  # noqa: S314
        assert root.tag == "errors"
    else:
        assert response.json()[0]["code"] == 404


def test_control_characters_in_a_filed_request_keep_the_xml_well_formed(
    client: Client, pothole: Service
) -> None:
    """A POST with a vertical tab or form feed in its text must not break every XML list
    that later shows the request."""
    _, key = ApiKey.issue(ClientApp.objects.create(name="App"), rate_limit=0)
    answer = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "POTHOLE",
            "lat": f.WEST_POINT[0],
            "long": f.WEST_POINT[1],
            "attribute[size]": "small",
            "description": "Deep\x0bhole\x0c by the \x1bschool",
        },
    )
    if answer.status_code == 400:
        return  # refusing such text is fine too
    assert answer.status_code == 200, answer.content
    request_id = answer.json()[0]["service_request_id"]
    for url in (f"/open311/v2/requests/{request_id}.xml", "/open311/v2/requests.xml"):
        response = client.get(url)
        assert response.status_code == 200
        ET.fromstring(response.content)  # noqa: S314


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("requests", {"end_date": "0001-01-01T00:00:00Z"}),
        ("requests", {"start_date": "9999-12-31T23:59:59-12:00"}),
        ("requests", {"updated_before": "0001-01-01T00:00:00+01:00"}),
        ("requests", {"updated_after": "2026-01-01T00:00:00-17:54"}),  # PostgreSQL
        ("servicerequestupdates", {"end_date": "0001-01-01T00:33:32Z"}),
        ("servicerequestupdates", {"start_date": "9999-12-31T23:59:59-12:00"}),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_dates_at_the_ends_of_the_calendar_are_not_a_server_error(
    client: Client, pothole: Service, path: str, params: dict[str, str], fmt: str
) -> None:
    response = client.get(f"/open311/v2/{path}.{fmt}", params)
    assert response.status_code in (200, 400), response.content[:300]
