"""Who is told what, when an event happens: one function per message kind.

``on_events`` is called by the workflow inside its transaction. It writes outbox rows
(``Notification``) and enqueues a delivery job for each, in that same transaction, so a
rolled-back change sends nothing and a committed one is never forgotten.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from frontdoor.accounts.models import ContactPreference, User
from frontdoor.cases.models import Event, Follower, ServiceRequest
from frontdoor.catalogue.cache import cached
from frontdoor.catalogue.models import City
from frontdoor.notifications import notices
from frontdoor.notifications.models import Notification

logger = logging.getLogger(__name__)
A = Event.Action


@dataclass(frozen=True)
class Recipient:
    address: str
    language: str
    user: User | None = None


# --- Recipients -----------------------------------------------------------------------


def _requester(request: ServiceRequest) -> list[Recipient]:
    if request.contact_preference != ContactPreference.EMAIL or not request.contact_email:
        return []
    return [Recipient(request.contact_email, request.language, request.requester)]


def _followers(request: ServiceRequest, exclude: Iterable[Recipient] = ()) -> list[Recipient]:
    taken = {r.address.lower() for r in exclude}
    default_language = City.current().default_language
    result = []
    for follower in Follower.objects.filter(request=request).select_related("user"):
        user = follower.user
        address = user.email if user else follower.email
        if not address or address.lower() in taken:
            continue
        if user and user.contact_preference == ContactPreference.NONE:
            continue
        taken.add(address.lower())
        result.append(Recipient(address, user.language if user else default_language, user))
    return result


def _staff(users: Iterable[User]) -> list[Recipient]:
    return [Recipient(u.email, u.language, u) for u in users if u.email and u.is_active]


def _group(request: ServiceRequest) -> list[Recipient]:
    group = request.group
    if group is None:
        return []
    # Members change in the admin (which clears the catalogue cache); cached like it.
    recipients = list(cached(("group-recipients", group.pk), lambda: _staff(group.members.all())))
    if group.email and group.email.lower() not in {r.address.lower() for r in recipients}:
        recipients.append(Recipient(group.email, City.current().default_language))
    return recipients


# --- One function per message kind ----------------------------------------------------


def request_received(event: Event) -> list[Recipient]:
    """To the requester: we have it, here is the tracking number."""
    return _requester(event.request)


def request_routed(event: Event) -> list[Recipient]:
    """To the group that now holds the request (new or forwarded)."""
    return _group(event.request)


def request_assigned(event: Event) -> list[Recipient]:
    request = event.request
    if request.assignee is None or (event.actor_id and event.actor_id == request.assignee_id):
        return []
    return _staff([request.assignee])


def reply_posted(event: Event) -> list[Recipient]:
    """A public reply goes to the requester and every follower."""
    requester = _requester(event.request)
    return requester + _followers(event.request, exclude=requester)


def message_to_requester(event: Event) -> list[Recipient]:
    return _requester(event.request)


def message_from_requester(event: Event) -> list[Recipient]:
    request = event.request
    if request.assignee is not None:
        return _staff([request.assignee])
    return _group(request)


def request_closed(event: Event) -> list[Recipient]:
    requester = _requester(event.request)
    return requester + _followers(event.request, exclude=requester)


def sla_warning(event: Event) -> list[Recipient]:
    """At risk of missing its service level: to the group that holds the request."""
    return _group(event.request)


def sla_breached(event: Event) -> list[Recipient]:
    """Missed its service level: escalated to the supervisors of the group's department."""
    group = event.request.group
    if group is None:
        return []
    return _staff(group.department.supervisors.all())


def _supervisors(request: ServiceRequest) -> list[Recipient]:
    group = request.group
    if group is None:
        return []
    return _staff(group.department.supervisors.all())


def idle_reminder(event: Event) -> list[Recipient]:
    """Untouched for the service's idle days: to the assignee, else to the group."""
    if (event.data or {}).get("level") != "assignee":
        return []
    request = event.request
    if request.assignee is not None:
        return _staff([request.assignee])
    return _group(request)


def idle_escalation(event: Event) -> list[Recipient]:
    """Still untouched as many days later: to the supervisors of the group's department."""
    if (event.data or {}).get("level") != "supervisor":
        return []
    return _supervisors(event.request)


KINDS: dict[str, Callable[[Event], list[Recipient]]] = {
    "request_received": request_received,
    "request_routed": request_routed,
    "request_assigned": request_assigned,
    "reply_posted": reply_posted,
    "message_to_requester": message_to_requester,
    "info_requested": message_to_requester,
    "message_from_requester": message_from_requester,
    "request_closed": request_closed,
    "request_merged": request_closed,
    "sla_warning": sla_warning,
    "sla_breached": sla_breached,
    "idle_reminder": idle_reminder,
    "idle_escalation": idle_escalation,
}

ON_ACTION: dict[str, tuple[str, ...]] = {
    A.CREATED: ("request_received",),
    A.ROUTED: ("request_routed",),
    A.FORWARDED: ("request_routed",),
    A.ASSIGNED: ("request_assigned",),
    A.REPLY: ("reply_posted",),
    A.MESSAGE_TO_REQUESTER: ("message_to_requester",),
    A.INFO_REQUESTED: ("info_requested",),
    A.MESSAGE_FROM_REQUESTER: ("message_from_requester",),
    A.CLOSED: ("request_closed",),
    A.MARKED_DUPLICATE: ("request_merged",),
    A.SLA_WARNING: ("sla_warning",),
    A.SLA_BREACHED: ("sla_breached",),
    A.REMINDER: ("idle_reminder", "idle_escalation"),
}


def on_events(events: Sequence[Event]) -> list[Notification]:
    """Queue the notifications these events cause (called inside the workflow's
    transaction): one outbox row per recipient and kind, and one delivery job for them all.
    """
    from frontdoor.notifications.tasks import deliver_notifications

    rows: list[Notification] = []
    for event in events:
        for kind in ON_ACTION.get(event.action, ()):
            seen: set[str] = set()
            for recipient in KINDS[kind](event):
                key = recipient.address.lower()
                if key in seen:
                    continue
                seen.add(key)
                rows.append(
                    Notification(
                        event=event,
                        kind=kind,
                        recipient=recipient.address,
                        user=recipient.user,
                        language=recipient.language,
                    )
                )
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    deliver_notifications.enqueue([n.pk for n in created])
    return created


# --- Rendering and delivery -------------------------------------------------------------


def absolute_url(name: str, *args: object) -> str | None:
    """The page's full address for e-mails, or None when this installation has no such page."""
    try:
        return settings.SITE_URL + reverse(name, args=args)
    except NoReverseMatch:
        return None


def _event_context(notification: Notification) -> dict[str, object]:
    event = notification.event
    request = event.request
    return {
        "event": event,
        "request": request,
        "service_name": request.service.name,
        "number": request.display_number,
        "text": event.text,
        "tracking_url": absolute_url("portal:track", request.tracking_number),
        "case_url": absolute_url("staff:case", request.tracking_number),
    }


def render(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail, in the recipient's language. A notice whose subject is gone raises
    ``notices.Obsolete``."""
    city = City.current()
    # Times in e-mails are the city's local time, whatever the server's TIME_ZONE.
    with translation.override(notification.language), timezone.override(city.time_zone):
        if notification.event_id is None:
            context = notices.context(notification)
        else:
            context = _event_context(notification)
        context.update(notification=notification, city=city, site_url=settings.SITE_URL)
        base = f"notifications/email/{notification.kind}"
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    message = EmailMultiAlternatives(
        subject=subject[:200],
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        headers={
            "X-Frontdoor-Notification": str(notification.pk),
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=settings.FRONTDOOR_NOTIFY_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


def deliver(notification_id: int) -> str:
    """Send one notification if it is still due. Returns what happened.

    The row is claimed with a conditional update (pending → sending), so two workers or
    a retried job can never send it twice. A failed SMTP conversation puts it back to
    pending with an exponential backoff until the attempts run out.
    """
    from frontdoor.notifications.tasks import deliver_notifications

    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=Notification.Status.PENDING, next_attempt_at__lte=now
    ).update(status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    notification = Notification.objects.select_related(
        "event__request__service", "event__request__group"
    ).get(pk=notification_id)
    try:
        message = render(notification)
    except notices.Obsolete:
        notification.status = Notification.Status.SKIPPED
        notification.last_error = "what the notice was about is gone"
        notification.save(update_fields=["status", "last_error"])
        return "skipped"
    except (TemplateDoesNotExist, TemplateSyntaxError) as exc:
        notification.status = Notification.Status.FAILED
        notification.last_error = f"template: {exc}"[:2000]
        notification.save(update_fields=["status", "last_error"])
        logger.error("notification %s cannot be rendered: %s", notification_id, exc)
        return "failed"
    try:
        with get_connection(fail_silently=False) as connection:
            connection.send_messages([message])
    except (smtplib.SMTPException, OSError) as exc:
        notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if notification.attempts >= settings.FRONTDOOR_NOTIFY_MAX_ATTEMPTS:
            notification.status = Notification.Status.FAILED
            notification.save(update_fields=["status", "last_error"])
            logger.error("notification %s given up: %s", notification_id, exc)
            return "failed"
        notification.status = Notification.Status.PENDING
        notification.next_attempt_at = timezone.now() + retry_delay(notification.attempts)
        notification.save(update_fields=["status", "last_error", "next_attempt_at"])
        deliver_notifications.using(run_after=notification.next_attempt_at).enqueue(
            [notification.pk]
        )
        logger.warning("notification %s will be retried: %s", notification_id, exc)
        return "retry"
    notification.status = Notification.Status.SENT
    notification.sent_at = timezone.now()
    notification.save(update_fields=["status", "sent_at"])
    return "sent"


STALE_CLAIM = timedelta(minutes=15)
LOST_JOB = timedelta(minutes=5)


def sweep() -> dict[str, int]:
    """Periodic repair: re-enqueue due notifications whose job was lost, and mark rows
    whose worker died mid-send as unknown (never resent: a duplicate is worse)."""
    from frontdoor.notifications.tasks import deliver_notifications

    now = timezone.now()
    stale = Notification.objects.filter(
        status=Notification.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(status=Notification.Status.UNKNOWN, last_error="worker stopped while sending")
    lost = list(
        Notification.objects.filter(
            status=Notification.Status.PENDING, next_attempt_at__lt=now - LOST_JOB
        ).values_list("pk", flat=True)[:500]
    )
    if lost:
        deliver_notifications.enqueue(lost)
    return {"requeued": len(lost), "unknown": stale}
