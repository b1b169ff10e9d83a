"""Notifications: queued with the change, sent by the worker over real SMTP, retried on
failure, and never sent twice for one event."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from frontdoor.cases import workflow
from frontdoor.cases.models import Resolution, ServiceRequest
from frontdoor.core.jobs import run_pending_jobs
from frontdoor.notifications import services
from frontdoor.notifications.models import Notification
from frontdoor.notifications.tasks import deliver_notifications
from tests.conftest import submit_pothole

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings, smtp_server):  # type: ignore[no-untyped-def]
    inbox, port = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return inbox


def received(inbox) -> list[email.message.Message]:  # type: ignore[no-untyped-def]
    return [email.message_from_bytes(raw) for raw in inbox.messages]


def bodies(message: email.message.Message) -> dict[str, str]:
    parts = {}
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            parts[part.get_content_type()] = part.get_payload(decode=True).decode("utf-8")
    return parts


def test_confirmation_is_sent_by_the_worker_over_smtp(pothole, smtp):
    request = submit_pothole(pothole)
    assert received(smtp) == []  # nothing is sent inside the request/response cycle
    run_pending_jobs()
    to_requester = [m for m in received(smtp) if m["To"] == "ana@example.org"]
    assert len(to_requester) == 1
    message = to_requester[0]
    assert request.display_number in message["Subject"]
    parts = bodies(message)
    assert request.display_number in parts["text/plain"]
    assert request.display_number in parts["text/html"]
    assert "Pothole" in parts["text/plain"]
    row = Notification.objects.get(kind="request_received")
    assert (row.status, row.attempts) == (Notification.Status.SENT, 1)
    assert row.sent_at is not None


def test_running_the_job_again_does_not_send_twice(pothole, smtp):
    submit_pothole(pothole)
    run_pending_jobs()
    sent = len(received(smtp))
    for notification in Notification.objects.all():
        deliver_notifications.enqueue([notification.pk])  # a duplicate job, as after a crash
        assert services.deliver(notification.pk) == "skipped"
    run_pending_jobs()
    assert len(received(smtp)) == sent


def test_smtp_failure_is_retried_with_backoff_then_sent_once(pothole, smtp, settings):
    smtp.failures = 1
    submit_pothole(pothole, contact=workflow.Contact(email="ana@example.org"))
    confirmation = Notification.objects.get(kind="request_received")
    # Only the confirmation is due in this test; hold the group e-mail back.
    group_mail = Notification.objects.exclude(pk=confirmation.pk)
    group_ids = list(group_mail.values_list("pk", flat=True))
    Notification.objects.filter(pk__in=group_ids).update(status=Notification.Status.SKIPPED)

    before = timezone.now()
    assert services.deliver(confirmation.pk) == "retry"
    confirmation.refresh_from_db()
    assert confirmation.status == Notification.Status.PENDING
    assert confirmation.attempts == 1
    assert "451" in confirmation.last_error
    delay = confirmation.next_attempt_at - before
    assert timedelta(seconds=55) < delay < timedelta(seconds=70)
    assert services.deliver(confirmation.pk) == "skipped"  # not due yet
    assert received(smtp) == []

    Notification.objects.filter(pk=confirmation.pk).update(next_attempt_at=timezone.now())
    DBTaskResult.objects.update(run_after=timezone.now())
    run_pending_jobs()
    confirmation.refresh_from_db()
    assert confirmation.status == Notification.Status.SENT
    assert confirmation.attempts == 2
    assert [m["To"] for m in received(smtp)] == ["ana@example.org"]


def test_gives_up_after_the_last_attempt(pothole, smtp, settings):
    settings.FRONTDOOR_NOTIFY_MAX_ATTEMPTS = 2
    settings.FRONTDOOR_NOTIFY_RETRY_SECONDS = 0
    smtp.failures = 100
    submit_pothole(pothole, contact=workflow.Contact(email="ana@example.org"))
    run_pending_jobs()
    statuses = set(Notification.objects.values_list("status", "attempts"))
    assert statuses == {(Notification.Status.FAILED, 2)}
    assert received(smtp) == []


def test_unreachable_mail_server_is_a_retry_not_a_crash(pothole, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    submit_pothole(pothole)
    confirmation = Notification.objects.get(kind="request_received")
    assert services.deliver(confirmation.pk) == "retry"
    confirmation.refresh_from_db()
    assert confirmation.status == Notification.Status.PENDING and confirmation.last_error


def test_rolled_back_change_queues_nothing(pothole):
    with pytest.raises(RuntimeError), transaction.atomic():
        submit_pothole(pothole)
        raise RuntimeError("the caller's transaction failed after submit")
    assert ServiceRequest.objects.count() == 0
    assert Notification.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


@pytest.mark.parametrize("preference", ["sms", "phone", "none"])
def test_no_email_when_the_requester_prefers_another_channel(pothole, preference):
    submit_pothole(
        pothole,
        contact=workflow.Contact(
            email="ana@example.org", phone="816-555-0100", preference=preference
        ),
    )
    assert not Notification.objects.filter(kind="request_received").exists()


def test_closing_tells_requester_and_followers_once_each(filed, staff):
    workflow.follow(filed, email="neighbour@example.org", actor=workflow.Actor.resident())
    workflow.follow(filed, email="ANA@example.org", actor=workflow.Actor.resident())
    workflow.close(
        filed, Resolution.FIXED, actor=workflow.Actor.staff(staff), public_note="Patched on Monday"
    )
    recipients = sorted(
        Notification.objects.filter(kind="request_closed").values_list("recipient", flat=True)
    )
    assert recipients == ["ana@example.org", "neighbour@example.org"]
    run_pending_jobs()
    closed = [m for m in mail.outbox if m.to == ["ana@example.org"] and "closed" in m.subject]
    assert len(closed) == 1
    assert "Patched on Monday" in closed[0].body
    assert "Fixed" in closed[0].body


def test_internal_notes_notify_nobody_and_never_reach_residents(filed, staff):
    count = Notification.objects.count()
    workflow.add_note(
        filed, "Resident is difficult; send two crew", actor=workflow.Actor.staff(staff)
    )
    assert Notification.objects.count() == count
    workflow.reply(filed, "We will be there Tuesday", actor=workflow.Actor.staff(staff))
    run_pending_jobs()
    for message in mail.outbox:
        assert "difficult" not in message.body
        assert all("difficult" not in str(alt[0]) for alt in message.alternatives)


def test_message_from_resident_goes_to_the_assignee(filed, staff):
    workflow.assign(filed, staff, actor=workflow.Actor.system())
    workflow.receive_message(filed, "The hole got bigger", actor=workflow.Actor.resident())
    row = Notification.objects.get(kind="message_from_requester")
    assert row.recipient == staff.email
    run_pending_jobs()
    assert any("The hole got bigger" in m.body for m in mail.outbox if m.to == [staff.email])


def test_spanish_speaker_gets_the_confirmation_in_spanish(pothole, resident):
    submit_pothole(pothole, contact=workflow.Contact(user=resident))
    run_pending_jobs()
    (message,) = [m for m in mail.outbox if m.to == [resident.email]]
    assert "Recibimos su solicitud" in message.subject
    assert "Número de seguimiento" in message.body


def test_sweep_requeues_lost_jobs_and_never_resends_interrupted_ones(pothole, smtp):
    submit_pothole(pothole)
    DBTaskResult.objects.all().delete()  # the jobs were lost
    long_ago = timezone.now() - timedelta(hours=1)
    first, *rest = Notification.objects.order_by("pk")
    Notification.objects.filter(pk=first.pk).update(
        status=Notification.Status.SENDING, claimed_at=long_ago
    )
    Notification.objects.filter(pk__in=[n.pk for n in rest]).update(next_attempt_at=long_ago)
    result = services.sweep()
    assert result == {"requeued": len(rest), "unknown": 1}
    run_pending_jobs()
    first.refresh_from_db()
    assert first.status == Notification.Status.UNKNOWN
    assert len(received(smtp)) == len(rest)


def test_times_in_emails_are_the_citys_local_time(pothole, city, settings):
    settings.TIME_ZONE = "UTC"
    city.time_zone = "America/Los_Angeles"
    city.save()
    # Filed Monday 2026-11-23 at 03:00 UTC = Sunday 19:00 in Los Angeles: the business clock
    # starts Monday 08:00 local, and three business days later is Thursday 08:00 local.
    with time_machine.travel(datetime(2026, 11, 23, 3, 0, tzinfo=UTC), tick=False):
        request = submit_pothole(pothole)
        run_pending_jobs()
    (message,) = [m for m in mail.outbox if m.to == ["ana@example.org"]]
    assert request.due_at == datetime(2026, 11, 26, 16, 0, tzinfo=UTC)  # Thanksgiving aside
    # 8 a.m. in Los Angeles, not "4 p.m." (the server's UTC).
    assert "8 a.m." in message.body


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", sorted(services.KINDS))
def test_every_message_kind_renders_text_and_html_in_both_languages(filed, kind, language):
    event = filed.events.first()
    notification = Notification.objects.create(
        event=event, kind=kind, recipient="x@example.org", language=language
    )
    message = services.render(notification)
    assert filed.display_number in message.subject
    assert filed.display_number in message.body
    html = message.alternatives[0][0]
    assert html.startswith("<!DOCTYPE html>") and f'lang="{language}"' in html
    if language == "es":
        assert "seguimiento" in message.body.lower() or "Número" in message.body
