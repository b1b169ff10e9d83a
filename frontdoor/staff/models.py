"""Staff workspace records that are not service requests: information-only contacts and
people's saved queue views."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frontdoor.cases.models import Channel
from frontdoor.catalogue.models import Service


class InformationContact(models.Model):
    """A call, visit or message that staff answered without filing a request (F10): the
    caller only needed information. Counted in reporting by day, channel and service
    (``frontdoor.staff.intake.contacts.daily_counts``); never a ``ServiceRequest``."""

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="information_contacts",
        verbose_name=_("service"),
    )
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="information_contacts",
        verbose_name=_("caller's account"),
    )
    caller_name = models.CharField(_("caller's name"), max_length=150, blank=True)
    caller_email = models.EmailField(_("caller's e-mail"), blank=True)
    caller_phone = models.CharField(_("caller's phone"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    article = models.ForeignKey(
        "knowledge.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="information_contacts",
        verbose_name=_("answered from article"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("information-only contact")
        verbose_name_plural = _("information-only contacts")

    def __str__(self) -> str:
        about = self.service.name if self.service_id else self.topic
        return f"{self.get_channel_display()}: {about}"


class SavedView(models.Model):
    """A queue with its filters and sort, saved under a name by one person for themselves.

    ``query`` holds the cleaned filter parameters as a query string (only values the
    filter form accepted), so opening the view is opening the queue with those parameters.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=80)
    queue = models.CharField(_("queue"), max_length=20)
    query = models.TextField(_("filters"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("saved view")
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_name_unique")
        ]

    def __str__(self) -> str:
        return self.name
