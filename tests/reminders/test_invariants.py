"""The engine's promises under whatever users do, on the real engine and real databases.

At most one scheduled reminder per local date and schedule, across remind / pause / resume / stop,
the user's zone changes and the server's zone changes, with the clock moving over DST dates; a
reminder claimed but not sent when its owner pauses or stops is never sent; the multi-step
changes are one transaction.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.db import Database, Repositories, build_repositories
from bot.db.guild_settings import GuildSettings
from bot.db.reminders import ClaimDecision, DueSchedule, ScheduleSpec, ServerScheduleSpec
from bot.db.sqlite import SqliteDatabase
from bot.errors import UserError
from bot.guild_config import TIP_KIND, change_settings
from bot.reminders.engine import (
    DrainReport,
    EngineConfig,
    EngineObserver,
    ReminderChange,
    ReminderEngine,
)
from bot.reminders.transport import LeaseLost, Outgoing, SentMessage
from bot.scheduling.recurrence import local_date_of
from tests.failing import Broken, failing
from tests.zones import BEFORE_2026_CHANGES_IN_EUROPE_AND_THE_US, DST_ZONES

ZONES = DST_ZONES
# Starts a few days before DST changes of 2026 in both hemispheres, and an ordinary week.
STARTS = [
    *BEFORE_2026_CHANGES_IN_EUROPE_AND_THE_US,
    datetime(2026, 4, 3, 12, tzinfo=UTC),  # Auckland's and Lord Howe's change on 5 April
    datetime(2026, 6, 10, 12, tzinfo=UTC),
]
KIND = "stretch"
GUILD = 77


class Recorder:
    """A transport that records what it sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str, datetime]] = []
        # The zone each occurrence was claimed in, (schedule id, due) -> zone.
        self.claimed_in: dict[tuple[int, datetime], str] = {}

    def forget(self) -> None:
        """Start an example afresh: hypothesis runs every example on the same fixtures."""
        self.sent.clear()
        self.claimed_in.clear()

    async def send(self, outgoing: Outgoing) -> SentMessage:
        if not await outgoing.ready():
            raise LeaseLost("not ours")
        d = outgoing.delivery
        self.sent.append((d.schedule_id, d.reason, d.due_at))
        return SentMessage(channel_id=1, message_id=d.id)


class RecordingEngine(ReminderEngine):
    """The real engine; it notes the zone each schedule had when an occurrence was claimed."""

    def decide(self, now: datetime) -> Callable[[DueSchedule], ClaimDecision]:
        real = super().decide(now)
        recorder = self.transport
        assert isinstance(recorder, Recorder)

        def decide(schedule: DueSchedule) -> ClaimDecision:
            for schedule_id in schedule.ids:
                recorder.claimed_in[(schedule_id, schedule.next_due)] = schedule.timezone
            return real(schedule)

        return decide


def one_per_local_date(recorder: Recorder) -> None:
    by_schedule: dict[int, list[datetime]] = defaultdict(list)
    for schedule_id, reason, due in recorder.sent:
        if reason == "scheduled":
            by_schedule[schedule_id].append(due)
    for schedule_id, deliveries in by_schedule.items():
        deliveries.sort()
        for earlier, later in itertools.pairwise(deliveries):
            # Both read in the zone the later one was claimed in: the user's calendar then. (One
            # claimed before a move and sent after it was still meant for its own date.)
            zone = recorder.claimed_in[(schedule_id, later)]
            assert local_date_of(earlier, zone) < local_date_of(later, zone), deliveries


times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
actions = st.one_of(
    st.tuples(
        st.just("remind"),
        st.one_of(st.none(), times),
        st.one_of(st.none(), st.integers(1, 127)),
        st.one_of(st.none(), st.sampled_from(ZONES)),
    ),
    st.tuples(st.just("pause"), st.integers(1, 3)),
    st.tuples(st.just("resume")),
    st.tuples(st.just("stop")),
    st.tuples(st.just("timezone"), st.sampled_from(ZONES)),
    st.tuples(st.just("server"), st.one_of(st.none(), times), st.sampled_from(ZONES)),
    # Minutes; each wait ticks and sends. Short waits are likelier: they keep the same local day.
    st.tuples(st.just("wait"), st.one_of(st.integers(1, 6 * 60), st.integers(1, 48 * 60))),
    st.tuples(st.just("claim_only"), st.integers(1, 24 * 60)),  # claimed, not sent yet
)


@dataclass
class World:
    engine: ReminderEngine
    clock: FakeClock
    repos: Repositories
    recorder: Recorder


_users = itertools.count(1)


async def play(world: World, start: datetime, steps: list[tuple[Any, ...]]) -> None:
    """One user (new each example, so examples share a database) and one server."""
    engine, clock = world.engine, world.clock
    user = next(_users)
    guild = GUILD * 1000 + user
    clock.set(start)
    zone = "Europe/Berlin"
    await world.repos.users.set_timezone(user, zone, clock.now())
    for step in steps:
        name = step[0]
        try:
            if name == "remind":
                _, at, days, new_zone = step
                await engine.remind(
                    user,
                    KIND,
                    ReminderChange(at, days, new_zone),
                    default_time=time(17, 0),
                    default_days=127,
                    profile_zone=zone,
                )
                zone = new_zone or zone
            elif name == "pause":
                await engine.pause(user, KIND, step[1], "reminders")
            elif name == "resume":
                await engine.resume(user, KIND, "reminders")
            elif name == "stop":
                await engine.stop(user, KIND)
            elif name == "timezone":
                zone = step[1]
                await engine.change_zone(user, zone)
            elif name == "server":
                _, at, server_zone = step
                await engine.save_server_schedule(
                    ServerScheduleSpec(guild, 5, TIP_KIND, at or time(17, 0), 127, server_zone)
                )
            elif name in {"wait", "claim_only"}:
                # Ticks at most 8 hours apart: reminders are late, never stale (skip_after).
                remaining = timedelta(minutes=step[1])
                while remaining > timedelta(0):
                    move = min(remaining, timedelta(hours=8))
                    clock.advance(move)
                    remaining -= move
                    await engine.tick()
                    if name == "wait":
                        await engine.drain()
        except UserError:
            pass  # "not set up yet": the user tried something that does not apply
    clock.advance(timedelta(days=3))
    await engine.tick()
    await engine.drain()
    one_per_local_date(world.recorder)
    # Quiet this example's schedules so later examples in the same database do not claim them.
    await engine.stop(user, KIND)
    await world.repos.reminders.delete_server_schedules(guild)


EXAMPLES = settings(
    max_examples=100,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
async def world(database: Database) -> World:
    repos = build_repositories(database)
    clock = FakeClock(STARTS[0])
    recorder = Recorder()
    # skip_after far out: an action sequence may claim and hold a reminder for a day.
    config = EngineConfig(skip_after=timedelta(days=30))
    engine = RecordingEngine(repos.reminders, repos.users, clock, recorder, config)
    return World(engine, clock, repos, recorder)


@EXAMPLES
@given(start=st.sampled_from(STARTS), steps=st.lists(actions, min_size=1, max_size=12))
async def test_at_most_one_reminder_per_local_date_whatever_the_user_does(
    world: World, start: datetime, steps: list[tuple[Any, ...]]
) -> None:
    world.recorder.forget()
    await play(world, start, [("remind", None, None, None), *steps])


# -- the cases the issue reported, spelled out -------------------------------------------------


@pytest.fixture
async def sqlite_world(tmp_path: Path) -> AsyncIterator[World]:
    db = await SqliteDatabase.open(tmp_path / "engine.sqlite3")
    await db.migrate()
    repos = build_repositories(db)
    clock = FakeClock(datetime(2026, 3, 2, 12, tzinfo=UTC))  # Monday, 13:00 in Berlin
    recorder = Recorder()
    yield World(
        ReminderEngine(repos.reminders, repos.users, clock, recorder), clock, repos, recorder
    )
    await db.close()


def spec(at: time, zone: str = "Europe/Berlin") -> ScheduleSpec:
    return ScheduleSpec(1, KIND, at, 127, zone)


async def test_a_later_time_after_todays_reminder_starts_tomorrow(sqlite_world: World) -> None:
    engine, clock = sqlite_world.engine, sqlite_world.clock
    await engine.subscribe(spec(time(17, 30)))
    clock.set(datetime(2026, 3, 2, 16, 30, 5, tzinfo=UTC))
    await engine.tick()
    await engine.drain()
    clock.set(datetime(2026, 3, 2, 16, 40, tzinfo=UTC))
    changed = await engine.subscribe(spec(time(18, 0)))
    assert changed.next_due == datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
    resumed = await engine.resume(1, KIND, "reminders")
    assert resumed.next_due == datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
    # West to New York, where it is 11:40 on the same day: today there is done too.
    [moved] = await engine.change_zone(1, "America/New_York")
    assert moved.next_due == datetime(2026, 3, 3, 23, 0, tzinfo=UTC)  # 18:00 EST tomorrow


async def test_a_change_just_after_the_due_time_keeps_todays_reminder(sqlite_world: World) -> None:
    engine, clock = sqlite_world.engine, sqlite_world.clock
    await engine.subscribe(spec(time(17, 30)))
    clock.set(datetime(2026, 3, 2, 16, 30, 10, tzinfo=UTC))  # due, the tick has not run yet
    changed = await engine.remind(
        1,
        KIND,
        ReminderChange(days_mask=127),
        default_time=time(17, 0),
        default_days=127,
        profile_zone="Europe/Berlin",
    )
    assert changed.schedule.next_due == datetime(2026, 3, 2, 16, 30, tzinfo=UTC)


@pytest.mark.parametrize("action", ["pause", "stop"])
async def test_a_reminder_claimed_but_not_sent_is_not_sent_after(
    sqlite_world: World, action: str
) -> None:
    engine, clock = sqlite_world.engine, sqlite_world.clock
    await engine.subscribe(spec(time(17, 30)))
    clock.set(datetime(2026, 3, 2, 16, 30, 5, tzinfo=UTC))
    assert await engine.tick() == 1  # claimed: in the outbox
    if action == "pause":
        await engine.pause(1, KIND, 2, "reminders")
    else:
        assert await engine.stop(1, KIND)
    report = await engine.drain()
    assert report.sent == 0 and sqlite_world.recorder.sent == []
    schedule = await sqlite_world.repos.reminders.get_schedule(1, KIND)
    assert schedule is not None
    [delivery] = await sqlite_world.repos.reminders.recent_deliveries(schedule.id, 5)
    assert delivery.status == "cancelled"


async def test_a_leased_reminder_is_not_sent_after_a_pause(sqlite_world: World) -> None:
    """The sender leased it, then the user paused before its turn came: dropped, not sent."""
    engine, clock, repos = sqlite_world.engine, sqlite_world.clock, sqlite_world.repos
    await engine.subscribe(spec(time(17, 30)))
    clock.set(datetime(2026, 3, 2, 16, 30, 5, tzinfo=UTC))
    await engine.tick()
    [(delivery, schedule)] = await repos.reminders.lease_pending(
        clock.now(), clock.now() + timedelta(minutes=2), 10, engine.owner
    )
    await engine.pause(1, KIND, 1, "reminders")
    await engine._deliver(delivery, schedule, DrainReport())
    assert sqlite_world.recorder.sent == []


# -- one transaction per multi-step change, on both backends ------------------------------------


async def test_remind_with_a_zone_change_commits_together_or_not_at_all(repos) -> None:
    clock = FakeClock(datetime(2026, 3, 2, 12, tzinfo=UTC))
    good = ReminderEngine(repos.reminders, repos.users, clock)
    await good.change_zone(1, "Europe/Berlin")
    await good.subscribe(spec(time(17, 30)))
    broken = ReminderEngine(failing(repos.reminders, "save_schedule"), repos.users, clock)
    with pytest.raises(Broken):
        await broken.remind(
            1,
            KIND,
            ReminderChange(local_time=time(9, 0), zone="Asia/Tokyo"),
            default_time=time(17, 0),
            default_days=127,
            profile_zone="Europe/Berlin",
        )
    assert (await repos.users.get(1)).timezone == "Europe/Berlin"
    schedule = await repos.reminders.get_schedule(1, KIND)
    assert schedule.timezone == "Europe/Berlin" and schedule.local_time == time(17, 30)


async def test_tips_channel_settings_and_schedule_commit_together(repos) -> None:
    clock = FakeClock(datetime(2026, 3, 2, 12, tzinfo=UTC))
    broken = ReminderEngine(failing(repos.reminders, "save_server_schedule"), repos.users, clock)

    def edit(settings: GuildSettings) -> GuildSettings:
        return replace(settings, tips_channel_id=5, timezone="Europe/Berlin")

    with pytest.raises(Broken):
        await change_settings(repos.guild_settings, broken, GUILD, edit, 9)
    assert (await repos.guild_settings.get(GUILD)).tips_channel_id is None
    assert await repos.guild_settings.recent_changes(GUILD, 5) == []
    good = ReminderEngine(repos.reminders, repos.users, clock)
    update, schedule = await change_settings(repos.guild_settings, good, GUILD, edit, 9)
    assert update.after.tips_channel_id == 5 and schedule is not None


async def test_other_tasks_do_not_join_a_transaction(database: Database) -> None:
    """A transaction belongs to the task that opened it: another task waits or uses its own."""
    repos = build_repositories(database)
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    order: list[str] = []

    async def other() -> None:
        await repos.users.set_timezone(2, "Asia/Tokyo", now)
        order.append("other")

    async with repos.reminders.atomic():
        await repos.users.set_timezone(1, "Europe/Berlin", now)
        task = asyncio.create_task(other())
        await asyncio.sleep(0.01)
        order.append("inside")
    await task
    profile = await repos.users.get(2)
    assert profile is not None and profile.timezone == "Asia/Tokyo"
    if database.backend == "sqlite":
        assert order == ["inside", "other"]  # one writer: it waited for the commit


# -- one schedule that cannot be computed stops nobody else ---------------------------------------


class CountingObserver(EngineObserver):
    def __init__(self) -> None:
        self.paused: list[str] = []

    def schedule_paused(self, reason: str) -> None:
        self.paused.append(reason)


async def test_an_unreadable_zone_pauses_that_schedule_only(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    repos = build_repositories(database)
    clock = FakeClock(datetime(2026, 3, 2, 12, tzinfo=UTC))
    recorder, observer = Recorder(), CountingObserver()
    engine = ReminderEngine(repos.reminders, repos.users, clock, recorder, observer=observer)
    for user in (1, 2, 3):
        await engine.subscribe(ScheduleSpec(user, KIND, time(17, 30), 127, "Europe/Berlin"))
    # A zone later removed from tzdata, or a hand edit of the database.
    sql = "UPDATE schedules SET timezone = 'Mars/Olympus_Mons' WHERE user_id = 2"
    await (database.write(sql) if database.backend == "postgres" else database.write(sql, ()))
    clock.set(datetime(2026, 3, 2, 16, 30, 5, tzinfo=UTC))
    assert await engine.tick() == 3  # claimed: two sent, one paused
    assert await engine.tick() == 0  # and it does not come back every tick
    await engine.drain()
    assert sorted(schedule_id for schedule_id, _, _ in recorder.sent) == [1, 3]
    assert observer.paused == ["unreadable"]
    assert [r.levelname for r in caplog.records if "cannot compute" in r.getMessage()] == [
        "WARNING"
    ]
    status = await engine.status(2, KIND, "reminders")
    assert status.pause_reason == "unreadable" and status.next_reminders == []
    with pytest.raises(UserError, match="timezone set"):  # resuming cannot fix it: says how
        await engine.resume(2, KIND, "reminders")
    # Setting the zone again repairs it.
    [repaired] = await engine.change_zone(2, "Europe/Berlin")
    assert repaired.pause_reason is None
    assert repaired.next_due == datetime(2026, 3, 3, 16, 30, tzinfo=UTC)


async def test_changing_the_time_keeps_a_pause_the_user_asked_for(sqlite_world: World) -> None:
    engine = sqlite_world.engine
    await engine.subscribe(spec(time(17, 30)))
    paused = await engine.pause(1, KIND, 3, "reminders")
    changed = await engine.remind(
        1,
        KIND,
        ReminderChange(local_time=time(18, 0)),
        default_time=time(17, 0),
        default_days=127,
        profile_zone="Europe/Berlin",
    )
    assert changed.changed == ("time",)
    assert changed.schedule.pause_reason == "user"
    assert changed.schedule.paused_until == paused.paused_until
    assert changed.schedule.next_due == datetime(2026, 3, 5, 17, 0, tzinfo=UTC)  # 18:00 after it
