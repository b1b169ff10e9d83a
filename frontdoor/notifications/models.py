"""The notification outbox: one row per message due, written in the same transaction as
the event that caused it, delivered by the worker exactly once.

Most rows belong to a request's event. A *notice* (``event`` empty) is about something
else, such as a knowledge article due for review: its ``key`` names what it is about and
makes it unique per kind and recipient, and ``data`` holds the ids its e-mail is built
from at delivery (``notices.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from frontdoor.cases.models import Event


class Notification(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed (gave up after retries)"
        UNKNOWN = "unknown", "unknown (worker stopped while sending)"
        SKIPPED = "skipped", "skipped"

    class Channel(models.TextChoices):
        EMAIL = "email", "e-mail"

    # Indexed by the notification_once_per_event constraint (event, kind, recipient).
    event = models.ForeignKey(
        Event,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(max_length=40)
    # Notices only (no event): what the notice is about, e.g. "article:12:<review due>".
    key = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    recipient = models.CharField(max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "kind", "recipient"], name="notification_once_per_event"
            ),
            models.UniqueConstraint(
                fields=["kind", "recipient", "key"],
                condition=models.Q(event__isnull=True),
                name="notice_once_per_key",
            ),
            models.CheckConstraint(
                condition=models.Q(event__isnull=False) | ~models.Q(key=""),
                name="notification_event_or_key",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notif_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} ({self.status})"
