"""Idle reminders (F14): a request untouched for the service's idle days reminds its
assignee or group, still untouched as many business days later its department's
supervisors — each once per idle period, also with two workers sweeping at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from frontdoor.cases import idle, workflow
from frontdoor.cases.models import Event, HoldReason, Resolution, ServiceRequest
from frontdoor.catalogue.models import Service
from frontdoor.core import sweeps
from frontdoor.notifications.models import Notification
from tests import factories as f
from tests.conftest import submit_pothole
from tests.test_concurrency import run_together

A = Event.Action
CHICAGO = ZoneInfo("America/Chicago")
pytestmark = pytest.mark.django_db

FRIDAY_9 = datetime(2026, 5, 1, 9, 0, tzinfo=CHICAGO)
# Three business days after Friday 9:00: Monday, Tuesday, Wednesday.
WEDNESDAY_9 = datetime(2026, 5, 6, 9, 0, tzinfo=CHICAGO)
# Three more: Thursday, Friday, Monday.
NEXT_MONDAY_9 = datetime(2026, 5, 11, 9, 0, tzinfo=CHICAGO)


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def reminders(request: ServiceRequest) -> list[str]:
    return list(
        request.events.filter(action=A.REMINDER)
        .order_by("pk")
        .values_list("data__level", flat=True)
    )


def recipients(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient", flat=True))


@pytest.fixture
def idle_pothole(pothole: Service) -> Service:
    pothole.idle_reminder_days = 3
    pothole.save()
    return pothole


@pytest.fixture
def supervisor(group):  # type: ignore[no-untyped-def]
    boss = f.UserFactory(username="sue", email="sue@city.example", first_name="Sue")
    group.department.supervisors.add(boss)
    return boss


def test_reminds_the_group_after_n_business_days_then_the_supervisors_once_each(
    idle_pothole, staff, supervisor
):
    with at(FRIDAY_9):
        request = submit_pothole(idle_pothole)
    assert request.idle_due_at == WEDNESDAY_9
    with at(WEDNESDAY_9 - timedelta(minutes=1)):  # five calendar days, two business days
        assert idle.sweep() == {"reminded": 0}
    with at(WEDNESDAY_9 + timedelta(minutes=3)):
        assert idle.sweep() == {"reminded": 1}
        assert idle.sweep() == {"reminded": 0}
    request.refresh_from_db()
    assert reminders(request) == ["assignee"]
    assert request.idle_reminded_at == WEDNESDAY_9 + timedelta(minutes=3)
    assert request.idle_due_at == NEXT_MONDAY_9
    # Unassigned: the group's members and the group's address.
    assert recipients("idle_reminder") == {"sam@city.example", "streets@city.example"}
    assert not recipients("idle_escalation")

    with at(NEXT_MONDAY_9 - timedelta(minutes=1)):
        assert idle.sweep() == {"reminded": 0}
    with at(NEXT_MONDAY_9):
        assert idle.sweep() == {"reminded": 1}
        assert idle.sweep() == {"reminded": 0}
    with at(NEXT_MONDAY_9 + timedelta(days=30)):
        assert idle.sweep() == {"reminded": 0}
    request.refresh_from_db()
    assert reminders(request) == ["assignee", "supervisor"]
    assert request.idle_due_at is None and request.idle_escalated_at == NEXT_MONDAY_9
    assert recipients("idle_escalation") == {"sue@city.example"}
    event = request.events.filter(action=A.REMINDER).last()
    assert event.visibility == "internal" and event.version == request.version
    assert event.data["idle_since"] == request.updated_at.isoformat()


def test_an_assigned_request_reminds_only_its_assignee(idle_pothole, staff, group):
    other = f.UserFactory(username="ann", email="ann@city.example")
    f.MembershipFactory(group=group, user=other)
    with at(FRIDAY_9):
        request = submit_pothole(idle_pothole)
        workflow.assign(request, other, actor=workflow.Actor.staff(staff))
    with at(WEDNESDAY_9):
        assert idle.sweep() == {"reminded": 1}
    assert recipients("idle_reminder") == {"ann@city.example"}


@pytest.mark.parametrize("touch", ["note", "reply", "assign"])
def test_a_touch_resets_the_idle_clock_and_a_later_idle_period_reminds_again(
    idle_pothole, staff, touch
):
    actor = workflow.Actor.staff(staff)
    with at(FRIDAY_9):
        request = submit_pothole(idle_pothole)
    with at(WEDNESDAY_9):
        assert idle.sweep() == {"reminded": 1}
    tuesday = datetime(2026, 5, 12, 10, 0, tzinfo=CHICAGO)
    with at(tuesday):
        if touch == "note":
            workflow.add_note(request, "Crew booked", actor=actor)
        elif touch == "reply":
            workflow.reply(request, "We are on it", actor=actor)
        else:
            workflow.assign(request, staff, actor=actor)
    request.refresh_from_db()
    assert request.idle_reminded_at is None and request.idle_escalated_at is None
    assert request.idle_due_at == datetime(2026, 5, 15, 10, 0, tzinfo=CHICAGO)
    with at(datetime(2026, 5, 15, 9, 59, tzinfo=CHICAGO)):
        assert idle.sweep() == {"reminded": 0}  # the escalation is no longer owed either
    with at(datetime(2026, 5, 15, 10, 0, tzinfo=CHICAGO)):
        assert idle.sweep() == {"reminded": 1}
    assert reminders(request) == ["assignee", "assignee"]


def test_system_events_are_not_a_touch(idle_pothole):
    with at(FRIDAY_9):
        request = submit_pothole(idle_pothole)
    with at(WEDNESDAY_9):
        idle.sweep()
        workflow.record_system_event(request, A.SLA_WARNING)
    request.refresh_from_db()
    assert request.idle_due_at == NEXT_MONDAY_9


def test_closed_and_waiting_on_the_resident_are_not_reminded(idle_pothole, staff):
    actor = workflow.Actor.staff(staff)
    with at(FRIDAY_9):
        closed = submit_pothole(idle_pothole)
        waiting = submit_pothole(idle_pothole)
        workflow.close(closed, Resolution.FIXED, actor=actor)
        workflow.request_info(waiting, "Which corner?", actor=actor)
    waiting.refresh_from_db()
    assert waiting.hold_reason == HoldReason.WAITING_ON_RESIDENT
    assert closed.idle_due_at is None and waiting.idle_due_at is None
    with at(FRIDAY_9 + timedelta(days=60)):
        assert idle.sweep() == {"reminded": 0}
    assert not Event.objects.filter(action=A.REMINDER).exists()


def test_a_stale_candidate_is_checked_under_the_lock(idle_pothole, staff):
    with at(FRIDAY_9):
        request = submit_pothole(idle_pothole)
    with at(WEDNESDAY_9):
        # Found by the sweep's query, then closed before its event was written.
        assert list(idle.candidates(timezone.now())) == [request]
        workflow.close(request, Resolution.FIXED, actor=workflow.Actor.staff(staff))
        assert workflow.record_system_event(request.pk, A.REMINDER) is None


@pytest.mark.parametrize(
    "reason", [HoldReason.WAITING_ON_OTHER, HoldReason.SCHEDULED, HoldReason.PARTS]
)
def test_holds_for_other_reasons_are_reminded(idle_pothole, staff, reason):
    with at(FRIDAY_9):
        request = submit_pothole(idle_pothole)
        workflow.hold(request, reason=reason, actor=workflow.Actor.staff(staff))
    with at(WEDNESDAY_9):
        assert idle.sweep() == {"reminded": 1}


def test_services_without_idle_days_are_never_reminded(pothole, staff):
    with at(FRIDAY_9):
        request = submit_pothole(pothole)
        workflow.add_note(request, "Seen", actor=workflow.Actor.staff(staff))
    request.refresh_from_db()
    assert request.idle_due_at is None
    with at(FRIDAY_9 + timedelta(days=60)):
        assert idle.sweep() == {"reminded": 0}
        assert workflow.record_system_event(request, A.REMINDER) is None


def test_the_sweep_works_in_batches(idle_pothole, monkeypatch):
    from frontdoor.cases import service_levels

    monkeypatch.setattr(service_levels, "BATCH", 2)
    with at(FRIDAY_9):
        for _ in range(5):
            submit_pothole(idle_pothole)
    with at(WEDNESDAY_9):
        assert idle.sweep() == {"reminded": 5}


def test_the_worker_runs_the_sweep_every_five_minutes(idle_pothole):
    import frontdoor.core.registered_sweeps  # noqa: F401 - as the worker command does

    assert sweeps.REGISTRY["idle_reminders"].every == timedelta(minutes=5)
    with at(FRIDAY_9):
        submit_pothole(idle_pothole)
    with at(WEDNESDAY_9):
        assert sweeps.run_due("worker-1")["idle_reminders"] == {"reminded": 1}


def test_the_reminder_is_rendered_in_the_recipients_language(idle_pothole, group):
    from frontdoor.notifications import services

    f.MembershipFactory(group=group, user=f.UserFactory(username="ines", language="es"))
    with at(FRIDAY_9):
        submit_pothole(idle_pothole)
    with at(WEDNESDAY_9):
        idle.sweep()
    notification = Notification.objects.get(kind="idle_reminder", user__username="ines")
    message = services.render(notification)
    assert message.subject.startswith("Solicitud inactiva: Pothole")
    assert "no se ha tocado desde" in message.body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_remind_once(idle_pothole, staff, supervisor):
    with at(FRIDAY_9):
        requests = [submit_pothole(idle_pothole) for _ in range(6)]
    with at(WEDNESDAY_9):
        results = run_together([idle.sweep, idle.sweep])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r["reminded"] for r in results) == len(requests)  # type: ignore[index]
    for request in requests:
        assert reminders(request) == ["assignee"]
    assert Notification.objects.filter(kind="idle_reminder").count() == 2 * len(requests)
