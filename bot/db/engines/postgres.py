"""PostgreSQL's side of the storage API: timestamptz, `$n` placeholders, row locks, unnest arrays."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from bot.db.engines import BulkInsert, BulkUpdate, Column, Engine, Row, Session


@lru_cache(maxsize=1024)
def numbered(sql: str) -> str:
    """`?` -> `$1, $2, …` in order, outside quoted text; once per statement text (cached: the
    repositories' statements are a few hundred constants)."""
    out: list[str] = []
    n = 0
    quoted = False
    for char in sql:
        if char == "'":
            quoted = not quoted
        elif char == "?" and not quoted:
            n += 1
            out.append(f"${n}")
            continue
        out.append(char)
    return "".join(out)


def _instant(value: datetime) -> datetime:
    """What SQLite's epoch seconds keep, so both backends store the same instant: asyncpg would
    read a naive datetime as local time, and timestamptz would keep the microseconds epoch seconds
    drop (which would let two snoozes a fraction of a second apart both pass the unique key)."""
    if value.tzinfo is None:
        raise ValueError("refusing to store a naive datetime")
    return value.replace(microsecond=0)


def _as_is(value: Any) -> Any:
    return value  # asyncpg reads timestamptz as an aware UTC datetime, DATE as a date


@lru_cache(maxsize=64)
def _unnest_source(columns: tuple[Column, ...]) -> str:
    """One array per column (`?` placeholders, numbered with the rest of the statement)."""
    arrays = ", ".join(f"?::{kind}[]" for _, kind in columns)
    names = ", ".join(name for name, _ in columns)
    return f"(SELECT * FROM unnest({arrays}) AS u({names}))"


def _arrays(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> list[Any]:
    return [list(values) for values in zip(*rows, strict=True)] if rows else [[] for _ in columns]


def _read_ids(ids: str) -> list[int]:
    return [int(value) for value in ids.strip("{}").split(",")]


ENGINE = Engine(
    name="postgres",
    for_update=" FOR UPDATE",
    # Concurrent claimers each take a disjoint batch instead of waiting for one another; a row
    # another claimer changed after our snapshot is re-checked on its new version and drops out.
    skip_locked=" FOR UPDATE SKIP LOCKED",
    in_ids=" = ANY(?)",
    sole_writer=False,
    row_order="1",
    instant=_instant,
    from_instant=_as_is,
    day=_as_is,
    from_day=_as_is,
    id_list=list,
    read_array=list,
    rows_source_sql=_unnest_source,
    rows_params=_arrays,
    read_ids=_read_ids,
    # Anonymous records, which asyncpg reads as tuples.
    rows_array_sql="ARRAY(SELECT ROW({columns}) {query})",
    values_array_sql="ARRAY(SELECT {column} {query})",
    # Text, not bigint[]: rows_source's arrays cannot hold arrays of different lengths.
    group_ids_sql="CAST(array_agg({column}) AS text)",
    each_id_sql="unnest(CAST({ids} AS bigint[])) AS {alias}(value)",
    lock_sql="SELECT 1 FROM {table} WHERE {key} = ? FOR UPDATE",
    user_columns_sql=(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND column_name IN (?, ?) "
        "ORDER BY table_name"
    ),
)


@lru_cache(maxsize=256)
def _rows_source(columns: tuple[Column, ...], fixed: tuple[Column, ...]) -> str:
    """`(…) AS new`: the batch as one row per array element, the fixed values beside each."""
    arrays = ", ".join(f"${n}::{kind}[]" for n, (_, kind) in enumerate(columns, start=1))
    names = ", ".join(name for name, _ in columns)
    constants = "".join(
        f", ${n}::{kind} AS {name}" for n, (name, kind) in enumerate(fixed, start=len(columns) + 1)
    )
    return (
        f"(SELECT u.*{constants} FROM unnest({arrays}) WITH ORDINALITY AS u({names}, ord_)) AS new"
    )


@lru_cache(maxsize=256)
def _insert_sql(
    table: str,
    columns: tuple[Column, ...],
    fixed: tuple[Column, ...],
    suffix: str,
    returning: str | None,
) -> str:
    names = [name for name, _ in columns] + [name for name, _ in fixed]
    selected = ", ".join(f"new.{name}" for name in names)
    # With RETURNING the rows go in in the given order, so their ids follow it.
    order, tail = (
        ("", "") if returning is None else (" ORDER BY new.ord_", f" RETURNING {returning}")
    )
    return (
        f"INSERT INTO {table} ({', '.join(names)}) SELECT {selected} "
        f"FROM {_rows_source(columns, fixed)}{order} {suffix}{tail}"
    )


@lru_cache(maxsize=256)
def _update_sql(
    table: str, key: str, columns: tuple[Column, ...], fixed: tuple[Column, ...], assignments: str
) -> str:
    return (
        f"UPDATE {table} SET {assignments} FROM {_rows_source(columns, fixed)} "
        f"WHERE {table}.{key} = new.{key}"
    )


def changed_rows(status: str) -> int:
    """Rows affected, from a command tag such as "UPDATE 3" or "DELETE 0"."""
    return int(status.rsplit(" ", 1)[-1])


class PostgresSession(Session):
    engine: Engine = ENGINE

    __slots__ = ("_conn",)

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def fetch_all(self, sql: str, *params: Any) -> list[Row]:
        return list(await self._conn.fetch(numbered(sql), *params))

    async def fetch_one(self, sql: str, *params: Any) -> Row | None:
        row: Row | None = await self._conn.fetchrow(numbered(sql), *params)
        return row

    async def fetch_value(self, sql: str, *params: Any) -> Any:
        return await self._conn.fetchval(numbered(sql), *params)

    async def fetch_dicts(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        return [dict(record.items()) for record in await self._conn.fetch(numbered(sql), *params)]

    async def execute(self, sql: str, *params: Any) -> int:
        return changed_rows(await self._conn.execute(numbered(sql), *params))

    async def _insert_many(self, batch: BulkInsert) -> list[Row]:
        # One set-based statement per batch, whatever its size: the batch travels as arrays.
        fixed = batch.fixed
        sql = _insert_sql(batch.table, batch.columns, fixed.columns, batch.suffix, batch.returning)
        params = (*_arrays(batch.columns, batch.rows), *fixed.values)
        if batch.returning is None:
            await self._conn.execute(sql, *params)
            return []
        return list(await self._conn.fetch(sql, *params))

    async def _update_many(self, batch: BulkUpdate) -> None:
        fixed = batch.fixed
        sql = _update_sql(batch.table, batch.key, batch.columns, fixed.columns, batch.assignments)
        await self._conn.execute(sql, *_arrays(batch.columns, batch.rows), *fixed.values)
