"""Duplicates before they happen: nearby open reports of the same service are shown
before filing, and "this is mine too" follows one instead of filing a duplicate."""

from __future__ import annotations

import pytest

from frontdoor.cases import workflow
from frontdoor.cases.models import Follower, ServiceRequest
from tests import factories as f
from tests.conftest import submit_pothole
from tests.portal_helpers import report_data

URL = "/report/POTHOLE/"


@pytest.fixture
def existing(pothole):  # type: ignore[no-untyped-def]
    return submit_pothole(
        pothole,
        contact=workflow.Contact(
            name="Olga Secret", email="olga@private.example", phone="5551234567"
        ),
        address="12 School Lane",
    )


def test_nearby_open_reports_are_shown_before_filing_without_personal_data(client, existing):  # type: ignore[no-untyped-def]
    response = client.post(URL, report_data(description="Another hole here"))
    html = response.content.decode()
    assert response.status_code == 200
    assert ServiceRequest.objects.count() == 1  # nothing filed yet
    assert "Is it one of these?" in html
    assert f"/track/{existing.tracking_number}/me-too/" in html
    assert "12 School Lane" in html
    for secret in ("Olga", "olga@private.example", "5551234567"):
        assert secret not in html
    # What the resident typed is kept, and sending again files it.
    assert "Another hole here" in html
    seen = html.split('name="nearby_seen" id="id_nearby_seen" value="')[1].split('"')[0]
    assert seen == existing.tracking_number
    assert client.post(URL, report_data(nearby_seen=seen)).status_code == 302
    assert ServiceRequest.objects.count() == 2


def test_reports_far_away_closed_merged_or_of_another_service_are_not_offered(
    client, pothole, existing, group
):  # type: ignore[no-untyped-def]
    other = f.ServiceFactory(code="LIGHT", default_group=group)
    workflow.submit(
        service=other, actor=workflow.Actor.resident(), channel="web",
        lat=f.WEST_POINT[0], long=f.WEST_POINT[1],
    )  # fmt: skip
    workflow.close(existing, actor=workflow.Actor.system(), resolution="fixed")
    submit_pothole(pothole, lat=38.96, long=-94.28)  # about 1.1 km north
    response = client.post(URL, report_data())
    assert response.status_code == 302


def test_private_services_never_list_nearby_requests(client, pothole, existing):  # type: ignore[no-untyped-def]
    pothole.private = True
    pothole.save()
    assert client.post(URL, report_data()).status_code == 302


def test_the_htmx_fragment_lists_nearby_reports_for_a_point(client, existing):  # type: ignore[no-untyped-def]
    response = client.get(
        "/report/POTHOLE/nearby/",
        {"lat": f.WEST_POINT[0], "long": f.WEST_POINT[1] + 0.0005},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "Is it one of these?" in html and "about 43 m away" in html
    assert 'hx-swap-oob="true"' in html and existing.tracking_number in html
    assert "Olga" not in html
    empty = client.get("/report/POTHOLE/nearby/", {"lat": "nonsense", "long": "1"})
    assert "Is it one of these?" not in empty.content.decode()


def test_me_too_follows_the_request_and_counts_a_supporter(client, existing):  # type: ignore[no-untyped-def]
    url = f"/track/{existing.tracking_number}/me-too/"
    html = client.get(url).content.decode()
    assert "Add me to this report" in html and "Olga" not in html
    response = client.post(url, {"email": "ben@example.org"})
    assert (
        response.status_code == 302
        and response["Location"] == f"/track/{existing.tracking_number}/"
    )
    existing.refresh_from_db()
    assert existing.supporter_count == 1
    assert Follower.objects.get(request=existing).email == "ben@example.org"
    assert ServiceRequest.objects.count() == 1
    track = client.get(response["Location"]).content.decode()
    assert "you are counted as one more resident" in track
    assert "1 other resident" in track


def test_me_too_needs_a_valid_email_and_counts_each_resident_once(client, existing):  # type: ignore[no-untyped-def]
    url = f"/track/{existing.tracking_number}/me-too/"
    bad = client.post(url, {"email": "nope"}, headers={"Accept-Language": "es"})
    assert bad.status_code == 400
    assert "Ingrese un correo electrónico válido." in bad.content.decode()
    assert not Follower.objects.exists()
    assert client.post(url, {"email": "ben@example.org"}).status_code == 302
    again = client.post(url, {"email": "ben@example.org"})
    assert again.status_code == 400 and "already follow" in again.content.decode()
    existing.refresh_from_db()
    assert existing.supporter_count == 1


def test_a_signed_in_resident_supports_with_their_account(client, existing, resident):  # type: ignore[no-untyped-def]
    client.force_login(resident)
    url = f"/track/{existing.tracking_number}/me-too/"
    assert 'name="email"' not in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert Follower.objects.get(request=existing).user == resident


def test_me_too_on_a_closed_request_or_a_private_one_is_refused(client, pothole, existing):  # type: ignore[no-untyped-def]
    url = f"/track/{existing.tracking_number}/me-too/"
    workflow.close(existing, actor=workflow.Actor.system(), resolution="fixed")
    response = client.post(url, {"email": "ben@example.org"})
    assert "already closed" in response.content.decode()
    assert not Follower.objects.exists()
    pothole.private = True
    pothole.save()
    assert client.get(url).status_code == 404
    assert client.get("/track/1234567890/me-too/").status_code == 404
