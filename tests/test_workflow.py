"""The workflow module: submission, every allowed and forbidden transition, the event log."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django_tasks_db.models import DBTaskResult
from PIL import Image

from frontdoor.cases import workflow
from frontdoor.cases.errors import (
    DomainError,
    InvalidInput,
    StaleRequest,
    TransitionNotAllowed,
    UnknownService,
)
from frontdoor.cases.models import (
    Attachment,
    DirectWriteError,
    Event,
    Follower,
    HoldReason,
    Resolution,
    ServiceRequest,
    Status,
    Visibility,
)
from frontdoor.catalogue.models import Service
from frontdoor.notifications.models import Notification
from tests import factories as f
from tests.conftest import submit_pothole

A = Event.Action
pytestmark = pytest.mark.django_db


def jpeg_bytes(name: str = "photo.jpg") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def nothing_written() -> None:
    assert ServiceRequest.objects.count() == 0
    assert Event.objects.count() == 0
    assert Notification.objects.count() == 0
    assert DBTaskResult.objects.count() == 0
    assert Attachment.objects.count() == 0


# --- Submission ------------------------------------------------------------------------


def test_submit_creates_request_routes_it_and_queues_confirmation(pothole, staff):
    request = submit_pothole(
        pothole,
        answers={"size": "large", "depth_cm": "12", "lanes": ["left", "bike"]},
        photos=[jpeg_bytes()],
    )
    assert len(request.tracking_number) == 10
    assert request.status == Status.NEW
    assert request.group.code == "STREETS"
    assert request.answers == {"size": "large", "depth_cm": 12, "lanes": ["left", "bike"]}
    assert request.due_at > request.requested_at
    assert request.contact_email == "ana@example.org"
    assert request.contact_preference == "email"
    actions = list(request.events.values_list("action", "visibility", "version"))
    assert actions == [
        (A.CREATED, Visibility.PUBLIC, 1),
        (A.ROUTED, Visibility.INTERNAL, 1),
        (A.ATTACHMENT, Visibility.PUBLIC, 1),
    ]
    photo = request.attachments.get()
    assert photo.content_type == "image/jpeg" and photo.width == 64
    kinds = sorted(Notification.objects.values_list("kind", "recipient"))
    assert ("request_received", "ana@example.org") in kinds
    assert ("request_routed", staff.email) in kinds
    assert DBTaskResult.objects.count() == 1  # one delivery job for the whole submission


def test_a_tracking_number_clash_is_retried_with_a_new_number_and_leaves_nothing_behind(
    pothole, staff
):
    first = submit_pothole(pothole)
    fresh = "4000000002"
    draws = iter([first.tracking_number, first.tracking_number, fresh])
    with mock.patch("frontdoor.cases.tracking.generate", side_effect=lambda: next(draws)):
        second = submit_pothole(pothole, photos=[jpeg_bytes()])
    assert second.tracking_number == fresh
    assert ServiceRequest.objects.count() == 2
    # The attempts that clashed were rolled back whole: one set of events, one photo,
    # the same outbox rows as the first and one job for the second request.
    assert list(second.events.values_list("action", flat=True)) == [
        A.CREATED,
        A.ROUTED,
        A.ATTACHMENT,
    ]
    assert Attachment.objects.filter(request=second).count() == 1
    routed = Notification.objects.filter(kind="request_routed")
    assert (
        routed.filter(event__request=second).count() == routed.filter(event__request=first).count()
    )
    assert DBTaskResult.objects.count() == 2


def test_a_request_imported_twice_is_refused_and_the_first_stays(pothole):
    first = submit_pothole(pothole, external_source="https://old.example.org", external_id="17")
    with pytest.raises(DomainError) as refused:
        submit_pothole(pothole, external_source="https://old.example.org", external_id="17")
    assert refused.value.code == "duplicate_import"
    assert list(ServiceRequest.objects.values_list("pk", flat=True)) == [first.pk]


def test_events_cannot_be_bulk_inserted_outside_the_workflow(filed):
    with pytest.raises(DirectWriteError):
        Event.objects.bulk_create(
            [Event(request=filed, action=A.NOTE, visibility="internal", version=filed.version)]
        )
    assert filed.events.count() == 2


def test_anonymous_submission_sends_nothing_to_the_requester(pothole):
    request = submit_pothole(pothole, contact=None)
    assert request.contact_preference == "none"
    assert not Notification.objects.filter(kind="request_received").exists()


def test_zone_rule_beats_the_default_group(pothole, city):
    west_crew = f.GroupFactory(code="WEST-CREW")
    zone = f.ZoneFactory(code="WEST", geometry=f.WEST_HALF)
    f.RuleFactory(service=pothole, zone=zone, group=west_crew)
    inside = submit_pothole(pothole, lat=f.WEST_POINT[0], long=f.WEST_POINT[1])
    outside = submit_pothole(pothole, lat=f.EAST_POINT[0], long=f.EAST_POINT[1])
    assert inside.group == west_crew
    assert list(inside.zones.values_list("code", flat=True)) == ["WEST"]
    assert outside.group == pothole.default_group
    routed = inside.events.get(action=A.ROUTED)
    assert routed.data["rule"] is not None and routed.data["zones"] == ["WEST"]


def test_service_rule_beats_category_rule_and_rank_breaks_ties(pothole):
    zone = f.ZoneFactory(code="WEST", geometry=f.WEST_HALF)
    ward = f.ZoneFactory(code="WARD-1", kind="ward", geometry=f.WEST_HALF)
    category_group = f.GroupFactory(code="CATEGORY-CREW")
    service_group = f.GroupFactory(code="SERVICE-CREW")
    better_rank = f.GroupFactory(code="BETTER-RANK")
    f.RuleFactory(category=pothole.category, zone=zone, group=category_group, rank=1)
    f.RuleFactory(service=pothole, zone=zone, group=service_group, rank=50)
    assert submit_pothole(pothole).group == service_group
    f.RuleFactory(service=pothole, zone=ward, group=better_rank, rank=10)
    assert submit_pothole(pothole).group == better_rank


def test_rule_to_inactive_group_falls_back_and_inactive_default_goes_to_triage(pothole, city):
    zone = f.ZoneFactory(code="WEST", geometry=f.WEST_HALF)
    gone = f.GroupFactory(code="DISBANDED", active=False)
    f.RuleFactory(service=pothole, zone=zone, group=gone)
    assert submit_pothole(pothole).group == pothole.default_group
    triage = f.GroupFactory(code="TRIAGE")
    city.triage_group = triage
    city.save()
    pothole.default_group.active = False
    pothole.default_group.save()
    assert submit_pothole(pothole).group == triage


BAD_INPUT = [
    ("unknown service", {"service": "NOPE"}, UnknownService, "no service"),
    ("missing required answer", {"answers": {}}, InvalidInput, "How big is it?"),
    (
        "wrong datatype",
        {"answers": {"size": "large", "depth_cm": "deep"}},
        InvalidInput,
        "Enter a number",
    ),
    ("value not in list", {"answers": {"size": "huge"}}, InvalidInput, "not one of the options"),
    (
        "unknown question",
        {"answers": {"size": "small", "colour": "red"}},
        InvalidInput,
        "not a question",
    ),
    ("latitude out of range", {"lat": "95", "long": "-94.28"}, InvalidInput, "Latitude"),
    ("latitude not a number", {"lat": "north", "long": "-94.28"}, InvalidInput, "Latitude"),
    ("latitude without longitude", {"long": None}, InvalidInput, "both latitude"),
    (
        "outside the city",
        {"lat": f.OUTSIDE_POINT[0], "long": f.OUTSIDE_POINT[1]},
        InvalidInput,
        "outside Testville",
    ),
    ("no location", {"lat": None, "long": None}, InvalidInput, "give a location"),
    ("5,000-character description", {"description": "x" * 5000}, InvalidInput, "the limit is 4000"),
    (
        "bad e-mail",
        {"contact": workflow.Contact(email="not-an-address")},
        InvalidInput,
        "valid e-mail",
    ),
    (
        "e-mail updates without e-mail",
        {"contact": workflow.Contact(preference="email")},
        InvalidInput,
        "e-mail address to get updates",
    ),
    (
        "bad phone",
        {"contact": workflow.Contact(phone="call me maybe")},
        InvalidInput,
        "valid phone",
    ),
    ("unknown channel", {"channel": "pigeon"}, InvalidInput, "Unknown channel"),
    ("six photos", {"photos": [jpeg_bytes() for _ in range(6)]}, InvalidInput, "up to 5"),
    (
        "not a photo",
        {"photos": [io.BytesIO(b"%PDF-1.4 definitely not an image")]},
        InvalidInput,
        "not a photo",
    ),
]


@pytest.mark.parametrize(
    ("case", "overrides", "error", "message"), BAD_INPUT, ids=[case[0] for case in BAD_INPUT]
)
def test_bad_input_is_refused_with_a_clear_message_and_writes_nothing(
    pothole, case, overrides, error, message
):
    with pytest.raises(error) as raised:
        submit_pothole(pothole, **overrides)
    assert message.lower() in str(raised.value).lower()
    nothing_written()


def test_all_problems_are_reported_together(pothole):
    with pytest.raises(InvalidInput) as raised:
        submit_pothole(
            pothole, answers={"depth_cm": "deep"}, description="x" * 4001, lat="200", long="0"
        )
    assert set(raised.value.errors) == {
        "answers.size",
        "answers.depth_cm",
        "description",
        "location",
    }


def test_inactive_and_staff_only_services(pothole):
    pothole.audience = Service.Audience.STAFF
    pothole.save()
    with pytest.raises(UnknownService, match="calling the city"):
        submit_pothole(pothole)
    agent = f.UserFactory()
    request = submit_pothole(pothole, actor=workflow.Actor.staff(agent), channel="phone")
    assert request.channel == "phone"
    pothole.active = False
    pothole.save()
    with pytest.raises(UnknownService, match="no longer offered"):
        submit_pothole(pothole, actor=workflow.Actor.staff(agent))


def test_description_keeps_line_breaks_and_drops_nul_bytes(pothole):
    request = submit_pothole(pothole, description="line one\r\nline\x00 two")
    assert request.description == "line one\nline two"


def test_signed_in_requester_defaults_to_account_details(pothole, resident):
    request = submit_pothole(pothole, contact=workflow.Contact(user=resident))
    assert request.requester == resident
    assert request.contact_email == "rosa@example.org"
    assert request.language == "es"
    assert Notification.objects.get(kind="request_received").language == "es"


# --- Transitions -----------------------------------------------------------------------


def put_in(request: ServiceRequest, status: Status, actor: workflow.Actor) -> ServiceRequest:
    if status == Status.IN_PROGRESS:
        workflow.start(request, actor=actor)
    elif status == Status.ON_HOLD:
        workflow.hold(request, reason=HoldReason.SCHEDULED, actor=actor)
    elif status == Status.CLOSED:
        workflow.close(request, Resolution.FIXED, actor=actor)
    request.refresh_from_db()
    assert request.status == status
    return request


def perform(action: str, request: ServiceRequest, ctx: dict) -> None:
    actor = ctx["actor"]
    calls = {
        "start": lambda: workflow.start(request, actor=actor),
        "assign": lambda: workflow.assign(request, ctx["member"], actor=actor),
        "forward": lambda: workflow.forward(
            request, ctx["other_group"], reason="Parks land", actor=actor
        ),
        "hold": lambda: workflow.hold(request, reason=HoldReason.PARTS, actor=actor),
        "request_info": lambda: workflow.request_info(
            request, "Which side of the street?", actor=actor
        ),
        "resume": lambda: workflow.resume(request, actor=actor),
        "set_priority": lambda: workflow.set_priority(request, "urgent", actor=actor),
        "close": lambda: workflow.close(
            request, Resolution.FIXED, actor=actor, public_note="Filled today"
        ),
        "mark_duplicate": lambda: workflow.mark_duplicate(request, ctx["original"], actor=actor),
        "reopen": lambda: workflow.reopen(request, reason="Still broken", actor=actor),
        "add_note": lambda: workflow.add_note(request, "Crew 4 tomorrow", actor=actor),
        "reply": lambda: workflow.reply(request, "Scheduled for Tuesday", actor=actor),
        "message_requester": lambda: workflow.message_requester(request, "Thanks", actor=actor),
        "receive_message": lambda: workflow.receive_message(
            request, "It is on the north side", actor=workflow.Actor.resident()
        ),
        "add_attachment": lambda: workflow.add_attachment(request, jpeg_bytes(), actor=actor),
        "follow": lambda: workflow.follow(
            request, email="neighbour@example.org", actor=workflow.Actor.resident()
        ),
        "merge_into": lambda: workflow.mark_duplicate(ctx["dup"], request, actor=actor),
        "record_survey": lambda: workflow.record_survey(
            request, service_rating=4, timeliness_rating=5, actor=workflow.Actor.resident()
        ),
    }
    assert set(calls) == set(workflow.TRANSITIONS), "every action in the table is exercised"
    calls[action]()


CASES = [(action, status) for action in workflow.TRANSITIONS for status in Status]


@pytest.mark.parametrize(("action", "status"), CASES, ids=[f"{a}-{s}" for a, s in CASES])
def test_every_transition_is_allowed_or_refused_by_the_table(pothole, staff, action, status):
    actor = workflow.Actor.staff(staff)
    request = put_in(submit_pothole(pothole), status, actor)
    ctx = {
        "actor": actor,
        "member": staff,
        "other_group": f.GroupFactory(code="PARKS"),
        "original": submit_pothole(pothole),
        "dup": submit_pothole(pothole),
    }
    if action == "assign" and status != Status.CLOSED:
        pass
    version, events = request.version, request.events.count()
    allowed = workflow.TRANSITIONS[action]
    if status in allowed:
        perform(action, request, ctx)
        request.refresh_from_db()
        assert request.status == allowed[status]
        assert request.version == version + 1
        new_events = request.events.filter(version=version + 1)
        assert new_events.exists(), "a change without an event"
        assert request.events.count() > events
    else:
        with pytest.raises(TransitionNotAllowed) as raised:
            perform(action, request, ctx)
        assert f"“{status.label}”" in str(raised.value)
        request.refresh_from_db()
        assert (request.version, request.status) == (version, status)
        assert request.events.count() == events


def test_every_version_of_a_request_has_its_event(pothole, staff):
    """Walk a request through a long life; each change left an event with its version."""
    actor = workflow.Actor.staff(staff)
    request = submit_pothole(pothole)
    workflow.assign(request, staff, actor=actor)
    workflow.add_note(request, "Looked at it", actor=actor)
    workflow.request_info(request, "Photo please?", actor=actor)
    workflow.receive_message(
        request, "Sent", actor=workflow.Actor.resident(), photos=[jpeg_bytes()]
    )
    workflow.set_priority(request, "high", actor=actor)
    workflow.hold(request, reason=HoldReason.WEATHER, actor=actor, public_note="Rain")
    workflow.resume(request, actor=actor)
    workflow.reply(request, "Fixing now", actor=actor)
    workflow.close(request, Resolution.FIXED, actor=actor)
    workflow.reopen(request, reason="Came back", actor=actor)
    workflow.forward(request, f.GroupFactory(), reason="Utility trench", actor=actor)
    request.refresh_from_db()
    versions = set(request.events.values_list("version", flat=True))
    assert versions == set(range(1, request.version + 1))
    assert request.version == 12  # created + 11 changes


def test_requests_and_events_cannot_be_changed_outside_the_workflow(filed):
    filed.description = "tampered"
    with pytest.raises(DirectWriteError):
        filed.save()
    with pytest.raises(DirectWriteError):
        ServiceRequest.objects.filter(pk=filed.pk).update(status=Status.CLOSED)
    with pytest.raises(DirectWriteError):
        filed.delete()
    event = filed.events.first()
    with pytest.raises(DirectWriteError):
        event.save()
    with pytest.raises(DirectWriteError):
        event.delete()
    with pytest.raises(DirectWriteError):
        Event.objects.filter(pk=event.pk).update(visibility="public")
    with pytest.raises(DirectWriteError):
        Event.objects.filter(pk=event.pk).delete()
    filed.refresh_from_db()
    assert filed.description != "tampered"


def test_stale_form_is_refused(filed, staff):
    actor = workflow.Actor.staff(staff)
    seen = filed.version
    workflow.add_note(filed, "First", actor=actor, expected_version=seen)
    with pytest.raises(StaleRequest, match="Someone else changed"):
        workflow.close(filed, Resolution.FIXED, actor=actor, expected_version=seen)
    filed.refresh_from_db()
    assert filed.status == Status.NEW


def test_assign_only_to_members_of_the_group(filed, staff):
    outsider = f.UserFactory()
    with pytest.raises(InvalidInput, match="not a member"):
        workflow.assign(filed, outsider, actor=workflow.Actor.staff(staff))
    workflow.assign(filed, staff, actor=workflow.Actor.staff(staff))
    with pytest.raises(TransitionNotAllowed, match="already assigned"):
        workflow.assign(filed, staff, actor=workflow.Actor.staff(staff))
    workflow.assign(filed, None, actor=workflow.Actor.staff(staff))
    filed.refresh_from_db()
    assert filed.assignee is None


def test_forward_clears_assignee_and_notifies_the_new_group(filed, staff):
    parks = f.GroupFactory(code="PARKS", email="parks@city.example")
    workflow.assign(filed, staff, actor=workflow.Actor.staff(staff))
    with pytest.raises(InvalidInput, match="required"):
        workflow.forward(filed, parks, reason=" ", actor=workflow.Actor.staff(staff))
    workflow.forward(filed, parks, reason="It is in the park", actor=workflow.Actor.staff(staff))
    filed.refresh_from_db()
    assert (filed.group, filed.assignee, filed.status) == (parks, None, Status.NEW)
    assert Notification.objects.filter(
        kind="request_routed", recipient="parks@city.example"
    ).exists()
    with pytest.raises(InvalidInput, match="already with"):
        workflow.forward(filed, parks, reason="again", actor=workflow.Actor.staff(staff))


def test_close_needs_a_real_resolution(filed, staff):
    actor = workflow.Actor.staff(staff)
    with pytest.raises(InvalidInput, match="merge it into"):
        workflow.close(filed, Resolution.DUPLICATE, actor=actor)
    with pytest.raises(InvalidInput, match="Choose a resolution"):
        workflow.close(filed, "because", actor=actor)
    workflow.close(filed, Resolution.NOT_CITY, actor=actor, public_note="State highway")
    filed.refresh_from_db()
    assert filed.closed_at is not None and filed.status_notes == "State highway"


def test_resident_answer_resumes_a_request_waiting_on_them(filed, staff):
    workflow.request_info(filed, "Which side?", actor=workflow.Actor.staff(staff))
    filed.refresh_from_db()
    assert (filed.status, filed.hold_reason) == (Status.ON_HOLD, HoldReason.WAITING_ON_RESIDENT)
    workflow.receive_message(filed, "North side", actor=workflow.Actor.resident())
    filed.refresh_from_db()
    assert filed.status == Status.IN_PROGRESS and filed.hold_reason == ""
    assert filed.events.filter(action=A.RESUMED, data__cause="requester_answered").exists()


def test_cannot_message_a_requester_who_left_no_contact(pothole, staff):
    anonymous = submit_pothole(pothole, contact=None)
    for call in (workflow.message_requester, workflow.request_info):
        with pytest.raises(TransitionNotAllowed, match="no contact details"):
            call(anonymous, "Hello?", actor=workflow.Actor.staff(staff))
    assert anonymous.events.count() == 2


def test_merge_carries_followers_photos_and_supporters(pothole, staff, resident):
    actor = workflow.Actor.staff(staff)
    original = submit_pothole(pothole)
    dup = submit_pothole(pothole, contact=workflow.Contact(user=resident), photos=[jpeg_bytes()])
    workflow.follow(dup, email="neighbour@example.org", actor=workflow.Actor.resident())
    workflow.mark_duplicate(dup, original, actor=actor)
    dup.refresh_from_db()
    original.refresh_from_db()
    assert (dup.status, dup.resolution, dup.duplicate_of) == (
        Status.CLOSED,
        Resolution.DUPLICATE,
        original,
    )
    followers = set(
        Follower.objects.filter(request=original).values_list("user", "email", "supporter")
    )
    assert followers == {(resident.pk, "", True), (None, "neighbour@example.org", False)}
    assert original.supporter_count == 1
    copied = original.attachments.get()
    assert copied.copied_from == dup.attachments.get()
    assert copied.file.name == dup.attachments.get().file.name
    merged = original.events.get(action=A.MERGED)
    assert merged.data["merged"] == dup.tracking_number
    assert dup.events.filter(action=A.MARKED_DUPLICATE).exists()
    assert Notification.objects.filter(kind="request_merged", recipient=resident.email).exists()


def test_merge_refusals(pothole, staff):
    actor = workflow.Actor.staff(staff)
    a, b, c = (submit_pothole(pothole) for _ in range(3))
    with pytest.raises(InvalidInput, match="itself"):
        workflow.mark_duplicate(a, a, actor=actor)
    workflow.mark_duplicate(b, a, actor=actor)
    with pytest.raises(InvalidInput, match="itself a duplicate"):
        workflow.mark_duplicate(c, b, actor=actor)
    with pytest.raises(TransitionNotAllowed):
        workflow.mark_duplicate(b, c, actor=actor)
    with pytest.raises(DomainError, match="does not exist"):
        workflow.mark_duplicate(c, 999_999, actor=actor)


def test_follow_twice_is_refused_and_supporting_counts_once(filed, resident):
    workflow.follow(filed, user=resident, actor=workflow.Actor.resident(resident))
    with pytest.raises(InvalidInput, match="already follow"):
        workflow.follow(filed, user=resident, actor=workflow.Actor.resident(resident))
    workflow.follow(filed, user=resident, supporter=True, actor=workflow.Actor.resident(resident))
    with pytest.raises(InvalidInput, match="already follow"):
        workflow.follow(
            filed, user=resident, supporter=True, actor=workflow.Actor.resident(resident)
        )
    filed.refresh_from_db()
    assert filed.supporter_count == 1


def test_survey_once_with_ratings_in_range(filed, staff):
    workflow.close(filed, Resolution.FIXED, actor=workflow.Actor.staff(staff))
    with pytest.raises(InvalidInput, match="1 to 5"):
        workflow.record_survey(
            filed, service_rating=6, timeliness_rating=0, actor=workflow.Actor.resident()
        )
    workflow.record_survey(
        filed,
        service_rating=5,
        timeliness_rating=3,
        comment="Quick!",
        actor=workflow.Actor.resident(),
    )
    with pytest.raises(TransitionNotAllowed, match="already answered"):
        workflow.record_survey(
            filed, service_rating=1, timeliness_rating=1, actor=workflow.Actor.resident()
        )


def test_reopen_clears_the_outcome_and_sets_a_new_due_time(filed, staff):
    actor = workflow.Actor.staff(staff)
    workflow.close(filed, Resolution.FIXED, actor=actor)
    workflow.reopen(filed, reason="Hole is back", actor=actor)
    filed.refresh_from_db()
    assert (filed.status, filed.resolution, filed.closed_at) == (Status.NEW, "", None)
    assert filed.due_at > filed.requested_at


def test_system_events_do_not_change_the_request(filed):
    version = filed.version
    # An idle reminder is written only when one is owed (tests/test_idle_reminders.py).
    assert workflow.record_system_event(filed, A.REMINDER) is None
    filed.refresh_from_db()
    assert filed.version == version
    # A service-level warning is written only when one is due (tests/test_sla_engine.py).
    assert workflow.record_system_event(filed, A.SLA_WARNING) is None
    assert not filed.events.filter(action=A.SLA_WARNING).exists()
    with pytest.raises(ValueError, match="not a system event"):
        workflow.record_system_event(filed, A.CLOSED)


def test_errors_speak_the_users_language(pothole, staff):
    from django.utils import translation

    with translation.override("es"), pytest.raises(InvalidInput) as raised:
        submit_pothole(pothole, description="x" * 5000, lat="95", long="0")
    assert "el límite es 4000" in raised.value.errors["description"][0]
    assert "latitud debe ser un número" in raised.value.errors["location"][0]
    request = submit_pothole(pothole)
    workflow.close(request, Resolution.FIXED, actor=workflow.Actor.staff(staff))
    with translation.override("es"), pytest.raises(TransitionNotAllowed) as refused:
        workflow.hold(request, reason=HoldReason.PARTS, actor=workflow.Actor.staff(staff))
    assert str(refused.value) == "Una solicitud en estado “Cerrada” no se puede poner en espera."
