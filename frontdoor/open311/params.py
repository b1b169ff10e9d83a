"""Reading Open311 inputs the way real clients send them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from django.http import QueryDict
from django.utils.translation import gettext as _

from frontdoor.cases import tracking


class ApiError(Exception):
    """An error answered in GeoReport format with an HTTP status."""

    def __init__(self, status: int, *descriptions: str, headers: dict[str, str] | None = None):
        super().__init__(descriptions[0] if descriptions else "")
        self.status = status
        self.descriptions = [str(d) for d in descriptions]
        self.headers = headers or {}


MIN_YEAR, MAX_YEAR = 1900, 2999
MAX_OFFSET = timedelta(hours=14)
_SPACE_OFFSET = re.compile(r" (\d{2}:?\d{2})$")


def parse_datetime(value: str, name: str) -> datetime:
    """W3C-DTF with a mandatory time zone; fractional seconds allowed."""
    text = value.strip()
    # An unencoded "+" in a query string arrives as a space.
    text = _SPACE_OFFSET.sub(r"+\1", text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(
            400,
            _("%(name)s must be a date and time like 2026-01-31T08:00:00-06:00.") % {"name": name},
        ) from None
    if moment.tzinfo is None or "T" not in text:
        raise ApiError(
            400,
            _("%(name)s needs a time and a time zone, like 2026-01-31T08:00:00Z or -06:00.")
            % {"name": name},
        )
    offset = moment.utcoffset()
    if offset is None or abs(offset) > MAX_OFFSET or not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ApiError(
            400,
            _(
                "%(name)s is out of range: use a year from %(first)d to %(last)d and a time "
                "zone within 14 hours of UTC."
            )
            % {"name": name, "first": MIN_YEAR, "last": MAX_YEAR},
        )
    return moment.astimezone(UTC)


def optional(params: QueryDict, name: str) -> str:
    """The spec treats an empty parameter as a missing one."""
    return (params.get(name) or "").strip()


def comma_list(params: QueryDict, name: str, limit: int = 1000) -> list[str]:
    values: list[str] = []
    for raw in params.getlist(name):
        values.extend(item.strip() for item in raw.split(",") if item.strip())
    return values[:limit]


def positive_int(params: QueryDict, name: str, default: int, maximum: int) -> int:
    raw = optional(params, name)
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise ApiError(
            400,
            _("%(name)s must be a whole number from 1 to %(maximum)d.")
            % {"name": name, "maximum": maximum},
        )
    return int(raw)


def boolean(params: QueryDict, name: str) -> bool:
    return optional(params, name).lower() in ("true", "1", "yes")


_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,100})\](\[\])?$")


def attributes(params: QueryDict) -> dict[str, str | list[str]]:
    """``attribute[c]=v``; ``attribute[c][]=a&attribute[c][]=b`` (spec) and repeated
    ``attribute[c]=a&attribute[c]=b`` (FixMyStreet) both give a list."""
    answers: dict[str, str | list[str]] = {}
    for key in params:
        match = _ATTRIBUTE.match(key)
        if not match:
            continue
        code, is_list = match.group(1), bool(match.group(2))
        values = params.getlist(key)
        previous = answers.get(code)
        if previous is not None:
            merged = previous if isinstance(previous, list) else [previous]
            answers[code] = merged + values
        elif is_list or len(values) > 1:
            answers[code] = list(values)
        else:
            answers[code] = values[0]
    return answers


def request_id(value: str) -> str:
    """Our ids are ten digits; people also paste the printed form 1234-5678-90."""
    digits = value.replace("-", "").replace(" ", "")
    return digits if digits.isdigit() and len(digits) == tracking.LENGTH else value.strip()
