"""Client applications, their API keys, and what makes retried writes safe."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "fd"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ClientApp(models.Model):
    """A mobile app, partner system or data tool that uses the API."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("client application")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiKey(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Write: file requests")
        PARTNER = "partner", _("Partner: file requests and post updates")

    client = models.ForeignKey(ClientApp, on_delete=models.CASCADE, related_name="keys")
    # The first characters of the key, shown to staff and used to find it; the rest is
    # stored only as a SHA-256 hash.
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices, default=Scope.WRITE)
    rate_limit = models.PositiveIntegerField(
        _("requests per minute"),
        default=120,
        help_text=_("Writes allowed per minute with this key; 0 means no limit."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API key")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.client})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.client.active

    @property
    def can_write(self) -> bool:
        return self.scope in (self.Scope.WRITE, self.Scope.PARTNER)

    @property
    def can_update(self) -> bool:
        return self.scope == self.Scope.PARTNER

    @classmethod
    def issue(
        cls, client: ClientApp, *, key: str | None = None, **fields: Any
    ) -> tuple[ApiKey, str]:
        """Create a key; the plain key is returned once and never stored."""
        if key is None:
            key = f"{KEY_PREFIX}_{secrets.token_hex(4)}_{secrets.token_urlsafe(24)}"
        prefix = key_prefix(key)
        if prefix is None:
            raise ValueError("A key looks like fd_<8 characters>_<secret>.")
        api_key = cls.objects.create(client=client, prefix=prefix, key_hash=hash_key(key), **fields)
        return api_key, key

    def matches(self, key: str) -> bool:
        return hmac.compare_digest(self.key_hash, hash_key(key))


def key_prefix(key: str) -> str | None:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != 8 or len(parts[2]) < 16:
        return None
    return f"{parts[0]}_{parts[1]}"


class IdempotentPost(models.Model):
    """The first answer to a POST carrying an idempotency key; a retry gets it again."""

    # Indexed by idempotent_post_unique (client, key).
    client = models.ForeignKey(
        ClientApp, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=201)
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotent_post_unique")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotent_created_idx")]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.key}"


class BatchToken(models.Model):
    """The token a POST to a batch service answers with; ``tokens/{token}`` turns it into
    the request's id."""

    token = models.CharField(max_length=40, unique=True)
    client = models.ForeignKey(ClientApp, on_delete=models.SET_NULL, null=True, related_name="+")
    request = models.ForeignKey(
        "cases.ServiceRequest", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.token


class PartnerUpdate(models.Model):
    """An update a partner system posted, keyed by its own update_id (retries are no-ops)."""

    client = models.ForeignKey(ClientApp, on_delete=models.CASCADE, related_name="+")
    update_id = models.CharField(max_length=120)
    request = models.ForeignKey("cases.ServiceRequest", on_delete=models.PROTECT, related_name="+")
    event_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "update_id"], name="partner_update_unique")
        ]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.update_id}"
