"""The Open311 GeoReport v2 API as a client application sees it (in-process)."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from PIL import Image

from frontdoor.cases import workflow
from frontdoor.cases.models import Channel, Event, Resolution, ServiceRequest, Status
from frontdoor.notifications.models import Notification
from frontdoor.open311.models import ApiKey, ClientApp
from tests import factories as f
from tests.conftest import submit_pothole
from tests.test_open311_conformance import REQUEST_KEYS as CONFORMANCE_KEYS

BASE = "/open311/v2"
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
REQUEST_KEYS = set(CONFORMANCE_KEYS)  # one list of the 17 keys for both test modules


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def app_key(db):
    client = ClientApp.objects.create(name="Fix-It App")
    _key, plain = ApiKey.issue(client, scope=ApiKey.Scope.WRITE, rate_limit=0)
    return plain


@pytest.fixture
def partner_key(db):
    client = ClientApp.objects.create(name="Works Asset System")
    _key, plain = ApiKey.issue(client, scope=ApiKey.Scope.PARTNER, rate_limit=0)
    return plain


@pytest.fixture
def api() -> Client:
    return Client()


def post(api: Client, fmt: str = "json", **data):  # type: ignore[no-untyped-def]
    return api.post(f"{BASE}/requests.{fmt}", data)


def pothole_form(key: str, **extra: object) -> dict[str, object]:
    form: dict[str, object] = {
        "api_key": key,
        "service_code": "POTHOLE",
        "lat": f.WEST_POINT[0],
        "long": f.WEST_POINT[1],
        "description": "Hole near the bus stop",
        "attribute[size]": "large",
        "email": "app-user@example.org",
        "first_name": "Lee",
        "last_name": "Ortiz",
        "phone": "816-555-0142",
    }
    form.update(extra)
    return form


def xml(response) -> ET.Element:  # type: ignore[no-untyped-def]
    body = response.content.decode()
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(response.content)  # noqa: S314 - our own server's output


# ---------------------------------------------------------------- discovery and services


@pytest.mark.parametrize("path", ["/open311/discovery.json", f"{BASE}/discovery.json"])
def test_discovery_names_the_endpoint_and_both_formats(api, city, path):
    data = api.get(path).json()
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert W3C.match(data["changeset"])


def test_discovery_xml_uses_spec_element_names(api, city):
    root = xml(api.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [e.text for e in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_changeset_moves_when_the_catalogue_changes(api, pothole):
    before = api.get(f"{BASE}/discovery.json").json()["changeset"]
    from frontdoor.catalogue.models import City

    City.objects.update(catalogue_changed_at=timezone.now() - timedelta(days=1))
    older = api.get(f"{BASE}/discovery.json").json()["changeset"]
    cache.clear()
    from frontdoor.catalogue import cache as catalogue_cache

    catalogue_cache.clear()
    older = api.get(f"{BASE}/discovery.json").json()["changeset"]
    pothole.name = "Pothole or broken road"
    pothole.save()
    catalogue_cache.clear()
    after = api.get(f"{BASE}/discovery.json").json()["changeset"]
    assert older < after and before <= after


def test_service_list_json_types(api, pothole):
    f.ServiceFactory(code="INTERNAL", audience="staff")
    services = api.get(f"{BASE}/services.json").json()
    assert [s["service_code"] for s in services] == ["POTHOLE"]  # staff-only ones are hidden
    service = services[0]
    assert set(service) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert service["metadata"] is True and service["type"] == "realtime"
    assert isinstance(service["group"], str) and service["group"]


def test_service_list_xml(api, pothole):
    root = xml(api.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    assert root.find("service/service_code").text == "POTHOLE"
    assert root.find("service/metadata").text == "true"


def test_service_definition_has_every_attribute_field(api, pothole):
    definition = api.get(f"{BASE}/services/POTHOLE.json").json()
    assert definition["service_code"] == "POTHOLE"
    attributes = definition["attributes"]
    assert [a["order"] for a in attributes] == sorted(a["order"] for a in attributes)
    for attribute in attributes:
        assert {
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
        } <= set(attribute)
    by_code = {a["code"]: a for a in attributes}
    assert by_code["notice"]["variable"] is False and by_code["notice"]["required"] is False
    assert by_code["size"]["required"] is True
    assert by_code["size"]["values"] == [
        {"key": "small", "name": "Small"},
        {"key": "medium", "name": "Medium"},
        {"key": "large", "name": "Large"},
    ]
    assert {a["datatype"] for a in attributes} >= {
        "string",
        "number",
        "datetime",
        "text",
        "singlevaluelist",
        "multivaluelist",
    }


def test_service_definition_xml_and_unknown_service(api, pothole):
    root = xml(api.get(f"{BASE}/services/POTHOLE.xml"))
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key") is not None
    missing = api.get(f"{BASE}/services/NOPE.xml")
    assert missing.status_code == 404
    assert xml(missing).find("error/code").text == "404"
    missing_json = api.get(f"{BASE}/services/NOPE.json")
    assert missing_json.status_code == 404
    assert missing_json.json()[0]["code"] == 404


def test_bad_extension_and_unknown_method(api, city):
    assert api.get(f"{BASE}/services.csv").status_code == 404
    response = api.get(f"{BASE}/nothing.json")
    assert response.status_code == 404 and response.json()[0]["code"] == 404


def test_jurisdiction_ours_or_none_is_fine_unknown_is_404(api, pothole):
    assert api.get(f"{BASE}/services.json?jurisdiction_id=testville.example").status_code == 200
    assert api.get(f"{BASE}/services.json?jurisdiction_id=").status_code == 200
    wrong = api.get(f"{BASE}/services.json?jurisdiction_id=elsewhere.gov")
    assert wrong.status_code == 404 and "elsewhere.gov" in wrong.json()[0]["description"]


# ---------------------------------------------------------------- POST requests


def test_post_files_through_the_workflow_with_mobile_channel(api, pothole, app_key):
    response = post(
        api,
        **pothole_form(app_key, **{"attribute[lanes][]": ["left", "bike"], "media_url": []}),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body) == 1 and set(body[0]) == {"service_request_id", "service_notice", "account_id"}
    created = ServiceRequest.objects.get(tracking_number=body[0]["service_request_id"])
    assert created.channel == Channel.MOBILE and created.client_app == "Fix-It App"
    assert created.answers["lanes"] == ["left", "bike"]
    assert created.contact_email == "app-user@example.org" and created.contact_name == "Lee Ortiz"
    assert created.group is not None and created.due_at is not None
    assert Event.objects.filter(request=created, action=Event.Action.CREATED).exists()
    assert Notification.objects.filter(event__request=created).exists()


def test_post_accepts_repeated_attribute_and_key_in_query(api, pothole, app_key):
    form = pothole_form(app_key)
    del form["api_key"]
    form["attribute[lanes]"] = ["left", "right"]  # FixMyStreet's way
    response = api.post(
        f"{BASE}/requests.xml?api_key={app_key}&jurisdiction_id=testville.example", form
    )
    assert response.status_code == 200, response.content
    number = xml(response).find("request/service_request_id").text
    assert ServiceRequest.objects.get(tracking_number=number).answers["lanes"] == ["left", "right"]


def test_post_with_repeated_media_urls_and_a_multipart_photo(api, pothole, app_key):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "hole.jpg"
    form = pothole_form(
        app_key,
        media_url=["https://photos.example.org/1.jpg", "https://photos.example.org/2.jpg"],
        media=buffer,
    )
    response = api.post(f"{BASE}/requests.json", form)
    assert response.status_code == 200, response.content
    number = response.json()[0]["service_request_id"]
    created = ServiceRequest.objects.get(tracking_number=number)
    assert created.attachments.count() == 3
    single = api.get(f"{BASE}/requests/{number}.json?extensions=true").json()[0]
    photos = single["extended_attributes"]["photos"]
    assert len(photos) == 3 and all(p["media_url"].startswith("http") for p in photos)
    assert single["media_url"] == photos[0]["media_url"]


def test_post_rejects_a_media_url_that_is_not_a_web_address(api, pothole, app_key):
    response = post(api, **pothole_form(app_key, media_url="javascript:alert(1)"))
    assert response.status_code == 400
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_without_or_with_a_bad_key_is_403_and_writes_nothing(api, pothole, fmt):
    form = pothole_form("")
    del form["api_key"]
    missing = post(api, fmt, **form)
    wrong = post(api, fmt, **pothole_form("fd_12345678_notarealkeyatallreally"))
    garbage = post(api, fmt, **pothole_form("xyz"))
    for response in (missing, wrong, garbage):
        assert response.status_code == 403
        if fmt == "json":
            assert response.json()[0]["code"] == 403
        else:
            assert xml(response).find("error/code").text == "403"
    assert not ServiceRequest.objects.exists()


def test_revoked_and_read_only_keys_cannot_post(api, pothole):
    client = ClientApp.objects.create(name="Viewer")
    reader, read_key = ApiKey.issue(client, scope=ApiKey.Scope.READ)
    revoked, revoked_key = ApiKey.issue(client, scope=ApiKey.Scope.WRITE)
    revoked.revoked_at = timezone.now()
    revoked.save()
    for key in (read_key, revoked_key):
        response = post(api, **pothole_form(key))
        assert response.status_code == 403
    assert not ServiceRequest.objects.exists()
    stored = ApiKey.objects.get(pk=reader.pk)
    assert read_key not in stored.key_hash and len(stored.key_hash) == 64  # only a hash is kept


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_required_attribute_is_400_and_writes_nothing(api, pothole, app_key, fmt):
    form = pothole_form(app_key)
    del form["attribute[size]"]
    response = post(api, fmt, **form)
    assert response.status_code == 400
    text = response.content.decode()
    assert "attribute[size]" in text
    assert not ServiceRequest.objects.exists()


def test_bad_inputs_get_400_with_reasons(api, pothole, app_key):
    cases = [
        ({"lat": "91", "long": "-94"}, "location"),
        ({"lat": "38.9", "long": ""}, "location"),
        ({"lat": "10", "long": "10"}, "outside"),
        ({"attribute[size]": "enormous"}, "attribute[size]"),
        ({"attribute[depth_cm]": "deep"}, "attribute[depth_cm]"),
        ({"email": "not-an-email"}, "email"),
        ({"description": "x" * 4001}, "description"),
    ]
    for extra, expected in cases:
        response = post(api, **pothole_form(app_key, **extra))
        assert response.status_code == 400, (extra, response.content)
        assert expected in response.content.decode(), (extra, response.content)
    assert post(api, **pothole_form(app_key, service_code="")).status_code == 400
    assert post(api, **pothole_form(app_key, service_code="NOPE")).status_code == 404
    assert not ServiceRequest.objects.exists()


def test_errors_speak_the_clients_language(api, pothole, app_key):
    form = pothole_form(app_key)
    del form["attribute[size]"]
    response = api.post(f"{BASE}/requests.json", form, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    assert "responda" in response.json()[0]["description"].lower()


def test_a_retried_post_with_the_same_idempotency_key_returns_the_first_result(
    api, pothole, app_key
):
    form = pothole_form(app_key)
    first = api.post(f"{BASE}/requests.json", form, HTTP_IDEMPOTENCY_KEY="abc-123")
    again = api.post(f"{BASE}/requests.json", form, HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert ServiceRequest.objects.count() == 1
    changed = api.post(
        f"{BASE}/requests.json",
        {**form, "description": "something else"},
        HTTP_IDEMPOTENCY_KEY="abc-123",
    )
    assert changed.status_code == 422
    assert ServiceRequest.objects.count() == 1
    other = api.post(f"{BASE}/requests.json", form, HTTP_IDEMPOTENCY_KEY="abc-124")
    assert other.json() != first.json() and ServiceRequest.objects.count() == 2


def test_device_id_and_client_request_id_also_make_a_post_idempotent(api, pothole, app_key):
    form = pothole_form(app_key, device_id="phone-7", client_request_id="draft-1")
    first = post(api, **form).json()
    assert post(api, **form).json() == first
    assert ServiceRequest.objects.count() == 1


def test_batch_service_answers_with_a_token_that_turns_into_the_id(api, pothole, app_key):
    pothole.response_type = "batch"
    pothole.save()
    body = post(api, **pothole_form(app_key)).json()[0]
    assert "service_request_id" not in body and body["token"]
    looked_up = api.get(f"{BASE}/tokens/{body['token']}.json").json()
    created = ServiceRequest.objects.get()
    assert looked_up == [{"service_request_id": created.tracking_number, "token": body["token"]}]
    assert api.get(f"{BASE}/tokens/nope.json").status_code == 404
    root = xml(api.get(f"{BASE}/tokens/{body['token']}.xml"))
    assert root.find("request/token").text == body["token"]


def test_rate_limit_per_key(api, pothole):
    client = ClientApp.objects.create(name="Chatty")
    _key, plain = ApiKey.issue(client, scope=ApiKey.Scope.WRITE, rate_limit=2)
    statuses = [post(api, **pothole_form(plain)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert ServiceRequest.objects.count() == 2


def test_get_with_wrong_method_is_405_in_spec_format(api, pothole):
    response = api.delete(f"{BASE}/services.json")
    assert response.status_code == 405 and response.json()[0]["code"] == 405


# ---------------------------------------------------------------- GET requests


def _file_many(pothole, count: int, **overrides):  # type: ignore[no-untyped-def]
    return [submit_pothole(pothole, **overrides) for _ in range(count)]


def test_every_request_key_is_present_with_spec_types(api, pothole):
    submit_pothole(pothole, address="")
    items = api.get(f"{BASE}/requests.json").json()
    assert len(items) == 1
    item = items[0]
    assert set(item) == REQUEST_KEYS
    assert isinstance(item["service_request_id"], str)
    assert isinstance(item["lat"], float) and isinstance(item["long"], float)
    assert item["status"] == "open"
    for key in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(item[key]), item[key]
    assert "" not in item.values()
    assert item["media_url"] is None and item["address"]  # address falls back to the point


def test_requests_xml_has_every_element(api, pothole):
    submit_pothole(pothole)
    root = xml(api.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    assert {child.tag for child in root.find("request")} == REQUEST_KEYS


def test_filters_status_service_and_dates(api, pothole):
    other = f.ServiceFactory(code="GRAFFITI", default_group=pothole.default_group)
    a, b = _file_many(pothole, 2)
    graffiti = submit_pothole(other, answers={})
    workflow.close(b, Resolution.FIXED, actor=workflow.Actor.system())

    def ids(query: str) -> list[str]:
        response = api.get(f"{BASE}/requests.json?{query}")
        assert response.status_code == 200, response.content
        return [item["service_request_id"] for item in response.json()]

    assert set(ids("")) == {a.tracking_number, b.tracking_number, graffiti.tracking_number}
    assert ids("status=closed") == [b.tracking_number]
    assert set(ids("status=open")) == {a.tracking_number, graffiti.tracking_number}
    assert set(ids("status=open,closed&service_code=POTHOLE")) == {
        a.tracking_number,
        b.tracking_number,
    }
    assert ids("service_code=GRAFFITI") == [graffiti.tracking_number]
    assert ids("service_code=UNKNOWN") == []
    assert ids("start_date=2000-01-01T00:00:00Z&end_date=2000-02-01T00:00:00Z") == []
    assert len(ids("start_date=2000-01-01T00:00:00.123456-05:00")) == 3  # fraction + offset
    assert len(ids("status=")) == 3  # empty means not given
    closed = api.get(f"{BASE}/requests.json?status=closed").json()[0]
    assert closed["status"] == "closed" and closed["status_notes"]


def test_date_without_timezone_and_bad_values_are_400(api, pothole):
    for query in (
        "start_date=2026-01-01T00:00:00",
        "end_date=yesterday",
        "start_date=2026-01-01",
        "status=pending",
        "page=0",
        "page_size=5000",
        "start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
    ):
        for fmt in ("json", "xml"):
            response = api.get(f"{BASE}/requests.{fmt}?{query}")
            assert response.status_code == 400, (query, response.content)
    no_tz = api.get(f"{BASE}/requests.json?start_date=2026-01-01T00:00:00").json()
    assert "time zone" in no_tz[0]["description"]


def test_default_window_is_the_last_90_days(api, pothole):
    old = submit_pothole(pothole, requested_at=timezone.now() - timedelta(days=120))
    recent = submit_pothole(pothole)
    listed = [i["service_request_id"] for i in api.get(f"{BASE}/requests.json").json()]
    assert listed == [recent.tracking_number]
    start = (timezone.now() - timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%SZ")
    wider = api.get(f"{BASE}/requests.json?start_date={start}").json()
    assert old.tracking_number in [i["service_request_id"] for i in wider]


def test_paging_newest_first_without_overlap(api, pothole):
    now = timezone.now()
    filed = [submit_pothole(pothole, requested_at=now - timedelta(hours=n)) for n in range(7)]
    pages = [
        [
            i["service_request_id"]
            for i in api.get(f"{BASE}/requests.json?page={p}&page_size=3").json()
        ]
        for p in (1, 2, 3, 4)
    ]
    assert pages[0] == [r.tracking_number for r in filed[:3]]
    assert pages[1] == [r.tracking_number for r in filed[3:6]]
    assert pages[2] == [filed[6].tracking_number] and pages[3] == []


def test_service_request_id_overrides_every_other_filter(api, pothole):
    a, b = _file_many(pothole, 2)
    response = api.get(
        f"{BASE}/requests.json?service_request_id={b.tracking_number},{a.tracking_number}"
        "&status=closed&service_code=NOPE&start_date=2000-01-01T00:00:00Z"
    )
    assert [i["service_request_id"] for i in response.json()] == [
        b.tracking_number,
        a.tracking_number,
    ]


def test_updated_after_and_before(api, pothole):
    _a, b = _file_many(pothole, 2)
    cut = timezone.now()
    workflow.reply(b, "On our list", actor=workflow.Actor.system())
    after = cut.strftime("%Y-%m-%dT%H:%M:%S.%f") + "+00:00"
    items = api.get(f"{BASE}/requests.json", {"updated_after": after}).json()
    assert [i["service_request_id"] for i in items] == [b.tracking_number]


def test_get_one_request_is_a_list_of_one(api, filed):
    number = filed.tracking_number
    body = api.get(f"{BASE}/requests/{number}.json").json()
    assert isinstance(body, list) and len(body) == 1
    assert body[0]["service_request_id"] == number
    printed = f"{number[:4]}-{number[4:8]}-{number[8:]}"
    assert api.get(f"{BASE}/requests/{printed}.json").json()[0]["service_request_id"] == number
    root = xml(api.get(f"{BASE}/requests/{number}.xml"))
    assert len(root.findall("request")) == 1
    for fmt in ("json", "xml"):
        assert api.get(f"{BASE}/requests/0000000000.{fmt}").status_code == 404


def test_imported_requests_answer_to_their_old_id(api, pothole):
    imported = submit_pothole(
        pothole, channel="import", external_source="https://old.example", external_id="LEG-42"
    )
    body = api.get(f"{BASE}/requests/LEG-42.json?extensions=true").json()[0]
    assert body["service_request_id"] == imported.tracking_number
    assert body["extended_attributes"]["external_id"] == "LEG-42"


# ---------------------------------------------------------------- privacy


SECRETS = ["Ana Pérez", "ana@example.org", "816-555-0199", "drunk", "house number", "My number"]


def test_no_personal_data_or_internal_notes_in_any_output(api, pothole, staff, partner_key):
    request = submit_pothole(
        pothole,
        contact=workflow.Contact(name="Ana Pérez", email="ana@example.org", phone="816-555-0199"),
    )
    actor = workflow.Actor.staff(staff)
    workflow.add_note(request, "Caller sounded drunk", actor=actor)
    workflow.request_info(request, "Which house number?", actor=actor)
    workflow.receive_message(request, "My number is 42", actor=workflow.Actor.resident())
    workflow.reply(request, "Crew booked for Tuesday", actor=actor)
    start = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    outputs = []
    for fmt in ("json", "xml"):
        for path in (
            f"requests.{fmt}?extensions=true",
            f"requests/{request.tracking_number}.{fmt}?extensions=true",
            f"servicerequestupdates.{fmt}?start_date={start}",
        ):
            response = api.get(f"{BASE}/{path}")
            assert response.status_code == 200
            outputs.append(response.content.decode())
    text = "\n".join(outputs)
    for secret in SECRETS:
        assert secret not in text, secret
    assert "Crew booked for Tuesday" in text


def test_private_services_are_never_listed_or_shown(api, pothole, group):
    secret = f.ServiceFactory(code="WELFARE", private=True, default_group=group)
    hidden = submit_pothole(secret, answers={}, description="Neighbour needs a welfare check")
    shown = submit_pothole(pothole)
    listed = api.get(f"{BASE}/requests.json").json()
    assert [i["service_request_id"] for i in listed] == [shown.tracking_number]
    assert api.get(f"{BASE}/requests/{hidden.tracking_number}.json").status_code == 404
    by_id = api.get(f"{BASE}/requests.json?service_request_id={hidden.tracking_number}")
    assert by_id.json() == []
    # The service can still be requested; only its requests stay out of sight.
    assert "WELFARE" in api.get(f"{BASE}/services.json").content.decode()
    workflow.reply(hidden, "We visited", actor=workflow.Actor.system())
    start = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    feed = api.get(f"{BASE}/servicerequestupdates.json?start_date={start}").content.decode()
    assert hidden.tracking_number not in feed and "We visited" not in feed
    listing = api.get(f"{BASE}/requests.json?extensions=true").content.decode()
    assert "welfare check" not in listing


def test_extensions_show_the_public_timeline_and_extended_attributes(api, filed, staff):
    workflow.add_note(filed, "internal only", actor=workflow.Actor.staff(staff))
    workflow.reply(filed, "Crew on the way", actor=workflow.Actor.staff(staff))
    item = api.get(f"{BASE}/requests/{filed.tracking_number}.json?extensions=true").json()[0]
    descriptions = [n["description"] for n in item["notes"]]
    assert "Crew on the way" in descriptions and "internal only" not in descriptions
    assert all(W3C.match(n["datetime"]) for n in item["notes"])
    extended = item["extended_attributes"]
    assert extended["channel"] == "web" and extended["detailed_status"] == "new"
    assert isinstance(extended["zones"], list) and extended["duplicate_of"] is None
    plain = api.get(f"{BASE}/requests/{filed.tracking_number}.json").json()[0]
    assert "notes" not in plain and set(plain) == REQUEST_KEYS


# ---------------------------------------------------------------- updates feed and partner posts


def test_updates_feed_lists_public_changes_with_status(api, filed, staff):
    actor = workflow.Actor.staff(staff)
    workflow.reply(filed, "Crew on the way", actor=actor)
    workflow.close(filed, Resolution.FIXED, actor=actor, public_note="Filled")
    start = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    feed = api.get(f"{BASE}/servicerequestupdates.json?start_date={start}").json()
    by_text = {u["description"]: u for u in feed}
    assert by_text["Crew on the way"]["status"] == "open"
    assert by_text["Filled"]["status"] == "closed"
    for update in feed:
        assert set(update) == {
            "update_id",
            "service_request_id",
            "status",
            "updated_datetime",
            "description",
            "media_url",
            "external_status_code",
        }
        assert update["service_request_id"] == filed.tracking_number
    root = xml(api.get(f"{BASE}/servicerequestupdates.xml?start_date={start}"))
    assert (
        root.tag == "service_request_updates" and root.find("request_update/update_id") is not None
    )
    assert api.get(f"{BASE}/servicerequestupdates.json?start_date=2026-01-01").status_code == 400


def _update(api, key, request, **extra):  # type: ignore[no-untyped-def]
    form = {
        "api_key": key,
        "service_request_id": request.tracking_number,
        "update_id": "WO-1",
        "status": "CLOSED",
        "updated_datetime": "2026-11-20T10:00:00-06:00",
        "description": "Patched by contractor",
    }
    form.update(extra)
    return api.post(f"{BASE}/servicerequestupdates.json", form)


def test_partner_update_closes_through_the_workflow_once(api, filed, partner_key):
    response = _update(api, partner_key, filed)
    assert response.status_code == 200, response.content
    update_id = response.json()[0]["update_id"]
    filed.refresh_from_db()
    assert filed.status == Status.CLOSED and filed.resolution == Resolution.FIXED
    closed = Event.objects.get(request=filed, action=Event.Action.CLOSED)
    assert closed.actor_label == "Open311: Works Asset System" and str(closed.pk) == update_id
    again = _update(api, partner_key, filed)
    assert again.json()[0]["update_id"] == update_id
    assert Event.objects.filter(request=filed, action=Event.Action.CLOSED).count() == 1
    reopened = _update(api, partner_key, filed, update_id="WO-2", status="REOPEN")
    assert reopened.status_code == 200
    filed.refresh_from_db()
    assert filed.status == Status.NEW


def test_partner_update_in_progress_and_reply(api, filed, partner_key):
    assert (
        _update(
            api, partner_key, filed, status="IN_PROGRESS", description="Crew booked"
        ).status_code
        == 200
    )
    filed.refresh_from_db()
    assert filed.status == Status.IN_PROGRESS
    assert Event.objects.filter(request=filed, action=Event.Action.REPLY).exists()


def test_partner_updates_need_a_partner_key_and_valid_fields(api, filed, app_key, partner_key):
    assert _update(api, app_key, filed).status_code == 403  # a write key only files requests
    assert _update(api, "", filed).status_code == 403
    assert _update(api, partner_key, filed, status="MAYBE").status_code == 400
    assert _update(api, partner_key, filed, updated_datetime="2026-11-20").status_code == 400
    assert _update(api, partner_key, filed, update_id="").status_code == 400
    gone = _update(api, partner_key, filed, service_request_id="0000000000")
    assert gone.status_code == 404
    nothing = _update(api, partner_key, filed, status="UNCHANGED", description="")
    assert nothing.status_code == 400
    filed.refresh_from_db()
    assert filed.status == Status.NEW


def test_json_is_compact_utf8(api, pothole):
    submit_pothole(pothole, description="Bache en la calle Ñandú")
    raw = api.get(f"{BASE}/requests.json").content.decode("utf-8")
    assert "Ñandú" in raw
    json.loads(raw)


def test_old_idempotency_keys_are_pruned_by_the_worker_sweep(api, pothole, app_key):
    from frontdoor.core.registered_sweeps import prune_idempotency_keys
    from frontdoor.open311.models import IdempotentPost

    form = pothole_form(app_key)
    api.post(f"{BASE}/requests.json", form, HTTP_IDEMPOTENCY_KEY="old")
    api.post(f"{BASE}/requests.json", form, HTTP_IDEMPOTENCY_KEY="new")
    IdempotentPost.objects.filter(key="old").update(created_at=timezone.now() - timedelta(days=8))
    assert prune_idempotency_keys() == {"deleted": 1}
    assert list(IdempotentPost.objects.values_list("key", flat=True)) == ["new"]


def test_admin_issues_a_key_shown_once_and_revokes_it(client, pothole):
    client.force_login(f.administrator("boss"))
    app = ClientApp.objects.create(name="Neighbourhood App")
    response = client.post(
        "/admin/open311/apikey/add/",
        {"client": app.pk, "scope": "write", "rate_limit": 60},
        follow=True,
    )
    assert response.status_code == 200
    shown = re.search(r"fd_[0-9a-f]{8}_[\w-]+", response.content.decode())
    assert shown, "the new key is shown once"
    plain = shown.group(0)
    stored = ApiKey.objects.get(client=app)
    assert plain not in (stored.key_hash, stored.prefix) and stored.matches(plain)
    page = client.get(f"/admin/open311/apikey/{stored.pk}/change/").content.decode()
    assert plain not in page  # never shown again
    api = Client()
    assert post(api, **pothole_form(plain)).status_code == 200
    client.post(
        "/admin/open311/apikey/",
        {"action": "revoke", "_selected_action": [stored.pk]},
        follow=True,
    )
    assert post(api, **pothole_form(plain)).status_code == 403


def test_cached_items_follow_every_change_to_the_request_and_the_catalogue(api, filed):
    """Rendered items are reused per request version; no change may be missed."""
    url = f"{BASE}/requests.json"
    single = f"{BASE}/requests/{filed.tracking_number}.xml"
    assert api.get(url).json()[0]["status"] == "open"
    assert xml(api.get(single)).find("request/status").text == "open"
    workflow.close(filed, Resolution.FIXED, actor=workflow.Actor.system(), public_note="Done")
    item = api.get(url).json()[0]
    assert item["status"] == "closed" and item["status_notes"] == "Done"
    assert xml(api.get(single)).find("request/status").text == "closed"
    service = filed.service
    service.name = "Pothole (road)"
    service.save()
    assert api.get(url).json()[0]["service_name"] == "Pothole (road)"
    assert xml(api.get(single)).find("request/service_name").text == "Pothole (road)"
    spanish = api.get(url, HTTP_ACCEPT_LANGUAGE="es").json()[0]
    assert spanish["status_notes"] == "Done"  # staff text stays as written
