"""Shared fixtures: real databases (SQLite files, and PostgreSQL where a server is reachable)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from bot.db import Database, Repositories, build_repositories
from bot.db.postgres import PostgresDatabase
from bot.db.sqlite import SqliteDatabase

DEFAULT_TEST_DATABASE_URL = "postgresql://127.0.0.1:5432/test"


def postgres_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_TEST_DATABASE_URL


_postgres_unavailable: str | None = None
_postgres_checked = False


async def _postgres_reason() -> str | None:
    """None when PostgreSQL answers, else why not (checked once per run)."""
    global _postgres_checked, _postgres_unavailable
    if not _postgres_checked:
        _postgres_checked = True
        try:
            conn = await asyncpg.connect(postgres_url(), timeout=3)
            await conn.close()
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            _postgres_unavailable = f"{type(exc).__name__}: {exc}"
    return _postgres_unavailable


async def require_postgres() -> str:
    reason = await _postgres_reason()
    if reason is not None:
        message = (
            f"PostgreSQL not reachable at TEST_DATABASE_URL={postgres_url()} ({reason}); "
            "set TEST_DATABASE_URL to run the PostgreSQL contract tests"
        )
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return postgres_url()


async def open_postgres_schema() -> tuple[PostgresDatabase, str]:
    """A PostgreSQL database confined to a fresh schema, so tests never see each other's rows."""
    url = await require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await admin.close()
    db = await PostgresDatabase.open(url, server_settings={"search_path": schema})
    return db, schema


async def drop_postgres_schema(schema: str) -> None:
    admin = await asyncpg.connect(postgres_url())
    try:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await admin.close()


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database of each backend: every repository test runs on both."""
    if request.param == "sqlite":
        db: Database = await SqliteDatabase.open(tmp_path / "test.sqlite3")
        await db.migrate()
        yield db
        await db.close()
        return
    pg, schema = await open_postgres_schema()
    try:
        await pg.migrate()
        yield pg
    finally:
        await pg.close()
        await drop_postgres_schema(schema)


@pytest.fixture
async def repos(database: Database) -> Repositories:
    return build_repositories(database)
