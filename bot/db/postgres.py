"""The PostgreSQL backend for sharded deployments: an asyncpg pool, migrations under an advisory lock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

from bot.db.engines import Decide, Statement
from bot.db.engines.postgres import ENGINE, PostgresSession, changed_rows
from bot.db.migrations import MigrationError, load_migrations, newer_database_message
from bot.db.sqlite import DatabaseOpenError

log = logging.getLogger(__name__)
T = TypeVar("T")

# Any constant works as long as every process uses the same one; this spells "rlsc".
MIGRATION_LOCK_KEY = 0x726C7363

# The transaction the running task has open (database, task, connection), so that repository calls
# made within it (a use case spanning several repositories) run on its connection and commit with it.
_open_transaction: ContextVar[tuple[object, asyncio.Task[Any] | None, Any] | None] = ContextVar(
    "postgres_open_transaction", default=None
)


__all__ = ["PostgresDatabase", "changed_rows", "hide_password"]


class PostgresDatabase:
    backend = "postgres"
    engine = ENGINE

    def __init__(self, pool: asyncpg.Pool, shown_dsn: str = "DATABASE_URL") -> None:
        self._pool = pool
        # How error messages name the database: the setting and its URL, password hidden.
        self._shown_dsn = shown_dsn

    @classmethod
    async def open(
        cls,
        dsn: str,
        *,
        min_size: int = 1,
        max_size: int = 10,
        server_settings: Mapping[str, str] | None = None,
    ) -> PostgresDatabase:
        shown = f"DATABASE_URL {hide_password(dsn)}"
        try:
            pool = await asyncpg.create_pool(
                dsn,
                min_size=min_size,
                max_size=max_size,
                server_settings=dict(server_settings or {}),
            )
        except (
            OSError,
            TimeoutError,
            ValueError,
            asyncpg.PostgresError,
            asyncpg.InterfaceError,
        ) as exc:
            # A missing database or role, a refused connection, a bad URL: the operator's to fix,
            # so one line naming the setting rather than asyncpg's traceback.
            raise DatabaseOpenError(f"{shown}: {connection_problem(exc)}") from None
        return cls(pool, shown)

    async def close(self) -> None:
        await self._pool.close()

    def _open_connection(self) -> Any:
        """The connection of this database's transaction the running task has open, if any.
        Tasks it starts inherit the context but not the transaction."""
        current = _open_transaction.get()
        if current is not None and current[:2] == (self, asyncio.current_task()):
            return current[2]
        return None

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Any]:
        joined = self._open_connection()
        if joined is not None:
            yield joined
            return
        async with self._pool.acquire() as conn:
            yield conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        """Inside another transaction of the same task this is a savepoint of that one, so a use
        case that calls several repositories commits all of their writes together, or none."""
        joined = self._open_connection()
        if joined is not None:
            async with joined.transaction():
                yield joined
            return
        async with self._pool.acquire() as conn, conn.transaction():
            token = _open_transaction.set((self, asyncio.current_task(), conn))
            try:
                yield conn
            finally:
                _open_transaction.reset(token)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[PostgresSession]:
        """The storage API's session for reads and single statements (see bot.db.engines)."""
        async with self.connection() as conn:
            yield PostgresSession(conn)

    @asynccontextmanager
    async def atomic(self) -> AsyncIterator[PostgresSession]:
        """The storage API's transaction (see transaction())."""
        async with self.transaction() as conn:
            yield PostgresSession(conn)

    async def atomic_batch(self, statements: Sequence[Statement]) -> None:
        async with self.atomic() as s:
            for sql, params in statements:
                await s.execute(sql, *params)

    async def atomic_decide(self, sql: str, params: Sequence[Any], decide: Decide[T]) -> T:
        async with self.atomic() as s:
            answer, statements = decide(await s.fetch_all(sql, *params))
            for statement, values in statements:
                await s.execute(statement, *values)
        return answer

    async def write(self, sql: str, *params: Any) -> int:
        """One statement in its own transaction; returns how many rows it changed."""
        async with self.transaction() as conn:
            status = await conn.execute(sql, *params)
        return changed_rows(status)

    async def schema_version(self) -> int:
        async with self.connection() as conn:
            return await _current_version(conn)

    async def migrate(self) -> list[int]:
        """Apply pending migrations; concurrent starters wait on the advisory lock, then find
        nothing left to do."""
        migrations = load_migrations("postgres")
        applied: list[int] = []
        async with self._pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
            try:
                try:
                    await conn.execute(
                        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
                    )
                except asyncpg.InvalidSchemaNameError as exc:
                    # search_path names no schema that exists (or none this role may use).
                    raise DatabaseOpenError(
                        f"{self._shown_dsn}: {exc} (check search_path and that the schema exists)"
                    ) from None
                current = await _current_version(conn)
                if current > len(migrations):
                    raise MigrationError(newer_database_message(current, len(migrations)))
                for migration in migrations[current:]:
                    try:
                        async with conn.transaction():
                            await conn.execute(migration.sql)
                            await conn.execute("DELETE FROM schema_version")
                            await conn.execute(
                                "INSERT INTO schema_version (version) VALUES ($1)",
                                migration.version,
                            )
                    except asyncpg.PostgresError as exc:
                        raise MigrationError(
                            f"migration {migration.version:04d}_{migration.name} failed: {exc}"
                        ) from exc
                    log.info("applied migration %04d_%s", migration.version, migration.name)
                    applied.append(migration.version)
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
        return applied


def hide_password(dsn: str) -> str:
    """The URL with its password (in the authority or a `password=` parameter) replaced by ***,
    for messages an operator may paste anywhere."""
    try:
        parts = urlsplit(dsn)
        password = parts.password
    except ValueError:
        return "(unparseable URL)"
    if password is not None:
        host = parts.netloc.rsplit("@", 1)[1]
        parts = parts._replace(netloc=f"{parts.username or ''}:***@{host}")
    if parts.query:
        query = [
            (k, "***" if k == "password" else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ]
        parts = parts._replace(query=urlencode(query, safe="*"))
    return urlunsplit(parts)


def connection_problem(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is PostgreSQL running, on this host and port?)"
    if isinstance(exc, TimeoutError):
        return "no answer in time (host, port or firewall?)"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text


async def _current_version(conn: Any) -> int:
    exists = await conn.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
    if not exists:
        return 0
    version = await conn.fetchval("SELECT max(version) FROM schema_version")
    return int(version or 0)
