"""The reminder engine on a real SQLite file with a fake clock and a recording transport."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.db import Database, Repositories, build_repositories
from bot.db.reminders import Schedule, ScheduleSpec
from bot.db.sqlite import SqliteDatabase
from bot.errors import UserError
from bot.reminders.engine import PAUSE_DM_CLOSED, EngineConfig, ReminderEngine, recurrence_of
from bot.reminders.transport import (
    DeliveryError,
    LeaseLost,
    Outgoing,
    RecipientUnreachable,
    SentMessage,
    TargetUnavailable,
    TemporaryFailure,
)
from bot.scheduling.recurrence import Weekdays, local_date_of, scheduled_date_of
from tests.failing import failing

BERLIN = "Europe/Berlin"


class RecordingTransport:
    def __init__(self) -> None:
        self.sent: list[Outgoing] = []
        self.failures: list[DeliveryError] = []
        self.by_nonce: dict[str, int] = {}

    async def send(self, outgoing: Outgoing) -> SentMessage:
        if self.failures:
            raise self.failures.pop(0)
        if not await outgoing.ready():
            raise LeaseLost("not ours")
        self.sent.append(outgoing)
        message_id = self.by_nonce.setdefault(outgoing.nonce, 1000 + len(self.by_nonce))
        return SentMessage(channel_id=outgoing.schedule.channel_id or 500, message_id=message_id)


@pytest.fixture
async def repos(tmp_path: Path) -> AsyncIterator[Repositories]:
    db = await SqliteDatabase.open(tmp_path / "engine.sqlite3")
    await db.migrate()
    yield build_repositories(db)
    await db.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))  # a Monday, 13:00 in Berlin


@pytest.fixture
def transport() -> RecordingTransport:
    return RecordingTransport()


@pytest.fixture
def engine(repos: Repositories, clock: FakeClock, transport: RecordingTransport) -> ReminderEngine:
    return ReminderEngine(repos.reminders, repos.users, clock, transport, EngineConfig())


def stretch(
    user_id: int = 1,
    at: time = time(17, 0),
    days: Weekdays = Weekdays.EVERY_DAY,
    zone: str = BERLIN,
) -> ScheduleSpec:
    return ScheduleSpec(user_id, "stretch", at, days.to_mask(), zone)


async def claimed_at_first_due(engine: ReminderEngine, clock: FakeClock) -> Schedule:
    """The default stretch reminder (17:00 Berlin), claimed at its first due time."""
    schedule = await engine.subscribe(stretch())
    clock.set(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    await engine.tick()
    return schedule


async def run_until(
    engine: ReminderEngine, clock: FakeClock, end: datetime, step: timedelta
) -> None:
    while clock.now() < end:
        clock.advance(step)
        await engine.tick()
        await engine.drain()


async def test_claim_sends_once_and_advances_to_the_next_local_day(
    engine, clock, transport, repos
) -> None:
    schedule = await engine.subscribe(stretch())
    assert schedule.next_due == datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # 17:00 CET
    assert await engine.tick() == 0
    clock.set(datetime(2026, 3, 2, 16, 0, 20, tzinfo=UTC))
    assert await engine.tick() == 1
    assert await engine.tick() == 0
    report = await engine.drain()
    assert report.sent == 1 and len(transport.sent) == 1
    assert transport.sent[0].late_seconds == 20 and not transport.sent[0].is_late
    after = await repos.reminders.get_schedule(1, "stretch")
    assert after.next_due == datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
    [delivery] = await repos.reminders.recent_deliveries(schedule.id, 5)
    assert delivery.status == "sent" and delivery.message_id == 1000


async def test_chosen_days_are_respected(engine, clock, transport) -> None:
    await engine.subscribe(stretch(days=Weekdays.of(0, 2, 4)))  # Mon, Wed, Fri
    await run_until(engine, clock, clock.now() + timedelta(days=7), timedelta(minutes=30))
    days = [local_date_of(o.delivery.due_at, BERLIN).weekday() for o in transport.sent]
    assert days == [0, 2, 4]


@pytest.mark.parametrize(
    ("zone", "at", "start"),
    [
        (BERLIN, time(2, 30), datetime(2026, 3, 27, tzinfo=UTC)),  # spring gap
        ("America/Nuuk", time(23, 30), datetime(2026, 3, 26, tzinfo=UTC)),  # gap up to midnight
        (BERLIN, time(2, 30), datetime(2026, 10, 23, tzinfo=UTC)),  # autumn fold
        ("America/New_York", time(1, 30), datetime(2026, 10, 30, tzinfo=UTC)),  # fold
        ("America/New_York", time(2, 15), datetime(2026, 3, 6, tzinfo=UTC)),  # gap
    ],
)
async def test_exactly_one_per_local_day_across_dst(
    engine, clock, transport, zone, at, start
) -> None:
    clock.set(start)
    await engine.subscribe(stretch(at=at, zone=zone))
    await run_until(engine, clock, start + timedelta(days=5), timedelta(minutes=10))
    rule = recurrence_of(transport.sent[0].schedule)
    local_days = [scheduled_date_of(rule, o.delivery.due_at) for o in transport.sent]
    assert len(local_days) == len(set(local_days)) == 5
    assert all(o.late_seconds <= 600 for o in transport.sent)


async def test_restart_between_claim_and_send_resends_once_with_the_same_nonce(
    repos, clock, transport
) -> None:
    first = ReminderEngine(repos.reminders, repos.users, clock, transport)
    await claimed_at_first_due(first, clock)
    # The process leased the delivery and died before marking it sent.
    leased = await repos.reminders.lease_pending(
        clock.now(), clock.now() + timedelta(minutes=2), 10
    )
    assert len(leased) == 1
    crashed_nonce = Outgoing(leased[0][0], leased[0][1], 0, False).nonce

    restarted = ReminderEngine(repos.reminders, repos.users, clock, transport)
    assert await repos.reminders.release_leases() == 1
    clock.advance(timedelta(seconds=30))
    await restarted.tick()
    report = await restarted.drain()
    assert report.sent == 1
    assert [o.nonce for o in transport.sent] == [crashed_nonce]
    assert await restarted.drain() == type(report)()


async def test_a_refused_dm_pauses_the_schedule_and_is_never_retried(
    engine, clock, transport, repos
) -> None:
    await engine.subscribe(stretch())
    transport.failures.append(RecipientUnreachable("50007"))
    await run_until(engine, clock, datetime(2026, 3, 5, tzinfo=UTC), timedelta(hours=1))
    assert transport.sent == []
    status = await engine.status(1, "stretch", "stretch reminders")
    assert status.pause_reason == PAUSE_DM_CLOSED
    assert status.next_reminders == []
    assert status.last_delivery is not None and status.last_delivery.status == "failed"
    resumed = await engine.resume(1, "stretch", "stretch reminders")
    assert resumed.next_due is not None and resumed.pause_reason is None


async def test_temporary_failures_back_off_then_succeed(engine, clock, transport) -> None:
    await engine.subscribe(stretch())
    clock.set(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    transport.failures += [TemporaryFailure("HTTP 503"), TemporaryFailure("HTTP 502")]
    await engine.tick()
    assert (await engine.drain()).retried == 1
    assert (await engine.drain()).sent == 0  # waiting out the backoff
    clock.advance(timedelta(seconds=5))
    assert (await engine.drain()).retried == 1
    clock.advance(timedelta(seconds=10))
    assert (await engine.drain()).sent == 1
    assert len(transport.sent) == 1


async def test_a_gone_channel_falls_back_to_dm_with_a_notice(
    engine, clock, transport, repos
) -> None:
    await engine.subscribe(
        ScheduleSpec(1, "stretch", time(17), 127, BERLIN, guild_id=9, channel_id=90)
    )
    clock.set(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    transport.failures.append(TargetUnavailable("10003"))
    await engine.tick()
    report = await engine.drain()
    assert report.fell_back == 1 and report.sent == 1
    [outgoing] = transport.sent
    assert outgoing.schedule.channel_id is None
    assert outgoing.schedule.notice is not None
    schedule = await repos.reminders.get_schedule(1, "stretch")
    assert schedule.notice is None  # told once


async def test_late_deliveries_are_labelled_and_stale_ones_skipped(
    engine, clock, transport
) -> None:
    await engine.subscribe(stretch())
    clock.set(datetime(2026, 3, 2, 16, 45, tzinfo=UTC))  # 45 minutes late: bot was down
    await engine.tick()
    await engine.drain()
    assert transport.sent[0].is_late and transport.sent[0].late_seconds == 45 * 60

    clock.set(datetime(2026, 3, 3, 19, 0, tzinfo=UTC))  # 3 hours late
    await engine.tick()
    report = await engine.drain()
    assert report.sent == 0 and len(transport.sent) == 1
    status = await engine.status(1, "stretch", "stretch reminders")
    assert status.skipped_recently == 1
    assert status.last_delivery is not None and status.last_delivery.status == "skipped"
    assert status.next_reminders[0] == datetime(2026, 3, 4, 16, 0, tzinfo=UTC)


async def test_a_reminder_older_than_half_a_day_is_not_snoozed(engine, clock, transport) -> None:
    # Snoozed the next afternoon, yesterday's reminder would come as a second one today (for a
    # medicine: yesterday's tablet at 16:15, then today's at 17:00).
    await claimed_at_first_due(engine, clock)
    await engine.drain()
    [yesterdays] = [o.delivery for o in transport.sent]
    clock.set(yesterdays.due_at + timedelta(hours=12, minutes=1))
    with pytest.raises(UserError) as refused:
        await engine.snooze(yesterdays.id, 1)
    assert refused.value.message == (
        "That reminder was for Mon 17:00, too long ago to snooze. Nothing was changed; the next "
        "one comes Tue 17:00."
    )
    await engine.tick()
    assert (await engine.drain()).sent == 0  # nothing queued by the refused press
    # Within half a day (a late-evening reminder snoozed just after midnight) it still works.
    clock.set(yesterdays.due_at + timedelta(hours=11, minutes=59))
    snoozed = await engine.snooze(yesterdays.id, 1)
    assert snoozed.due_at == clock.now() + timedelta(minutes=15)


async def test_snooze_adds_one_delivery_without_moving_the_schedule(
    engine, clock, transport, repos
) -> None:
    await claimed_at_first_due(engine, clock)
    await engine.drain()
    original = transport.sent[0].delivery
    await engine.snooze(original.id, 1)
    with pytest.raises(UserError):
        await engine.snooze(original.id, 1)
    with pytest.raises(UserError):
        await engine.snooze(original.id, 2)  # not theirs
    clock.advance(timedelta(minutes=14))
    await engine.tick()
    assert (await engine.drain()).sent == 0
    clock.advance(timedelta(minutes=1))
    assert (await engine.drain()).sent == 1
    assert transport.sent[1].delivery.reason == "snooze"
    schedule = await repos.reminders.get_schedule(1, "stretch")
    assert schedule.next_due == datetime(2026, 3, 3, 16, 0, tzinfo=UTC)


async def first_reminder_sent(
    database: Database,
) -> tuple[Repositories, FakeClock, RecordingTransport, ReminderEngine]:
    """The default stretch reminder on `database` (either backend), its first one sent."""
    repos, clock, transport = (
        build_repositories(database),
        FakeClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC)),
        RecordingTransport(),
    )
    engine = ReminderEngine(repos.reminders, repos.users, clock, transport, EngineConfig())
    await claimed_at_first_due(engine, clock)
    await engine.drain()
    return repos, clock, transport, engine


async def test_cancelling_snoozes_leaves_the_next_scheduled_reminder(database: Database) -> None:
    """On both backends: an answered reminder's snooze is cancelled, the next day's is not."""
    repos, clock, transport, engine = await first_reminder_sent(database)
    await engine.snooze(transport.sent[0].delivery.id, 1)
    assert (
        await repos.reminders.cancel_pending_snoozes(transport.sent[0].delivery.id, clock.now())
        == 1
    )
    clock.advance(timedelta(minutes=20))
    await engine.tick()
    assert (await engine.drain()).sent == 0
    clock.set(datetime(2026, 3, 3, 16, 0, 5, tzinfo=UTC))  # the next day's one still comes
    await engine.tick()
    assert (await engine.drain()).sent == 1
    assert [o.delivery.reason for o in transport.sent] == ["scheduled", "scheduled"]


async def test_done_on_yesterdays_reminder_leaves_todays_snooze(database: Database) -> None:
    """On both backends: Done pressed late on yesterday's reminder cancels the snoozes of that
    reminder only; today's reminder, snoozed, still comes back."""
    repos, clock, transport, engine = await first_reminder_sent(database)
    clock.set(datetime(2026, 3, 2, 16, 5, tzinfo=UTC))
    yesterday = transport.sent[0].delivery
    await engine.snooze(yesterday.id, 1)
    clock.set(datetime(2026, 3, 2, 16, 25, tzinfo=UTC))
    await engine.tick()
    assert (await engine.drain()).sent == 1  # its snooze came
    clock.set(datetime(2026, 3, 3, 16, 0, 5, tzinfo=UTC))
    await engine.tick()
    await engine.drain()
    today = transport.sent[2].delivery
    await engine.snooze(today.id, 1)
    await engine.done(yesterday.id, 1)
    clock.set(datetime(2026, 3, 3, 16, 16, tzinfo=UTC))
    await engine.tick()
    assert (await engine.drain()).sent == 1
    assert transport.sent[3].delivery.snoozed_from == today.id
    assert [o.delivery.reason for o in transport.sent] == [
        "scheduled",
        "snooze",
        "scheduled",
        "snooze",
    ]
    await engine.done(today.id, 1)
    assert await repos.reminders.cancel_pending_snoozes(today.id, clock.now()) == 0


async def test_done_streak_counts_scheduled_days(engine, clock, transport) -> None:
    await engine.subscribe(stretch(days=Weekdays.WEEKDAYS))
    for _ in range(8):  # Mon..next Tue, pressing Done on each delivery
        await run_until(engine, clock, clock.now() + timedelta(days=1), timedelta(hours=1))
        for outgoing in transport.sent:
            await engine.done(outgoing.delivery.id, 1)
    status = await engine.status(1, "stretch", "stretch reminders")
    assert local_date_of(clock.now(), BERLIN) == date(2026, 3, 10)
    # Mon-Fri and Mon are done; today's (Tue) is still to come: the weekend breaks nothing.
    assert status.streak == 6
    with pytest.raises(UserError):
        await engine.done(transport.sent[0].delivery.id, 2)


async def test_pause_and_zone_change(engine, clock) -> None:
    await engine.subscribe(stretch())
    paused = await engine.pause(1, "stretch", 3, "stretch reminders")
    assert paused.next_due == datetime(2026, 3, 5, 16, 0, tzinfo=UTC)
    status = await engine.status(1, "stretch", "stretch reminders")
    assert status.pause_reason == "user" and status.paused_until == clock.now() + timedelta(days=3)
    [moved] = await engine.change_zone(1, "America/New_York")
    assert moved.timezone == "America/New_York"
    assert moved.next_due == datetime(2026, 3, 5, 22, 0, tzinfo=UTC)  # still paused, 17:00 EST
    with pytest.raises(UserError):
        await engine.pause(2, "stretch", 3, "stretch reminders")


async def test_stopping_finishes_the_send_in_flight_and_hands_back_the_rest(repos, clock) -> None:
    started, gate = asyncio.Event(), asyncio.Event()

    class SlowTransport:
        async def send(self, outgoing: Outgoing) -> SentMessage:
            started.set()
            await gate.wait()
            assert await outgoing.ready()
            return SentMessage(channel_id=1, message_id=outgoing.delivery.id)

    engine = ReminderEngine(
        repos.reminders, repos.users, clock, SlowTransport(), EngineConfig(max_in_flight=1)
    )
    for user in (1, 2):
        await engine.subscribe(stretch(user_id=user))
    clock.set(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    await engine.tick()
    engine.start_sender()
    await started.wait()
    stopping = asyncio.create_task(engine.stop_sender())
    await asyncio.sleep(0)  # let stop_sender raise its flag before the send completes
    gate.set()
    await stopping
    statuses = {}
    for user in (1, 2):
        schedule = await repos.reminders.get_schedule(user, "stretch")
        [delivery] = await repos.reminders.recent_deliveries(schedule.id, 1)
        statuses[user] = (delivery.status, delivery.error)
    assert sorted(statuses.values()) == [("pending", "released at shutdown"), ("sent", None)]
    # Nothing is held: a restarted sender can take the rest at once.
    assert len(await repos.reminders.lease_pending(clock.now(), clock.now(), 10)) == 1


async def test_a_retry_is_sent_at_the_next_tick_even_when_nothing_new_is_due(repos, clock) -> None:
    transport = RecordingTransport()
    engine = ReminderEngine(repos.reminders, repos.users, clock, transport)
    await engine.subscribe(stretch())
    clock.set(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    transport.failures.append(TemporaryFailure("HTTP 503"))
    await engine.tick()
    assert (await engine.drain()).retried == 1
    engine._wake.clear()
    clock.advance(timedelta(seconds=30))  # the backoff is over; no schedule is due
    assert await engine.tick() == 0
    assert engine._wake.is_set()  # the sender is woken for the retry
    assert (await engine.drain()).sent == 1


async def test_a_refused_dm_is_recorded_with_its_pause_or_not_at_all(
    engine, clock, transport, repos
) -> None:
    await claimed_at_first_due(engine, clock)
    # A crash between recording the refusal and pausing: neither is kept, the delivery is retried.
    broken = ReminderEngine(
        failing(repos.reminders, "set_next_due"), repos.users, clock, transport, EngineConfig()
    )
    transport.failures.append(RecipientUnreachable("50007"))
    assert (await broken.drain()).retried == 1
    status = await engine.status(1, "stretch", "stretch reminders")
    assert status.pause_reason is None
    delivery = await repos.reminders.get_delivery(1)
    assert delivery is not None and delivery.status == "pending"
    # The retry is refused too: now both are recorded.
    clock.advance(timedelta(minutes=1))
    transport.failures.append(RecipientUnreachable("50007"))
    assert (await engine.drain()).failed == 1
    status = await engine.status(1, "stretch", "stretch reminders")
    assert status.pause_reason == PAUSE_DM_CLOSED
    assert status.last_delivery is not None and status.last_delivery.status == "failed"
