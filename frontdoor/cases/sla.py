"""Service-level clock arithmetic: when is a request due?

Calendar targets count wall-clock time in the city's time zone ("3 days" is the same local
time three days later, across DST changes). Business targets count only working hours of
a calendar, skipping weekends and holidays.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
MAX_DAYS_SEARCHED = 3 * 366


@dataclass(frozen=True)
class WeekHours:
    """Working intervals per weekday (Monday = 0), each a sorted list of (open, close)."""

    days: tuple[tuple[tuple[time, time | None], ...], ...]

    def intervals(self, day: date) -> tuple[tuple[time, time | None], ...]:
        return self.days[day.weekday()]


def _parse_time(value: str) -> time | None:
    """ "24:00" (end of day) is returned as None."""
    if not isinstance(value, str) or not _HHMM.match(value):
        raise ValueError(f"{value!r} is not a time of day as HH:MM.")
    if value == "24:00":
        return None
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def parse_week_hours(raw: object) -> WeekHours:
    """Validate ``{"mon": [["08:00", "17:00"]], ...}``; raise ValueError with the reason."""
    if not isinstance(raw, dict):
        raise ValueError("Working hours must map weekday names (mon … sun) to lists of intervals.")
    unknown = set(raw) - set(WEEKDAYS)
    if unknown:
        raise ValueError(f"Unknown weekday names: {', '.join(sorted(unknown))}.")
    days = []
    for name in WEEKDAYS:
        intervals = []
        for pair in raw.get(name) or []:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise ValueError(f"{name}: each interval is [opening, closing].")
            start, end = _parse_time(pair[0]), _parse_time(pair[1])
            if start is None or (end is not None and end <= start):
                raise ValueError(f"{name}: {pair[0]}–{pair[1]} must close after it opens.")
            intervals.append((start, end))
        intervals.sort(key=lambda item: item[0])
        for (_s1, e1), (s2, _e2) in pairwise(intervals):
            if e1 is None or e1 > s2:
                raise ValueError(f"{name}: working intervals overlap.")
        days.append(tuple(intervals))
    if not any(days):
        raise ValueError("A calendar needs at least one working interval in the week.")
    return WeekHours(days=tuple(days))


DEFAULT_HOURS = {day: [["08:00", "17:00"]] for day in WEEKDAYS[:5]} | {"sat": [], "sun": []}


@dataclass(frozen=True)
class Calendar:
    hours: WeekHours
    holidays: frozenset[date]
    tz: ZoneInfo

    @classmethod
    def build(cls, hours: object, holidays: Collection[date], tz_name: str) -> Calendar:
        return cls(parse_week_hours(hours), frozenset(holidays), ZoneInfo(tz_name))

    def _local(self, day: date, moment: time | None) -> datetime:
        if moment is None:
            day, moment = day + timedelta(days=1), time(0)
        wall = datetime.combine(day, moment)
        instant = wall.replace(tzinfo=self.tz).astimezone(UTC)
        if instant.astimezone(self.tz).replace(tzinfo=None) == wall:
            return instant
        # The clocks skip this wall time (DST starts). Python reads it with the old offset,
        # i.e. after the jump, so "open until 02:30" would overrun into the next interval.
        # Use the instant of the jump: the first moment whose clock shows a later time.
        readings = [wall.replace(tzinfo=self.tz, fold=fold).timestamp() for fold in (0, 1)]
        low, high = math.floor(min(readings)), math.ceil(max(readings))
        while high - low > 1:
            middle = (low + high) // 2
            if datetime.fromtimestamp(middle, self.tz).replace(tzinfo=None) < wall:
                low = middle
            else:
                high = middle
        return datetime.fromtimestamp(high, UTC)

    def working_intervals(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals (aware, UTC) that end after ``start``, in order."""
        day = start.astimezone(self.tz).date() - timedelta(days=1)
        for _ in range(MAX_DAYS_SEARCHED):
            if day not in self.holidays:
                for opening, closing in self.hours.intervals(day):
                    begin = self._local(day, opening).astimezone(UTC)
                    end = self._local(day, closing).astimezone(UTC)
                    if end > start and end > begin:
                        yield max(begin, start), end
            day += timedelta(days=1)
        raise ValueError("No working time found within three years; check the calendar.")

    def add_business_time(self, start: datetime, amount: timedelta) -> datetime:
        remaining = amount
        cursor = start.astimezone(UTC)
        for begin, end in self.working_intervals(cursor):
            available = end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable")  # working_intervals raises first

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        total = timedelta(0)
        if end <= start:
            return total
        for begin, finish in self.working_intervals(start.astimezone(UTC)):
            if begin >= end:
                break
            total += min(finish, end) - begin
        return total

    def is_working_day(self, day: date) -> bool:
        return day not in self.holidays and bool(self.hours.intervals(day))

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """The same working position ``days`` working days later.

        A request filed out of hours starts its clock at the next opening. If the target day
        has shorter hours than the time of day, the day's last closing time is used.
        """
        begin, _end = next(self.working_intervals(start.astimezone(UTC)))
        local = begin.astimezone(self.tz)
        day, moment = local.date(), local.time()
        counted = 0
        for _ in range(MAX_DAYS_SEARCHED):
            if counted == days:
                break
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        else:
            raise ValueError("No working days found within three years; check the calendar.")
        chosen = None
        for opening, closing in self.hours.intervals(day):
            if moment < opening:
                chosen = chosen or self._local(day, opening)
                break
            if closing is None or moment <= closing:
                chosen = self._local(day, moment)
                break
            chosen = self._local(day, closing)
        assert chosen is not None
        return chosen.astimezone(UTC)


def compute_due(
    start: datetime, amount: int | None, unit: str, clock: str, calendar: Calendar
) -> datetime | None:
    """Due time for a target of ``amount`` ``unit`` ("hours"/"days") on a ``clock``."""
    if not amount:
        return None
    if clock == "calendar":
        if unit == "hours":
            # In UTC: aware arithmetic in a local zone would add wall-clock hours (23 or 25
            # real hours for "24 hours" across a DST change).
            return start.astimezone(UTC) + timedelta(hours=amount)
        local = start.astimezone(calendar.tz)
        # Wall-clock arithmetic on an aware datetime keeps the local time across DST.
        return datetime.combine(
            local.date() + timedelta(days=amount), local.time(), tzinfo=calendar.tz
        ).astimezone(UTC)
    if unit == "hours":
        return calendar.add_business_time(start, timedelta(hours=amount))
    return calendar.add_business_days(start, amount)


def time_between(start: datetime, end: datetime, calendar: Calendar, clock: str) -> timedelta:
    """Time that counts towards a target between two instants: working time of the
    calendar on the business clock, elapsed real time on the calendar clock."""
    if end <= start:
        return timedelta(0)
    if clock == "calendar":
        # In UTC: two datetimes in the same local zone subtract as wall-clock times.
        return end.astimezone(UTC) - start.astimezone(UTC)
    return calendar.business_time_between(start, end)


def extend_due(
    due: datetime, paused_from: datetime, paused_to: datetime, calendar: Calendar, clock: str
) -> datetime:
    """The due time after the clock stood still from ``paused_from`` to ``paused_to``.

    The due time moves later by the paused time that counts on the clock (working time on
    the business clock, real time on the calendar clock); a pause in the evening or over
    a weekend moves a business-clock due time not at all. A pause that began at or after
    the due time changes nothing: the target was already missed when the clock stopped.
    """
    paused = time_between(paused_from, paused_to, calendar, clock)
    if paused <= timedelta(0) or paused_from >= due:
        return due
    if clock == "calendar":
        return due.astimezone(UTC) + paused
    return calendar.add_business_time(due, paused)


def at_risk_from(
    start: datetime, due: datetime, share: float, calendar: Calendar, clock: str
) -> datetime:
    """The instant at which ``share`` (0 < share ≤ 1) of the time from ``start`` to
    ``due`` on the clock has elapsed: when a request becomes at risk of missing its target.
    """
    if share >= 1 or due <= start:
        return due.astimezone(UTC)
    total = time_between(start, due, calendar, clock)
    # Whole seconds: a warning a fraction of a second early or late does not matter.
    elapsed = timedelta(seconds=math.ceil(total.total_seconds() * share))
    if clock == "calendar":
        return min(start.astimezone(UTC) + elapsed, due.astimezone(UTC))
    if elapsed <= timedelta(0):
        return start.astimezone(UTC)
    return min(calendar.add_business_time(start, elapsed), due.astimezone(UTC))
