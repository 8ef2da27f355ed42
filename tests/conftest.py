"""Shared fixtures: real databases (SQLite files, and PostgreSQL where a server is reachable)."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import hypothesis
import pytest

from bot.db import Database, Repositories, build_repositories
from bot.db.postgres import PostgresDatabase
from bot.db.sqlite import SqliteDatabase
from bot.emulator import DiscordEmulator

# Cache bytecode even where PYTHONDONTWRITEBYTECODE is set (as on the CI machines): without it every
# bot a test starts recompiles each cog from source (discord.py's load_extension re-executes the
# module), each pytest-xdist worker re-rewrites every test module's asserts, and every `python -m
# bot` a test spawns recompiles the bot. The caches go to the git-ignored __pycache__ folders.
sys.dont_write_bytecode = False

# Hypothesis's per-example deadline is a timing assertion: with parallel workers on a busy machine it
# fails for reasons unrelated to correctness. Speed is measured in bench/, not asserted here.
hypothesis.settings.register_profile("rls-companion", deadline=None)
hypothesis.settings.load_profile("rls-companion")

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


@asynccontextmanager
async def emulator_that_never_failed(*, validate: bool) -> AsyncIterator[DiscordEmulator]:
    """A running emulator for one test, which fails if a handler of the emulator itself failed
    (its own bug, not the bot's) at any time up to its shutdown."""
    async with DiscordEmulator(validate=validate) as emulator:
        yield emulator
    assert emulator.internal_errors == []


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


# Modules whose tests take seconds each (bot subprocesses, real rate-limit waits, long hypothesis
# runs), slowest first. They are collected first so that pytest-xdist, which hands tests out one at
# a time in collection order (`--maxschedchunk=1` in pyproject.toml), starts them at once on
# different workers and the many quick tests fill the gaps; left at the end they would run one
# after another on one worker. Only the order changes: every test still runs, serially too.
SLOW_FIRST = (
    "tests/multiprocess/",
    "tests/reliability/test_crash_safety.py",
    "tests/reliability/test_faults.py",
    "tests/e2e/test_cli_process.py",
    "tests/console/test_demo.py",
    "tests/reliability/test_bad_input.py",
    "tests/scheduling/test_recurrence_properties.py",
)


def _slowness_rank(item: pytest.Item) -> int:
    for rank, prefix in enumerate(SLOW_FIRST):
        if item.nodeid.startswith(prefix):
            return rank
    return len(SLOW_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_slowness_rank)  # stable: the order within each group is kept


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto`: one pytest-xdist worker more than there are CPUs, because much of the suite waits
    (on bot subprocesses, emulated rate limits, PostgreSQL) rather than computes. On the 2-CPU CI
    machine three workers beat two by about a fifth. PYTEST_XDIST_AUTO_NUM_WORKERS still wins."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") or config.option.numprocesses == "logical":
        return None
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return cpus + 1
