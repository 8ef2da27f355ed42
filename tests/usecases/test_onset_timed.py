"""Onset-timed stretch reminders (`/stretch remind time:auto`, issue 20) on the real engine and a
real SQLite file: whatever nights are saved and however the clock moves, a local date never gets
two stretch reminders, never loses its one, and the time stays within 12:00–22:00."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.db import build_repositories
from bot.db.sqlite import SqliteDatabase
from bot.errors import UserError
from bot.reminders.engine import EngineConfig, retimed_due
from bot.routines import STRETCH_KIND
from bot.scheduling.recurrence import DailySchedule, Weekdays, load_zone, local_date_of
from bot.sleep.form import NightForm, build_entry
from bot.usecases import Context, save_night, set_stretch_reminder
from tests.reminders.test_invariants import Recorder, RecordingEngine, one_per_local_date
from tests.zones import BEFORE_2026_CHANGES_IN_EUROPE_AND_THE_US

ZONES = ["Europe/Berlin", "America/New_York"]
# An ordinary week, and the days before both 2026 DST changes in Europe and the US.
STARTS = [
    datetime(2026, 3, 2, 12, tzinfo=UTC),
    datetime(2026, 3, 2, 17, tzinfo=UTC),
    *BEFORE_2026_CHANGES_IN_EUROPE_AND_THE_US,
]
EARLIEST, LATEST = time(12, 0), time(22, 0)

# Onsets from midday to after midnight (the time is clamped to 12:00–22:00), few enough that a
# save often swings the median.
onsets = st.sampled_from(["12:30", "16:00", "17:00", "19:20", "22:00", "23:40", "01:30"])
steps = st.lists(
    st.one_of(
        st.tuples(st.just("night"), st.integers(0, 3), onsets),
        # Minutes: short waits keep the local day, long ones cross it.
        st.tuples(
            st.just("wait"), st.one_of(st.integers(1, 4).map(lambda n: n * 30), st.integers(1, 960))
        ),
    ),
    min_size=1,
    max_size=16,
)
# Four nights before the start, two with symptoms at 17:00 and two at 22:00: one short of the
# five the time needs (it starts at 17:00), and balanced so that each night saved swings the
# median, and so the time, by hours.
SEEDED = {4: "17:00", 5: "22:00", 6: "17:00", 7: "22:00"}


class World:
    def __init__(self, ctx: Context, clock: FakeClock, recorder: Recorder) -> None:
        self.ctx, self.clock, self.recorder = ctx, clock, recorder


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    db = await SqliteDatabase.open(tmp_path / "auto.sqlite3")
    await db.migrate()
    repos = build_repositories(db)
    clock = FakeClock(STARTS[0])
    recorder = Recorder()
    engine = RecordingEngine(
        repos.reminders, repos.users, clock, recorder, EngineConfig(skip_after=timedelta(days=30))
    )
    yield World(Context(repos, engine), clock, recorder)
    await db.close()


_users = itertools.count(1)


async def wait(world: World, minutes: int) -> None:
    remaining = timedelta(minutes=minutes)
    while remaining > timedelta(0):
        move = min(remaining, timedelta(hours=6))
        world.clock.advance(move)
        remaining -= move
        await world.ctx.engine.tick()
        await world.ctx.engine.drain()


async def auto(world: World, user: int, zone: str, before: int) -> None:
    await set_stretch_reminder(
        world.ctx,
        user,
        local_time="auto",
        days_mask=None,
        zone=zone,
        where=None,
        guild_id=None,
        before=before,
    )


async def night(world: World, user: int, zone: str, back: int, onset: str) -> None:
    today = local_date_of(world.clock.now(), zone)
    form = NightForm(into_bed="23:30", final_wake="6:00", rls_onset=onset)
    try:
        entry = build_entry(
            form,
            user_id=user,
            night=today - timedelta(days=back),
            zone_name=zone,
            now=world.clock.now(),
        )
    except UserError:
        return  # tonight's night, before its morning: the bot refuses it too
    await save_night(world.ctx, entry)


async def play(world: World, start: datetime, zone: str, actions: list[tuple[Any, ...]]) -> None:
    ctx, clock = world.ctx, world.clock
    user = next(_users)
    # Examples share the database and the recorder; a failed one leaves its record behind.
    world.recorder.forget()
    clock.set(start)
    await ctx.repos.users.set_timezone(user, zone, clock.now())
    for back, onset in SEEDED.items():
        await night(world, user, zone, back, onset)
    await auto(world, user, zone, 60)
    started = await ctx.repos.reminders.get_schedule(user, STRETCH_KIND)
    assert started is not None and started.next_due is not None
    for action in actions:
        if action[0] == "night":
            await night(world, user, zone, action[1], action[2])
        else:
            await wait(world, action[1])
        schedule = await ctx.repos.reminders.get_schedule(user, STRETCH_KIND)
        assert schedule is not None
        assert EARLIEST <= schedule.local_time <= LATEST, schedule
    # Let every date's reminder come, then check the record.
    await wait(world, 3 * 24 * 60)
    one_per_local_date(world.recorder)
    sent = sorted(
        due
        for sid, reason, due in world.recorder.sent
        if sid == started.id and reason == "scheduled"
    )
    dates = [local_date_of(due, zone) for due in sent]
    # Never lost: from the first reminder's date to the last full day, each date had its one.
    first = local_date_of(started.next_due, zone)
    last = local_date_of(clock.now(), zone) - timedelta(days=1)
    expected = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    assert [d for d in dates if first <= d <= last] == expected, sent
    for due in sent:
        assert EARLIEST <= due.astimezone(load_zone(zone)).time() <= LATEST, due
    await ctx.engine.stop(user, STRETCH_KIND)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(start=st.sampled_from(STARTS), zone=st.sampled_from(ZONES), actions=steps)
async def test_night_saves_and_clock_moves_never_double_or_lose_a_date(
    world: World, start: datetime, zone: str, actions: list[tuple[Any, ...]]
) -> None:
    await play(world, start, zone, actions)


# -- the rule, case by case (Berlin, Monday 2 March 2026; CET = UTC+1) ----------------------------

BERLIN = "Europe/Berlin"


def at(hour: int, minute: int = 0, day: int = 2, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour - 1, minute, second, tzinfo=UTC)


def rule(hour: int, minute: int = 0) -> DailySchedule:
    return DailySchedule(time(hour, minute), Weekdays.EVERY_DAY, BERLIN)


@pytest.mark.parametrize(
    ("now", "old_due", "new", "expected", "why"),
    [
        (at(13), at(19), rule(18), at(18), "both ahead: today's moves"),
        (at(13), at(19), rule(20), at(20), "both ahead, later: moves"),
        (at(18, 30), at(19), rule(18), at(19), "new time passed: today's kept, new from tomorrow"),
        (at(19, 30), at(19, 0, day=3), rule(20), at(20, 0, day=3), "today's done: tomorrow moves"),
        (at(19, 0, second=20), at(19), rule(18), at(19), "due, not yet claimed, new passed: kept"),
        (
            at(19, 0, second=20),
            at(19),
            rule(20),
            None,
            "due, new still ahead: wait (no second one)",
        ),
    ],
)
def test_retimed_due(
    now: datetime, old_due: datetime, new: DailySchedule, expected: datetime | None, why: str
) -> None:
    last = None if old_due.day == 2 else at(19)
    assert retimed_due(new, old_due, now, last_claimed=last) == expected, why
