"""Bulk actions from the queues, and saved views."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from frontdoor.cases import workflow
from frontdoor.cases.models import Event, Resolution, ServiceRequest, Status
from frontdoor.staff.models import SavedView
from tests.staff_world import build_world, staff_actor

pytestmark = pytest.mark.django_db

NEXT = "/staff/queue/groups/?sort=requested"


@pytest.fixture
def w(city):  # type: ignore[no-untyped-def]
    return build_world(city)


def row(request: ServiceRequest) -> str:
    request.refresh_from_db()
    return f"{request.pk}:{request.version}"


def fresh_messages(client) -> None:  # type: ignore[no-untyped-def]
    """Forget messages an earlier response left unread (the test does not follow)."""
    client.cookies.pop("messages", None)


def post(client, user, **data):  # type: ignore[no-untyped-def]
    """POST the bulk form as ``user``: (response, the messages it left)."""
    fresh_messages(client)
    client.force_login(user)
    response = client.post("/staff/bulk/", {"next": NEXT, **data})
    assert response.status_code == 302
    return response, [str(m) for m in get_messages(response.wsgi_request)]


def snapshot(request: ServiceRequest) -> tuple:
    request.refresh_from_db()
    return (request.version, request.status, request.group_id, request.assignee_id)


def test_assign_many_requests_at_once(client, w):
    first, second = w.file(), w.file()
    response, messages = post(
        client, w.sam, action="assign", assignee=w.kim.pk, rows=[row(first), row(second)]
    )
    assert response["Location"] == NEXT
    assert messages == ["2 done."]
    for request in (first, second):
        request.refresh_from_db()
        assert request.assignee == w.kim and request.status == Status.IN_PROGRESS
        assert request.events.filter(action=Event.Action.ASSIGNED, actor=w.sam).exists()


def test_rows_one_may_not_act_on_are_refused_and_left_alone(client, w):
    mine, other_department, closed = w.file(), w.file(w.grass), w.file()
    workflow.close(closed, resolution=Resolution.FIXED, actor=staff_actor(w.sam))
    before = {r.pk: snapshot(r) for r in (other_department, closed)}

    _response, messages = post(
        client,
        w.sam,
        action="assign",
        assignee=w.kim.pk,
        rows=[row(mine), row(other_department), row(closed)],
    )

    (summary,) = messages
    assert summary.startswith("1 done, 2 refused: ")
    assert (
        f"{other_department.display_number}: This request belongs to another department" in summary
    )
    assert closed.display_number in summary
    assert {r.pk: snapshot(r) for r in (other_department, closed)} == before
    mine.refresh_from_db()
    assert mine.assignee == w.kim


def test_a_row_changed_since_the_list_was_loaded_is_refused(client, w):
    fresh, stale = w.file(), w.file()
    seen = row(stale)
    workflow.add_note(stale, "Crew on the way", actor=staff_actor(w.kim))  # someone else
    before = snapshot(stale)

    _response, messages = post(
        client, w.sam, action="assign", assignee=w.sam.pk, rows=[row(fresh), seen]
    )

    assert messages[0].startswith("1 done, 1 refused: ")
    assert "Someone else changed this request" in messages[0]
    assert snapshot(stale) == before


def test_assigning_to_someone_outside_the_requests_group_is_refused_per_row(client, w):
    crew1, crew2 = w.file(), w.file(w.graffiti)
    _response, messages = post(
        client, w.boss, action="assign", assignee=w.lee.pk, rows=[row(crew1), row(crew2)]
    )
    assert messages[0].startswith("1 done, 1 refused: ")
    assert "Lee Tester is not a member of Crew 1" in messages[0]
    crew2.refresh_from_db()
    assert crew2.assignee == w.lee


def test_forward_many_with_a_reason(client, w):
    requests = w.file_many(3)
    _response, messages = post(
        client,
        w.sam,
        action="forward",
        group=w.crew2.pk,
        reason="Graffiti, not potholes",
        rows=[row(r) for r in requests],
    )
    assert messages == ["3 done."]
    for request in requests:
        request.refresh_from_db()
        assert request.group == w.crew2
        event = request.events.get(action=Event.Action.FORWARDED)
        assert event.data["text"] == "Graffiti, not potholes"


def test_forward_without_a_reason_or_group_changes_nothing(client, w):
    request = w.file()
    before = snapshot(request)
    _response, messages = post(
        client, w.sam, action="forward", group=w.crew2.pk, rows=[row(request)]
    )
    assert "Say why they are forwarded" in messages[0]
    _response, messages = post(client, w.sam, action="forward", reason="x", rows=[row(request)])
    assert "Choose the group" in messages[0]
    assert snapshot(request) == before


def test_close_many_as_duplicates_of_a_typed_tracking_number(client, w):
    original, copy1, copy2 = w.file(), w.file(), w.file()
    number = original.tracking_number
    typed = f" #{number[:4]} {number[4:8]}-{number[8:]}"
    _response, messages = post(
        client,
        w.sam,
        action="duplicate",
        original=typed,
        rows=[row(copy1), row(copy2), row(original)],
    )
    assert messages[0].startswith("2 done, 1 refused: ")
    assert "A request cannot be a duplicate of itself." in messages[0]
    for copy in (copy1, copy2):
        copy.refresh_from_db()
        assert copy.status == Status.CLOSED and copy.duplicate_of == original
    original.refresh_from_db()
    assert original.status == Status.NEW and original.supporter_count == 2


def test_an_unknown_original_changes_nothing(client, w):
    request = w.file()
    before = snapshot(request)
    for typed in ("1234-5678-90", "", "not a number"):
        _response, messages = post(
            client, w.sam, action="duplicate", original=typed, rows=[row(request)]
        )
        assert "No request has the tracking number" in messages[0]
    assert snapshot(request) == before


def test_malformed_or_empty_selections_change_nothing(client, w):
    request = w.file()
    before = snapshot(request)
    for rows in ([], ["abc"], [f"{request.pk}:x"], [f"{request.pk}"], ["1:1:1"]):
        _response, messages = post(client, w.sam, action="assign", assignee=w.kim.pk, rows=rows)
        assert messages and (
            "Select at least one" in messages[0] or "not understood" in messages[0]
        )
    _response, messages = post(client, w.sam, action="explode", rows=[row(request)])
    assert "Select a valid choice" in messages[0]
    _response, messages = post(client, w.sam, action="assign", assignee="abc", rows=[row(request)])
    assert messages
    _response, messages = post(client, w.sam, action="assign", assignee=w.kim.pk, rows=["999999:1"])
    assert messages == ["0 done, 1 refused: #999999: That request does not exist."]
    assert snapshot(request) == before


def test_too_many_rows_at_once_are_refused(client, w):
    rows = [f"{pk}:1" for pk in range(1, 202)]
    _response, messages = post(client, w.sam, action="assign", assignee=w.kim.pk, rows=rows)
    assert "at most 200" in messages[0]


def test_a_call_taker_cannot_assign_in_bulk(client, w):
    request = w.file()
    before = snapshot(request)
    _response, messages = post(
        client, w.agent, action="assign", assignee=w.sam.pk, rows=[row(request)]
    )
    assert messages[0].startswith("0 done, 1 refused: ")
    assert "As a call-taker you can read this request" in messages[0]
    assert snapshot(request) == before


def test_bulk_goes_back_only_to_a_staff_page(client, w):
    request = w.file()
    client.force_login(w.sam)
    for target in ("https://evil.example/", "//evil.example/staff/", "/admin/"):
        response = client.post(
            "/staff/bulk/",
            {"next": target, "action": "assign", "assignee": w.kim.pk, "rows": [row(request)]},
        )
        assert response["Location"] == "/staff/"
    assert client.get("/staff/bulk/").status_code == 405


def test_bulk_with_htmx_shows_the_summary_in_the_refreshed_list(client, w):
    request = w.file()
    client.force_login(w.sam)
    headers = {"HX-Request": "true", "HX-Target": "queue-results"}
    response = client.post(
        "/staff/bulk/",
        {"next": NEXT, "action": "assign", "assignee": w.kim.pk, "rows": [row(request)]},
        headers=headers,
        follow=True,
    )
    text = response.content.decode()
    assert "<html" not in text and "1 done." in text and "Kim Tester" in text


def test_the_list_carries_each_rows_version_and_only_rows_one_may_act_on(client, w):
    crew1, parks = w.file(), w.file(w.grass)
    client.force_login(w.admin)
    text = client.get("/staff/queue/groups/").content.decode()
    assert f'value="{row(crew1)}"' in text and f'value="{row(parks)}"' in text
    client.force_login(w.agent)
    text = client.get(f"/staff/queue/all/?q={crew1.tracking_number}").content.decode()
    assert 'name="rows"' not in text and 'id="bulk-form"' not in text


# --- Saved views -----------------------------------------------------------------------


def save(client, user, name: str, queue: str = "groups", query: str = "sort=requested"):  # type: ignore[no-untyped-def]
    fresh_messages(client)
    client.force_login(user)
    return client.post(
        "/staff/views/", {"name": name, "queue": queue, "query": query, "next": "/staff/"}
    )


def test_a_saved_view_reopens_the_queue_with_its_filters(client, w):
    response = save(
        client, w.sam, "Graffiti first", query=f"service={w.graffiti.pk}&sort=requested"
    )
    view = SavedView.objects.get(user=w.sam)
    assert response["Location"] == f"/staff/views/{view.pk}/"
    opened = client.get(f"/staff/views/{view.pk}/")
    assert opened["Location"] == f"/staff/queue/groups/?service={w.graffiti.pk}&sort=requested"
    page = client.get(opened["Location"])
    assert page.context["current_view"] == view
    assert "Graffiti first" in page.content.decode()
    # Listed in the menu of every queue page.
    assert "Graffiti first" in client.get("/staff/queue/mine/").content.decode()


def test_only_accepted_filters_are_saved_and_the_same_name_replaces(client, w):
    save(client, w.sam, "Mine", query="service=abc&status=new&sort=evil&q=%27%3B")
    view = SavedView.objects.get(user=w.sam, name="Mine")
    assert view.query == "q=%27%3B&status=new"
    save(client, w.sam, "  Mine ", query="status=on_hold")
    view = SavedView.objects.get(user=w.sam)
    assert view.query == "status=on_hold"


def test_saving_needs_a_name_and_a_queue_one_has(client, w):
    for name, queue in (("", "groups"), ("x" * 81, "groups"), ("Nope", "nonsense")):
        save(client, w.sam, name, queue=queue)
    save(client, w.agent, "Not for agents", queue="groups")
    assert not SavedView.objects.exists()


def test_another_persons_view_cannot_be_opened_or_deleted(client, w):
    save(client, w.sam, "Sam's view")
    view = SavedView.objects.get()
    fresh_messages(client)
    client.force_login(w.kim)
    assert client.get(f"/staff/views/{view.pk}/").status_code == 404
    assert client.post(f"/staff/views/{view.pk}/delete/").status_code == 404
    assert "Sam&#x27;s view" not in client.get("/staff/queue/groups/").content.decode()
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_deleting_a_view(client, w):
    save(client, w.sam, "Old")
    view = SavedView.objects.get()
    assert client.get(f"/staff/views/{view.pk}/delete/").status_code == 405
    response = client.post(f"/staff/views/{view.pk}/delete/", {"next": "/staff/queue/groups/"})
    assert response["Location"] == "/staff/queue/groups/"
    assert not SavedView.objects.exists()
    assert client.get(f"/staff/views/{view.pk}/").status_code == 404
