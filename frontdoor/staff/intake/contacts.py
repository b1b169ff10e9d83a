"""Information-only contacts: log them, count them.

A call answered from the knowledge base ("when is bulky-item pickup?") is work the city did
and reporting counts (channel mix, volumes per service), but it is not a service request:
it gets an ``InformationContact`` row and nothing in the case workflow.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from frontdoor.accounts import phones
from frontdoor.accounts.models import User
from frontdoor.cases.answers import MAX_TEXT, clean_string
from frontdoor.cases.errors import InvalidInput
from frontdoor.catalogue.models import City, Service
from frontdoor.knowledge.models import Article
from frontdoor.staff import policy
from frontdoor.staff.intake.channels import INTAKE_CHANNELS, channel_error
from frontdoor.staff.models import InformationContact
from frontdoor.staff.roles import Scope


def _clean_text(value: str, limit: int, field: str, errors: dict[str, list[str]]) -> str:
    try:
        return clean_string(value or "", limit, multiline=field == "note")
    except ValueError as exc:
        errors[field] = [str(exc)]
        return ""


def log_information_contact(
    scope: Scope,
    *,
    channel: str,
    service: Service | None = None,
    topic: str = "",
    note: str = "",
    caller: User | None = None,
    caller_name: str = "",
    caller_email: str = "",
    caller_phone: str = "",
    language: str = "",
    article: Article | None = None,
) -> InformationContact:
    """Record that staff answered a caller without filing a request.

    Needs a staff role (``policy.Forbidden`` otherwise), one of the intake channels, and a
    service or a topic; the caller's details (many callers give none) and the knowledge
    article the answer came from are optional. Raises
    ``InvalidInput`` with every problem, writing nothing. Side effect: one row."""
    policy.require(scope, policy.Action.CREATE)
    errors: dict[str, list[str]] = {}
    if channel not in INTAKE_CHANNELS:
        errors["channel"] = [channel_error()]
    topic = _clean_text(topic, 200, "topic", errors)
    note = _clean_text(note, MAX_TEXT, "note", errors)
    caller_name = _clean_text(caller_name, 150, "name", errors)
    caller_email = (caller_email or "").strip()
    caller_phone = (caller_phone or "").strip()
    if service is None and not topic and "topic" not in errors:
        errors["topic"] = [_("Say what the caller asked about: choose a service or type a topic.")]
    if caller_email:
        try:
            if len(caller_email) > 254:
                raise ValidationError("too long")
            EmailValidator()(caller_email)
        except ValidationError:
            errors["email"] = [_("Enter a valid e-mail address.")]
    if caller_phone and (len(caller_phone) > 32 or phones.normalise(caller_phone) is None):
        errors["phone"] = [_("Enter a valid phone number.")]
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = ""
    if errors:
        raise InvalidInput(errors)
    return InformationContact.objects.create(
        agent=scope.user,
        channel=channel,
        service=service,
        topic=topic,
        note=note,
        caller=caller,
        caller_name=caller_name,
        caller_email=caller_email,
        caller_phone=caller_phone,
        language=language,
        article=article,
    )


@dataclass(frozen=True)
class DailyCount:
    day: date
    channel: str
    service_id: int | None
    count: int


def daily_counts(first: date, last: date) -> list[DailyCount]:
    """Information-only contacts per day (the city's local date), channel and service,
    from ``first`` to ``last`` inclusive, for reporting. One query."""
    city_zone = zoneinfo.ZoneInfo(City.current().time_zone)
    start = datetime.combine(first, time.min, tzinfo=city_zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=city_zone)
    rows = (
        InformationContact.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at", tzinfo=city_zone))
        .values("day", "channel", "service_id")
        .annotate(count=Count("pk"))
        .order_by("day", "channel", "service_id")
    )
    return [DailyCount(row["day"], row["channel"], row["service_id"], row["count"]) for row in rows]
