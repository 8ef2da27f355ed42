"""The engine's one-off form (a schedule with the ONCE bit: /labs add retest_in:) on both
backends: it fires once at its local date and time, survives a restart, is never due again, and
is kept as done; the renderer registry's families ("med:" renders every "med:…" kind)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.clock import FakeClock
from bot.db import Database, Repositories, build_repositories
from bot.db.reminders import ScheduleSpec
from bot.errors import UserError
from bot.reminders.engine import ONCE, PAUSE_DM_CLOSED, ReminderEngine, ReminderKind, is_once
from tests.reminders.test_engine import RecordingTransport

BERLIN = "Europe/Berlin"
KIND = "labs:retest"
ON = date(2026, 3, 30)  # the Monday after Berlin's spring change
DUE = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # 10:00 CEST


def engine_on(
    repos: Repositories, clock: FakeClock, transport: RecordingTransport
) -> ReminderEngine:
    return ReminderEngine(repos.reminders, repos.users, clock, transport)


@dataclass
class World:
    """User 1, who lives in Berlin, on 2 March 2026, and the engine that reminds them."""

    database: Database
    repos: Repositories
    clock: FakeClock
    transport: RecordingTransport
    engine: ReminderEngine

    def restarted(self) -> ReminderEngine:
        """The engine of a restarted bot: new repositories on the same database and clock, and
        sending through the same transport, so that every send is seen."""
        return engine_on(build_repositories(self.database), self.clock, self.transport)


@pytest.fixture
async def world(database: Database) -> World:
    repos = build_repositories(database)
    clock, transport = FakeClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC)), RecordingTransport()
    await repos.users.set_timezone(1, BERLIN, clock.now())
    return World(database, repos, clock, transport, engine_on(repos, clock, transport))


async def test_once_fires_once_and_is_kept_as_done(world: World) -> None:
    schedule = await world.engine.remind_once(1, KIND, ON, time(10, 0), BERLIN)
    assert schedule.next_due == DUE and is_once(schedule.days_mask)
    assert schedule.days_mask == ONCE | 1  # Monday
    assert world.engine.upcoming(schedule, 3) == [DUE]

    world.clock.set(DUE - timedelta(seconds=1))
    assert await world.engine.tick() == 0
    world.clock.set(DUE + timedelta(seconds=20))
    assert await world.engine.tick() == 1
    # A restart between the claim and the send: a new engine sends it, once.
    restarted = world.restarted()
    assert await restarted.tick() == 0
    assert (await restarted.drain()).sent == 1
    for day in range(1, 9):  # never due again, whatever the day or the weekday
        world.clock.set(DUE + timedelta(days=day, seconds=30))
        assert await restarted.tick() == 0
        await restarted.drain()
    assert [o.delivery.due_at for o in world.transport.sent] == [DUE]
    kept = await world.repos.reminders.get_schedule(1, KIND)
    assert kept is not None and kept.next_due is None and kept.pause_reason is None
    assert world.engine.upcoming(kept, 3) == []


async def test_once_replaces_and_moves_with_the_zone(world: World) -> None:
    first = await world.engine.remind_once(1, KIND, ON, time(10, 0), BERLIN)
    world.clock.advance(timedelta(days=3))
    later = await world.engine.remind_once(1, KIND, date(2026, 4, 6), time(9, 0), BERLIN)
    assert later.next_due == datetime(2026, 4, 6, 7, 0, tzinfo=UTC)
    # Asked for anew: its message names the day of this request, not of the one it replaced.
    assert first.created_at == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert later.created_at == datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
    assert await world.repos.reminders.get_schedule(1, KIND) == later
    [moved] = await world.engine.change_zone(1, "America/New_York")
    assert moved.next_due == later.next_due  # the instant it was set for stays
    world.clock.set(DUE + timedelta(seconds=5))
    assert await world.engine.tick() == 0  # the replaced date is gone


async def test_a_once_date_in_the_past_is_refused(database: Database) -> None:
    repos = build_repositories(database)
    clock = FakeClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    engine = engine_on(repos, clock, RecordingTransport())
    with pytest.raises(UserError):
        await engine.remind_once(1, KIND, date(2026, 3, 2), time(10, 0), BERLIN)
    assert await repos.reminders.get_schedule(1, KIND) is None


def test_a_family_renderer_renders_every_kind_of_its_family() -> None:
    engine = ReminderEngine(None, None, FakeClock(datetime(2026, 1, 1, tzinfo=UTC)))  # type: ignore[arg-type]
    engine.register_renderer("med:", "meds")
    engine.register_renderer("med:7:0", "exact")
    assert engine.renderer("med:12:3") == "meds"
    assert engine.renderer("med:7:0") == "exact"
    assert engine.renderer("medicine") is None
    assert engine.renderer("stretch") is None


async def test_a_familys_pauses_are_told_once_together(database: Database) -> None:
    repos = build_repositories(database)
    clock = FakeClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    engine = engine_on(repos, clock, RecordingTransport())
    for n in range(2):
        schedule = await engine.subscribe(ScheduleSpec(1, f"med:9:{n}", time(8, n), 127, BERLIN))
        await repos.reminders.set_next_due(
            schedule.id, None, clock.now(), pause_reason=PAUSE_DM_CLOSED
        )
    kinds = {"med:": ReminderKind("medicine reminders", "/meds list", "/meds add")}
    [notice] = await engine.pause_notices(1, kinds)
    assert "your medicine reminders are paused" in notice
    assert await engine.pause_notices(1, kinds) == []


async def test_a_once_reminder_missed_while_offline_arrives_late_once(world: World) -> None:
    """A retest reminder months away is never lost: the bot down for a day over its time sends
    it after the restart, late (the delivery says how late), and only once."""
    await world.engine.remind_once(1, KIND, ON, time(10, 0), BERLIN)
    world.clock.set(DUE + timedelta(days=1, minutes=3))  # offline over the due time
    restarted = world.restarted()
    assert await restarted.tick() == 1
    report = await restarted.drain()
    assert report.sent == 1 and report.skipped == 0
    [outgoing] = world.transport.sent
    assert outgoing.delivery.due_at == DUE
    assert outgoing.late_seconds == int(timedelta(days=1, minutes=3).total_seconds())
    for day in range(1, 4):
        world.clock.set(DUE + timedelta(days=1 + day))
        assert await restarted.tick() == 0
        await restarted.drain()
    assert len(world.transport.sent) == 1
    kept = await world.repos.reminders.get_schedule(1, KIND)
    assert kept is not None and kept.next_due is None


async def test_a_claimed_once_delivery_sent_late_after_a_restart(world: World) -> None:
    """Claimed on time, then the bot went down before sending: still sent, once."""
    await world.engine.remind_once(1, KIND, ON, time(10, 0), BERLIN)
    world.clock.set(DUE + timedelta(seconds=5))
    assert await world.engine.tick() == 1
    world.clock.set(DUE + timedelta(days=1))
    restarted = world.restarted()
    assert await restarted.tick() == 0
    assert (await restarted.drain()).sent == 1
    await restarted.drain()
    assert len(world.transport.sent) == 1
