"""Copy an SQLite database into an empty PostgreSQL one (`rls-companion migrate-to-postgres`).

Table by table, parents before children, converting SQLite's storage (epoch seconds, ISO dates,
0/1) into the PostgreSQL column types; then every table's row count is compared. Nothing is
written unless the target is empty, and the whole copy is one transaction: it lands completely
or not at all.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg

from bot.db.postgres import PostgresDatabase
from bot.db.sqlite import SqliteDatabase, from_epoch, read_only_uri
from bot.formatting import plural

log = logging.getLogger(__name__)


class TransferError(Exception):
    """The copy cannot be done; nothing was written."""


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int


def _converter(pg_type: str) -> Callable[[Any], Any]:
    if pg_type == "timestamp with time zone":
        return lambda v: None if v is None else from_epoch(int(v))
    if pg_type == "date":
        return lambda v: None if v is None else date.fromisoformat(str(v))
    if pg_type == "boolean":
        return lambda v: None if v is None else bool(v)
    return lambda v: v


def _tables_in_dependency_order(source: sqlite3.Connection) -> list[str]:
    tables = [
        row[0]
        for row in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    parents = {
        table: {
            row[2]
            for row in source.execute("SELECT * FROM pragma_foreign_key_list(?)", (table,))
            if row[2] != table
        }
        for table in tables
    }
    ordered: list[str] = []
    while len(ordered) < len(tables):
        ready = [t for t in tables if t not in ordered and parents[t] <= set(ordered)]
        if not ready:
            raise TransferError("foreign keys form a cycle; cannot order the copy")
        ordered.extend(ready)
    return ordered


async def copy_sqlite_to_postgres(source_path: Path, target: PostgresDatabase) -> list[TableCopy]:
    """Bring both schemas to this code's version, then copy every row; returns the counts."""
    if not await asyncio.to_thread(source_path.is_file):
        raise TransferError(f"{source_path} does not exist")
    # Migrating the source first means both sides have exactly the same tables and columns.
    sqlite_db = await SqliteDatabase.open(source_path)
    try:
        await sqlite_db.migrate()
    finally:
        await sqlite_db.close()
    await target.migrate()

    source = sqlite3.connect(read_only_uri(source_path), uri=True)
    try:
        tables = _tables_in_dependency_order(source)
        copied: list[TableCopy] = []
        async with target.transaction() as conn:
            for table in tables:
                if await conn.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{table}")'):
                    raise TransferError(
                        f"the PostgreSQL table {table} already has rows; the target must be empty"
                    )
            for table in tables:
                copied.append(TableCopy(table, await _copy_table(source, conn, table)))
            for table in tables:
                count = await conn.fetchval(f'SELECT count(*) FROM "{table}"')
                expected = next(c.rows for c in copied if c.table == table)
                if count != expected:
                    raise TransferError(
                        f"{table}: copied {plural(count, 'row')}, expected {expected}"
                    )
        return copied
    finally:
        source.close()


async def _copy_table(source: sqlite3.Connection, conn: asyncpg.Connection, table: str) -> int:
    # Table and column names come from the two schemas themselves, never from input.
    columns = [row[1] for row in source.execute("SELECT * FROM pragma_table_info(?)", (table,))]
    types = dict(
        await conn.fetch(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = $1 AND table_schema = current_schema()",
            table,
        )
    )
    missing = [c for c in columns if c not in types]
    if missing:
        noun = "column" if len(missing) == 1 else "columns"
        raise TransferError(f"{table}: PostgreSQL has no {noun} {missing}")
    convert = [_converter(types[c]) for c in columns]
    column_list = ", ".join(f'"{c}"' for c in columns)
    order = " ORDER BY rowid" if "id" not in columns else " ORDER BY id"
    cursor = source.execute(f'SELECT {column_list} FROM "{table}"{order}')
    total = 0
    while batch := cursor.fetchmany(5_000):
        records = [tuple(f(v) for f, v in zip(convert, row, strict=True)) for row in batch]
        # COPY keeps the ids as they are, identity columns included.
        await conn.copy_records_to_table(table, records=records, columns=columns)
        total += len(records)
    identity = await conn.fetchval(
        "SELECT column_name FROM information_schema.columns WHERE table_name = $1 "
        "AND table_schema = current_schema() AND is_identity = 'YES'",
        table,
    )
    if identity is not None and total:
        # New rows must continue after the copied ids.
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{identity}'), "
            f'(SELECT max("{identity}") FROM "{table}"))'
        )
    log.info("copied %d rows of %s", total, table)
    return total
