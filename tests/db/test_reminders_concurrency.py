"""Several bot processes sharing one PostgreSQL reminder queue never double a delivery.

Each "process" is its own asyncpg pool on the same schema, so the claims and leases below run on
different connections and really contend for the same rows; `FOR UPDATE SKIP LOCKED` is what keeps
their batches disjoint.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.db.postgres import PostgresDatabase
from bot.db.reminder_store import ReminderRepository
from bot.db.reminders import ClaimDecision, Decide, DueSchedule, ScheduleSpec
from tests.conftest import drop_postgres_schema, open_postgres_schema, postgres_url

NOW = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
TOMORROW = NOW + timedelta(days=1)
PROCESSES = 4
SCHEDULES = 2000
# Small batches, so every process comes back for many rounds while the others hold locks.
BATCH = 50


class Process:
    """One bot process: its own pool, its own repository."""

    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db
        self.reminders = ReminderRepository(db)


@pytest.fixture
async def processes() -> AsyncIterator[list[Process]]:
    first, schema = await open_postgres_schema()
    dbs = [first]
    try:
        await first.migrate()
        for _ in range(PROCESSES - 1):
            dbs.append(
                await PostgresDatabase.open(
                    postgres_url(), max_size=2, server_settings={"search_path": schema}
                )
            )
        yield [Process(db) for db in dbs]
    finally:
        for db in dbs:
            await db.close()
        await drop_postgres_schema(schema)


async def seed_due_schedules(db: PostgresDatabase, count: int) -> None:
    """`count` users with one schedule each, due one second apart before NOW (one round trip
    instead of thousands of save_schedule calls)."""
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO users (id, timezone, created_at) "
            "SELECT g, 'UTC', $1 FROM generate_series(1, $2) AS g",
            NOW,
            count,
        )
        await conn.execute(
            "INSERT INTO schedules (user_id, kind, local_time, days_mask, timezone, next_due, "
            "created_at, updated_at) "
            "SELECT g, 'stretch', '17:00', 127, 'UTC', $1::timestamptz - g * interval '1 second', "
            "$1, $1 "
            "FROM generate_series(1, $2) AS g",
            NOW,
            count,
        )


def recording(claimed: list[int]) -> Decide:
    def decide(schedule: DueSchedule) -> ClaimDecision:
        claimed.extend(schedule.ids)
        return ClaimDecision(status="pending", late_seconds=0, next_due=TOMORROW)

    return decide


async def claim_until_empty(process: Process, claimed: list[int]) -> None:
    while await process.reminders.claim_due(NOW, BATCH, recording(claimed)):
        pass


async def lease_until_empty(process: Process, now: datetime, leased: list[int]) -> None:
    while batch := await process.reminders.lease_pending(now, now + timedelta(seconds=60), BATCH):
        leased.extend(delivery.id for delivery, _ in batch)


def assert_disjoint_cover(per_process: list[list[int]], expected: set[int]) -> None:
    everything = [i for ids in per_process for i in ids]
    assert len(everything) == len(set(everything)), "an id was handed to two processes"
    assert set(everything) == expected


async def test_concurrent_claimers_claim_every_schedule_exactly_once(
    processes: list[Process],
) -> None:
    await seed_due_schedules(processes[0].db, SCHEDULES)
    async with processes[0].db.connection() as conn:
        schedule_ids = {row[0] for row in await conn.fetch("SELECT id FROM schedules")}

    claimed: list[list[int]] = [[] for _ in processes]
    await asyncio.gather(
        *(claim_until_empty(p, ids) for p, ids in zip(processes, claimed, strict=True))
    )

    assert_disjoint_cover(claimed, schedule_ids)
    async with processes[0].db.connection() as conn:
        deliveries, distinct = await conn.fetchrow(
            "SELECT count(*), count(DISTINCT schedule_id) FROM deliveries"
        )
        not_advanced = await conn.fetchval(
            "SELECT count(*) FROM schedules WHERE next_due IS DISTINCT FROM $1", TOMORROW
        )
    assert (deliveries, distinct) == (SCHEDULES, SCHEDULES)
    assert not_advanced == 0


async def test_concurrent_leasers_lease_every_delivery_exactly_once(
    processes: list[Process],
) -> None:
    await seed_due_schedules(processes[0].db, SCHEDULES)
    assert await processes[0].reminders.claim_due(NOW, SCHEDULES, recording([])) == SCHEDULES
    async with processes[0].db.connection() as conn:
        delivery_ids = {row[0] for row in await conn.fetch("SELECT id FROM deliveries")}

    leased: list[list[int]] = [[] for _ in processes]
    await asyncio.gather(
        *(lease_until_empty(p, NOW, ids) for p, ids in zip(processes, leased, strict=True))
    )
    assert_disjoint_cover(leased, delivery_ids)

    # Every sender "died": once the leases run out, the deliveries are shared out again, still
    # each to exactly one process.
    later = NOW + timedelta(seconds=61)
    again: list[list[int]] = [[] for _ in processes]
    await asyncio.gather(
        *(lease_until_empty(p, later, ids) for p, ids in zip(processes, again, strict=True))
    )
    assert_disjoint_cover(again, delivery_ids)
    async with processes[0].db.connection() as conn:
        attempts = await conn.fetch("SELECT DISTINCT attempts FROM deliveries")
    assert [row[0] for row in attempts] == [2]


async def test_an_expired_lease_goes_to_one_other_process_and_is_sent_once(
    processes: list[Process],
) -> None:
    crashed, *survivors = processes
    spec = ScheduleSpec(
        user_id=11, kind="stretch", local_time=time(17), days_mask=127, timezone="UTC"
    )
    await crashed.reminders.save_schedule(spec, NOW, NOW)
    assert await crashed.reminders.claim_due(NOW, 10, recording([])) == 1
    [(held, _)] = await crashed.reminders.lease_pending(NOW, NOW + timedelta(seconds=60), 10)

    # While the lease is live nobody else gets the row.
    during = await asyncio.gather(
        *(p.reminders.lease_pending(NOW + timedelta(seconds=30), NOW, 10) for p in survivors)
    )
    assert during == [[] for _ in survivors]

    # After it expires the survivors race for it; exactly one wins.
    later = NOW + timedelta(seconds=61)
    results = await asyncio.gather(
        *(p.reminders.lease_pending(later, later + timedelta(seconds=60), 10) for p in survivors)
    )
    winners = [(p, batch) for p, batch in zip(survivors, results, strict=True) if batch]
    assert len(winners) == 1
    winner, [(delivery, _)] = winners[0]
    assert delivery.id == held.id and delivery.attempts == 2

    await winner.reminders.mark_sent(delivery.id, 555, 777, later, 61)
    async with crashed.db.connection() as conn:
        rows = await conn.fetch("SELECT id, status FROM deliveries")
    assert [(row[0], row[1]) for row in rows] == [(held.id, "sent")]
    # A sent row is never leased again, whoever asks and however late.
    much_later = NOW + timedelta(hours=1)
    for p in processes:
        assert await p.reminders.lease_pending(much_later, much_later, 10) == []
