from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.db import DatabaseOpenError, MigrationError
from bot.db.migrations import load_migrations
from bot.db.postgres import PostgresDatabase
from bot.db.sqlite import SqliteDatabase
from tests.conftest import drop_postgres_schema, open_postgres_schema, postgres_url


def test_both_backends_have_the_same_migration_numbers_and_names() -> None:
    sqlite = [(m.version, m.name) for m in load_migrations("sqlite")]
    postgres = [(m.version, m.name) for m in load_migrations("postgres")]
    assert sqlite == postgres
    assert sqlite[0] == (1, "initial")


async def test_fresh_sqlite_database_is_migrated_and_rerun_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "bot.sqlite3"
    db = await SqliteDatabase.open(path)
    applied = await db.migrate()
    assert applied == [m.version for m in load_migrations("sqlite")]
    assert await db.migrate() == []
    await db.close()

    raw = sqlite3.connect(path)
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"users", "guild_settings"} <= tables
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA user_version").fetchone()[0] == len(load_migrations("sqlite"))
    raw.close()


async def test_sqlite_connection_enforces_foreign_keys(tmp_path: Path) -> None:
    db = await SqliteDatabase.open(tmp_path / "fk.sqlite3")
    async with db.connection() as conn, conn.execute("PRAGMA foreign_keys") as cursor:
        row = await cursor.fetchone()
    assert row is not None and row[0] == 1
    await db.close()


async def test_newer_sqlite_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE from_the_future (x)")
    raw.execute("PRAGMA user_version = 999")
    raw.commit()
    raw.close()
    before = path.read_bytes()

    db = await SqliteDatabase.open(path)
    with pytest.raises(MigrationError, match="version 999"):
        await db.migrate()
    await db.close()
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 999
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master")}
    raw.close()
    assert tables == {"from_the_future"}
    assert len(path.read_bytes()) == len(before)


async def test_a_file_that_is_not_sqlite_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    text = b"these are my notes, not a database\n" * 200
    path.write_bytes(text)
    with pytest.raises(DatabaseOpenError, match="not an SQLite database"):
        await SqliteDatabase.open(path)
    assert path.read_bytes() == text


async def test_failed_sqlite_migration_rolls_back(tmp_path: Path, monkeypatch) -> None:
    from bot.db import migrations as migrations_module
    from bot.db import sqlite as sqlite_module

    real = migrations_module.load_migrations("sqlite")
    broken = [
        *real,
        migrations_module.Migration(len(real) + 1, "broken", "CREATE TABLE x (a);\nNOT SQL;"),
    ]
    monkeypatch.setattr(sqlite_module, "load_migrations", lambda backend: broken)
    db = await SqliteDatabase.open(tmp_path / "broken.sqlite3")
    with pytest.raises(MigrationError, match=f"{len(real) + 1:04d}_broken"):
        await db.migrate()
    assert await db.schema_version() == len(real)
    async with (
        db.connection() as conn,
        conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'x'") as cursor,
    ):
        row = await cursor.fetchone()
    assert row == (0,)
    await db.close()


async def test_fresh_postgres_database_is_migrated_and_rerun_is_a_no_op() -> None:
    db, schema = await open_postgres_schema()
    try:
        assert await db.migrate() == [m.version for m in load_migrations("postgres")]
        assert await db.migrate() == []
        assert await db.schema_version() == len(load_migrations("postgres"))
    finally:
        await db.close()
        await drop_postgres_schema(schema)


async def test_newer_postgres_database_is_refused() -> None:
    db, schema = await open_postgres_schema()
    try:
        async with db.connection() as conn:
            await conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            await conn.execute("INSERT INTO schema_version VALUES (999)")
        with pytest.raises(MigrationError, match="version 999"):
            await db.migrate()
        async with db.connection() as conn:
            assert await conn.fetchval("SELECT to_regclass('users')") is None
    finally:
        await db.close()
        await drop_postgres_schema(schema)


async def test_two_postgres_starters_racing_migrate_once() -> None:
    first, schema = await open_postgres_schema()
    second = await PostgresDatabase.open(postgres_url(), server_settings={"search_path": schema})
    try:
        results = await asyncio.gather(first.migrate(), second.migrate())
        applied = sorted(results, key=len)
        assert applied[0] == []
        assert applied[1] == [m.version for m in load_migrations("postgres")]
    finally:
        await first.close()
        await second.close()
        await drop_postgres_schema(schema)


def test_one_folder_shared_files_unless_the_sql_really_differs() -> None:
    """Every version is one shared file or a pair (one per backend), never both; every type
    word of a shared file is read as the backend's own type."""
    for backend in ("sqlite", "postgres"):
        for migration in load_migrations(backend):
            assert "{" not in migration.sql, (backend, migration.version)
    sqlite = {m.version: m.sql for m in load_migrations("sqlite")}
    postgres = {m.version: m.sql for m in load_migrations("postgres")}
    assert "TIMESTAMPTZ" in postgres[2] and "TIMESTAMPTZ" not in sqlite[2]
    assert sqlite[6] == postgres[6]  # no type word: the same text on both
