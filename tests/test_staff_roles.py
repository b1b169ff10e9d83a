"""Staff roles derived from data, and the door to the staff workspace."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from frontdoor.staff.roles import request_scope, scope_of
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation(city):  # type: ignore[no-untyped-def]
    streets, parks = f.DepartmentFactory(name="Streets"), f.DepartmentFactory(name="Parks")
    return {
        "g1": f.GroupFactory(department=streets, name="Crew 1"),
        "g2": f.GroupFactory(department=streets, name="Crew 2"),
        "b": f.GroupFactory(department=parks, name="Mowers"),
        "streets": streets,
        "parks": parks,
    }


def test_roles_come_from_flags_memberships_and_supervised_departments(
    organisation, django_assert_max_num_queries
):
    o = organisation
    member = f.UserFactory()
    f.MembershipFactory(user=member, group=o["g1"], role="lead")
    supervisor = f.UserFactory()
    o["streets"].supervisors.add(supervisor)
    agent, admin, resident = (
        f.UserFactory(is_agent=True),
        f.UserFactory(is_superuser=True),
        f.UserFactory(),
    )

    with django_assert_max_num_queries(2):
        scope = scope_of(member)
    assert scope.group_ids == {o["g1"].pk} and scope.lead_group_ids == {o["g1"].pk}
    assert scope.department_ids == {o["streets"].pk}
    assert scope.is_department_staff and not scope.is_supervisor and scope.is_staff_member

    boss = scope_of(supervisor)
    assert boss.supervised_department_ids == {o["streets"].pk}
    assert boss.actionable_group_ids == {o["g1"].pk, o["g2"].pk}
    assert boss.is_supervisor and boss.oversees and not boss.is_department_staff

    assert scope_of(agent).is_agent and scope_of(agent).is_staff_member
    assert not scope_of(agent).actionable_group_ids
    assert scope_of(admin).is_admin and scope_of(admin).oversees
    assert not scope_of(resident).is_staff_member

    with django_assert_max_num_queries(0):
        assert not scope_of(AnonymousUser()).is_staff_member
    member.is_active = False
    assert not scope_of(member).is_staff_member


def test_a_supervisor_of_a_department_without_groups_is_still_a_supervisor(city):
    department = f.DepartmentFactory()
    boss = f.UserFactory()
    department.supervisors.add(boss)
    scope = scope_of(boss)
    assert scope.is_supervisor and scope.supervised_group_ids == frozenset()


def test_the_scope_is_read_once_per_http_request(organisation, django_assert_num_queries):
    user = f.UserFactory(is_agent=True)
    request = RequestFactory().get("/staff/")
    request.user = user
    with django_assert_num_queries(2):
        first = request_scope(request)
        assert request_scope(request) is first
    request.user = AnonymousUser()  # signed out within the request: read again
    assert not request_scope(request).is_staff_member


def test_anonymous_visitors_are_sent_to_sign_in_and_back(client, city):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=/staff/"


def test_a_resident_gets_a_clear_403_in_their_language(client, city):
    resident = f.UserFactory()
    client.force_login(resident)
    response = client.get("/staff/")
    assert response.status_code == 403
    assert "your account has no staff role" in response.content.decode()
    spanish = client.get("/staff/", headers={"accept-language": "es"})
    assert spanish.status_code == 403
    assert "su cuenta no tiene ningún rol" in spanish.content.decode()


def test_staff_see_the_workspace_with_its_navigation_and_roles(client, organisation):
    sam = f.UserFactory(first_name="Sam", last_name="Patel")
    f.MembershipFactory(user=sam, group=organisation["g1"])
    organisation["parks"].supervisors.add(sam)
    client.force_login(sam)
    response = client.get("/staff/")
    assert response.status_code == 200
    page = response.content.decode()
    # The home page is the person's first work queue, with their roles below it.
    assert "<h1>Assigned to me</h1>" in page and "Sam Patel" in page
    assert "Member of Crew 1 (Streets)" in page and "Supervisor of Parks" in page
    assert 'aria-current="page"' in page and "Testville 311" in page
    assert "/static/staff/staff.css" in page and "/static/staff/htmx-2.0.11.min.js" in page
    assert reverse("account_logout") in page and reverse("set_language") in page


def test_the_staff_static_files_are_served_by_whitenoise(client, city, settings):
    settings.WHITENOISE_USE_FINDERS = True  # production serves them collected; same files
    for path in ("/static/staff/staff.css", "/static/staff/htmx-2.0.11.min.js"):
        response = client.get(path)
        assert response.status_code == 200, path


def test_staff_signing_in_land_in_the_workspace_and_residents_on_the_home_page(client, city):
    sam = f.staff_user("sam", is_agent=True)
    rosa = f.staff_user("rosa")
    response = client.post(reverse("account_login"), {"login": "sam", "password": f.PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    client.logout()
    response = client.post(reverse("account_login"), {"login": "rosa", "password": f.PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert sam.is_agent and not rosa.is_agent


def test_an_htmx_request_after_the_session_ended_sends_the_whole_page_to_sign_in(client, city):
    response = client.get(
        "/staff/", headers={"hx-request": "true", "hx-current-url": "http://testserver/staff/?q=1"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("account_login") + "?next=/staff/%3Fq%3D1"


def test_an_htmx_request_from_a_resident_gets_the_reason_as_a_message(client, city):
    client.force_login(f.UserFactory())
    response = client.get("/staff/", headers={"hx-request": "true"})
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#messages" and response["HX-Reswap"] == "innerHTML"
    body = response.content.decode()
    assert body.startswith('<p class="message message-error" role="alert">')
    assert "your account has no staff role" in body and "<html" not in body
