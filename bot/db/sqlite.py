"""The embedded SQLite backend: one connection (SQLite has one writer anyway), WAL, foreign keys."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import stat
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import aiosqlite

from bot.db.engines import Decide, Statement
from bot.db.engines.sqlite import ENGINE, SqliteSession, from_epoch, to_epoch
from bot.db.migrations import MigrationError, load_migrations, newer_database_message

log = logging.getLogger(__name__)
T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000

Params = Sequence[Any] | Mapping[str, Any]


# The database whose transaction the running task is inside, so that repository calls made within
# it (a use case spanning several repositories) join it instead of waiting for the lock they hold.
_open_transaction: ContextVar[tuple[object, asyncio.Task[Any] | None] | None] = ContextVar(
    "sqlite_open_transaction", default=None
)


class DatabaseOpenError(Exception):
    """The database file cannot be used; the message names the file and the reason."""


__all__ = ["DatabaseOpenError", "SqliteDatabase", "from_epoch", "to_epoch"]


class SqliteDatabase:
    backend = "sqlite"
    engine = ENGINE

    def __init__(self, path: Path, connection: aiosqlite.Connection) -> None:
        self.path = path
        self._conn = connection
        # aiosqlite serialises statements, but a transaction spans several awaits: without this
        # lock two coroutines could interleave statements inside one BEGIN..COMMIT.
        self._lock = asyncio.Lock()
        self._session = SqliteSession(connection)

    @classmethod
    async def open(cls, path: Path) -> SqliteDatabase:
        path, created = prepare_database_file(Path(path))
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a transaction is exactly
        # what the code says it is.
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise DatabaseOpenError(f"DATABASE_PATH {path}: cannot open the file ({exc})") from None
        try:
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = await fetch_value(conn, "PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            # Health data: deleted rows are overwritten, not left in free pages of the file.
            await conn.execute("PRAGMA secure_delete = ON")
            await conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            await conn.close()
            raise DatabaseOpenError(f"{path} is not an SQLite database ({exc})") from None
        # The absolute path and whether the file is new: a bot started from another folder
        # would otherwise begin a second, empty database without anyone noticing.
        log.info(
            "SQLite database %s (%s, journal_mode=%s)",
            path,
            "created now, empty" if created else "existing",
            mode,
        )
        warn_if_readable_by_others(path)
        return cls(path, conn)

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    def _in_transaction(self) -> bool:
        """True inside a transaction() of this database opened by the running task. Tasks it
        starts inherit the context but not the transaction: they wait for the lock as usual."""
        current = _open_transaction.get()
        return current is not None and current == (self, asyncio.current_task())

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[aiosqlite.Connection]:
        """Exclusive use of the connection for reads or single statements (autocommit)."""
        if self._in_transaction():
            yield self._conn
            return
        async with self._lock:
            yield self._conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE takes the write lock up front, so a read-then-write cannot deadlock.

        Inside another transaction of the same task it is a savepoint of that one: a use case
        that calls several repositories commits all of their writes together, or none."""
        if self._in_transaction():
            await self._conn.execute("SAVEPOINT nested")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK TO nested")
                await self._conn.execute("RELEASE nested")
                raise
            else:
                await self._conn.execute("RELEASE nested")
            return
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            token = _open_transaction.set((self, asyncio.current_task()))
            try:
                yield self._conn
            except BaseException:
                await self._conn.rollback()
                raise
            else:
                await self._conn.commit()
            finally:
                _open_transaction.reset(token)

    async def _one_trip(self, work: Callable[..., T], *args: Any) -> T:
        """`work(connection, *args, nested=…)` in aiosqlite's thread, one trip (its `_execute` is
        the one door to that thread; every trip of the public API goes through it as well): a
        savepoint inside the running task's transaction, else a transaction of its own."""
        if self._in_transaction():
            return await self._conn._execute(work, self._conn._conn, *args, nested=True)
        async with self._lock:
            return await self._conn._execute(work, self._conn._conn, *args, nested=False)

    async def atomic_batch(self, statements: Sequence[Statement]) -> None:
        """One trip: the whole transaction runs in aiosqlite's thread."""
        await self._one_trip(_run_batch, statements)

    async def atomic_decide(self, sql: str, params: Sequence[Any], decide: Decide[T]) -> T:
        """The read, `decide` and its writes in aiosqlite's thread: one trip (see atomic_batch)."""
        return await self._one_trip(_run_decided, sql, params, decide)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqliteSession]:
        """The storage API's session for reads and single statements (see bot.db.engines)."""
        async with self.connection():
            yield self._session

    @asynccontextmanager
    async def atomic(self) -> AsyncIterator[SqliteSession]:
        """The storage API's transaction (see transaction())."""
        async with self.transaction():
            yield self._session

    async def write(self, sql: str, params: Params = ()) -> int:
        """One statement in its own transaction; returns how many rows it changed."""
        async with self.transaction() as conn:
            cursor = await conn.execute(sql, params)
            return cursor.rowcount

    async def schema_version(self) -> int:
        async with self.connection() as conn:
            return int(await fetch_value(conn, "PRAGMA user_version"))

    async def migrate(self) -> list[int]:
        """Apply pending migrations in order; returns the versions applied."""
        migrations = load_migrations("sqlite")
        applied: list[int] = []
        async with self._lock:
            current = int(await fetch_value(self._conn, "PRAGMA user_version"))
            if current > len(migrations):
                raise MigrationError(newer_database_message(current, len(migrations)))
            for migration in migrations[current:]:
                # executescript() would COMMIT first and then run statement by statement, so
                # the BEGIN/COMMIT and the version bump travel inside the same script.
                script = (
                    "BEGIN IMMEDIATE;\n"
                    f"{migration.sql}\n;"
                    f"PRAGMA user_version = {migration.version};\n"
                    "COMMIT;"
                )
                try:
                    await self._conn.executescript(script)
                except sqlite3.Error as exc:
                    if self._conn.in_transaction:
                        await self._conn.rollback()
                    raise MigrationError(
                        f"migration {migration.version:04d}_{migration.name} failed: {exc}"
                    ) from exc
                log.info("applied migration %04d_%s", migration.version, migration.name)
                applied.append(migration.version)
        return applied


async def fetch_value(conn: aiosqlite.Connection, sql: str) -> Any:
    """The first column of the one row a pragma returns, in one trip to the connection's thread
    (the repositories' statements go through SqliteSession, bot/db/engines/sqlite.py)."""
    rows = list(await conn.execute_fetchall(sql))
    if not rows:
        raise sqlite3.DatabaseError(f"no result for {sql}")
    return rows[0][0]


def read_only_uri(path: Path) -> str:
    """An SQLite `file:` URI for PATH, opened read-only. Every character that means something in
    a URI (`#`, `?`, `%`, spaces, non-ASCII) is percent-encoded: unquoted, `data/a#b/db.sqlite3`
    would open (and create) `data/a` instead."""
    return f"file:{quote(str(Path(path).absolute()), safe='/')}?mode=ro"


@dataclass(frozen=True)
class BackupReport:
    tables: dict[str, int]  # row counts, equal in the source's snapshot and in the copy

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    # Table names come from the file's own catalog, never from input.
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def prepare_database_file(path: Path) -> tuple[Path, bool]:
    """The absolute path, its folder made, the file created 0600 if new; and whether it was."""
    path = path.absolute()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            raise DatabaseOpenError(f"DATABASE_PATH {path} is a directory, not a database file")
        return path, create_private_file(path)
    except OSError as exc:
        raise DatabaseOpenError(
            f"DATABASE_PATH {path}: cannot create the file or its folder ({exc.strerror or exc})"
        ) from None


def create_private_file(path: Path) -> bool:
    """Create PATH empty with mode 0600 if it does not exist; True if it was created.

    Health data: SQLite gives its -wal and -shm files the main file's mode, so creating the main
    file 0600 ourselves keeps all three readable only by the bot's user, whatever the umask."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def warn_if_readable_by_others(path: Path) -> None:
    """The bot's own files are created 0600; a file made looser earlier (by hand, or by a version
    that did not set the mode) is left alone but named, with the fix."""
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = stat.S_IMODE(candidate.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            log.warning(
                "%s is readable by other users of this machine (mode %04o); it holds health "
                "data: chmod 600 %s",
                candidate,
                mode,
                candidate,
            )


def backup_file(source: Path, destination: Path) -> BackupReport:
    """Copy a live database file with the online backup API (used by `rls-companion backup`),
    then check the copy: `integrity_check`, and each table's row count equal to the source's in
    the snapshot that was copied. The copy is written to a private (0600) temporary file beside
    DESTINATION and renamed over it only once it checks out."""
    if not source.exists():
        raise DatabaseOpenError(f"{source} does not exist")
    if source.is_dir():
        raise DatabaseOpenError(f"{source} is a directory, not a database file")
    src = sqlite3.connect(read_only_uri(source), uri=True, isolation_level=None)
    try:
        src.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # One read transaction around the counts and the copy: both see the same snapshot even
        # while the bot keeps writing.
        src.execute("BEGIN")
        try:
            try:
                expected = table_counts(src)
            except sqlite3.DatabaseError as exc:
                raise DatabaseOpenError(f"{source} is not an SQLite database ({exc})") from None
            partial = destination.with_name(f".{destination.name}.partial")
            partial.unlink(missing_ok=True)
            create_private_file(partial)
            try:
                dst = sqlite3.connect(partial)
                try:
                    src.backup(dst)
                    check = dst.execute("PRAGMA integrity_check").fetchone()[0]
                    copied = table_counts(dst)
                finally:
                    dst.close()
                if check != "ok":
                    raise DatabaseOpenError(f"the copy failed its integrity check: {check}")
                if copied != expected:
                    raise DatabaseOpenError(
                        f"the copy's row counts {copied} differ from the source's {expected}"
                    )
                os.replace(partial, destination)
            finally:
                partial.unlink(missing_ok=True)
        finally:
            src.execute("COMMIT")
    finally:
        src.close()
    return BackupReport(expected)


def _run_decided(
    conn: sqlite3.Connection,
    sql: str,
    params: Sequence[Any],
    decide: Decide[T],
    *,
    nested: bool,
) -> T:
    """In the connection's thread: the read, `decide`, then its statements, all in one
    transaction (BEGIN IMMEDIATE first, so nothing is written between the read and the writes)."""
    answer: list[T] = []

    def read_and_decide() -> Sequence[Statement]:
        result, statements = decide(conn.execute(sql, params).fetchall())
        answer.append(result)
        return statements

    _run_batch(conn, read_and_decide, nested=nested)
    return answer[0]


def _run_batch(
    conn: sqlite3.Connection,
    statements: Sequence[Statement] | Callable[[], Sequence[Statement]],
    *,
    nested: bool,
) -> None:
    """In the connection's thread: the statements between BEGIN IMMEDIATE and COMMIT (a savepoint
    inside the task's open transaction); all of them or, on any error, none."""
    begin, commit, rollback = (
        ("SAVEPOINT batch", "RELEASE batch", "ROLLBACK TO batch")
        if nested
        else ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")
    )
    conn.execute(begin)
    try:
        if callable(statements):
            statements = statements()
        for sql, params in statements:
            conn.execute(sql, params)
        conn.execute(commit)
    except BaseException:
        conn.execute(rollback)
        if nested:
            conn.execute(commit)
        raise
