"""The persona matrix: every staff role × every action × requests of three groups, through
``staff.actions.perform`` (the door the staff pages use).

The expected outcome is written out below as data (which groups' requests each persona
works on, what an agent may do anywhere), independently of ``staff.policy``: an allowed
action changes the request and writes an event naming the person; a forbidden one raises
``Forbidden`` with a message and changes nothing at all.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation
from PIL import Image

from frontdoor.cases import workflow
from frontdoor.cases.errors import StaleRequest, TransitionNotAllowed
from frontdoor.cases.models import Attachment, Event, ServiceRequest
from frontdoor.staff import policy
from frontdoor.staff.actions import WORKFLOW, perform
from frontdoor.staff.policy import Action, Forbidden
from frontdoor.staff.roles import scope_of
from tests import factories as f

pytestmark = pytest.mark.django_db

# Where requests are: two groups of department A, one of department B.
PLACES = ("G1", "G2", "B")
PERSONAS = (
    "agent",
    "staff_g1",
    "staff_g2",
    "supervisor_a",
    "staff_b",
    "admin",
    "resident",
    "anonymous",
)
# Whose requests each persona works on (every action).
WORKS_ON = {
    "agent": set(),
    "staff_g1": {"G1"},
    "staff_g2": {"G2"},
    "supervisor_a": {"G1", "G2"},
    "staff_b": {"B"},
    "admin": {"G1", "G2", "B"},
    "resident": set(),
    "anonymous": set(),
}
# What a persona may do on any request besides that.
ANYWHERE = {"agent": {"add_note", "reply", "message_requester"}}
# "Assign to me" needs membership of the request's group, whatever the role.
MEMBER_OF = {"staff_g1": {"G1"}, "staff_g2": {"G2"}, "staff_b": {"B"}}
STAFF = {"agent", "staff_g1", "staff_g2", "supervisor_a", "staff_b", "admin"}


def expected(persona: str, action: str, place: str) -> bool:
    if action == "assign_to_me":
        return place in MEMBER_OF.get(persona, set())
    return place in WORKS_ON[persona] or action in ANYWHERE.get(persona, set())


@dataclass
class World:
    people: dict[str, Any]
    groups: dict[str, Any]
    crew: dict[str, Any]
    services: dict[str, Any]
    elsewhere: Any  # a group every request may be forwarded to

    def scope(self, persona: str):  # type: ignore[no-untyped-def]
        return scope_of(self.people[persona])

    def file(self, place: str) -> ServiceRequest:
        return workflow.submit(
            service=self.services[place],
            actor=workflow.Actor.resident(),
            channel="web",
            description="Streetlight out on Elm",
            lat=f.WEST_POINT[0],
            long=f.WEST_POINT[1],
            contact=workflow.Contact(name="Ana Pérez", email="ana@example.org"),
        )


@pytest.fixture
def world(city) -> World:  # type: ignore[no-untyped-def]
    a, b = f.DepartmentFactory(name="Streets"), f.DepartmentFactory(name="Parks")
    groups = {
        "G1": f.GroupFactory(department=a, name="Crew 1"),
        "G2": f.GroupFactory(department=a, name="Crew 2"),
        "B": f.GroupFactory(department=b, name="Mowers"),
    }
    people: dict[str, Any] = {
        "agent": f.UserFactory(username="agent", is_agent=True),
        "staff_g1": f.UserFactory(username="staff_g1"),
        "staff_g2": f.UserFactory(username="staff_g2"),
        "supervisor_a": f.UserFactory(username="supervisor_a"),
        "staff_b": f.UserFactory(username="staff_b"),
        "admin": f.UserFactory(username="admin", is_superuser=True, is_staff=True),
        "resident": f.UserFactory(username="resident"),
        "anonymous": AnonymousUser(),
    }
    for persona, place in (("staff_g1", "G1"), ("staff_g2", "G2"), ("staff_b", "B")):
        f.MembershipFactory(user=people[persona], group=groups[place])
    a.supervisors.add(people["supervisor_a"])
    crew = {place: f.MembershipFactory(group=group).user for place, group in groups.items()}
    services = {
        place: f.ServiceFactory(default_group=group, name=f"Service of {place}")
        for place, group in groups.items()
    }
    return World(people, groups, crew, services, f.GroupFactory(department=b, name="Elsewhere"))


def jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "photo.jpg"
    return buffer


def prepare(
    world: World, action: str, place: str, shared: dict[Any, ServiceRequest] | None = None
) -> tuple[ServiceRequest, dict[str, Any]]:
    """A request in ``place`` in a state where ``action`` is possible, and its arguments.
    With ``shared``, requests are reused between cases (for refusals, which change
    nothing; a refusal that does change something is reported by its own case)."""
    state = {"resume": "on_hold", "reopen": "closed"}.get(action, "new")
    key = (place, state)
    if shared is not None and key in shared:
        request = shared[key]
    else:
        request = world.file(place)
        system = workflow.Actor.system()
        if state == "on_hold":
            workflow.hold(request, reason="scheduled", actor=system)
        if state == "closed":
            workflow.close(request, "fixed", actor=system)
        if shared is not None:
            shared[key] = request
    original = None
    if action == "mark_duplicate":
        original = (shared or {}).get((place, "original")) or world.file(place)
        if shared is not None:
            shared[(place, "original")] = original
    arguments: dict[str, Any] = {
        "assign": {"assignee": world.crew[place]},
        "forward": {"group": world.elsewhere, "reason": "Not ours"},
        "hold": {"reason": "scheduled"},
        "request_info": {"text": "Which side of the street?"},
        "reply": {"text": "A crew is on the way."},
        "add_note": {"text": "Called the resident."},
        "message_requester": {"text": "Thank you for the photo."},
        "close": {"resolution": "fixed", "public_note": "Replaced the lamp."},
        "reopen": {"reason": "It is out again."},
        "mark_duplicate": {"original": original},
        "set_priority": {"priority": "high"},
        "add_attachment": {"photo": jpeg()},
    }.get(action, {})
    return request, arguments


def snapshot(request: ServiceRequest) -> tuple[Any, ...]:
    """What a change would move: the request's state, and every event, photo and request
    anywhere (a merge also writes on the original)."""
    request.refresh_from_db()
    return (
        request.version,
        request.status,
        request.group_id,
        request.assignee_id,
        request.priority,
        Event.objects.count(),
        Attachment.objects.count(),
        ServiceRequest.objects.count(),
    )


# The actions perform() does on a request (link_work_order waits for its workflow function).
ON_REQUEST = sorted(WORKFLOW)


@pytest.mark.parametrize("persona", PERSONAS)
def test_persona_matrix(world: World, persona: str) -> None:
    """Each action on a request of each place; the mismatches are listed together."""
    scope = world.scope(persona)
    wrong = []
    refused_on: dict[Any, ServiceRequest] = {}
    for action in ON_REQUEST:
        for place in PLACES:
            case = (persona, action, place)
            allowed = expected(persona, action, place)
            request, arguments = prepare(world, action, place, None if allowed else refused_on)
            before = snapshot(request)
            if policy.can(scope, action, request) is not allowed:
                wrong.append((*case, "policy.can says the opposite"))
            try:
                perform(scope, action, request.pk, expected_version=request.version, **arguments)
            except Forbidden as refused:
                if allowed:
                    wrong.append((*case, f"refused: {refused}"))
                elif refused.code != "forbidden" or len(str(refused)) < 20:
                    wrong.append((*case, f"unclear refusal: {refused!r}"))
                elif snapshot(request) != before:
                    wrong.append((*case, "refused but changed"))
                continue
            if not allowed:
                wrong.append((*case, "allowed"))
            elif snapshot(request)[0] != before[0] + 1:
                wrong.append((*case, "allowed but the version did not move"))
            elif request.events.order_by("-id").first().actor != world.people[persona]:
                wrong.append((*case, "the event does not name who acted"))
    assert wrong == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_file_read_and_link_work_orders(world: World, persona: str) -> None:
    scope = world.scope(persona)
    staff = persona in STAFF
    requests = [world.file(place) for place in PLACES]
    count = ServiceRequest.objects.count()
    arguments = {
        "service": world.services["G1"],
        "channel": "phone",
        "description": "Tree down",
        "address": "12 Elm Street",
    }
    if staff:
        filed = perform(scope, "create", None, **arguments)
        assert filed.channel == "phone" and filed.group == world.groups["G1"]
        assert filed.events.get(action=Event.Action.CREATED).actor == world.people[persona]
    else:
        with pytest.raises(Forbidden):
            perform(scope, "create", None, **arguments)
        assert ServiceRequest.objects.count() == count
    # Any staff role reads any request (city employees); acting is what is scoped.
    everything = ServiceRequest.objects.all()
    assert policy.visible(scope, everything).count() == (everything.count() if staff else 0)
    for place, request in zip(PLACES, requests, strict=True):
        assert policy.can(scope, "view", request) is staff
        assert policy.can(scope, "link_work_order", request) is expected(
            persona, "link_work_order", place
        )
    actionable = set(policy.actionable(scope, everything).values_list("group_id", flat=True))
    assert actionable == {world.groups[p].pk for p in WORKS_ON[persona]}


REFUSALS = [
    ("agent", "close", "G1", "As a call-taker you can read this request"),
    ("staff_g2", "close", "G1", "Crew 1, another group of your department"),
    ("staff_b", "hold", "G1", "another department's group (Crew 1)"),
    ("supervisor_a", "forward", "B", "another department's group (Mowers)"),
    ("supervisor_a", "assign_to_me", "G1", "Only members of Crew 1"),
    ("admin", "assign_to_me", "B", "Only members of Mowers"),
    ("resident", "add_note", "G1", "your account has no staff role"),
    ("anonymous", "reply", "B", "Sign in with a city staff account"),
]


@pytest.mark.parametrize(("persona", "action", "place", "message"), REFUSALS)
def test_a_refusal_says_why_and_what_to_do(world, persona, action, place, message):
    request, arguments = prepare(world, action, place)
    with pytest.raises(Forbidden, match=re.escape(message)):
        perform(world.scope(persona), action, request, **arguments)


def test_refusals_are_in_spanish_too(world):
    request = world.file("G1")
    with translation.override("es"), pytest.raises(Forbidden) as refused:
        perform(world.scope("staff_b"), "close", request, resolution="fixed")
    assert str(refused.value) == (
        "Esta solicitud pertenece a un grupo de otro departamento (Crew 1); "
        "pida a su supervisor que la reenvíe."
    )


def test_a_supervisor_moves_requests_between_the_departments_groups(world):
    request = world.file("G1")
    boss = world.scope("supervisor_a")
    perform(boss, "forward", request, group=world.groups["G2"], reason="Crew 2 covers it")
    perform(boss, "assign", request, assignee=world.crew["G2"])
    request.refresh_from_db()
    assert request.group == world.groups["G2"] and request.assignee == world.crew["G2"]
    # Forwarded out of the department, it is out of their hands.
    perform(boss, "forward", request, group=world.groups["B"], reason="Parks tree")
    with pytest.raises(Forbidden):
        perform(boss, "forward", request, group=world.groups["G1"], reason="Back")


def test_an_agent_who_is_also_a_group_member_works_on_that_groups_requests(world):
    f.MembershipFactory(user=world.people["agent"], group=world.groups["G2"])
    agent = world.scope("agent")
    perform(agent, "close", world.file("G2"), resolution="fixed")
    with pytest.raises(Forbidden):
        perform(agent, "close", world.file("G1"), resolution="fixed")


def test_a_closed_request_gets_the_workflows_refusal_and_nothing_changes(world):
    request = world.file("G1")
    workflow.close(request, "fixed", actor=workflow.Actor.system())
    before = snapshot(request)
    with pytest.raises(TransitionNotAllowed, match="cannot be put on hold"):
        perform(world.scope("staff_g1"), "hold", request, reason="scheduled")
    with pytest.raises(TransitionNotAllowed, match="This request is already “Closed”"):
        perform(world.scope("admin"), "close", request.pk, resolution="fixed")
    assert snapshot(request) == before


def test_a_stale_form_is_refused_and_nothing_changes(world):
    request = world.file("G1")
    seen = request.version
    perform(world.scope("agent"), "add_note", request, text="Caller rang again")
    before = snapshot(request)
    with pytest.raises(StaleRequest, match="Someone else changed this request"):
        perform(
            world.scope("staff_g1"), "close", request, expected_version=seen, resolution="fixed"
        )
    assert snapshot(request) == before


def test_the_check_uses_the_request_as_it_is_now_not_as_a_page_saw_it(world):
    """Forwarded away after the page loaded: the person may no longer act on it."""
    request = world.file("G1")
    page_copy = ServiceRequest.objects.get(pk=request.pk)
    workflow.forward(request, world.groups["B"], reason="Parks", actor=workflow.Actor.system())
    before = snapshot(request)
    assert page_copy.group == world.groups["G1"]  # what the page still shows
    with pytest.raises(Forbidden, match="another department's group"):
        perform(world.scope("staff_g1"), "close", page_copy, resolution="fixed")
    assert snapshot(request) == before


def test_an_unknown_request_is_a_clear_error(world):
    from frontdoor.cases.errors import DomainError

    for missing in (999_999, "abc", None):
        with pytest.raises(DomainError, match="That request does not exist"):
            perform(world.scope("admin"), "add_note", missing, text="Hello")


def test_every_action_of_the_issue_is_in_the_policy():
    assert {a.value for a in Action} == {
        "view", "create", "assign", "assign_to_me", "forward", "hold", "resume",
        "request_info", "reply", "add_note", "message_requester", "close", "reopen",
        "mark_duplicate", "set_priority", "link_work_order", "add_attachment",
    }  # fmt: skip
    assert set(ON_REQUEST) == {a for a in Action} - {"view", "create", "link_work_order"}
