"""The notification outbox: one row per message due, written in the same transaction as
the event that caused it, delivered by the worker exactly once."""

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

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=40)
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
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notif_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} ({self.status})"
