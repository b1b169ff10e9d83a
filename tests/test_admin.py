"""The admin is the maintenance tool: bad catalogue edits are refused with a message."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from frontdoor.catalogue.models import Question, RoutingRule, Zone
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, city):
    client.force_login(f.administrator("boss"))
    return client


def management(prefix: str, total: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def question_form(service, datatype: str, values: list[str]) -> dict[str, str]:
    data = {
        "service": str(service.pk),
        "code": "kind",
        "datatype": datatype,
        "required": "on",
        "variable": "on",
        "order": "9",
        "description_en": "What kind?",
        "description_es": "¿Qué tipo?",
        "help_text_en": "",
        "help_text_es": "",
        "active": "on",
        **management("values", len(values)),
    }
    for index, key in enumerate(values):
        data[f"values-{index}-key"] = key
        data[f"values-{index}-name_en"] = key.title()
        data[f"values-{index}-name_es"] = key.title()
        data[f"values-{index}-order"] = str(index)
    return data


def test_list_question_without_values_is_refused(admin_client, pothole):
    url = reverse("admin:catalogue_question_add")
    response = admin_client.post(url, question_form(pothole, "singlevaluelist", []))
    assert response.status_code == 200
    assert "needs at least one value" in response.content.decode()
    assert not Question.objects.filter(service=pothole, code="kind").exists()


def test_list_question_with_values_is_saved(admin_client, pothole):
    url = reverse("admin:catalogue_question_add")
    response = admin_client.post(url, question_form(pothole, "multivaluelist", ["a", "b"]))
    assert response.status_code == 302
    question = Question.objects.get(service=pothole, code="kind")
    assert list(question.values.values_list("key", flat=True)) == ["a", "b"]
    assert question.description_es == "¿Qué tipo?"


def test_text_question_with_values_is_refused(admin_client, pothole):
    url = reverse("admin:catalogue_question_add")
    response = admin_client.post(url, question_form(pothole, "string", ["a"]))
    assert "Only pick-one and pick-any" in response.content.decode()


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ({"type": "Point", "coordinates": [-94.2, 38.9]}, "must be a Polygon or MultiPolygon"),
        ({"type": "LineString", "coordinates": [[-94.2, 38.9], [-94.3, 39]]}, "LineString"),
        ({"type": "Polygon", "coordinates": [[[1, 2]]]}, "malformed"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]},
            "not valid",
        ),
    ],
)
def test_zone_geometry_that_is_not_a_polygon_is_refused(admin_client, geometry, message):
    response = admin_client.post(
        reverse("admin:catalogue_zone_add"),
        {
            "code": "W1",
            "name_en": "Ward 1",
            "name_es": "Distrito 1",
            "kind": "ward",
            "active": "on",
            "geometry": json.dumps(geometry),
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Zone.objects.exists()


def test_zone_polygon_is_saved_with_its_bounding_box(admin_client):
    response = admin_client.post(
        reverse("admin:catalogue_zone_add"),
        {
            "code": "W1",
            "name_en": "Ward 1",
            "name_es": "Distrito 1",
            "kind": "ward",
            "active": "on",
            "geometry": json.dumps(f.WEST_HALF),
        },
    )
    assert response.status_code == 302
    zone = Zone.objects.get()
    assert (zone.min_lat, zone.max_lon) == (38.9, -94.25)
    assert zone.covers(*f.WEST_POINT) and not zone.covers(*f.EAST_POINT)


def test_routing_rule_to_an_inactive_group_is_refused(admin_client, pothole):
    zone = f.ZoneFactory()
    inactive = f.GroupFactory(active=False)
    response = admin_client.post(
        reverse("admin:catalogue_routingrule_add"),
        {
            "service": str(pothole.pk),
            "zone": str(zone.pk),
            "group": str(inactive.pk),
            "rank": "100",
        },
    )
    assert response.status_code == 200
    assert "inactive" in response.content.decode()
    assert not RoutingRule.objects.exists()


def test_requests_are_read_only_in_the_admin(admin_client, filed):
    change = reverse("admin:cases_servicerequest_change", args=[filed.pk])
    response = admin_client.get(change)
    assert response.status_code == 200
    assert filed.tracking_number in response.content.decode()
    response = admin_client.post(change, {"status": "closed"})
    assert response.status_code == 403
    filed.refresh_from_db()
    assert filed.status == "new"


def test_admin_is_forbidden_to_non_staff(client, city):
    client.force_login(f.UserFactory(username="resident"))
    response = client.get(reverse("admin:catalogue_service_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_administrator_makes_someone_a_call_taker(admin_client):
    from frontdoor.accounts.models import User
    from frontdoor.staff.roles import scope_of

    carmen = f.UserFactory(username="carmen")
    url = reverse("admin:accounts_user_change", args=[carmen.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="is_agent"' in page and "call-taker / agent" in page.lower()
    form = {
        "username": "carmen",
        "first_name": carmen.first_name,
        "last_name": carmen.last_name,
        "email": carmen.email,
        "is_active": "on",
        "is_agent": "on",
        "language": "en",
        "contact_preference": "email",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert User.objects.get(pk=carmen.pk).is_agent
    assert scope_of(User.objects.get(pk=carmen.pk)).is_staff_member
    listing = admin_client.get(reverse("admin:accounts_user_changelist") + "?is_agent__exact=1")
    assert "carmen" in listing.content.decode()
