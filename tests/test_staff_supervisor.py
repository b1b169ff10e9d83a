"""The supervisor view: open work per department and group, ageing, at risk and overdue,
workload per person, and reassignment from there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontdoor.cases import workflow
from frontdoor.cases.models import Resolution
from frontdoor.catalogue import cache
from frontdoor.catalogue.models import Service
from frontdoor.staff.supervisor import overview
from tests import factories as f
from tests.staff_world import build_world, staff_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(city):  # type: ignore[no-untyped-def]
    return build_world(city)


def light(w) -> Service:  # type: ignore[no-untyped-def]
    return f.ServiceFactory(
        code="LIGHT",
        default_group=w.crew2,
        sla_amount=10,
        sla_unit=Service.SlaUnit.HOURS,
        sla_clock=Service.SlaClock.CALENDAR,
    )


def test_a_supervisor_sees_their_departments_figures(client, w):
    now = timezone.now()
    today = w.file()
    five_days = w.file(requested_at=now - timedelta(days=5))
    w.file(requested_at=now - timedelta(days=10))
    w.file(requested_at=now - timedelta(days=45))  # also overdue (3 business days)
    closed = w.file()
    workflow.close(closed, resolution=Resolution.FIXED, actor=staff_actor(w.sam))
    at_risk = w.file(light(w), requested_at=now - timedelta(hours=8))
    workflow.assign(today, w.sam, actor=staff_actor(w.sam))
    workflow.assign(five_days, w.sam, actor=staff_actor(w.sam))
    workflow.assign(at_risk, w.lee, actor=staff_actor(w.lee))
    w.file(w.grass)  # Parks: not this supervisor's

    client.force_login(w.boss)
    response = client.get("/staff/supervisor/")
    assert response.status_code == 200
    data = response.context["overview"]
    (streets,) = data.departments
    assert streets.department == w.streets
    crew1, crew2 = streets.groups
    assert crew1.group == w.crew1 and crew2.group == w.crew2
    assert crew1.figures.open == 4 and crew1.figures.unassigned == 2
    assert crew1.figures.ages == {"0-2": 1, "3-7": 1, "8-30": 1, "31+": 1}
    assert crew1.figures.overdue >= 2  # the 10- and 45-day-old ones, at least
    assert crew2.figures.open == 1 and crew2.figures.at_risk == 1
    assert streets.totals.open == 5
    workload = {load.name: load.open_assigned for load in streets.people}
    assert workload == {"Sam Tester": 2, "Lee Tester": 1, "Kim Tester": 0}
    assert [r.tracking_number for r in data.at_risk] == [at_risk.tracking_number]
    assert all(r.group.department_id == w.streets.pk for r in data.overdue)
    page = response.content.decode()
    assert "Workload per person" in page and "Parks" not in page


def test_someone_who_left_the_groups_still_shows_with_their_open_work(client, w):
    request = w.file()
    workflow.assign(request, w.kim, actor=staff_actor(w.kim))
    w.kim.memberships.all().delete()
    client.force_login(w.boss)
    (streets,) = client.get("/staff/supervisor/").context["overview"].departments
    (kim,) = [load for load in streets.people if load.user_id == w.kim.pk]
    assert kim.open_assigned == 1 and not kim.member


def test_an_administrator_sees_every_department(client, w):
    w.file(w.grass)
    client.force_login(w.admin)
    data = client.get("/staff/supervisor/").context["overview"]
    names = [view.department.name for view in data.departments]
    assert names == ["Contact centre", "Parks", "Streets"]
    (parks,) = [view for view in data.departments if view.department == w.parks]
    assert parks.totals.open == 1


@pytest.mark.parametrize("user", ["sam", "agent", "pat"])
def test_others_get_the_forbidden_page(client, w, user):
    client.force_login(getattr(w, user))
    response = client.get("/staff/supervisor/")
    assert response.status_code == 403
    assert "supervisors of a department and for administrators" in response.content.decode()


def test_the_lists_are_bounded(client, w, monkeypatch):
    monkeypatch.setattr(overview, "LIST_SIZE", 3)
    w.file_many(5, requested_at=timezone.now() - timedelta(days=20))
    client.force_login(w.boss)
    data = client.get("/staff/supervisor/").context["overview"]
    assert len(data.overdue) == 3


def test_reassigning_from_the_supervisor_view(client, w):
    overdue = w.file(requested_at=timezone.now() - timedelta(days=20))
    client.force_login(w.boss)
    page = client.get("/staff/supervisor/").content.decode()
    assert f'value="{overdue.pk}:{overdue.version}"' in page
    assert 'action="/staff/bulk/"' in page
    response = client.post(
        "/staff/bulk/",
        {
            "next": "/staff/supervisor/",
            "action": "assign",
            "assignee": w.kim.pk,
            "rows": [f"{overdue.pk}:{overdue.version}"],
        },
    )
    assert response["Location"] == "/staff/supervisor/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["1 done."]
    overdue.refresh_from_db()
    assert overdue.assignee == w.kim


def _queries(client) -> int:  # type: ignore[no-untyped-def]
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/staff/supervisor/").status_code == 200
    return len(captured)


def test_the_figures_take_a_fixed_number_of_queries(client, w):
    client.force_login(w.admin)
    now = timezone.now()
    service = light(w)

    def add(count: int) -> None:
        for index in range(count):
            overdue = w.file(
                (w.pothole, w.graffiti, w.grass)[index % 3], requested_at=now - timedelta(days=20)
            )
            at_risk = w.file(service, requested_at=now - timedelta(hours=8))
            member = (w.sam, w.lee, w.pat)[index % 3]
            if overdue.group.memberships.filter(user=member).exists():
                workflow.assign(overdue, member, actor=staff_actor(member))
            workflow.assign(at_risk, w.lee, actor=staff_actor(w.lee))

    add(5)
    few = _queries(client)
    add(45)
    data = client.get("/staff/supervisor/").context["overview"]
    assert len(data.overdue) == overview.LIST_SIZE and len(data.at_risk) == overview.LIST_SIZE
    assert _queries(client) == few
    # More departments and groups do not add queries either.
    for _index in range(5):
        department = f.DepartmentFactory()
        f.MembershipFactory(group=f.GroupFactory(department=department))
    assert _queries(client) == few
