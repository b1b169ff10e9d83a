"""The case page's actions: each through a plain POST (redirect and message) and through
HTMX (the changed parts swapped), and every way one can be refused without a change."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from frontdoor.cases import workflow
from frontdoor.cases.models import Event, HoldReason, ServiceRequest, Status, Visibility
from tests.case_page.helpers import HTMX, action_url, case_url, photo, state
from tests.conftest import submit_pothole

pytestmark = pytest.mark.django_db
A = Event.Action


@dataclass(frozen=True)
class Case:
    """One action: how to get the request ready, what to post, what must have happened."""

    setup: Callable[[ServiceRequest, dict[str, Any]], None]
    data: Callable[[ServiceRequest, dict[str, Any]], dict[str, Any]]
    check: Callable[[ServiceRequest, dict[str, Any]], bool]
    message: str


def nothing(req: ServiceRequest, o: dict[str, Any]) -> None:
    return None


def last_event(req: ServiceRequest) -> Event:
    return Event.objects.filter(request=req).order_by("-pk").first()  # type: ignore[return-value]


def held(req: ServiceRequest, o: dict[str, Any]) -> None:
    workflow.hold(req, reason=HoldReason.WEATHER, actor=workflow.Actor.staff(o["staff"]))


def closed(req: ServiceRequest, o: dict[str, Any]) -> None:
    workflow.close(req, "fixed", actor=workflow.Actor.staff(o["staff"]))


def original_of(req: ServiceRequest) -> ServiceRequest:
    return submit_pothole(req.service, description="The first report")


CASES: dict[str, Case] = {
    "take": Case(
        nothing,
        lambda r, o: {},
        lambda r, o: r.assignee_id == o["staff"].pk and r.status == Status.IN_PROGRESS,
        "The request is assigned to you.",
    ),
    "assign": Case(
        nothing,
        lambda r, o: {"assignee": o["colleague"].pk},
        lambda r, o: r.assignee_id == o["colleague"].pk,
        "The assignment is changed.",
    ),
    "note": Case(
        nothing,
        lambda r, o: {"text": "Crew booked for Tuesday"},
        lambda r, o: (
            last_event(r).action == A.NOTE and last_event(r).visibility == Visibility.INTERNAL
        ),
        "Internal note added.",
    ),
    "reply": Case(
        nothing,
        lambda r, o: {"text": "We will fill it this week"},
        lambda r, o: (
            last_event(r).action == A.REPLY and last_event(r).visibility == Visibility.PUBLIC
        ),
        "Reply added to the public timeline",
    ),
    "request-info": Case(
        nothing,
        lambda r, o: {"text": "Which lane is it in?"},
        lambda r, o: (
            r.status == Status.ON_HOLD
            and r.hold_reason == HoldReason.WAITING_ON_RESIDENT
            and r.sla_paused_at is not None
        ),
        "Question sent; the request waits on the requester.",
    ),
    "message": Case(
        nothing,
        lambda r, o: {"text": "Thanks for the photo"},
        lambda r, o: (
            last_event(r).action == A.MESSAGE_TO_REQUESTER
            and last_event(r).visibility == Visibility.REQUESTER
        ),
        "Message sent to the requester.",
    ),
    "hold": Case(
        nothing,
        lambda r, o: {"reason": "weather", "public_note": "After the storm"},
        lambda r, o: r.status == Status.ON_HOLD and r.hold_reason == HoldReason.WEATHER,
        "The request is on hold.",
    ),
    "resume": Case(
        held,
        lambda r, o: {},
        lambda r, o: r.status == Status.IN_PROGRESS and r.hold_reason == "",
        "Work on the request resumed.",
    ),
    "forward": Case(
        nothing,
        lambda r, o: {"group": o["parks"].pk, "reason": "A tree root, not the road"},
        lambda r, o: (
            r.group_id == o["parks"].pk and last_event(r).text == "A tree root, not the road"
        ),
        "The request is forwarded.",
    ),
    "priority": Case(
        nothing,
        lambda r, o: {"priority": "urgent"},
        lambda r, o: r.priority == "urgent",
        "Priority changed.",
    ),
    "photo": Case(
        nothing,
        lambda r, o: {"photo": photo(), "visibility": "internal"},
        lambda r, o: r.attachments.get().visibility == Visibility.INTERNAL,
        "Photo added.",
    ),
    "close": Case(
        nothing,
        lambda r, o: {"resolution": "fixed", "public_note": "Filled", "photo": photo()},
        lambda r, o: (
            r.status == Status.CLOSED
            and r.resolution == "fixed"
            and r.status_notes == "Filled"
            and r.attachments.get().visibility == Visibility.PUBLIC
        ),
        "The request is closed.",
    ),
    "merge": Case(
        nothing,
        lambda r, o: {"original": o.setdefault("original", original_of(r)).display_number},
        lambda r, o: r.duplicate_of_id == o["original"].pk and r.status == Status.CLOSED,
        "Closed as a duplicate and merged into the original.",
    ),
    "reopen": Case(
        closed,
        lambda r, o: {"reason": "The hole is back"},
        lambda r, o: r.status == Status.NEW and last_event(r).action == A.REOPENED,
        "The request is open again.",
    ),
}


def post(client: Client, req: ServiceRequest, action: str, data: dict[str, Any], **kw: Any):  # type: ignore[no-untyped-def]
    return client.post(action_url(req, action), {"version": req.version, **data}, **kw)


@pytest.mark.parametrize("action", CASES)
def test_each_action_without_javascript_posts_redirects_and_says_what_happened(
    client, org, filed, action
):
    case = CASES[action]
    case.setup(filed, org)
    filed.refresh_from_db()
    client.force_login(org["staff"])

    response = post(client, filed, action, case.data(filed, org))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == case_url(filed)
    page = client.get(response["Location"]).content.decode()
    assert case.message in page
    filed.refresh_from_db()
    assert case.check(filed, org)


@pytest.mark.parametrize("action", CASES)
def test_each_action_with_htmx_answers_with_the_changed_parts_only(client, org, filed, action):
    case = CASES[action]
    case.setup(filed, org)
    filed.refresh_from_db()
    client.force_login(org["staff"])

    response = post(client, filed, action, case.data(filed, org), headers=HTMX)

    body = response.content.decode()
    assert response.status_code == 200, body[:2000]
    assert "<html" not in body and "<header" not in body  # not the whole page
    swapped = re.findall(r'<(?:section|div) id="([\w-]+)"[^>]*hx-swap-oob="true"', body)
    expected = ["case-details", "case-actions", "case-timeline", "messages"]
    if action in ("photo", "close"):
        expected.insert(1, "case-photos")
    assert swapped == expected
    assert case.message in body
    filed.refresh_from_db()
    assert case.check(filed, org)
    if action == "forward":  # it left my group: nothing more for me to do on it
        assert "There is nothing you can change on this request" in body
    else:  # the forms come back carrying the new version
        assert f'name="version" value="{filed.version}"' in body


def test_a_note_through_htmx_shows_in_the_timeline_it_swaps(client, org, filed):
    client.force_login(org["staff"])
    response = post(client, filed, "note", {"text": "Cones placed"}, headers=HTMX)
    timeline = response.content.decode().split('id="case-timeline"')[1]
    assert "Cones placed" in timeline and ">Staff only</span>" in timeline


# --- Refusals: forbidden --------------------------------------------------------------

NOT_FOR_AGENTS = [a for a in CASES if a not in ("note", "reply", "message")]


@pytest.mark.parametrize("action", CASES)
def test_staff_of_another_department_are_forbidden_every_action(client, org, filed, action):
    CASES[action].setup(filed, org)
    filed.refresh_from_db()
    before = state(filed)
    client.force_login(org["outsider"])

    response = post(client, filed, action, CASES[action].data(filed, org))

    assert response.status_code == 403
    page = response.content.decode()
    assert "another department" in page or "Only members of Streets crew" in page
    assert state(filed) == before


@pytest.mark.parametrize("action", NOT_FOR_AGENTS)
def test_an_agent_may_not_work_a_request_of_a_group_they_are_not_in(client, org, filed, action):
    CASES[action].setup(filed, org)
    filed.refresh_from_db()
    before = state(filed)
    client.force_login(org["agent"])
    response = post(client, filed, action, CASES[action].data(filed, org), headers=HTMX)
    assert response.status_code == 403
    assert "Streets crew" in response.content.decode()
    assert 'id="messages"' in response.content.decode()
    assert state(filed) == before


@pytest.mark.parametrize("action", ["note", "reply", "message"])
def test_an_agent_may_note_reply_and_message_on_any_request(client, org, filed, action):
    client.force_login(org["agent"])
    response = post(client, filed, action, CASES[action].data(filed, org))
    assert response.status_code == 302
    filed.refresh_from_db()
    assert CASES[action].check(filed, org)


def test_a_supervisor_acts_on_the_departments_requests(client, org, filed):
    client.force_login(org["supervisor"])
    response = post(client, filed, "priority", {"priority": "high"})
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.priority == "high"


def test_residents_are_refused_and_anonymous_visitors_sent_to_sign_in(client, org, filed):
    before = state(filed)
    response = post(client, filed, "note", {"text": "hello"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(org["resident"])
    response = post(client, filed, "close", {"resolution": "fixed"})
    assert response.status_code == 403
    assert "no staff role" in response.content.decode()
    assert state(filed) == before


# --- Refusals: the request's state ------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_a_closed_request_refuses_with_the_workflows_message(client, org, filed, headers):
    closed(filed, org)
    filed.refresh_from_db()
    before = state(filed)
    client.force_login(org["staff"])
    response = post(client, filed, "hold", {"reason": "weather"}, headers=headers)
    assert response.status_code == 409
    body = response.content.decode()
    assert "A request that is “Closed” cannot be put on hold." in body
    assert state(filed) == before
    # The fresh state: the closed request offers reopening.
    assert 'id="action-reopen"' in body and 'id="action-hold"' not in body


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_a_stale_form_is_refused_with_the_fresh_state_and_keeps_what_was_typed(
    client, org, filed, headers
):
    seen = filed.version
    workflow.assign(filed, org["colleague"], actor=workflow.Actor.staff(org["colleague"]))
    filed.refresh_from_db()
    before = state(filed)
    client.force_login(org["staff"])

    response = client.post(
        action_url(filed, "note"), {"version": seen, "text": "My typed note"}, headers=headers
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this request while you were working on it." in body
    assert state(filed) == before
    assert "Lee Wong" in body  # their change is shown
    assert f'name="version" value="{filed.version}"' in body
    assert f'name="version" value="{seen}"' not in body
    assert re.search(r'id="note-text">\s*My typed note</textarea>', body)


def test_a_closed_request_cannot_be_closed_twice(client, org, filed):
    client.force_login(org["staff"])
    assert post(client, filed, "close", {"resolution": "fixed"}).status_code == 302
    filed.refresh_from_db()
    response = post(client, filed, "close", {"resolution": "fixed", "photo": photo()})
    assert response.status_code == 409
    assert "This request is already “Closed”." in response.content.decode()
    assert filed.attachments.count() == 0  # the photo went with the refused close


def test_nobody_to_write_to_refuses_a_message_posted_anyway(client, org, pothole):
    req = submit_pothole(pothole, contact=workflow.Contact())
    before = state(req)
    client.force_login(org["staff"])
    response = post(client, req, "request-info", {"text": "Where exactly?"})
    assert response.status_code == 409
    assert "left no contact details" in response.content.decode()
    assert state(req) == before


# --- Refusals: bad input ------------------------------------------------------------------

BAD_INPUT = {
    "empty note": ("note", {"text": "   "}, "text", "Write something first."),
    "unknown group": (
        "forward",
        {"group": 999999, "reason": "Wrong crew"},
        "group",
        "Choose one of the groups in the list.",
    ),
    "forward without reason": ("forward", {"group": "PARKS"}, "reason", "Say why"),
    "no resolution": ("close", {"public_note": "Done"}, "resolution", "Choose a resolution."),
    "resolution 'duplicate'": (
        "close",
        {"resolution": "duplicate"},
        "resolution",
        "Select a valid choice.",
    ),
    "unknown hold reason": ("hold", {"reason": "lunch"}, "reason", "Select a valid choice."),
    "not a member": ("assign", {"assignee": 424242}, "assignee", "Select a valid choice."),
    "unknown priority": ("priority", {"priority": "asap"}, "priority", "Select a valid choice."),
    "reopen without reason": ("reopen", {"reason": ""}, "reason", "Say why"),
    "no photo": ("photo", {}, "photo", "Choose or take a photo first."),
    "not a photo": (
        "photo",
        {"photo": "file"},
        "photo",
        "This file is not a photo we can read.",
    ),
    "oversize photo": ("photo", {"photo": "big"}, "photo", "The photo is too large"),
    "oversize closing photo": (
        "close",
        {"resolution": "fixed", "photo": "big"},
        "photo",
        "The photo is too large",
    ),
    "unknown duplicate": (
        "merge",
        {"original": "4821-7730-19"},
        "original",
        "No request has the number 4821-7730-19.",
    ),
    "not a tracking number": ("merge", {"original": "12345"}, "original", "is not a tracking"),
    "merge into itself": ("merge", {"original": "self"}, "original", "cannot be a duplicate of"),
    "missing version": ("note", {"text": "hi", "version": ""}, "version", "Reload the page"),
}


def _bad_data(data: dict[str, Any], org: dict[str, Any], req: ServiceRequest) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = dict(data)
    if data.get("group") == "PARKS":
        data["group"] = org["parks"].pk
    if data.get("original") == "self":
        data["original"] = req.display_number
    if data.get("photo") == "file":
        data["photo"] = SimpleUploadedFile("notes.txt", b"not an image", "text/plain")
    if data.get("photo") == "big":
        data["photo"] = photo(size=(400, 400))
    return data


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
@pytest.mark.parametrize("bad", BAD_INPUT)
def test_bad_input_gets_a_message_next_to_the_field_and_writes_nothing(
    client, org, filed, settings, bad, headers
):
    settings.FRONTDOOR_MAX_PHOTO_BYTES = 2048
    action, data, field, message = BAD_INPUT[bad]
    if action == "reopen":
        closed(filed, org)
        filed.refresh_from_db()
    before = state(filed)
    client.force_login(org["staff"])

    response = post(client, filed, action, _bad_data(data, org, filed), headers=headers)

    assert response.status_code == 422
    body = response.content.decode()
    if field == "version":
        assert message in body
    else:
        # The message sits in the field's own block, right above its input.
        block = re.search(
            rf'<div class="field has-error">\s*<label for="{action}-{field}">.*?</div>',
            body,
            re.S,
        )
        assert block is not None, body[:3000]
        assert message in block.group(0)
    assert state(filed) == before
    if headers:
        swapped = re.findall(r'id="([\w-]+)"[^>]*hx-swap-oob="true"', body)
        assert swapped == ["case-actions", "messages"]


def test_bad_input_is_explained_in_spanish(client, org, filed):
    client.force_login(org["staff"])
    response = post(client, filed, "note", {"text": ""}, headers={"accept-language": "es"})
    assert response.status_code == 422
    assert "Escriba algo primero." in response.content.decode()


def test_csrf_is_checked_on_every_action(org, filed):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org["staff"])
    before = state(filed)
    assert post(client, filed, "note", {"text": "no token"}).status_code == 403
    assert state(filed) == before
    page = client.get(case_url(filed)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = post(client, filed, "note", {"text": "with token", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_actions_only_take_posts_and_known_names(client, org, filed):
    client.force_login(org["staff"])
    assert client.get(action_url(filed, "note")).status_code == 405
    assert post(client, filed, "teleport", {}).status_code == 404


def test_merge_from_a_suggestion_button(client, org, pothole, filed):
    original = submit_pothole(pothole, description="The first report")
    client.force_login(org["staff"])
    # The suggestion's button sends the number; the text box stays empty.
    response = client.post(
        action_url(filed, "merge"),
        {"version": filed.version, "original": ["", original.tracking_number]},
    )
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.duplicate_of_id == original.pk
