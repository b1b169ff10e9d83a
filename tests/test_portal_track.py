"""The tracking page by number: what anyone may see, and nothing more."""

from __future__ import annotations

from frontdoor.cases import workflow
from frontdoor.cases.models import ServiceRequest
from tests.conftest import submit_pothole
from tests.portal_helpers import jpeg


def test_tracking_shows_the_public_view_and_never_the_contact(client, pothole):  # type: ignore[no-untyped-def]
    filed = submit_pothole(
        pothole,
        contact=workflow.Contact(name="Ana Pérez", email="ana@example.org", phone="5559876543"),
        photos=[jpeg()],
    )
    workflow.add_note(
        filed, "Caller sounded upset; crew lead is Bob", actor=workflow.Actor.system()
    )
    html = client.get(f"/track/{filed.tracking_number}/").content.decode()
    assert filed.display_number in html
    assert "Pothole" in html and "Received" in html
    assert "Deep hole by the school crossing" in html
    assert "<img" in html
    for secret in ("Ana", "ana@example.org", "5559876543", "Caller sounded upset"):
        assert secret not in html


def test_a_typed_number_in_any_format_finds_the_request(client, filed):  # type: ignore[no-untyped-def]
    spaced = f"{filed.tracking_number[:4]} {filed.tracking_number[4:8]} {filed.tracking_number[8:]}"
    response = client.get("/track/", {"number": spaced})
    assert response.status_code == 302
    assert response["Location"] == f"/track/{filed.tracking_number}/"


def test_a_mistyped_or_unknown_number_gets_a_clear_message(client, filed):  # type: ignore[no-untyped-def]
    wrong = filed.tracking_number[:-1] + str((int(filed.tracking_number[-1]) + 1) % 10)
    response = client.get("/track/", {"number": wrong}, headers={"Accept-Language": "es"})
    assert response.status_code == 400
    assert "no es un número de seguimiento" in response.content.decode()
    unknown = client.get("/track/4821773015/")
    assert unknown.status_code == 404
    assert "We could not find a request" in unknown.content.decode()


def test_a_private_request_is_not_shown(client, pothole):  # type: ignore[no-untyped-def]
    pothole.private = True
    pothole.save()
    filed = submit_pothole(pothole)
    html = client.get(f"/track/{filed.tracking_number}/").content.decode()
    assert "private matter" in html
    assert "Deep hole" not in html


def test_failed_lookups_are_rate_limited(client, filed, settings):  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    cache.clear()
    settings.PORTAL_FAILED_LOOKUPS_PER_WINDOW = 3
    for _ in range(3):
        assert client.get("/track/4821773015/").status_code == 404
    limited = client.get(f"/track/{filed.tracking_number}/")
    assert limited.status_code == 429
    assert "Please wait" in limited.content.decode()
    assert ServiceRequest.objects.count() == 1
    cache.clear()


def test_times_are_shown_in_the_citys_time_zone(client, pothole):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    import time_machine

    from frontdoor.catalogue.models import City

    City.objects.update(time_zone="Asia/Tokyo")  # the server's TIME_ZONE is Chicago
    with time_machine.travel(datetime(2026, 3, 2, 3, 5, tzinfo=UTC), tick=False):
        filed = submit_pothole(pothole)
    html = client.get(f"/track/{filed.tracking_number}/").content.decode()
    assert "March 2, 2026, 12:05 p.m." in html  # 03:05 UTC is 12:05 in Tokyo
