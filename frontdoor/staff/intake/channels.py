"""The channels staff take requests and questions on (F10)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from frontdoor.cases.models import Channel

# In the order the intake form offers them; the first is the default.
INTAKE_CHANNELS = (Channel.PHONE, Channel.WALK_IN, Channel.EMAIL, Channel.MAIL, Channel.FAX)


def choices() -> list[tuple[str, str]]:
    return [(channel.value, str(channel.label)) for channel in INTAKE_CHANNELS]


def channel_error() -> str:
    return _("Choose how the caller reached the city: phone, walk-in, e-mail, mail or fax.")
