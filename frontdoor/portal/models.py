"""What the portal itself stores: site-wide notices (emergencies, closures, outages)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_cache: list[Any] = []  # [expires (monotonic), notices]


def forget_notices(*args: Any, **kwargs: Any) -> None:
    _cache.clear()


class SiteNotice(models.Model):
    """A message shown at the top of every portal page between its start and end time
    (a storm, a holiday schedule, an outage). Set in the admin, in every language."""

    class Level(models.TextChoices):
        INFO = "info", _("Information")
        WARNING = "warning", _("Warning")
        EMERGENCY = "emergency", _("Emergency")

    message = models.TextField(
        _("message"), help_text=_("Shown to residents as written; keep it short.")
    )
    link = models.URLField(_("link for more"), blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.INFO)
    starts_at = models.DateTimeField(_("shown from"), default=timezone.now)
    ends_at = models.DateTimeField(
        _("shown until"), null=True, blank=True, help_text=_("Empty: until removed.")
    )

    CACHE_SECONDS = 30

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("site notice")
        verbose_name_plural = _("site notices")

    def __str__(self) -> str:
        return self.message[:60]

    def is_active(self, at: datetime) -> bool:
        return self.starts_at <= at and (self.ends_at is None or self.ends_at > at)

    @classmethod
    def current(cls) -> list[SiteNotice]:
        """Notices that have not ended, read at most every ``CACHE_SECONDS`` per process
        (every portal page shows them); a save here clears this process's copy at once."""
        now = time.monotonic()
        if _cache and _cache[0] > now:
            return _cache[1]
        rows = list(cls.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=timezone.now())))
        _cache[:] = [now + cls.CACHE_SECONDS, rows]
        return rows

    def clean(self) -> None:
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})
