"""The service-level engine: the clock stops while the city waits on the resident, and the
sweep warns the group when a request is at risk and escalates a missed target to the
department's supervisors — each once, also with two workers sweeping at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from frontdoor.cases import service_levels, workflow
from frontdoor.cases.models import Event, HoldReason, Resolution, ServiceRequest, Status
from frontdoor.catalogue.models import City, Service
from frontdoor.core import sweeps
from frontdoor.notifications.models import Notification
from tests import factories as f
from tests.conftest import submit_pothole
from tests.test_concurrency import run_together

A = Event.Action
CHICAGO = ZoneInfo("America/Chicago")
pytestmark = pytest.mark.django_db


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def business_hours(start: datetime, end: datetime) -> timedelta:
    return workflow.calendar_for(None, City.current()).business_time_between(start, end)


@pytest.fixture
def supervisor(group):  # type: ignore[no-untyped-def]
    boss = f.UserFactory(username="sue", email="sue@city.example", first_name="Sue")
    group.department.supervisors.add(boss)
    return boss


@pytest.fixture
def hourly(group) -> Service:  # type: ignore[no-untyped-def]
    """A service with a 4-hour calendar-clock target (no questions)."""
    return f.ServiceFactory(
        code="SIGNAL",
        name="Traffic signal out",
        default_group=group,
        sla_amount=4,
        sla_unit=Service.SlaUnit.HOURS,
        sla_clock=Service.SlaClock.CALENDAR,
    )


def file_signal(service: Service, hours_ago: float) -> ServiceRequest:
    return submit_pothole(
        service,
        answers={},
        requested_at=timezone.now() - timedelta(hours=hours_ago),
    )


def staff_actor(user) -> workflow.Actor:  # type: ignore[no-untyped-def]
    return workflow.Actor.staff(user)


# --- Pausing the clock ------------------------------------------------------------------

MONDAY_9 = local(2026, 5, 18, 9, 0)


def test_waiting_on_the_resident_moves_the_due_time_by_the_paused_business_time(pothole, staff):
    with at(MONDAY_9):
        request = submit_pothole(pothole)
    assert request.due_at == local(2026, 5, 21, 9, 0)  # three business days
    with at(local(2026, 5, 18, 10, 0)):
        workflow.hold(request, reason=HoldReason.WAITING_ON_RESIDENT, actor=staff_actor(staff))
    request.refresh_from_db()
    assert request.sla_paused_at == local(2026, 5, 18, 10, 0)
    held = request.events.get(action=A.HELD)
    assert held.data["after"]["sla_paused_at"] == request.sla_paused_at.isoformat()

    with at(local(2026, 5, 19, 10, 0)):  # seven hours on Monday, two on Tuesday
        workflow.resume(request, actor=staff_actor(staff))
    request.refresh_from_db()
    assert request.sla_paused_at is None
    assert request.due_at == local(2026, 5, 22, 9, 0)  # Thursday 09-17, then Friday 08-09
    assert business_hours(local(2026, 5, 21, 9, 0), request.due_at) == timedelta(hours=9)
    resumed = request.events.get(action=A.RESUMED)
    assert resumed.data["before"]["due_at"] == local(2026, 5, 21, 9, 0).astimezone(UTC).isoformat()
    assert resumed.data["after"]["due_at"] == request.due_at.isoformat()
    assert resumed.data["after"]["sla_paused_at"] is None


def test_a_wait_over_the_weekend_does_not_move_the_due_time(pothole, staff):
    with at(local(2026, 5, 14, 9, 0)):  # Thursday
        request = submit_pothole(pothole)
    due = request.due_at
    with at(local(2026, 5, 15, 17, 30)):  # Friday after closing
        workflow.request_info(request, "Which side of the street?", actor=staff_actor(staff))
    with at(local(2026, 5, 18, 7, 45)):  # Monday before opening
        workflow.receive_message(request, "North side", actor=workflow.Actor.resident())
    request.refresh_from_db()
    assert (request.status, request.sla_paused_at, request.due_at) == (
        Status.IN_PROGRESS,
        None,
        due,
    )


def test_the_residents_answer_restarts_the_clock(pothole, staff):
    with at(MONDAY_9):
        request = submit_pothole(pothole)
        workflow.request_info(request, "Which side of the street?", actor=staff_actor(staff))
    request.refresh_from_db()
    assert request.sla_paused_at == MONDAY_9
    info = request.events.get(action=A.INFO_REQUESTED)
    assert info.data["after"]["sla_paused_at"] == MONDAY_9.astimezone(UTC).isoformat()
    with at(local(2026, 5, 18, 12, 0)):
        workflow.receive_message(request, "North side", actor=workflow.Actor.resident())
    request.refresh_from_db()
    assert request.due_at == local(2026, 5, 21, 12, 0)
    assert request.events.get(action=A.RESUMED).data["cause"] == "requester_answered"


@pytest.mark.parametrize("reason", [r for r in HoldReason if r != HoldReason.WAITING_ON_RESIDENT])
def test_other_hold_reasons_do_not_stop_the_clock(pothole, staff, reason):
    with at(MONDAY_9):
        request = submit_pothole(pothole)
        workflow.hold(request, reason=reason, actor=staff_actor(staff))
    request.refresh_from_db()
    assert request.sla_paused_at is None
    with at(local(2026, 5, 19, 9, 0)):
        workflow.resume(request, actor=staff_actor(staff))
    request.refresh_from_db()
    assert request.due_at == local(2026, 5, 21, 9, 0)


def test_the_calendar_clock_moves_by_the_paused_wall_time(hourly, staff):
    with at(MONDAY_9):
        request = submit_pothole(hourly, answers={})
        assert request.due_at == local(2026, 5, 18, 13, 0)
        workflow.request_info(request, "Which corner?", actor=staff_actor(staff))
    with at(local(2026, 5, 18, 20, 30)):  # the calendar clock counts the evening too
        workflow.resume(request, actor=staff_actor(staff))
    request.refresh_from_db()
    assert request.due_at == local(2026, 5, 19, 0, 30)


def test_closing_or_forwarding_a_waiting_request_restarts_the_clock(pothole, staff):
    parks = f.GroupFactory(code="PARKS")
    with at(MONDAY_9):
        closed = submit_pothole(pothole)
        forwarded = submit_pothole(pothole)
        for request in (closed, forwarded):
            workflow.request_info(request, "Where exactly?", actor=staff_actor(staff))
    with at(local(2026, 5, 18, 11, 0)):
        workflow.close(closed, Resolution.UNABLE, actor=staff_actor(staff))
        workflow.forward(forwarded, parks, reason="Park land", actor=staff_actor(staff))
    for request in (closed, forwarded):
        request.refresh_from_db()
        assert request.sla_paused_at is None
        assert request.due_at == local(2026, 5, 21, 11, 0)


def test_reopening_sets_a_fresh_target_that_can_be_warned_about_again(hourly, staff):
    request = file_signal(hourly, hours_ago=5)
    service_levels.sweep()
    workflow.close(request, Resolution.FIXED, actor=staff_actor(staff))
    workflow.reopen(request, reason="Out again", actor=staff_actor(staff))
    request.refresh_from_db()
    assert (request.sla_warned_at, request.sla_breached_at) == (None, None)
    assert request.due_at > timezone.now()
    reopened = request.events.get(action=A.REOPENED)
    assert reopened.data["before"]["sla_breached_at"] is not None
    assert reopened.data["after"]["sla_breached_at"] is None


# --- The sweep ---------------------------------------------------------------------------


def test_the_at_risk_time_is_three_quarters_of_the_business_time(pothole):
    with at(MONDAY_9):
        request = submit_pothole(pothole)
    # 27 working hours to Thursday 09:00; 20.25 of them: Monday 8, Tuesday 9, Wednesday 3.25.
    assert request.sla_at_risk_at == local(2026, 5, 20, 11, 15)


def test_warning_then_breach_are_recorded_once_each(pothole, staff, supervisor):
    with at(MONDAY_9):
        request = submit_pothole(pothole)
    with at(local(2026, 5, 20, 11, 14)):
        assert service_levels.sweep() == {"breached": 0, "warned": 0}
    with at(local(2026, 5, 20, 11, 16)):
        assert service_levels.sweep() == {"breached": 0, "warned": 1}
        assert service_levels.sweep() == {"breached": 0, "warned": 0}
    request.refresh_from_db()
    assert request.sla_warned_at == local(2026, 5, 20, 11, 16)
    with at(local(2026, 5, 21, 9, 1)):
        assert service_levels.sweep() == {"breached": 1, "warned": 0}
        assert service_levels.sweep() == {"breached": 0, "warned": 0}
    actions = list(request.events.values_list("action", flat=True))
    assert actions.count(A.SLA_WARNING) == 1 and actions.count(A.SLA_BREACHED) == 1
    breach = request.events.get(action=A.SLA_BREACHED)
    assert breach.visibility == "internal" and breach.version == request.version
    breached_at = local(2026, 5, 21, 9, 1).astimezone(UTC).isoformat()
    assert breach.data["after"]["sla_breached_at"] == breached_at

    warned = set(
        Notification.objects.filter(kind="sla_warning").values_list("recipient", flat=True)
    )
    assert warned == {"sam@city.example", "streets@city.example"}
    escalated = Notification.objects.filter(kind="sla_breached")
    assert list(escalated.values_list("recipient", flat=True)) == ["sue@city.example"]


def test_a_request_already_past_due_is_escalated_without_a_warning_first(hourly, supervisor):
    request = file_signal(hourly, hours_ago=6)
    assert service_levels.sweep() == {"breached": 1, "warned": 0}
    assert not request.events.filter(action=A.SLA_WARNING).exists()


def test_paused_and_closed_requests_are_left_alone(hourly, staff):
    waiting = file_signal(hourly, hours_ago=3.5)
    closed = file_signal(hourly, hours_ago=5)
    workflow.request_info(waiting, "Which corner?", actor=staff_actor(staff))
    workflow.close(closed, Resolution.FIXED, actor=staff_actor(staff))
    assert service_levels.sweep() == {"breached": 0, "warned": 0}
    with at(timezone.now() + timedelta(days=2)):
        assert service_levels.sweep() == {"breached": 0, "warned": 0}
    assert not Event.objects.filter(action__in=[A.SLA_WARNING, A.SLA_BREACHED]).exists()


def test_a_request_closed_after_it_was_found_is_not_warned(hourly, staff):
    """The sweep's candidate list can be stale; the check under the row lock decides."""
    request = file_signal(hourly, hours_ago=3.5)
    assert list(service_levels.warning_candidates(timezone.now())) == [request]
    workflow.close(request, Resolution.FIXED, actor=staff_actor(staff))
    assert workflow.record_system_event(request.pk, A.SLA_WARNING) is None
    assert workflow.record_system_event(request.pk, A.SLA_BREACHED) is None


def test_the_share_is_a_setting(hourly, settings):
    settings.SLA_AT_RISK_SHARE = 0.5
    request = file_signal(hourly, hours_ago=2.5)
    assert request.sla_at_risk_at == request.requested_at + timedelta(hours=2)
    assert service_levels.sweep() == {"breached": 0, "warned": 1}


def test_the_sweep_works_in_batches(hourly, monkeypatch):
    monkeypatch.setattr(service_levels, "BATCH", 2)
    for _ in range(5):
        file_signal(hourly, hours_ago=3.5)
    assert service_levels.sweep() == {"breached": 0, "warned": 5}
    assert Event.objects.filter(action=A.SLA_WARNING).count() == 5


def test_the_worker_runs_the_sweep_every_minute(hourly):
    import frontdoor.core.registered_sweeps  # noqa: F401 - as the worker command does

    registered = sweeps.REGISTRY["service_levels"]
    assert registered.every == timedelta(minutes=1)
    file_signal(hourly, hours_ago=3.5)
    assert sweeps.run_due("worker-1")["service_levels"] == {"breached": 0, "warned": 1}


def test_the_escalation_is_rendered_in_the_supervisors_language(hourly, group):
    from frontdoor.notifications import services

    boss = f.UserFactory(username="ines", email="ines@city.example", language="es")
    group.department.supervisors.add(boss)
    file_signal(hourly, hours_ago=5)
    service_levels.sweep()
    notification = Notification.objects.get(kind="sla_breached")
    message = services.render(notification)
    assert message.subject.startswith("Nivel de servicio incumplido: Traffic signal out")
    assert "incumplió su nivel de servicio" in message.body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_warn_and_escalate_once(hourly, staff, supervisor):
    at_risk = [file_signal(hourly, hours_ago=3.5) for _ in range(6)]
    late = [file_signal(hourly, hours_ago=5) for _ in range(6)]
    results = run_together([service_levels.sweep, service_levels.sweep])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r["warned"] for r in results) == len(at_risk)  # type: ignore[index]
    assert sum(r["breached"] for r in results) == len(late)  # type: ignore[index]
    for request in at_risk:
        assert request.events.filter(action=A.SLA_WARNING).count() == 1
    for request in late:
        assert request.events.filter(action=A.SLA_BREACHED).count() == 1
    assert Notification.objects.filter(kind="sla_breached").count() == len(late)


def test_the_migration_gives_open_requests_filed_before_it_an_at_risk_time(hourly, pothole):
    import importlib

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    migration = importlib.import_module("frontdoor.cases.migrations.0004_sla_engine")
    apps = MigrationLoader(connection).project_state(("cases", "0004_sla_engine")).apps
    historical = apps.get_model("cases", "ServiceRequest")  # no workflow guard
    open_one = file_signal(hourly, hours_ago=1)
    closed = file_signal(hourly, hours_ago=1)
    untimed = submit_pothole(f.ServiceFactory(code="INFO", sla_amount=None), answers={})
    workflow.close(closed, Resolution.FIXED, actor=workflow.Actor.system())
    historical.objects.update(sla_at_risk_at=None)

    migration.backfill_at_risk(apps, None)
    open_one.refresh_from_db()
    assert open_one.sla_at_risk_at == open_one.requested_at + timedelta(hours=3)
    assert historical.objects.get(pk=closed.pk).sla_at_risk_at is None
    assert historical.objects.get(pk=untimed.pk).sla_at_risk_at is None
