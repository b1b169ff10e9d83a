"""Work queues: who sees which requests in which queue, filters, sorting and pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontdoor.cases import workflow
from frontdoor.cases.models import Channel, HoldReason, Resolution
from frontdoor.catalogue import cache
from frontdoor.catalogue.models import Service
from frontdoor.staff.queues import paging
from tests import factories as f
from tests.staff_world import build_world, staff_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(city):  # type: ignore[no-untyped-def]
    return build_world(city)


def numbers(response) -> list[str]:  # type: ignore[no-untyped-def]
    page = response.context["page"]
    return [row.tracking_number for row in page.rows] if page else []


def listed(client, user, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return numbers(response)


def hourly_service(w, code: str = "LIGHT", hours: int = 10) -> Service:  # type: ignore[no-untyped-def]
    """A calendar-clock service with a target in hours, so at-risk and overdue times are
    plain arithmetic in tests."""
    return f.ServiceFactory(
        code=code,
        name="Street light",
        default_group=w.crew1,
        sla_amount=hours,
        sla_unit=Service.SlaUnit.HOURS,
        sla_clock=Service.SlaClock.CALENDAR,
    )


# --- Membership and scoping ----------------------------------------------------------


def test_mine_holds_my_open_requests_only(client, w):
    mine, kims, closed = w.file(), w.file(), w.file()
    workflow.assign(mine, w.sam, actor=staff_actor(w.sam))
    workflow.assign(kims, w.kim, actor=staff_actor(w.kim))
    workflow.assign(closed, w.sam, actor=staff_actor(w.sam))
    workflow.close(closed, resolution=Resolution.FIXED, actor=staff_actor(w.sam))

    assert listed(client, w.sam, "/staff/queue/mine/") == [mine.tracking_number]
    assert listed(client, w.kim, "/staff/queue/mine/") == [kims.tracking_number]


def test_my_groups_never_shows_another_departments_requests(client, w):
    crew1, crew2, parks = w.file(), w.file(w.graffiti), w.file(w.grass)
    closed = w.file()
    workflow.close(closed, resolution=Resolution.FIXED, actor=staff_actor(w.sam))

    assert set(listed(client, w.sam, "/staff/queue/groups/")) == {crew1.tracking_number}
    assert set(listed(client, w.lee, "/staff/queue/groups/")) == {crew2.tracking_number}
    # Department B's staff see none of department A's, and the other way round.
    assert set(listed(client, w.pat, "/staff/queue/groups/")) == {parks.tracking_number}
    # A supervisor: every group of the department, nothing of another department.
    assert set(listed(client, w.boss, "/staff/queue/groups/")) == {
        crew1.tracking_number,
        crew2.tracking_number,
    }
    assert set(listed(client, w.admin, "/staff/queue/groups/")) == {
        crew1.tracking_number,
        crew2.tracking_number,
        parks.tracking_number,
    }


def test_unassigned_holds_my_groups_requests_nobody_took(client, w):
    free, taken, elsewhere = w.file(), w.file(), w.file(w.grass)
    workflow.assign(taken, w.kim, actor=staff_actor(w.kim))
    assert listed(client, w.sam, "/staff/queue/unassigned/") == [free.tracking_number]
    assert elsewhere.tracking_number in listed(client, w.pat, "/staff/queue/unassigned/")


def test_triage_holds_the_triage_groups_and_the_general_services_requests(client, w):
    general = w.file(w.general, lat=None, long=None, description="Question about permits")
    forwarded = w.file(w.general, lat=None, long=None)
    workflow.forward(forwarded, w.crew1, reason="Potholes are ours", actor=staff_actor(w.admin))
    w.file()  # an ordinary pothole: not triage
    closed = w.file(w.general, lat=None, long=None)
    workflow.close(closed, resolution=Resolution.INFO_PROVIDED, actor=staff_actor(w.admin))

    expected = {general.tracking_number, forwarded.tracking_number}
    # Any staff role has the triage queue, call-takers included.
    assert set(listed(client, w.agent, "/staff/queue/triage/")) == expected
    assert set(listed(client, w.sam, "/staff/queue/triage/")) == expected


def test_on_hold_holds_held_requests_of_my_groups(client, w):
    held, running, other = w.file(), w.file(), w.file(w.grass)
    for request, actor in ((held, w.sam), (other, w.pat)):
        workflow.hold(request, reason=HoldReason.PARTS, actor=staff_actor(actor))
    assert listed(client, w.sam, "/staff/queue/on_hold/") == [held.tracking_number]
    assert running.tracking_number not in listed(client, w.sam, "/staff/queue/on_hold/")


def test_at_risk_and_overdue_follow_the_service_level_times(client, w):
    light = hourly_service(w)
    now = timezone.now()
    fresh = w.file(light, requested_at=now - timedelta(hours=1))
    at_risk = w.file(light, requested_at=now - timedelta(hours=8))  # 75 % of 10 h passed
    overdue = w.file(light, requested_at=now - timedelta(hours=12))
    paused = w.file(light, requested_at=now - timedelta(hours=12))
    workflow.hold(paused, reason=HoldReason.WAITING_ON_RESIDENT, actor=staff_actor(w.sam))
    breached = w.file(light, requested_at=now - timedelta(hours=12))
    workflow.record_system_event(breached.pk, "request.sla_breached")
    workflow.hold(breached, reason=HoldReason.WAITING_ON_RESIDENT, actor=staff_actor(w.sam))

    assert listed(client, w.sam, "/staff/queue/at_risk/") == [at_risk.tracking_number]
    overdue_list = listed(client, w.sam, "/staff/queue/overdue/")
    # A paused clock is not overdue until its breach was recorded.
    assert set(overdue_list) == {overdue.tracking_number, breached.tracking_number}
    assert fresh.tracking_number not in overdue_list
    assert listed(client, w.pat, "/staff/queue/overdue/") == []

    client.force_login(w.sam)
    page = client.get("/staff/queue/groups/").content.decode()
    assert page.count('class="badge badge-overdue"') == 2
    assert page.count('class="badge badge-at-risk"') == 1
    assert "Clock paused" in page


def test_updated_by_the_resident_lists_requests_the_resident_wrote_about(client, w):
    quiet, wrote, elsewhere = w.file(), w.file(), w.file(w.grass)
    later = w.file()
    for request in (wrote, elsewhere, later):
        workflow.receive_message(request, "Any news?", actor=workflow.Actor.resident())
    assert listed(client, w.sam, "/staff/queue/resident/") == [
        later.tracking_number,
        wrote.tracking_number,
    ]
    assert quiet.tracking_number not in listed(client, w.sam, "/staff/queue/resident/")


def test_find_a_request_asks_for_a_search_first_then_finds_any_request(client, w):
    closed = w.file(description="Broken bench in the park")
    workflow.close(closed, resolution=Resolution.FIXED, actor=staff_actor(w.sam))
    w.file(w.grass)
    client.force_login(w.agent)
    response = client.get("/staff/queue/all/")
    assert response.context["page"] is None
    assert "Type a tracking number" in response.content.decode()
    assert listed(client, w.agent, "/staff/queue/all/?q=bench") == [closed.tracking_number]
    assert len(listed(client, w.agent, "/staff/queue/all/?status=new")) == 1


@pytest.mark.parametrize(
    ("user", "home"),
    [("sam", "mine"), ("boss", "groups"), ("agent", "all"), ("admin", "groups")],
)
def test_each_role_starts_at_its_own_queue(client, w, user, home):
    client.force_login(getattr(w, user))
    response = client.get("/staff/")
    assert response.status_code == 200
    assert response.context["queue"].name == home


def test_queues_a_person_has_no_use_for_are_refused_with_a_reason(client, w):
    client.force_login(w.agent)
    for name in ("mine", "groups", "unassigned", "on_hold", "at_risk", "overdue", "resident"):
        response = client.get(f"/staff/queue/{name}/")
        assert response.status_code == 403, name
    assert "work group" in client.get("/staff/queue/mine/").content.decode()
    menu = [queue.name for queue in client.get("/staff/").context["queues"]]
    assert menu == ["triage", "all"]
    assert client.get("/staff/queue/nonsense/").status_code == 404


def test_residents_and_visitors_get_no_queue(client, w):
    assert client.get("/staff/queue/groups/").status_code == 302
    client.force_login(w.resident)
    assert client.get("/staff/queue/triage/").status_code == 403
    assert client.get("/staff/supervisor/").status_code == 403


# --- Filters ---------------------------------------------------------------------------


def test_each_filter_narrows_the_list(client, w):
    east_zone = f.ZoneFactory(code="EAST", name="East side", geometry=dict(f.EAST_HALF))
    now = timezone.now()
    base = w.file()
    graffiti = w.file(w.graffiti)
    phoned = w.file(channel=Channel.PHONE)
    urgent = w.file(priority="urgent")
    east = w.file(lat=f.EAST_POINT[0], long=f.EAST_POINT[1])
    old = w.file(requested_at=now - timedelta(days=5))
    ancient = w.file(requested_at=now - timedelta(days=40))
    assigned = w.file()
    workflow.assign(assigned, w.kim, actor=staff_actor(w.kim))
    held = w.file()
    workflow.hold(held, reason=HoldReason.PARTS, actor=staff_actor(w.sam))

    def q(query: str) -> set[str]:
        return set(listed(client, w.boss, f"/staff/queue/groups/?{query}"))

    everyone = q("")
    assert len(everyone) == 9
    assert q(f"service={w.graffiti.pk}") == {graffiti.tracking_number}
    assert q(f"group={w.crew2.pk}") == {graffiti.tracking_number}
    assert q("channel=phone") == {phoned.tracking_number}
    assert q("priority=urgent") == {urgent.tracking_number}
    assert q(f"zone={east_zone.pk}") == {east.tracking_number}
    assert q("age=3-7") == {old.tracking_number}
    assert q("age=31%2B") == {ancient.tracking_number}
    assert old.tracking_number not in q("age=0-2") and base.tracking_number in q("age=0-2")
    assert q(f"assignee={w.kim.pk}") == {assigned.tracking_number}
    assert q("assignee=none") == everyone - {assigned.tracking_number}
    assert q("status=on_hold") == {held.tracking_number}
    assert q("status=in_progress") == {assigned.tracking_number}
    # Filters combine.
    assert q(f"service={w.pothole.pk}&channel=phone") == {phoned.tracking_number}


def test_a_bad_filter_value_is_left_out_with_a_message(client, w):
    request = w.file()
    client.force_login(w.sam)
    response = client.get(
        "/staff/queue/groups/?service=abc&status=bogus&age=9&assignee=99999&zone=1e9"
        "&sort=drop+table&per_page=1000000&group=-1"
    )
    assert response.status_code == 200
    assert numbers(response) == [request.tracking_number]
    text = response.content.decode()
    assert "Service:" in text and "Select a valid choice" in text
    assert len(response.context["form"].problems) == 8


# --- Sorting ---------------------------------------------------------------------------


def test_each_sort_orders_the_list(client, w):
    now = timezone.now()
    light = hourly_service(w, hours=200)
    a = w.file(requested_at=now - timedelta(days=2))  # 3 business days: due soonest-ish
    b = w.file(light, requested_at=now - timedelta(days=1), priority="urgent")
    c = w.file(w.graffiti, requested_at=now - timedelta(days=3), priority="high")
    workflow.add_note(a, "touched last", actor=staff_actor(w.sam))

    def order(sort: str) -> list[str]:
        return listed(client, w.boss, f"/staff/queue/groups/?sort={sort}")

    assert order("requested") == [c.tracking_number, a.tracking_number, b.tracking_number]
    assert order("-requested") == [b.tracking_number, a.tracking_number, c.tracking_number]
    assert order("-updated")[0] == a.tracking_number
    assert order("priority") == [b.tracking_number, c.tracking_number, a.tracking_number]
    due = order("due")
    due_at = {r.tracking_number: r.due_at for r in (a, b, c)}
    assert due[-1] == b.tracking_number  # 200 calendar hours away
    assert [due_at[n] for n in due] == sorted(due_at.values())
    # The default of "My groups" is the due time.
    assert listed(client, w.boss, "/staff/queue/groups/") == due


# --- Pages -----------------------------------------------------------------------------


def test_pages_are_bounded_and_any_page_value_works(client, w):
    w.file_many(30)
    client.force_login(w.sam)

    def page(query: str) -> tuple[int, int]:
        response = client.get(f"/staff/queue/groups/?per_page=25&{query}")
        assert response.status_code == 200
        return response.context["page"].number, len(response.context["page"].rows)

    assert page("") == (1, 25)
    assert page("page=2") == (2, 5)
    assert page("page=-1") == (1, 25)
    assert page("page=0") == (1, 25)
    assert page("page=abc") == (1, 25)
    assert page("page=999999") == (2, 5)
    assert page("page=" + "9" * 5000) == (1, 25)
    text = client.get("/staff/queue/groups/?per_page=25").content.decode()
    assert "Page 1 of 2" in text and "per_page=25&amp;page=2" in text


def test_a_list_pages_only_through_its_first_rows(client, w, monkeypatch):
    monkeypatch.setattr(paging, "MAX_ROWS", 10)
    w.file_many(12)
    client.force_login(w.sam)
    response = client.get("/staff/queue/groups/?per_page=25&page=3")
    page = response.context["page"]
    assert page.more and page.total == 10 and len(page.rows) == 10 and page.number == 1
    assert "More than 10 requests" in response.content.decode()


def test_htmx_gets_only_the_results(client, w):
    w.file()
    client.force_login(w.sam)
    response = client.get(
        "/staff/queue/groups/?sort=requested",
        headers={"HX-Request": "true", "HX-Target": "queue-results"},
    )
    text = response.content.decode()
    assert text.lstrip().startswith('<section id="queue-results"')
    assert "<html" not in text and 'hx-swap-oob="true"' in text


def test_the_queue_page_reads_as_cards_on_a_phone(client, w):
    """Every cell says which column it is, for the card layout of narrow screens."""
    w.file()
    client.force_login(w.sam)
    text = client.get("/staff/queue/groups/").content.decode()
    for label in ("Tracking number", "Service", "Status", "Due", "Group", "Assignee", "Age"):
        assert f'data-label="{label}"' in text


# --- No N+1 queries --------------------------------------------------------------------


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _fill(w, queue: str, count: int) -> None:  # type: ignore[no-untyped-def]
    """``count`` more requests in ``queue`` for sam (every row with a different
    service, group or assignee where the queue allows, so joins are exercised)."""
    now = timezone.now()
    for index in range(count):
        member = (w.sam, w.kim)[index % 2]
        if queue in ("mine", "groups", "unassigned", "on_hold"):
            request = w.file()
            if queue in ("mine", "groups"):
                workflow.assign(
                    request, w.sam if queue == "mine" else member, actor=staff_actor(member)
                )
            if queue == "on_hold":
                workflow.hold(request, reason=HoldReason.WEATHER, actor=staff_actor(member))
        elif queue == "triage":
            w.file(w.general, lat=None, long=None)
        elif queue == "overdue":
            w.file(requested_at=now - timedelta(days=20))
        elif queue == "at_risk":
            light = Service.objects.filter(code="LIGHT").first() or hourly_service(w)
            w.file(light, requested_at=now - timedelta(hours=8))
        elif queue == "resident":
            workflow.receive_message(w.file(), "Hello?", actor=workflow.Actor.resident())
        else:  # all, search
            w.file(description="Lamp post leaning")


@pytest.mark.parametrize(
    "queue",
    ["mine", "groups", "unassigned", "triage", "on_hold", "at_risk", "overdue", "resident", "all"],
)
def test_no_queue_page_makes_more_queries_for_more_rows(client, w, queue):
    url = f"/staff/queue/{queue}/?per_page=100" + ("&q=lamp" if queue == "all" else "")
    client.force_login(w.sam)
    _fill(w, queue, 5)
    five = _queries(client, url)
    assert len(client.get(url).context["page"].rows) == 5
    _fill(w, queue, 45)
    assert len(client.get(url).context["page"].rows) == 50
    assert _queries(client, url) == five
