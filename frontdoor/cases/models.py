"""Service requests and their append-only history.

Nothing here changes a request's state: ``frontdoor.cases.workflow`` is the only writer,
and every change it makes writes an ``Event`` in the same transaction.
"""

from __future__ import annotations

import contextvars
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frontdoor.accounts import phones
from frontdoor.accounts.models import ContactPreference
from frontdoor.cases import tracking
from frontdoor.catalogue.models import Priority, Service, WorkGroup, Zone

# Set by the workflow module while it writes; models refuse other writes to requests.
workflow_writing: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "workflow_writing", default=False
)


class DirectWriteError(RuntimeError):
    """A request or event was changed outside the workflow module."""


class Status(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = frozenset({Status.NEW, Status.IN_PROGRESS, Status.ON_HOLD})
CLOSED_STATUSES = frozenset({Status.CLOSED})


def open311_status(status: str) -> str:
    """Open311 knows only open and closed; our statuses collapse at the API boundary."""
    return "closed" if status in CLOSED_STATUSES else "open"


class Resolution(models.TextChoices):
    FIXED = "fixed", _("Fixed")
    DUPLICATE = "duplicate", _("Duplicate of another request")
    NOT_CITY = "not_city", _("Not the city's responsibility")
    NO_ACTION = "no_action", _("No action needed")
    REFERRED = "referred", _("Referred to another agency")
    UNABLE = "unable", _("Could not locate or reproduce")
    WITHDRAWN = "withdrawn", _("Withdrawn by the requester")
    INFO_PROVIDED = "info_provided", _("Information provided")


class HoldReason(models.TextChoices):
    WAITING_ON_RESIDENT = "waiting_on_resident", _("Waiting for the resident")
    WAITING_ON_OTHER = "waiting_on_other", _("Waiting for another agency or contractor")
    SCHEDULED = "scheduled", _("Work scheduled")
    PARTS = "parts", _("Waiting for materials")
    WEATHER = "weather", _("Weather")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    EMAIL = "email", _("E-mail")
    MAIL = "mail", _("Mail")
    FAX = "fax", _("Fax")
    SMS = "sms", _("Text message")
    MOBILE = "mobile", _("Mobile app / API")
    SOCIAL = "social", _("Social media")
    CHAT = "chat", _("Chat")
    STAFF = "staff", _("Staff in the field")
    IMPORT = "import", _("Import")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    REQUESTER = "requester", _("Requester and staff")
    INTERNAL = "internal", _("Staff only")


class GuardedQuerySet(models.QuerySet):
    """Bulk writes bypass save(); allow them only inside the workflow (or with force)."""

    def update(self, **kwargs: Any) -> int:
        if not workflow_writing.get():
            raise DirectWriteError(
                f"{self.model.__name__} rows change only through frontdoor.cases.workflow."
            )
        return super().update(**kwargs)


class ServiceRequest(models.Model):
    tracking_number = models.CharField(_("tracking number"), max_length=16, unique=True)
    # Foreign keys below without their own index are covered by a composite index that
    # starts with them (Meta.indexes): one index less to maintain on every insert.
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="requests", db_index=False
    )
    description = models.TextField(_("description"), blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)

    lat = models.FloatField(_("latitude"), null=True, blank=True)
    long = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    address_id = models.CharField(_("address id"), max_length=64, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    zones = models.ManyToManyField(Zone, blank=True, related_name="requests")

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_requests",
        db_index=False,
    )
    contact_name = models.CharField(_("name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=32, blank=True)
    contact_preference = models.CharField(
        _("contact preference"),
        max_length=8,
        choices=ContactPreference.choices,
        default=ContactPreference.NONE,
    )
    language = models.CharField(_("language"), max_length=8, default="en")
    # Secret for the requester's own view of the conversation without an account.
    requester_secret = models.UUIDField(default=uuid.uuid4, editable=False)

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    client_app = models.CharField(_("client application"), max_length=120, blank=True)

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    resolution = models.CharField(
        _("resolution"), max_length=16, choices=Resolution.choices, blank=True
    )
    status_notes = models.TextField(_("public status note"), blank=True)
    hold_reason = models.CharField(
        _("hold reason"), max_length=24, choices=HoldReason.choices, blank=True
    )
    group = models.ForeignKey(
        WorkGroup, on_delete=models.PROTECT, related_name="requests", null=True, db_index=False
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
        db_index=False,
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Service-level clock (frontdoor.cases.service_levels). The clock stands still while the
    # city waits on the resident (since sla_paused_at); on resume due_at and sla_at_risk_at
    # move later by the paused time. The two markers make each warning happen once.
    sla_paused_at = models.DateTimeField(_("service-level clock paused"), null=True, blank=True)
    sla_at_risk_at = models.DateTimeField(_("at risk from"), null=True, blank=True)
    sla_warned_at = models.DateTimeField(_("at-risk warning sent"), null=True, blank=True)
    sla_breached_at = models.DateTimeField(_("service level missed"), null=True, blank=True)
    # Idle reminders (frontdoor.cases.idle): idle_due_at is when the next reminder is owed
    # (reminder, then escalation); every change resets it and clears the two markers.
    idle_due_at = models.DateTimeField(_("idle reminder due"), null=True, blank=True)
    idle_reminded_at = models.DateTimeField(_("idle reminder sent"), null=True, blank=True)
    idle_escalated_at = models.DateTimeField(_("idle escalation sent"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        db_index=False,
    )
    supporter_count = models.PositiveIntegerField(_("supporters"), default=0)
    # Incremented by every change; lets a form detect that someone else changed the request.
    version = models.PositiveIntegerField(default=1)
    # Where an imported request came from, and its id there (idempotent re-import).
    external_source = models.CharField(max_length=200, blank=True)
    external_id = models.CharField(max_length=120, blank=True)

    objects = GuardedQuerySet.as_manager()

    class Meta:
        verbose_name = _("service request")
        ordering = ["-requested_at"]
        indexes = [
            models.Index(fields=["-requested_at"], name="req_requested_idx"),
            models.Index(fields=["-updated_at"], name="req_updated_idx"),
            models.Index(fields=["status", "-requested_at"], name="req_status_idx"),
            models.Index(fields=["service", "-requested_at"], name="req_service_idx"),
            # Open311 and staff lists filter by service and open/closed together.
            models.Index(
                fields=["service", "status", "-requested_at"], name="req_service_status_idx"
            ),
            models.Index(fields=["group", "status"], name="req_group_status_idx"),
            models.Index(fields=["assignee", "status"], name="req_assignee_status_idx"),
            models.Index(fields=["due_at"], name="req_due_idx"),
            # Most requests have no account or duplicate parent: index only those that do.
            models.Index(
                fields=["requester"],
                condition=models.Q(requester__isnull=False),
                name="req_requester_idx",
            ),
            models.Index(
                fields=["duplicate_of"],
                condition=models.Q(duplicate_of__isnull=False),
                name="req_duplicate_of_idx",
            ),
            # The service-level sweep reads only open requests still owed a warning/breach.
            models.Index(
                fields=["sla_at_risk_at"],
                condition=models.Q(
                    status__in=["new", "in_progress", "on_hold"],
                    sla_warned_at__isnull=True,
                    sla_breached_at__isnull=True,
                ),
                name="req_sla_at_risk_idx",
            ),
            models.Index(
                fields=["due_at"],
                condition=models.Q(
                    status__in=["new", "in_progress", "on_hold"], sla_breached_at__isnull=True
                ),
                name="req_sla_breach_idx",
            ),
            # The idle-reminder sweep reads only open requests with a reminder owed.
            models.Index(
                fields=["idle_due_at"],
                condition=models.Q(
                    status__in=["new", "in_progress", "on_hold"], idle_due_at__isnull=False
                ),
                name="req_idle_due_idx",
            ),
            # Caller lookup at phone intake (frontdoor.staff.intake.callers): partial, so a
            # request filed without a phone or e-mail costs these indexes nothing.
            models.Index(
                phones.digits_only("contact_phone"),
                condition=~models.Q(contact_phone=""),
                name="req_contact_phone_idx",
            ),
            models.Index(
                Lower("contact_email"),
                condition=~models.Q(contact_email=""),
                name="req_contact_email_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_source", "external_id"],
                condition=~models.Q(external_id=""),
                name="req_external_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_number} {self.service.code}"

    @property
    def display_number(self) -> str:
        return tracking.display(self.tracking_number)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def open311_status(self) -> str:
        return open311_status(self.status)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not workflow_writing.get():
            raise DirectWriteError("Service requests change only through frontdoor.cases.workflow.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise DirectWriteError("Service requests are never deleted; close them instead.")


class EventQuerySet(models.QuerySet):
    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if not workflow_writing.get():
            raise DirectWriteError("Events are written only by frontdoor.cases.workflow.")
        return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        raise DirectWriteError("Events are append-only.")

    def delete(self) -> Any:
        raise DirectWriteError("Events are append-only.")

    def visible_to_public(self) -> EventQuerySet:
        return self.filter(visibility=Visibility.PUBLIC)

    def visible_to_requester(self) -> EventQuerySet:
        return self.filter(visibility__in=[Visibility.PUBLIC, Visibility.REQUESTER])


class Event(models.Model):
    """One entry of a request's history: the audit trail, the timeline, and the trigger
    for notifications. Rows are only ever inserted."""

    class Action(models.TextChoices):
        CREATED = "request.created", _("Request received")
        ROUTED = "request.routed", _("Routed to a group")
        ASSIGNED = "request.assigned", _("Assigned")
        FORWARDED = "request.forwarded", _("Forwarded to another group")
        STATUS_CHANGED = "request.status_changed", _("Status changed")
        HELD = "request.held", _("Put on hold")
        RESUMED = "request.resumed", _("Resumed")
        NOTE = "request.note_added", _("Internal note")
        REPLY = "request.replied", _("Reply from the city")
        MESSAGE_TO_REQUESTER = "request.message_sent", _("Message to the requester")
        INFO_REQUESTED = "request.info_requested", _("More information requested")
        MESSAGE_FROM_REQUESTER = "request.message_received", _("Message from the requester")
        ATTACHMENT = "request.attachment_added", _("Photo added")
        PRIORITY_CHANGED = "request.priority_changed", _("Priority changed")
        REMINDER = "request.reminder", _("Idle reminder")
        SLA_WARNING = "request.sla_warning", _("Service level at risk")
        SLA_BREACHED = "request.sla_breached", _("Service level missed")
        CLOSED = "request.closed", _("Closed")
        REOPENED = "request.reopened", _("Reopened")
        MARKED_DUPLICATE = "request.marked_duplicate", _("Closed as a duplicate")
        MERGED = "request.merged", _("Duplicate merged in")
        FOLLOWED = "request.followed", _("Follower added")
        SURVEY = "request.survey", _("Survey answered")

    # Indexed by event_request_idx (request, created_at).
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    action = models.CharField(max_length=40, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    actor_label = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    # The request version this event produced; every version has at least one event.
    version = models.PositiveIntegerField()
    # {"before": {...}, "after": {...}, "text": "...", ...}
    data = models.JSONField(default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["request", "created_at"], name="event_request_idx"),
            # Residents, client apps and the system act without an account: index the rest.
            models.Index(
                fields=["actor"], condition=models.Q(actor__isnull=False), name="event_actor_idx"
            ),
            # The staff queue "updated by the resident" reads the latest of these only.
            models.Index(
                fields=["created_at"],
                condition=models.Q(action="request.message_received"),
                name="event_message_received_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} on {self.request_id}"

    @property
    def text(self) -> str:
        return str(self.data.get("text", ""))

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or not self._state.adding:
            raise DirectWriteError("Events are append-only.")
        if not workflow_writing.get():
            raise DirectWriteError("Events are written only by frontdoor.cases.workflow.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise DirectWriteError("Events are append-only.")


def attachment_path(instance: Attachment, filename: str) -> str:
    stamp = timezone.now()
    return f"requests/{stamp:%Y/%m}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1]}"


class Attachment(models.Model):
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300, blank=True)
    # A photo a client application hosts itself (Open311 ``media_url``); no file then.
    external_url = models.URLField(max_length=500, blank=True)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField(null=True)
    height = models.PositiveIntegerField(null=True)
    size = models.PositiveIntegerField(default=0)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.file.name or self.external_url

    @property
    def url(self) -> str:
        return self.external_url or (self.file.url if self.file else "")


class Follower(models.Model):
    """Someone who gets updates on a request; a supporter also reported it ("me too")."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="following",
    )
    email = models.EmailField(blank=True)
    supporter = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "user"],
                condition=models.Q(user__isnull=False),
                name="follower_user_unique",
            ),
            models.UniqueConstraint(
                fields=["request", "email"],
                condition=~models.Q(email=""),
                name="follower_email_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(email=""),
                name="follower_has_user_or_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.email} follows {self.request_id}"
