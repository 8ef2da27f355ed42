"""Property and exhaustive tests: the scheduler against the independent Timeline oracle."""

from __future__ import annotations

import functools
import itertools
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.scheduling import recurrence
from bot.scheduling.recurrence import DailySchedule, Weekdays

from .timeline import Timeline, Transition, find_transitions

ALL_ZONES = sorted(zoneinfo.available_timezones())
FIRST_DAY = date(2025, 1, 1)
LAST_DAY = date(2027, 12, 31)


def _changes_offset(name: str) -> bool:
    zone = ZoneInfo(name)
    # Twice a month, so that short periods such as Morocco's month-long Ramadan offset show up.
    offsets = {
        datetime(year, month, day, tzinfo=UTC).astimezone(zone).utcoffset()
        for year in (2025, 2026, 2027)
        for month in range(1, 13)
        for day in (1, 15)
    }
    return len(offsets) > 1


# Most zones never change offset, so half the draws come from the ones that do.
DST_ZONES = [name for name in ALL_ZONES if _changes_offset(name)]


@functools.cache
def transitions_2025_2027(name: str) -> tuple[Transition, ...]:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    return tuple(find_transitions(ZoneInfo(name), start, start.replace(year=2028)))


def walk(schedule: DailySchedule, after: datetime, horizon: datetime) -> list[datetime]:
    """Repeatedly ask for the next occurrence, as the reminder engine does after each firing."""
    instants: list[datetime] = []
    cursor = after
    while (cursor := recurrence.next_occurrence(schedule, cursor)) <= horizon:
        instants.append(cursor)
    return instants


def check_walk(schedule: DailySchedule, after: datetime, days: int) -> None:
    zone = schedule.tzinfo
    horizon = after + timedelta(days=days)
    timeline = Timeline(zone, after - timedelta(days=3), horizon + timedelta(days=3))
    walked = walk(schedule, after, horizon)

    assert all(i.tzinfo is UTC for i in walked)
    assert all(a < b for a, b in itertools.pairwise(walked)), "not strictly increasing"

    # Which local date each instant was for; one instant may serve two dates only when one gap
    # straddles midnight (policy rule 5), which no zone does in 2025-2027.
    dates_for: dict[datetime, list[date]] = {}
    first_date = recurrence.local_date_of(after, zone) - timedelta(days=1)
    last_date = recurrence.local_date_of(horizon, zone) + timedelta(days=1)
    day = first_date
    while day <= last_date:
        wanted = timeline.expected(day, schedule.local_time)
        is_selected = schedule.days.contains(day.weekday())
        if not timeline.date_exists(day):
            assert wanted is None
        if is_selected and wanted is not None and after < wanted <= horizon:
            dates_for.setdefault(wanted, []).append(day)
        # The building block agrees with the oracle on every date, selected or not.
        assert recurrence.occurrence_on(schedule, day) == (wanted if is_selected else None), day
        day += timedelta(days=1)

    assert walked == sorted(dates_for), _explain(schedule, walked, dates_for)
    for instant, served in dates_for.items():
        assert len(served) == 1, f"{instant} serves {served}"
        assert recurrence.scheduled_date_of(schedule, instant) == served[0]
        wall = datetime.combine(served[0], schedule.local_time)
        shown = timeline.instants_showing(wall)
        if shown:
            # Normal day, or a fold where it must be the first of the two readings.
            assert timeline.wall(instant) == wall
            assert instant == min(shown)
        else:
            # Gap: the requested time never showed; we fire as the clock jumps over it.
            assert timeline.wall(instant - timedelta(seconds=1)) < wall < timeline.wall(instant)


def _explain(
    schedule: DailySchedule, walked: list[datetime], expected: dict[datetime, list[date]]
) -> str:
    zone = schedule.tzinfo
    missing = sorted(set(expected) - set(walked))
    extra = sorted(set(walked) - set(expected))
    return (
        f"{schedule}: missing {[i.astimezone(zone).isoformat() for i in missing]}, "
        f"extra {[i.astimezone(zone).isoformat() for i in extra]}"
    )


local_times = st.one_of(
    st.builds(time, st.integers(0, 3), st.integers(0, 59)),  # where most transitions happen
    st.builds(time, st.integers(22, 23), st.integers(0, 59)),  # midnight-adjacent transitions
    st.builds(time, st.integers(0, 23), st.integers(0, 59)),
)
day_sets = st.integers(1, 0b111_1111).map(Weekdays.from_mask)
zones = st.one_of(st.sampled_from(ALL_ZONES), st.sampled_from(DST_ZONES))


@st.composite
def anywhere_any_day(draw: st.DrawFn) -> tuple[DailySchedule, datetime]:
    """Any schedule in any zone, and any instant from FIRST_DAY to LAST_DAY to start from."""
    schedule = DailySchedule(draw(local_times), draw(day_sets), draw(zones))
    start = datetime.combine(draw(st.dates(FIRST_DAY, LAST_DAY)), time(), UTC)
    return schedule, start + timedelta(seconds=draw(st.integers(0, 86_399)))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=anywhere_any_day(), window=st.integers(60, 90))
def test_walk_matches_policy_for_any_zone(
    case: tuple[DailySchedule, datetime], window: int
) -> None:
    schedule, after = case
    check_walk(schedule, after, window)


@st.composite
def around_a_transition(draw: st.DrawFn) -> tuple[DailySchedule, datetime]:
    """A schedule whose time falls inside or right next to a real 2025-2027 gap or fold."""
    zone = draw(st.sampled_from(DST_ZONES))
    transition = draw(st.sampled_from(transitions_2025_2027(zone)))
    low, high = transition.walls
    minutes = int((high - low).total_seconds() // 60)
    wall = low + timedelta(minutes=draw(st.integers(-2, minutes + 1)))
    days = draw(day_sets)
    # Start on either side of the transition, sometimes exactly at an occurrence-like instant.
    after = transition.at + timedelta(minutes=draw(st.integers(-6 * 24 * 60, 2 * 60)))
    return DailySchedule(wall.time(), days, zone), after


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=around_a_transition())
def test_walk_through_transitions(case: tuple[DailySchedule, datetime]) -> None:
    schedule, after = case
    check_walk(schedule, after, 14)


@settings(max_examples=150, deadline=None)
@given(case=anywhere_any_day())
def test_refiring_at_the_occurrence_moves_to_a_later_date(
    case: tuple[DailySchedule, datetime],
) -> None:
    # The engine calls next_occurrence(schedule, due) after firing; it must never repeat `due`,
    # and the result must not be for the same local date (no doubles in a fold).
    schedule, after = case
    due = recurrence.next_occurrence(schedule, after)
    following = recurrence.next_occurrence(schedule, due)
    assert following > due
    assert following >= due + timedelta(hours=20)  # a day minus the largest 2025-2027 shift


def _sweep_cases() -> list[tuple[str, Transition, datetime]]:
    cases = []
    year_start = datetime(2026, 1, 1, tzinfo=UTC)
    for name in ALL_ZONES:
        # Daily sampling finds every 2026 change (none come in pairs within a day) in ~1 s.
        zone = ZoneInfo(name)
        for transition in find_transitions(zone, year_start, year_start.replace(2027), 86_400):
            low, high = transition.walls
            middle = low + (high - low) / 2
            for wall in {low, middle.replace(second=0), high - timedelta(minutes=1)}:
                cases.append((name, transition, wall))
    return cases


def test_every_2026_transition_in_every_zone() -> None:
    """Deterministic sweep: each gap/fold of 2026, times at its start, middle and last minute."""
    cases = _sweep_cases()
    # ~190 zone names change offset twice in 2026, 3 times each; guards against a broken scan.
    assert len(cases) > 1000
    for name, transition, wall in cases:
        schedule = DailySchedule(wall.time(), Weekdays.EVERY_DAY, name)
        is_gap = transition.after > transition.before
        got = recurrence.occurrence_on(schedule, wall.date())
        if is_gap:
            assert got == transition.at, (name, wall)
        else:
            assert got == (wall - transition.before).replace(tzinfo=UTC), (name, wall)
        check_walk(schedule, transition.at - timedelta(days=3), 6)


def test_zone_sample_is_meaningful() -> None:
    # Zones the brief calls out must be among the DST-observing draws.
    for name in (
        "Europe/Berlin",
        "America/Santiago",
        "Australia/Lord_Howe",
        "America/Havana",
        "Africa/Casablanca",
    ):
        assert name in DST_ZONES
    assert len(ALL_ZONES) > 400


@pytest.mark.parametrize("name", ["Factory", "UTC", "Etc/GMT-14", "Asia/Kathmandu"])
def test_odd_but_valid_zones_walk(name: str) -> None:
    schedule = DailySchedule(time(2, 30), Weekdays.EVERY_DAY, name)
    check_walk(schedule, datetime(2026, 1, 1, tzinfo=UTC), 30)
