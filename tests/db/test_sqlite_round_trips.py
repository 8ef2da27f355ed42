"""How many trips to aiosqlite's worker thread the busiest commands cost, counted (never timed).

Every aiosqlite call is a hop from the event loop to the connection's thread and back: a queue put,
then a call_soon_threadsafe wake-up of the loop. Under load those hops were most of the loop's time
per command (`async with conn.execute(...)` plus a fetch costs three; `async for` over a cursor at
least four), so these bounds keep the count from silently growing back. The calls mirror what the
cogs do: `/rls tip` (cogs/tips.py `next_tip`), `/stretch status` (the engine's `status`) and
`/sleep stats` (cogs/sleep.py `SleepService.zone` and `nights`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.clock import FakeClock
from bot.db import Repositories, build_repositories
from bot.db.reminders import ScheduleSpec
from bot.db.sqlite import SqliteDatabase
from bot.db.tip_history import KEEP
from bot.reminders.engine import ReminderEngine
from bot.sleep.stats import window
from tests.db.test_diary import entry

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
USER = 42
ZONE = "Europe/Berlin"
NIGHTS = 100  # more than aiosqlite's 64-row chunk, so reading them by cursor would cost more trips
DONE = 10


class TripCounter:
    """Counts every call that crosses to an aiosqlite connection's thread (cursor calls included:
    they go through the connection's ``_execute`` as well)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.trips = 0
        original = aiosqlite.Connection._execute

        async def counted(conn: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
            self.trips += 1
            return await original(conn, fn, *args, **kwargs)

        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)

    async def count(self, call: Callable[[], Awaitable[Any]]) -> int:
        before = self.trips
        await call()
        return self.trips - before


@dataclass
class Bot:
    repos: Repositories
    engine: ReminderEngine


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    """One user with a zone, a stretch schedule with Done reminders, a long diary and a full tip
    history: every read below has rows to return."""
    db = await SqliteDatabase.open(tmp_path / "trips.sqlite3")
    await db.migrate()
    repos = build_repositories(db)
    engine = ReminderEngine(repos.reminders, repos.users, FakeClock(NOW))
    await repos.users.set_timezone(USER, ZONE, NOW)
    schedule = await engine.subscribe(ScheduleSpec(USER, "stretch", time(17), 0b1111111, ZONE))
    for days in range(1, DONE + 1):
        due = NOW - timedelta(days=days)
        delivery = await repos.reminders.add_delivery(schedule, due, "now", due)
        assert delivery is not None
        await repos.reminders.mark_done(delivery.id, USER, due + timedelta(minutes=5))
    for nights in range(NIGHTS):
        await repos.diary.save(entry(USER, NOW.date() - timedelta(days=nights)), NOW)
    for n in range(KEEP + 5):
        await repos.tip_history.record(USER, f"tip-{n}", NOW)
    yield Bot(repos, engine)
    await db.close()


async def test_rls_tip(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    counter = TripCounter(monkeypatch)
    recent: list[str] = []

    async def read() -> None:
        recent.extend(await bot.repos.tip_history.recent(USER, KEEP))

    assert await counter.count(read) <= 1
    assert len(recent) == KEEP
    # BEGIN IMMEDIATE, the profile, making room, the view and COMMIT, in one trip. Two in all:
    # which tip to show depends on the recent ones, and choosing is Python on the loop.
    assert await counter.count(lambda: bot.repos.tip_history.record(USER, "tip-3", NOW)) == 1
    assert counter.trips <= 2
    recent.clear()
    await read()
    assert recent[0] == "tip-3" and len(recent) == KEEP and len(set(recent)) == KEEP

    # What /rls tip does now: the read, the choice (plain Python) and the write in one trip.
    def choose(seen: list[str]) -> str:
        assert seen == recent
        return "tip-new"

    chosen: list[str] = []

    async def choose_and_record() -> None:
        chosen.append(await bot.repos.tip_history.choose_and_record(USER, choose, NOW))

    assert await counter.count(choose_and_record) == 1
    assert chosen == ["tip-new"]
    assert (await bot.repos.tip_history.recent(USER))[:2] == ["tip-new", "tip-3"]


async def test_stretch_status(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    counter = TripCounter(monkeypatch)
    statuses = []

    async def status() -> None:
        statuses.append(await bot.engine.status(USER, "stretch", "stretch reminders"))

    assert await counter.count(status) <= 1
    assert statuses[0].streak == DONE and len(statuses[0].next_reminders) == 3


async def test_sleep_stats(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    counter = TripCounter(monkeypatch)
    days = 365
    start, end = window(days, NOW.date())
    found: dict[str, int] = {}

    async def zone() -> None:
        profile = await bot.repos.users.get(USER)
        assert profile is not None and profile.timezone == ZONE

    async def entries() -> None:
        found["nights"] = len(await bot.repos.diary.between(USER, start, end))

    async def done() -> None:
        since = NOW - timedelta(days=days + 2)
        found["done"] = len(await bot.repos.reminders.done_due_times(USER, "stretch", since))

    assert await counter.count(zone) <= 1
    assert await counter.count(entries) <= 1
    assert await counter.count(done) <= 1
    assert counter.trips <= 3
    assert found == {"nights": NIGHTS, "done": DONE}

    # What /sleep stats does now: the three reads above as one statement, one trip.
    async def together() -> None:
        read = await bot.repos.diary.nights_with_done(USER, start, end, "stretch", since)
        assert read is not None and read.timezone == ZONE
        found["together"] = len(read.nights) * 1000 + len(read.done)

    since = NOW - timedelta(days=days + 2)
    assert await counter.count(together) == 1
    assert found["together"] == NIGHTS * 1000 + DONE


SINCE = NOW - timedelta(days=30)
READS: dict[str, Callable[[Repositories], Awaitable[Any]]] = {
    "users.get": lambda r: r.users.get(USER),
    "tip_history.recent": lambda r: r.tip_history.recent(USER),
    "diary.get": lambda r: r.diary.get(USER, NOW.date()),
    "diary.between": lambda r: r.diary.between(USER, date(2025, 1, 1), NOW.date()),
    "diary.recent_nights": lambda r: r.diary.recent_nights(USER, 25),
    "guild_settings.get": lambda r: r.guild_settings.get(7),
    "guild_settings.recent_changes": lambda r: r.guild_settings.recent_changes(7, 10),
    "guild_settings.recent_tips": lambda r: r.guild_settings.recent_tips(7),
    "reminders.get_schedule": lambda r: r.reminders.get_schedule(USER, "stretch"),
    "reminders.get_schedule_by_id": lambda r: r.reminders.get_schedule_by_id(1),
    "reminders.user_schedules": lambda r: r.reminders.user_schedules(USER),
    "reminders.get_delivery": lambda r: r.reminders.get_delivery(1),
    "reminders.recent_deliveries": lambda r: r.reminders.recent_deliveries(1, 20),
    "reminders.done_due_times": lambda r: r.reminders.done_due_times(USER, "stretch", SINCE),
    "reminders.pending_count": lambda r: r.reminders.pending_count(NOW),
    "reminders.get_dm_channel": lambda r: r.reminders.get_dm_channel(USER),
    "reminders.get_server_schedule": lambda r: r.reminders.get_server_schedule(7, "tip"),
    "reminders.schedule_activity": lambda r: r.reminders.schedule_activity(
        USER, "stretch", recent=20, done_since=SINCE, skipped_since=SINCE
    ),
}


@pytest.mark.parametrize("name", sorted(READS))
async def test_every_plain_read_is_one_trip(
    bot: Bot, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    counter = TripCounter(monkeypatch)
    assert await counter.count(lambda: READS[name](bot.repos)) == 1


async def test_pause_notice_check_costs_no_trip_when_nothing_can_be_waiting(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check after every command: one read the first time, none after it until a write to the
    reminders, and a pause the engine makes in between is still told (once)."""
    counter = TripCounter(monkeypatch)
    told: list[list[tuple[str, str]]] = []

    async def check() -> None:
        told.append(await bot.repos.reminders.take_pause_notices(USER, NOW))

    assert await counter.count(check) == 1
    assert await counter.count(check) == 0
    assert await counter.count(check) == 0
    schedule = await bot.repos.reminders.get_schedule(USER, "stretch")
    assert schedule is not None
    await bot.repos.reminders.set_next_due(schedule.id, None, NOW, pause_reason="dm_closed")
    await check()
    assert await counter.count(check) == 1  # told, then read again: the telling was a write
    assert await counter.count(check) == 0
    assert told == [[], [], [], [("stretch", "dm_closed")], [], []]


async def test_remembering_the_locale_costs_no_trip_while_it_stays_the_same(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every interaction carries the person's locale (for their reminders): one write when it
    is new to this process or changed, none on the commands after it."""
    from bot.i18n.memory import LocaleMemory

    counter = TripCounter(monkeypatch)
    memory = LocaleMemory(bot.repos.users)
    assert await counter.count(lambda: memory.note(USER, "de", NOW)) == 1
    assert await counter.count(lambda: memory.note(USER, "de", NOW)) == 0
    assert await counter.count(lambda: memory.note(USER, "de", NOW)) == 0
    assert await counter.count(lambda: memory.note(USER, "en-GB", NOW)) == 1
    assert await counter.count(lambda: memory.note(USER, "en-GB", NOW)) == 0
    assert await bot.repos.users.locale(USER) == "en-GB"
