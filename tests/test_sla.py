"""Due-time arithmetic: calendar targets keep the local wall-clock time, business targets
count only the working hours of a calendar, around DST changes and holidays too."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from frontdoor.cases.sla import (
    DEFAULT_HOURS,
    WEEKDAYS,
    Calendar,
    at_risk_from,
    compute_due,
    extend_due,
    parse_week_hours,
)

CHICAGO = ZoneInfo("America/Chicago")
DST_STARTS = datetime(2026, 3, 8, 8, 0, tzinfo=UTC)  # 02:00 CST -> 03:00 CDT
DST_ENDS = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)  # 02:00 CDT -> 01:00 CST
MEMORIAL_DAY = date(2026, 5, 25)  # a Monday


def local(*args: int) -> datetime:
    """An instant given as Chicago wall-clock time (never an imaginary or repeated one)."""
    return datetime(*args, tzinfo=CHICAGO)


def week(**days: list[list[str]]) -> dict[str, list[list[str]]]:
    """Working hours with every weekday listed; the ones not given are closed."""
    return {day: days.get(day, []) for day in WEEKDAYS}


def office(holidays: tuple[date, ...] = ()) -> Calendar:
    """Monday to Friday, 08:00-17:00, in Chicago."""
    return Calendar.build(DEFAULT_HOURS, holidays, "America/Chicago")


# --- Calendar targets --------------------------------------------------------------------


def test_no_target_means_no_due_time():
    start = local(2026, 3, 6, 16, 0)
    assert compute_due(start, None, "days", "business", office()) is None
    assert compute_due(start, 0, "hours", "calendar", office()) is None


def test_calendar_day_across_spring_forward_keeps_local_time_and_is_23_hours():
    start = local(2026, 3, 7, 10, 0)  # Saturday, CST
    due = compute_due(start, 1, "days", "calendar", office())
    assert due == local(2026, 3, 8, 10, 0)
    assert due.astimezone(CHICAGO).utcoffset() == timedelta(hours=-5)  # CDT
    assert due - start == timedelta(hours=23)
    assert due.tzinfo == UTC


def test_calendar_day_across_fall_back_keeps_local_time_and_is_25_hours():
    start = local(2026, 10, 31, 10, 0)
    due = compute_due(start, 1, "days", "calendar", office())
    assert due == local(2026, 11, 1, 10, 0)
    assert due - start == timedelta(hours=25)


def test_calendar_days_ignore_weekends_and_holidays():
    start = local(2026, 5, 22, 16, 0)  # Friday before Memorial Day
    due = compute_due(start, 3, "days", "calendar", office((MEMORIAL_DAY,)))
    assert due == local(2026, 5, 25, 16, 0)


def test_calendar_days_count_from_a_start_given_in_utc():
    start = datetime(2026, 3, 7, 16, 0, tzinfo=UTC)  # 10:00 CST
    due = compute_due(start, 2, "days", "calendar", office())
    assert due == local(2026, 3, 9, 10, 0)


@pytest.mark.parametrize(
    "start",
    [local(2026, 3, 7, 12, 0), datetime(2026, 3, 7, 18, 0, tzinfo=UTC)],
    ids=["local-start", "utc-start"],
)
def test_calendar_hours_are_elapsed_hours_across_dst(start):
    due = compute_due(start, 24, "hours", "calendar", office())
    assert due - start == timedelta(hours=24)
    assert due == local(2026, 3, 8, 13, 0)  # the clocks went forward overnight
    assert due.tzinfo == UTC


# --- Business hours ---------------------------------------------------------------------


def test_business_hours_continue_on_the_next_working_day():
    start = local(2026, 3, 6, 16, 0)  # Friday; DST starts on Sunday
    due = compute_due(start, 2, "hours", "business", office())
    assert due == local(2026, 3, 9, 9, 0)
    assert office().business_time_between(start, due) == timedelta(hours=2)


def test_business_hours_filed_out_of_hours_start_at_the_next_opening():
    saturday = local(2026, 5, 16, 22, 30)
    assert compute_due(saturday, 3, "hours", "business", office()) == local(2026, 5, 18, 11, 0)
    early = local(2026, 5, 19, 6, 0)
    assert compute_due(early, 1, "hours", "business", office()) == local(2026, 5, 19, 9, 0)


def test_business_hours_skip_a_holiday():
    start = local(2026, 5, 22, 16, 0)
    due = compute_due(start, 2, "hours", "business", office((MEMORIAL_DAY,)))
    assert due == local(2026, 5, 26, 9, 0)


def test_business_hours_that_fill_the_day_end_at_closing_not_next_morning():
    start = local(2026, 5, 19, 8, 0)
    assert compute_due(start, 9, "hours", "business", office()) == local(2026, 5, 19, 17, 0)


def test_business_hours_skip_the_lunch_break():
    calendar = Calendar.build(
        {day: [["08:00", "12:00"], ["13:00", "17:00"]] for day in WEEKDAYS[:5]},
        (),
        "America/Chicago",
    )
    assert calendar.add_business_time(local(2026, 5, 19, 11, 0), timedelta(hours=2)) == local(
        2026, 5, 19, 14, 0
    )
    # Filed during lunch: the clock starts when the office reopens.
    assert calendar.add_business_time(local(2026, 5, 19, 12, 30), timedelta(hours=1)) == local(
        2026, 5, 19, 14, 0
    )
    assert calendar.business_time_between(
        local(2026, 5, 19, 11, 0), local(2026, 5, 19, 14, 0)
    ) == timedelta(hours=2)


def test_round_the_clock_calendar_counts_real_hours_across_dst():
    always = Calendar.build({day: [["00:00", "24:00"]] for day in WEEKDAYS}, (), "America/Chicago")
    start = local(2026, 3, 7, 12, 0)
    due = always.add_business_time(start, timedelta(hours=24))
    assert due - start == timedelta(hours=24)
    assert due == local(2026, 3, 8, 13, 0)
    fall = local(2026, 10, 31, 12, 0)
    assert always.add_business_time(fall, timedelta(hours=24)) == local(2026, 11, 1, 11, 0)


def test_an_interval_closing_in_the_skipped_hour_closes_when_the_clocks_jump():
    night = Calendar.build(week(sun=[["00:00", "02:30"]]), (), "America/Chicago")
    start = local(2026, 3, 8, 1, 0)  # CST; at 02:00 the clocks jump to 03:00 CDT
    assert night.add_business_time(start, timedelta(hours=1)) == local(2026, 3, 8, 3, 0)
    # No working time after the jump: the next minute is a week later.
    assert night.add_business_time(start, timedelta(minutes=61)) == local(2026, 3, 15, 0, 1)
    assert night.business_time_between(local(2026, 3, 8, 0, 0), local(2026, 3, 9)) == timedelta(
        hours=2
    )


def test_intervals_either_side_of_the_skipped_hour_are_not_counted_twice():
    night = Calendar.build(
        week(sun=[["00:00", "02:30"], ["03:00", "04:00"]]), (), "America/Chicago"
    )
    midnight = local(2026, 3, 8, 0, 0)
    # 00:00-02:00 CST, then 03:00-04:00 CDT: three real hours of work.
    assert night.business_time_between(midnight, local(2026, 3, 8, 4, 0)) == timedelta(hours=3)
    assert night.add_business_time(midnight, timedelta(minutes=165)) == local(2026, 3, 8, 3, 45)
    assert night.add_business_time(midnight, timedelta(hours=3)) == local(2026, 3, 8, 4, 0)


def test_an_interval_through_the_repeated_hour_lasts_an_hour_longer():
    night = Calendar.build(week(sun=[["00:00", "03:00"]]), (), "America/Chicago")
    start = local(2026, 11, 1, 0, 0)
    assert night.business_time_between(start, local(2026, 11, 2)) == timedelta(hours=4)
    assert night.add_business_time(start, timedelta(hours=4)) == local(2026, 11, 1, 3, 0)


def test_business_time_between_is_zero_for_an_empty_or_reversed_span():
    start = local(2026, 5, 19, 10, 0)
    assert office().business_time_between(start, start) == timedelta(0)
    assert office().business_time_between(start, start - timedelta(hours=5)) == timedelta(0)
    # A whole weekend has no working time.
    assert office().business_time_between(
        local(2026, 5, 16, 0, 0), local(2026, 5, 18, 8, 0)
    ) == timedelta(0)


def test_a_calendar_whose_every_day_is_a_holiday_fails_loudly():
    first = date(2026, 1, 1)
    every_day = tuple(first + timedelta(days=n) for n in range(4 * 366))
    with pytest.raises(ValueError, match="three years"):
        office(every_day).add_business_time(local(2026, 1, 2, 9, 0), timedelta(hours=1))
    with pytest.raises(ValueError, match="three years"):
        office(every_day).add_business_days(local(2026, 1, 2, 9, 0), 1)


# --- Business days ----------------------------------------------------------------------


def test_business_day_from_friday_afternoon_is_monday_afternoon():
    due = compute_due(local(2026, 3, 6, 16, 0), 1, "days", "business", office())
    assert due == local(2026, 3, 9, 16, 0)  # same wall-clock time, now CDT


def test_business_day_skips_a_monday_holiday():
    due = compute_due(local(2026, 5, 22, 16, 0), 1, "days", "business", office((MEMORIAL_DAY,)))
    assert due == local(2026, 5, 26, 16, 0)


def test_business_days_filed_on_saturday_count_from_monday_opening():
    saturday = local(2026, 5, 16, 10, 0)
    assert compute_due(saturday, 1, "days", "business", office()) == local(2026, 5, 19, 8, 0)
    assert compute_due(saturday, 3, "days", "business", office()) == local(2026, 5, 21, 8, 0)


def test_business_days_filed_after_closing_count_from_next_opening():
    evening = local(2026, 5, 19, 18, 0)  # Tuesday evening
    assert compute_due(evening, 1, "days", "business", office()) == local(2026, 5, 21, 8, 0)


def test_business_day_landing_on_a_short_day_uses_its_closing_time():
    hours = dict(DEFAULT_HOURS) | {"fri": [["08:00", "12:00"]]}
    calendar = Calendar.build(hours, (), "America/Chicago")
    thursday = local(2026, 5, 21, 15, 0)
    assert calendar.add_business_days(thursday, 1) == local(2026, 5, 22, 12, 0)


def test_business_day_landing_in_a_lunch_break_uses_the_closing_before_it():
    hours = dict(DEFAULT_HOURS) | {"wed": [["08:00", "12:00"], ["13:00", "17:00"]]}
    calendar = Calendar.build(hours, (), "America/Chicago")
    tuesday = local(2026, 5, 19, 12, 30)
    assert calendar.add_business_days(tuesday, 1) == local(2026, 5, 20, 12, 0)


# --- parse_week_hours -------------------------------------------------------------------


def test_parse_week_hours_accepts_unsorted_adjacent_intervals_and_midnight_close():
    hours = parse_week_hours(
        {"mon": [["13:00", "24:00"], ["08:00", "13:00"]], "sat": [], "sun": None}
    )
    assert hours.intervals(date(2026, 5, 18)) == ((time(8), time(13)), (time(13), None))
    assert hours.intervals(date(2026, 5, 19)) == ()  # Tuesday not listed: closed


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([["08:00", "17:00"]], "must map weekday names"),
        ("mon 08:00-17:00", "must map weekday names"),
        ({"monday": [["08:00", "17:00"]]}, "Unknown weekday names: monday"),
        ({"mon": [["08:00", "25:00"]]}, "'25:00' is not a time of day as HH:MM"),
        ({"mon": [["8:00", "17:00"]]}, "'8:00' is not a time of day"),
        ({"mon": [[800, "17:00"]]}, "800 is not a time of day"),
        ({"mon": [["08:00", "17:60"]]}, "'17:60' is not a time of day"),
        ({"mon": [["17:00", "08:00"]]}, "mon: 17:00–08:00 must close after it opens"),
        ({"tue": [["09:00", "09:00"]]}, "tue: 09:00–09:00 must close after it opens"),
        ({"wed": [["24:00", "24:00"]]}, "must close after it opens"),
        ({"thu": [["08:00", "12:00"], ["11:00", "17:00"]]}, "thu: working intervals overlap"),
        ({"fri": [["20:00", "24:00"], ["21:00", "22:00"]]}, "fri: working intervals overlap"),
        ({"mon": [["08:00"]]}, "mon: each interval is [opening, closing]"),
        ({"mon": ["08:00-17:00"]}, "each interval is [opening, closing]"),
        ({}, "at least one working interval"),
        ({day: [] for day in WEEKDAYS}, "at least one working interval"),
    ],
)
def test_parse_week_hours_rejects_with_the_reason(raw, message):
    with pytest.raises(ValueError) as excinfo:
        parse_week_hours(raw)
    assert message in str(excinfo.value)


# --- Properties -------------------------------------------------------------------------

# Interval boundaries on any quarter hour, often around 01:00-03:00 where DST changes happen.
QUARTER_HOURS = st.one_of(
    st.integers(min_value=0, max_value=96), st.integers(min_value=4, max_value=13)
).map(lambda n: n * 15)


@st.composite
def week_hours(draw: st.DrawFn) -> dict[str, list[list[str]]]:
    """1-2 working intervals on random weekdays; boundaries on any quarter hour (incl.
    those that DST skips or repeats), closing possibly at 24:00."""

    def hhmm(minutes: int) -> str:
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    working = draw(st.sets(st.sampled_from(WEEKDAYS), min_size=1))
    hours: dict[str, list[list[str]]] = {day: [] for day in WEEKDAYS}
    for day in working:
        count = draw(st.integers(min_value=1, max_value=2))
        bounds = sorted(draw(st.sets(QUARTER_HOURS, min_size=2 * count, max_size=2 * count)))
        hours[day] = [[hhmm(a), hhmm(b)] for a, b in zip(bounds[::2], bounds[1::2], strict=True)]
    return hours


def starts() -> st.SearchStrategy[datetime]:
    anywhere = st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    )
    near_dst = st.tuples(
        st.sampled_from([DST_STARTS, DST_ENDS]),
        st.integers(min_value=-4 * 24 * 60, max_value=4 * 24 * 60),
    ).map(lambda pair: pair[0] + timedelta(minutes=pair[1]))
    return st.one_of(anywhere, near_dst)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict, frozenset[date], datetime, timedelta]:
    hours = draw(week_hours())
    start = draw(starts())
    first_day = start.astimezone(CHICAGO).date()
    offsets = draw(st.lists(st.integers(min_value=-1, max_value=40), max_size=15))
    holidays = frozenset(first_day + timedelta(days=n) for n in offsets)
    weekly = sum(minutes(b) - minutes(a) for day in hours.values() for a, b in day)
    amount = timedelta(minutes=draw(st.integers(min_value=1, max_value=6 * weekly)))
    return hours, holidays, start, amount


def minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def first_instant_showing(day: date, hhmm: str) -> datetime:
    """The first real instant at which Chicago clocks show ``hhmm`` on ``day`` — or, for a
    wall time the clocks jump over, the instant they jump. Written independently of sla.py."""
    wall = datetime.combine(day, time(0)) + timedelta(minutes=minutes(hhmm))
    matches = [
        instant
        for fold in (0, 1)
        if (instant := wall.replace(tzinfo=CHICAGO, fold=fold).astimezone(UTC))
        .astimezone(CHICAGO)
        .replace(tzinfo=None)
        == wall
    ]
    if matches:
        return min(matches)
    instant = wall.replace(tzinfo=CHICAGO, fold=1).astimezone(UTC)  # before the jump
    while instant.astimezone(CHICAGO).replace(tzinfo=None) < wall:
        instant += timedelta(minutes=1)
    return instant


def working_spans(
    hours: dict, holidays: frozenset[date], first: date, last: date
) -> list[tuple[date, datetime, datetime]]:
    spans = []
    day = first
    while day <= last:
        if day not in holidays:
            for opening, closing in hours[WEEKDAYS[day.weekday()]]:
                begin, end = (
                    first_instant_showing(day, opening),
                    first_instant_showing(day, closing),
                )
                spans.append((day, begin, end))  # empty when DST skips the whole interval
        day += timedelta(days=1)
    return spans


@settings(max_examples=200, deadline=None)
@given(scenarios())
@example(  # closes at "02:15", which the clocks skip
    (week(sun=[["00:00", "02:15"]]), frozenset(), DST_STARTS, timedelta(minutes=1))
)
@example(  # two intervals either side of the skipped hour
    (
        week(sun=[["00:00", "02:30"], ["03:00", "04:00"]]),
        frozenset(),
        DST_STARTS - timedelta(hours=2),
        timedelta(minutes=165),
    )
)
def test_business_time_due_is_exactly_amount_of_working_time_later(scenario):
    hours, holidays, start, amount = scenario
    calendar = Calendar.build(hours, holidays, "America/Chicago")
    due = calendar.add_business_time(start, amount)

    assert due >= start
    assert calendar.business_time_between(start, due) == amount

    spans = working_spans(
        hours,
        holidays,
        start.astimezone(CHICAGO).date() - timedelta(days=1),
        due.astimezone(CHICAGO).date() + timedelta(days=1),
    )
    # The due instant is inside a working interval of a working, non-holiday day (or at its
    # closing), and the working time between start and due, counted independently, is amount.
    containing = [(day, b, e) for day, b, e in spans if b < due <= e]
    assert containing, f"{due.astimezone(CHICAGO)} is outside working hours"
    for day, _begin, _end in containing:
        assert day not in holidays
        assert hours[WEEKDAYS[day.weekday()]]
    counted = sum(
        (min(e, due) - max(b, start) for _day, b, e in spans if b < due and e > start),
        timedelta(0),
    )
    assert counted == amount


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.integers(min_value=1, max_value=100))
@example(
    (
        week(sun=[["00:00", "02:30"], ["03:00", "04:00"]]),
        frozenset(),
        DST_STARTS - timedelta(hours=2),
        timedelta(minutes=165),
    ),
    82,
)
def test_business_time_adds_up(scenario, percent):
    hours, holidays, start, total = scenario
    first = total * percent // 100
    assume(timedelta(0) < first < total)
    calendar = Calendar.build(hours, holidays, "America/Chicago")
    in_two_steps = calendar.add_business_time(
        calendar.add_business_time(start, first), total - first
    )
    assert calendar.add_business_time(start, total) == in_two_steps


@settings(max_examples=100, deadline=None)
@given(starts(), st.integers(min_value=1, max_value=400))
def test_calendar_days_keep_the_local_wall_clock_time(start, days):
    due = compute_due(start, days, "days", "calendar", office())
    before, after = start.astimezone(CHICAGO), due.astimezone(CHICAGO)
    assert after.date() == before.date() + timedelta(days=days)
    if after.replace(tzinfo=None) == before.replace(tzinfo=None) + timedelta(days=days):
        return
    # Only a wall time the clocks skip on the target day may move: by the size of the jump.
    assert after.replace(tzinfo=None) - (before.replace(tzinfo=None) + timedelta(days=days)) == (
        timedelta(hours=1)
    )


@settings(max_examples=100, deadline=None)
@given(scenarios(), st.integers(min_value=1, max_value=30))
@example(  # the same position a week later is "02:10", which the clocks skip that day
    (week(sun=[["00:00", "02:15"]]), frozenset(), local(2026, 3, 1, 2, 10), timedelta(0)), 1
)
def test_business_days_land_on_a_working_day_within_its_hours(scenario, days):
    hours, holidays, start, _amount = scenario
    calendar = Calendar.build(hours, holidays, "America/Chicago")
    due = calendar.add_business_days(start, days)
    assert due > start
    spans = working_spans(
        hours,
        holidays,
        due.astimezone(CHICAGO).date() - timedelta(days=1),
        due.astimezone(CHICAGO).date() + timedelta(days=1),
    )
    assert any(b <= due <= e for _day, b, e in spans)


# --- Pausing the clock (extend_due) and the at-risk time --------------------------------


def test_a_pause_during_working_hours_moves_a_business_due_time_by_the_paused_hours():
    due = local(2026, 5, 22, 15, 0)  # Friday
    pause = (local(2026, 5, 21, 15, 0), local(2026, 5, 22, 10, 0))
    # Thursday 15:00-17:00 and Friday 08:00-10:00: four working hours; from Friday 15:00
    # that is two hours on Friday and two on Monday.
    assert extend_due(due, *pause, office(), "business") == local(2026, 5, 25, 10, 0)


def test_a_pause_over_a_weekend_or_a_night_does_not_move_a_business_due_time():
    due = local(2026, 5, 26, 12, 0)
    weekend = (local(2026, 5, 22, 17, 0), local(2026, 5, 25, 8, 0))
    assert extend_due(due, *weekend, office(), "business") == due
    night_and_holiday = (local(2026, 5, 22, 18, 0), local(2026, 5, 26, 8, 0))
    assert extend_due(due, *night_and_holiday, office((MEMORIAL_DAY,)), "business") == due


def test_a_pause_moves_a_calendar_due_time_by_the_elapsed_real_time_across_dst():
    due = local(2026, 3, 9, 10, 0)
    start, end = local(2026, 3, 7, 12, 0), local(2026, 3, 8, 12, 0)  # 23 real hours
    assert extend_due(due, start, end, office(), "calendar") - due == timedelta(hours=23)


def test_a_pause_that_starts_after_the_due_time_changes_nothing():
    due = local(2026, 5, 19, 10, 0)
    later = (local(2026, 5, 19, 11, 0), local(2026, 5, 20, 11, 0))
    assert extend_due(due, *later, office(), "business") == due
    assert extend_due(due, *later, office(), "calendar") == due


def test_the_at_risk_time_is_the_share_of_the_working_time_to_the_due_time():
    start, due = local(2026, 5, 22, 13, 0), local(2026, 5, 26, 11, 0)  # 4 + 9 + 3 hours
    at_risk = at_risk_from(start, due, 0.75, office(), "business")
    assert at_risk == local(2026, 5, 25, 16, 0)  # 12 working hours later: 4 Fri, 8 Mon
    # 94 real hours; three quarters of them is 70.5 hours.
    assert at_risk_from(start, due, 0.75, office(), "calendar") == local(2026, 5, 25, 11, 30)
    assert at_risk_from(start, due, 1.0, office(), "business") == due


CLOCKS = st.sampled_from(["business", "calendar"])
PAUSES = st.tuples(
    st.integers(min_value=-3 * 24 * 60, max_value=10 * 24 * 60),
    st.integers(min_value=0, max_value=5 * 24 * 60),
)


@st.composite
def paused_scenarios(draw: st.DrawFn) -> tuple[Calendar, datetime, datetime, datetime]:
    """A calendar, a due time a working amount after a start, and a pause around it."""
    hours, holidays, start, amount = draw(scenarios())
    calendar = Calendar.build(hours, holidays, "America/Chicago")
    due = calendar.add_business_time(start, amount)
    offset, length = draw(PAUSES)
    paused_from = start + timedelta(minutes=offset)
    return calendar, due, paused_from, paused_from + timedelta(minutes=length)


@settings(max_examples=150, deadline=None)
@given(paused_scenarios(), CLOCKS)
def test_a_pause_never_moves_the_due_time_earlier_and_adds_exactly_the_paused_time(scenario, clock):
    calendar, due, paused_from, paused_to = scenario
    extended = extend_due(due, paused_from, paused_to, calendar, clock)
    assert extended >= due
    if paused_from >= due:
        assert extended == due
    elif clock == "calendar":
        assert extended - due == paused_to - paused_from
    else:
        # The due time moves on by exactly the working time of the pause.
        paused = calendar.business_time_between(paused_from, paused_to)
        assert calendar.business_time_between(due, extended) == paused
        assert (extended == due) == (paused == timedelta(0))


@settings(max_examples=100, deadline=None)
@given(paused_scenarios(), CLOCKS)
def test_pausing_for_no_time_changes_nothing(scenario, clock):
    calendar, due, paused_from, _paused_to = scenario
    assert extend_due(due, paused_from, paused_from, calendar, clock) == due


@settings(max_examples=100, deadline=None)
@given(paused_scenarios())
def test_a_pause_outside_working_hours_does_not_count(scenario):
    calendar, due, paused_from, _paused_to = scenario
    # From any moment to the next opening (or within a closed stretch) no work is lost.
    next_opening, _end = next(calendar.working_intervals(paused_from))
    assert extend_due(due, paused_from, next_opening, calendar, "business") == due


@settings(max_examples=100, deadline=None)
@given(paused_scenarios(), CLOCKS, st.integers(min_value=0, max_value=3 * 24 * 60))
def test_extend_due_is_monotonic_in_the_due_time_and_the_pause_length(scenario, clock, more):
    calendar, due, paused_from, paused_to = scenario
    extended = extend_due(due, paused_from, paused_to, calendar, clock)
    later_due = due + timedelta(minutes=more)
    assert extend_due(later_due, paused_from, paused_to, calendar, clock) >= extended
    longer = paused_to + timedelta(minutes=more)
    assert extend_due(due, paused_from, longer, calendar, clock) >= extended


@settings(max_examples=100, deadline=None)
@given(paused_scenarios(), CLOCKS, st.integers(min_value=1, max_value=100))
def test_the_at_risk_time_lies_between_start_and_due_at_the_share(scenario, clock, percent):
    calendar, due, paused_from, _paused_to = scenario
    start = min(paused_from, due)
    share = percent / 100
    at_risk = at_risk_from(start, due, share, calendar, clock)
    assert start <= at_risk <= due
    if clock == "calendar":
        total, elapsed = due - start, at_risk - start
    else:
        total = calendar.business_time_between(start, due)
        elapsed = calendar.business_time_between(start, at_risk)
    assert abs(elapsed - total * share) <= timedelta(seconds=1)
