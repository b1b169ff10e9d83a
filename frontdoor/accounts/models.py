from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from frontdoor.accounts import phones


class ContactPreference(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message (SMS)")
    PHONE = "phone", _("Phone call")
    NONE = "none", _("No updates")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")


class User(AbstractUser):
    """A resident or a city employee. Staff roles are derived from data (see
    ``frontdoor.staff.roles``): ``is_superuser`` (administrator), ``is_agent`` (call-taker),
    work-group memberships (department staff) and ``Department.supervisors``."""

    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    contact_preference = models.CharField(
        _("contact preference"),
        max_length=8,
        choices=ContactPreference.choices,
        default=ContactPreference.EMAIL,
    )
    is_agent = models.BooleanField(
        _("call-taker / agent"),
        default=False,
        help_text=_(
            "Takes calls and walk-ins: can find and read any request, file new ones, add "
            "internal notes and write to the requester."
        ),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [
            # Caller lookup at phone intake finds accounts by phone or e-mail.
            models.Index(
                phones.digits_only("phone"), condition=~models.Q(phone=""), name="user_phone_idx"
            ),
            models.Index(Lower("email"), condition=~models.Q(email=""), name="user_email_idx"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
