"""`migrate-to-postgres`: every row of a real SQLite database arrives in PostgreSQL, nothing lost."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.db import build_repositories
from bot.db.postgres import PostgresDatabase
from bot.db.reminders import ClaimDecision, DueSchedule, ScheduleSpec
from bot.db.sqlite import SqliteDatabase
from bot.db.transfer import TransferError, copy_sqlite_to_postgres
from bot.sleep.entry import SleepEntry
from tests.conftest import drop_postgres_schema, open_postgres_schema, postgres_url

NOW = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
PROJECT_ROOT = Path(__file__).resolve().parents[2]


async def make_source(path: Path) -> None:
    db = await SqliteDatabase.open(path)
    await db.migrate()
    repos = build_repositories(db)
    for user in (1, 2, 3):
        await repos.users.set_timezone(user, "Europe/Berlin", NOW)
        await repos.reminders.save_schedule(
            ScheduleSpec(user, "stretch", time(17), 127, "Europe/Berlin"), NOW, NOW
        )
        await repos.reminders.save_dm_channel(user, 900 + user)
        await repos.tip_history.record(user, "symptoms-urge-to-move", NOW)
    await repos.guild_settings.set_reminder_channel(50, 500, NOW)

    def decide(s: DueSchedule) -> ClaimDecision:
        return ClaimDecision("pending", 0, NOW + timedelta(days=1))

    await repos.reminders.claim_due(NOW, 10, decide)
    first = await repos.reminders.get_schedule(1, "stretch")
    assert first is not None
    [delivery] = await repos.reminders.recent_deliveries(first.id, 1)
    await repos.reminders.mark_done(delivery.id, 1, NOW + timedelta(minutes=3))
    await repos.reminders.add_delivery(
        first, NOW + timedelta(minutes=15), "snooze", NOW, snoozed_from=delivery.id
    )
    await repos.diary.save(
        SleepEntry(
            user_id=1,
            night=date(2026, 3, 2),
            timezone="Europe/Berlin",
            into_bed=datetime(2026, 3, 1, 22, 0, tzinfo=UTC),
            tried_sleep=datetime(2026, 3, 1, 22, 15, tzinfo=UTC),
            sleep_latency_min=20,
            awakenings=2,
            awake_min=30,
            final_wake=datetime(2026, 3, 2, 6, 0, tzinfo=UTC),
            out_of_bed=datetime(2026, 3, 2, 6, 20, tzinfo=UTC),
            quality=3,
            severity=6,
            tags=frozenset({"caffeine", "stretched"}),
            note="restless",
        ),
        NOW,
    )
    await db.close()


def sqlite_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    conn.close()
    return counts


@pytest.fixture
async def source(tmp_path: Path) -> Path:
    """A SQLite database file with rows in every table that has any (see make_source)."""
    path = tmp_path / "old.sqlite3"
    await make_source(path)
    return path


@pytest.fixture
async def target() -> AsyncIterator[PostgresDatabase]:
    """A PostgreSQL database confined to a fresh schema, dropped after the test."""
    db, schema = await open_postgres_schema()
    try:
        yield db
    finally:
        await db.close()
        await drop_postgres_schema(schema)


async def test_every_row_is_copied_and_reads_back_the_same(
    source: Path, target: PostgresDatabase
) -> None:
    copied = await copy_sqlite_to_postgres(source, target)
    counts = sqlite_counts(source)
    assert {c.table: c.rows for c in copied} == counts
    assert counts["deliveries"] == 4 and counts["sleep_entries"] == 1

    old_db = await SqliteDatabase.open(source)
    old, new = build_repositories(old_db), build_repositories(target)
    for user in (1, 2, 3):
        assert await new.users.get(user) == await old.users.get(user)
        assert await new.reminders.get_schedule(user, "stretch") == (
            await old.reminders.get_schedule(user, "stretch")
        )
        assert await new.reminders.get_dm_channel(user) == 900 + user
        assert await new.tip_history.recent(user, 5) == ["symptoms-urge-to-move"]
    schedule = await new.reminders.get_schedule(1, "stretch")
    assert schedule is not None
    assert await new.reminders.recent_deliveries(schedule.id, 10) == (
        await old.reminders.recent_deliveries(schedule.id, 10)
    )
    assert await new.diary.get(1, date(2026, 3, 2)) == await old.diary.get(1, date(2026, 3, 2))
    assert (await new.guild_settings.get(50)).reminder_channel_id == 500
    await old_db.close()

    # New rows continue after the copied ids instead of colliding with them.
    extra = await new.reminders.add_delivery(schedule, NOW + timedelta(hours=2), "now", NOW)
    assert extra is not None and extra.id > max(d.id for d in await old_recent(source))


async def old_recent(source: Path) -> list:
    db = await SqliteDatabase.open(source)
    repos = build_repositories(db)
    rows = []
    for user in (1, 2, 3):
        schedule = await repos.reminders.get_schedule(user, "stretch")
        assert schedule is not None
        rows += await repos.reminders.recent_deliveries(schedule.id, 10)
    await db.close()
    return rows


async def test_a_target_with_rows_is_refused_and_left_alone(
    source: Path, target: PostgresDatabase
) -> None:
    await target.migrate()
    await build_repositories(target).users.set_timezone(77, "UTC", NOW)
    with pytest.raises(TransferError, match="must be empty"):
        await copy_sqlite_to_postgres(source, target)
    async with target.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM users") == 1
        assert await conn.fetchval("SELECT count(*) FROM schedules") == 0


async def migrate_to_postgres_process(source: Path, schema: str, *, cwd: Path) -> bytes:
    """Run `rls-companion migrate-to-postgres --from SOURCE` as a real process into `schema`;
    returns what it printed, after checking it succeeded."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "migrate-to-postgres",
        "--from",
        str(source),
        cwd=cwd,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(PROJECT_ROOT),
            # asyncpg passes unknown URL parameters on as server settings.
            "DATABASE_URL": f"{postgres_url()}?search_path={schema}",
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    return out


async def test_the_cli_command_reports_counts(tmp_path: Path, source: Path) -> None:
    target, schema = await open_postgres_schema()
    await target.close()
    try:
        out = await migrate_to_postgres_process(source, schema, cwd=tmp_path)
        assert "counts match" in out.decode() and "deliveries: 4 rows" in out.decode()
        # One row reads as one (before: "sleep_entries: 1 rows").
        assert "sleep_entries: 1 row\n" in out.decode() and "1 rows" not in out.decode()
        conn = await asyncpg.connect(postgres_url(), server_settings={"search_path": schema})
        assert await conn.fetchval("SELECT count(*) FROM sleep_entries") == 1
        await conn.close()
    finally:
        await drop_postgres_schema(schema)


async def test_a_missing_source_is_refused(tmp_path: Path, target: PostgresDatabase) -> None:
    with pytest.raises(TransferError, match="does not exist"):
        await copy_sqlite_to_postgres(tmp_path / "nope.sqlite3", target)
    assert not (tmp_path / "nope.sqlite3").exists()
