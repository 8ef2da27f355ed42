"""A database made by main before issue 18 (schema version 8, two migration folders), or by the
code after it (version 9), upgrades in place under the one migration history and keeps every row,
through 0010's dropped columns too; and the one history builds exactly the schema main's two
folders built, on both backends.

The old schema comes from tests/db/fixtures/main_v8_schema.*.sql, dumped from databases that main's
own migrations made (see each file's header).
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.db import Database, build_repositories
from bot.db.engines import Session
from bot.db.migrations import Backend, load_migrations
from bot.db.sqlite import SqliteDatabase
from tests.conftest import drop_postgres_schema, open_postgres_schema

FIXTURES = Path(__file__).parent / "fixtures"
MAIN_VERSION = 8
# Columns a later migration drops, with what keeps their content: 0010 drops the daily tip's
# copies in guild_settings (its schedule row holds the channel and time; asserted below).
DROPPED = {"guild_settings": {"tips_channel_id", "tips_time"}}
NOW = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
USER, MOD, GUILD, CHANNEL = 1_234_567_890_123_456_789, 42, 7, 70


def main_schema(backend: Backend) -> str:
    return (FIXTURES / f"main_v8_schema.{backend}.sql").read_text(encoding="utf-8")


@pytest.fixture(params=["sqlite", "postgres"])
async def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database with main's schema at version 8 and no rows, not migrated by this code."""
    if request.param == "sqlite":
        path = tmp_path / "main.sqlite3"
        raw = sqlite3.connect(path)
        raw.executescript(main_schema("sqlite") + f"PRAGMA user_version = {MAIN_VERSION};")
        raw.close()
        db: Database = await SqliteDatabase.open(path)
        yield db
        await db.close()
        return
    pg, schema = await open_postgres_schema()
    try:
        async with pg.transaction() as conn:
            await conn.execute(main_schema("postgres"))
            await conn.execute(
                "CREATE TABLE schema_version (version INTEGER NOT NULL);"
                f"INSERT INTO schema_version VALUES ({MAIN_VERSION})"
            )
        yield pg
    finally:
        await pg.close()
        await drop_postgres_schema(schema)


async def fill_every_table(s: Session) -> None:
    """Rows in every table main had, written as main's code wrote them (raw SQL, its columns)."""
    at = s.engine.instant
    await s.execute(
        "INSERT INTO users (id, timezone, created_at) VALUES (?, ?, ?), (?, NULL, ?)",
        USER,
        "Europe/Berlin",
        at(NOW),
        MOD,
        at(NOW),
    )
    await s.execute(
        "INSERT INTO guild_settings (guild_id, reminder_channel_id, timezone, updated_at, "
        "tips_channel_id, tips_time) VALUES (?, ?, ?, ?, ?, ?)",
        GUILD,
        CHANNEL,
        "Europe/Berlin",
        at(NOW),
        CHANNEL + 1,
        "09:30",
    )
    await s.execute(
        "INSERT INTO schedules (id, user_id, kind, local_time, days_mask, timezone, guild_id, "
        "channel_id, next_due, paused_until, pause_reason, notice, created_at, updated_at, "
        "pause_told_at) OVERRIDING SYSTEM VALUE VALUES "
        "(1, ?, 'stretch', '17:30', 127, 'Europe/Berlin', ?, ?, ?, NULL, NULL, 'a notice', ?, ?, "
        "NULL), (2, NULL, 'server_tip', '09:30', 127, 'Europe/Berlin', ?, ?, ?, NULL, NULL, NULL, ?, ?, "
        "NULL), (3, ?, 'sleep', '22:00', 31, 'Europe/Berlin', NULL, NULL, NULL, NULL, "
        "'dm_closed', NULL, ?, ?, ?)"
        if s.engine.name == "postgres"
        else "INSERT INTO schedules (id, user_id, kind, local_time, days_mask, timezone, "
        "guild_id, channel_id, next_due, paused_until, pause_reason, notice, created_at, "
        "updated_at, pause_told_at) VALUES "
        "(1, ?, 'stretch', '17:30', 127, 'Europe/Berlin', ?, ?, ?, NULL, NULL, 'a notice', ?, ?, "
        "NULL), (2, NULL, 'server_tip', '09:30', 127, 'Europe/Berlin', ?, ?, ?, NULL, NULL, NULL, ?, ?, "
        "NULL), (3, ?, 'sleep', '22:00', 31, 'Europe/Berlin', NULL, NULL, NULL, NULL, "
        "'dm_closed', NULL, ?, ?, ?)",
        USER,
        GUILD,
        CHANNEL,
        at(NOW + timedelta(days=1)),
        at(NOW),
        at(NOW),
        GUILD,
        CHANNEL + 1,
        at(NOW + timedelta(hours=18)),
        at(NOW),
        at(NOW),
        USER,
        at(NOW),
        at(NOW),
        at(NOW - timedelta(hours=1)),
    )
    overriding = " OVERRIDING SYSTEM VALUE" if s.engine.name == "postgres" else ""
    await s.execute(
        "INSERT INTO deliveries (id, schedule_id, user_id, due_at, reason, snoozed_from, status, "
        "attempts, next_attempt_at, lease_until, sent_at, channel_id, message_id, late_seconds, "
        "error, done_at, created_at, lease_owner)" + overriding + " VALUES "
        "(1, 1, ?, ?, 'scheduled', NULL, 'sent', 1, ?, NULL, ?, ?, ?, 3, NULL, ?, ?, NULL), "
        "(2, 1, ?, ?, 'snooze', 1, 'pending', 2, ?, ?, NULL, NULL, NULL, NULL, 'HTTP 503', "
        "NULL, ?, 'process-a'), "
        "(3, 2, NULL, ?, 'scheduled', NULL, 'skipped', 0, ?, NULL, NULL, NULL, NULL, 7300, NULL, "
        "NULL, ?, NULL)",
        USER,
        at(NOW - timedelta(days=1)),
        at(NOW - timedelta(days=1)),
        at(NOW - timedelta(days=1)),
        CHANNEL,
        9_876_543_210_987_654_321 // 10,
        at(NOW - timedelta(hours=23)),
        at(NOW - timedelta(days=1)),
        USER,
        at(NOW - timedelta(hours=23, minutes=45)),
        at(NOW),
        at(NOW + timedelta(minutes=2)),
        at(NOW - timedelta(hours=23, minutes=45)),
        at(NOW - timedelta(hours=6)),
        at(NOW),
        at(NOW),
    )
    await s.execute("INSERT INTO dm_channels (user_id, channel_id) VALUES (?, ?)", USER, 555)
    await s.execute(
        "INSERT INTO tip_views (user_id, tip_id, seen_at) VALUES (?, 'calf-stretch', ?), "
        "(?, 'iron', ?)",
        USER,
        at(NOW - timedelta(hours=2)),
        USER,
        at(NOW),
    )
    await s.execute(
        "INSERT INTO sleep_entries (user_id, night, timezone, into_bed, tried_sleep, "
        "sleep_latency_min, awakenings, awake_min, final_wake, out_of_bed, quality, severity, "
        "rls_onset, rls_out_of_bed, tags, note, created_at, updated_at, naps, nap_min) VALUES "
        "(?, ?, 'Europe/Berlin', ?, ?, 20, 2, 15, ?, ?, 3, 6, ?, 1, 'caffeine,late-meal', "
        "'restless', ?, ?, 1, 20), "
        "(?, ?, 'Europe/Berlin', ?, ?, NULL, NULL, NULL, ?, NULL, NULL, NULL, NULL, NULL, '', "
        "NULL, ?, ?, NULL, NULL)",
        USER,
        s.engine.day(date(2026, 3, 1)),
        at(datetime(2026, 2, 28, 22, 0, tzinfo=UTC)),
        at(datetime(2026, 2, 28, 22, 15, tzinfo=UTC)),
        at(datetime(2026, 3, 1, 6, 0, tzinfo=UTC)),
        at(datetime(2026, 3, 1, 6, 20, tzinfo=UTC)),
        at(datetime(2026, 2, 28, 21, 0, tzinfo=UTC)),
        at(NOW),
        at(NOW),
        USER,
        s.engine.day(date(2026, 3, 2)),
        at(datetime(2026, 3, 1, 23, 0, tzinfo=UTC)),
        at(datetime(2026, 3, 1, 23, 0, tzinfo=UTC)),
        at(datetime(2026, 3, 2, 7, 0, tzinfo=UTC)),
        at(NOW),
        at(NOW),
    )
    await s.execute(
        "INSERT INTO guild_config_audit (guild_id, moderator_id, setting, old_value, new_value, "
        "changed_at) VALUES (?, ?, 'tips_channel', NULL, ?, ?), (?, 0, 'reminder_channel', ?, "
        "NULL, ?)",
        GUILD,
        MOD,
        str(CHANNEL + 1),
        at(NOW),
        GUILD,
        str(CHANNEL),
        at(NOW),
    )
    await s.execute(
        "INSERT INTO guild_tip_posts (guild_id, delivery_id, tip_id, chosen_at) "
        "VALUES (?, 3, 'iron', ?)",
        GUILD,
        at(NOW),
    )


async def tables(s: Session | Tuples) -> list[str]:
    if s.engine.name == "sqlite":
        sql = (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    else:
        sql = (
            "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "current_schema() AND table_name <> 'schema_version' ORDER BY table_name"
        )
    return [row[0] for row in await s.fetch_all(sql)]


async def every_row(s: Session) -> dict[str, list[dict[str, Any]]]:
    # Table names come from the database's own catalog.
    return {t: await s.fetch_dicts(f'SELECT * FROM "{t}" ORDER BY 1') for t in await tables(s)}


async def fill_labs(s: Session) -> None:
    """The table version 9 added (0009 labs), as that code wrote it."""
    at = s.engine.instant
    await s.execute(
        "INSERT INTO lab_results (user_id, taken_on, ferritin, tsat, fasting, note, created_at, "
        "updated_at) VALUES (?, ?, 48.5, 21.0, 1, 'morning draw', ?, ?)",
        USER,
        s.engine.day(date(2026, 2, 20)),
        at(NOW),
        at(NOW),
    )


@pytest.mark.parametrize("start", [MAIN_VERSION, 9], ids=["v8", "v9"])
async def test_a_database_made_by_main_upgrades_in_place_and_keeps_every_row(
    old_database: Database, start: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.db import postgres as postgres_module
    from bot.db import sqlite as sqlite_module

    db = old_database
    backend: Backend = db.engine.name
    history = load_migrations(backend)
    if start > MAIN_VERSION:
        # The code between main and 0010 brought it to `start` with its own migrations.
        module = sqlite_module if backend == "sqlite" else postgres_module
        with monkeypatch.context() as patched:
            patched.setattr(module, "load_migrations", lambda b: history[:start])
            assert await db.migrate() == list(range(MAIN_VERSION + 1, start + 1))
    async with db.atomic() as s:
        await fill_every_table(s)
        if start >= 9:
            await fill_labs(s)
    async with db.read() as s:
        before = await every_row(s)
    assert len(before) == (9 if start == MAIN_VERSION else 10)
    assert all(before.values()), [t for t, rows in before.items() if not rows]

    assert await db.migrate() == [m.version for m in history[start:]]
    assert await db.schema_version() == len(history)
    async with db.read() as s:
        after = await every_row(s)
    assert before.keys() <= after.keys()
    for table, rows in before.items():
        gone = DROPPED.get(table, set())
        kept = [{k: v for k, v in row.items() if k not in gone} for row in rows]
        assert [{k: r[k] for k in row} for row, r in zip(kept, after[table], strict=True)] == kept
        assert all(gone.isdisjoint(r) for r in after[table]), table

    # And the repositories of this code read all of it back.
    repos = build_repositories(db)
    profile = await repos.users.get(USER)
    assert profile is not None and profile.timezone == "Europe/Berlin"
    assert profile.created_at == NOW
    settings = await repos.guild_settings.get(GUILD)
    assert (settings.reminder_channel_id, settings.tips_channel_id) == (CHANNEL, CHANNEL + 1)
    assert settings.tips_time == time(9, 30)
    assert [c.setting for c in await repos.guild_settings.recent_changes(GUILD, 5)] == [
        "reminder_channel",
        "tips_channel",
    ]
    assert await repos.guild_settings.recent_tips(GUILD) == ["iron"]
    assert await repos.tip_history.recent(USER) == ["iron", "calf-stretch"]
    assert await repos.reminders.get_dm_channel(USER) == 555
    stretch = await repos.reminders.get_schedule(USER, "stretch")
    assert stretch is not None and stretch.notice == "a notice"
    assert stretch.next_due == NOW + timedelta(days=1)
    server = await repos.reminders.get_server_schedule(GUILD, "server_tip")
    assert server is not None and server.member_id is None
    activity = await repos.reminders.schedule_activity(
        USER, "stretch", recent=5, done_since=NOW - timedelta(days=30), skipped_since=NOW
    )
    assert activity is not None
    assert [d.id for d in activity.recent] == [2, 1]
    assert activity.done_due_times == [NOW - timedelta(days=1)]
    snooze = await repos.reminders.get_delivery(2)
    assert snooze is not None and snooze.snoozed_from == 1 and snooze.error == "HTTP 503"
    assert await repos.reminders.take_pause_notices(USER, NOW) == [("sleep", "dm_closed")]
    nights = await repos.diary.between(USER, date(2026, 3, 1), date(2026, 3, 2))
    assert [n.night for n in nights] == [date(2026, 3, 1), date(2026, 3, 2)]
    assert nights[0].tags == frozenset({"caffeine", "late-meal"}) and nights[0].naps == 1
    assert nights[1].sleep_latency_min is None and nights[1].out_of_bed is None
    # Nights from before migration 0012 never answered where or after how long at rest.
    assert all(n.body_regions is None and n.rest_min is None for n in nights)
    exported = await repos.user_data.export(USER)
    assert {t for t, rows in exported.items() if rows} == {
        "users",
        "schedules",
        "deliveries",
        "dm_channels",
        "tip_views",
        "sleep_entries",
    } | ({"lab_results"} if start >= 9 else set())


# -- the one history builds main's schema ----------------------------------------------------


class Tuples:
    """A session whose rows are plain tuples (asyncpg's records compare by identity of type)."""

    def __init__(self, session: Session) -> None:
        self.engine = session.engine
        self._session = session

    async def fetch_all(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in await self._session.fetch_all(sql, *params)]


async def structure(db: Database) -> dict[str, Any]:
    """Tables, columns, indexes and constraints as the catalog describes them (not as typed)."""
    found: dict[str, Any] = {}
    async with db.read() as session:
        s = Tuples(session)
        for table in await tables(s):
            if s.engine.name == "sqlite":
                found[table] = {
                    "columns": await s.fetch_all(f"PRAGMA table_info('{table}')"),
                    "foreign_keys": await s.fetch_all(f"PRAGMA foreign_key_list('{table}')"),
                    "indexes": sorted(
                        [
                            (
                                row[1],
                                row[2],
                                row[4],
                                tuple(
                                    c[2]
                                    for c in await s.fetch_all(f"PRAGMA index_info('{row[1]}')")
                                ),
                            )
                            for row in await s.fetch_all(f"PRAGMA index_list('{table}')")
                        ]
                    ),
                }
            else:
                found[table] = {
                    "columns": await s.fetch_all(
                        "SELECT column_name, data_type, is_nullable, column_default, "
                        "is_identity FROM information_schema.columns WHERE table_schema = "
                        "current_schema() AND table_name = ? ORDER BY ordinal_position",
                        table,
                    ),
                    "indexes": await s.fetch_all(
                        "SELECT indexname, replace(indexdef, schemaname || '.', '') "
                        "FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ? "
                        "ORDER BY indexname",
                        table,
                    ),
                    "constraints": await s.fetch_all(
                        "SELECT conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                        "JOIN pg_class t ON t.oid = c.conrelid WHERE t.relname = ? "
                        "AND t.relnamespace = current_schema()::regnamespace ORDER BY conname",
                        table,
                    ),
                }
        if s.engine.name == "sqlite":
            # Partial indexes: their WHERE clauses, as written (no comments in them).
            found["index_sql"] = sorted(
                " ".join(str(row[0]).split())
                for row in await s.fetch_all(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                )
            )
    return found


async def test_the_one_history_builds_the_schema_main_built(
    old_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.db import postgres as postgres_module
    from bot.db import sqlite as sqlite_module

    # Up to main's version only: later migrations (0009 labs, ...) add to that schema.
    backend = old_database.engine.name
    module = sqlite_module if backend == "sqlite" else postgres_module
    up_to_main = load_migrations(backend)[:MAIN_VERSION]
    monkeypatch.setattr(module, "load_migrations", lambda b: up_to_main)
    fresh: Database
    if old_database.engine.name == "sqlite":
        fresh = await SqliteDatabase.open(tmp_path / "fresh.sqlite3")
        schema = None
    else:
        fresh, schema = await open_postgres_schema()
    try:
        await fresh.migrate()
        expected, built = await structure(old_database), await structure(fresh)
        assert built.keys() == expected.keys()
        for table in expected:
            assert built[table] == expected[table], table
    finally:
        await fresh.close()
        if schema is not None:
            await drop_postgres_schema(schema)
