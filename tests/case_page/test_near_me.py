"""'Near me': my open work by distance from where I stand, and the distance arithmetic."""

from __future__ import annotations

import math
import re

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from frontdoor.cases import workflow
from frontdoor.staff import near_me
from frontdoor.staff.nearby import EARTH_RADIUS_M, box, haversine_m
from tests import factories as f
from tests.conftest import submit_pothole

URL = reverse("staff:near_me")
HERE = (38.95, -94.25)


def listed(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content.decode()[:2000]
    return re.findall(r'href="/staff/requests/(\d+)/"', response.content.decode())


@pytest.fixture
def spread(org, pothole):  # type: ignore[no-untyped-def]
    """Pothole reports at growing distances east of HERE; the nearest three assigned to
    me (one of them closed), one to a colleague."""
    requests = [
        submit_pothole(pothole, lat=HERE[0], long=HERE[1] + step)
        for step in (0.03, 0.001, 0.02, 0.01, 0.04)
    ]
    me, colleague = workflow.Actor.staff(org["staff"]), workflow.Actor.staff(org["colleague"])
    for req in requests[:4]:
        workflow.assign(req, org["staff"], actor=me)
    workflow.close(requests[3], "fixed", actor=me)
    workflow.assign(requests[4], org["colleague"], actor=colleague)
    return requests


@pytest.mark.django_db
def test_my_assigned_open_work_comes_nearest_first(client, org, spread):
    client.force_login(org["staff"])
    response = client.get(URL, {"lat": HERE[0], "long": HERE[1]})
    numbers = listed(response)
    # 0.001° (about 90 m), 0.02°, 0.03°; the closed one and the colleague's are left out.
    assert numbers == [
        spread[1].tracking_number,
        spread[2].tracking_number,
        spread[0].tracking_number,
    ]
    page = response.content.decode()
    assert "Assigned to me, nearest first" in page
    assert "86 m" in page and "1.7 km" in page and "2.6 km" in page


@pytest.mark.django_db
def test_my_groups_work_when_i_have_none_or_ask_for_it(client, org, pothole, spread):
    parks_service = f.ServiceFactory(code="TREE", default_group=org["parks"])
    parks_request = submit_pothole(parks_service, answers={}, lat=HERE[0], long=HERE[1])
    client.force_login(org["colleague"])  # one assigned request: theirs
    assert listed(client.get(URL, {"lat": HERE[0], "long": HERE[1]})) == [spread[4].tracking_number]
    numbers = listed(client.get(URL, {"lat": HERE[0], "long": HERE[1], "whose": "groups"}))
    open_streets = [spread[i].tracking_number for i in (1, 2, 0, 4)]
    assert numbers == open_streets  # the other department's request is not my work
    assert parks_request.tracking_number not in numbers
    client.force_login(org["supervisor"])  # assigned nothing: the department's groups
    assert listed(client.get(URL, {"lat": HERE[0], "long": HERE[1]})) == open_streets


@pytest.mark.django_db
def test_the_list_is_bounded(client, org, spread, monkeypatch):
    monkeypatch.setattr(near_me, "LIMIT", 2)
    client.force_login(org["colleague"])
    response = client.get(URL, {"lat": HERE[0], "long": HERE[1], "whose": "groups"})
    assert len(listed(response)) == 2
    assert "The 2 nearest are shown." in response.content.decode()


@pytest.mark.django_db
def test_the_form_asks_for_coordinates_and_offers_the_device_location(client, org):
    client.force_login(org["staff"])
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "data-locate hidden" in page  # the script shows it when geolocation exists
    assert 'name="lat"' in page and 'name="long"' in page and "/static/staff/near-me.js" in page
    assert 'class="near-list"' not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"lat": "north", "long": "-94.25"}, "Latitude must be a number from -90 to 90."),
        ({"lat": "95", "long": "-94.25"}, "Latitude must be a number from -90 to 90."),
        ({"lat": "38.9", "long": "-194"}, "Longitude must be a number from -180 to 180."),
        ({"lat": "38.9"}, "Enter your longitude, or use your location."),
        ({"lat": "nan", "long": "inf"}, "Latitude must be a number from -90 to 90."),
    ],
)
def test_bad_coordinates_are_explained_next_to_the_field(client, org, query, message):
    client.force_login(org["staff"])
    response = client.get(URL, query)
    assert response.status_code == 422
    assert f'<p class="field-error-text">{message}</p>' in response.content.decode()


@pytest.mark.django_db
def test_near_me_is_for_staff(client, org):
    response = client.get(URL, {"lat": HERE[0], "long": HERE[1]})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(org["resident"])
    assert client.get(URL, {"lat": HERE[0], "long": HERE[1]}).status_code == 403


def test_haversine_of_one_degree_of_latitude():
    assert haversine_m(0, 0, 1, 0) == pytest.approx(111_195, abs=1)
    assert haversine_m(10, 179.9, 10, -179.9) == pytest.approx(
        haversine_m(10, 0, 10, 0.2), rel=1e-9
    )


def destination(lat: float, long: float, bearing: float, distance_m: float) -> tuple[float, float]:
    """The point ``distance_m`` from (lat, long) heading ``bearing`` degrees, on the sphere."""
    phi, lam, theta = math.radians(lat), math.radians(long), math.radians(bearing)
    delta = distance_m / EARTH_RADIUS_M
    phi2 = math.asin(
        math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(theta)
    )
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi),
        math.cos(delta) - math.sin(phi) * math.sin(phi2),
    )
    return math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180


@given(
    lat=st.floats(-89.99, 89.99),
    long=st.floats(-180, 180),
    bearing=st.floats(0, 360),
    radius=st.floats(1, 3_000_000),
    share=st.floats(0, 1),
)
def test_the_box_holds_every_point_within_the_radius(lat, long, bearing, radius, share):
    point = destination(lat, long, bearing, radius * share)
    assert haversine_m(lat, long, *point) <= radius * (1 + 1e-9) + 1e-6
    assert box(lat, long, radius).contains(*point)
