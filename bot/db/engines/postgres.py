"""PostgreSQL's side of the storage API: timestamptz, `$n` placeholders, row locks, unnest arrays."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal

from bot.db.engines import Column, Engine, Fixed, Row, Session


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


class PostgresEngine:
    name: Literal["sqlite", "postgres"] = "postgres"
    for_update = " FOR UPDATE"
    # Concurrent claimers each take a disjoint batch instead of waiting for one another; a row
    # another claimer changed after our snapshot is re-checked on its new version and drops out.
    skip_locked = " FOR UPDATE SKIP LOCKED"
    sole_writer = False
    in_ids = " = ANY(?)"
    row_order = "1"

    instant = staticmethod(_instant)
    from_instant = staticmethod(_as_is)
    opt_from_instant = staticmethod(_as_is)
    day = staticmethod(_as_is)
    from_day = staticmethod(_as_is)

    @staticmethod
    def opt_instant(value: datetime | None) -> datetime | None:
        return None if value is None else _instant(value)

    @staticmethod
    def id_list(ids: Sequence[int]) -> list[int]:
        return list(ids)

    @staticmethod
    def rows_array(columns: str, query: str) -> str:
        # Anonymous records, which asyncpg reads as tuples.
        return f"ARRAY(SELECT ROW({columns}) {query})"

    @staticmethod
    def values_array(column: str, query: str) -> str:
        return f"ARRAY(SELECT {column} {query})"

    @staticmethod
    def read_array(value: Any) -> list[Any]:
        return list(value)

    @staticmethod
    def lock_for_update(table: str, key: str) -> str | None:
        return f"SELECT 1 FROM {table} WHERE {key} = ? FOR UPDATE"

    @staticmethod
    def rows_source(columns: Sequence[Column]) -> str:
        return _unnest_source(tuple(columns))

    @staticmethod
    def rows_params(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> list[Any]:
        return _arrays(columns, rows)

    @staticmethod
    def group_ids(column: str) -> str:
        # Text, not bigint[]: rows_source's arrays cannot hold arrays of different lengths.
        return f"CAST(array_agg({column}) AS text)"

    @staticmethod
    def each_id(ids: str, alias: str) -> str:
        return f"unnest(CAST({ids} AS bigint[])) AS {alias}(value)"

    @staticmethod
    def read_ids(ids: str) -> list[int]:
        return [int(value) for value in ids.strip("{}").split(",")]

    @staticmethod
    def user_columns_sql() -> str:
        return (
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name IN (?, ?) "
            "ORDER BY table_name"
        )


ENGINE = PostgresEngine()


@lru_cache(maxsize=64)
def _unnest_source(columns: tuple[Column, ...]) -> str:
    """One array per column (`?` placeholders, numbered with the rest of the statement)."""
    arrays = ", ".join(f"?::{kind}[]" for _, kind in columns)
    names = ", ".join(name for name, _ in columns)
    return f"(SELECT * FROM unnest({arrays}) AS u({names}))"


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


def _arrays(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    return [list(values) for values in zip(*rows, strict=True)] if rows else [[] for _ in columns]


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

    async def _insert_many(
        self,
        table: str,
        columns: tuple[Column, ...],
        rows: Sequence[Sequence[Any]],
        fixed: Fixed,
        suffix: str,
        returning: str | None,
    ) -> list[Row]:
        # One set-based statement per batch, whatever its size: the batch travels as arrays.
        sql = _insert_sql(table, columns, fixed.columns, suffix, returning)
        params = (*_arrays(columns, rows), *fixed.values)
        if returning is None:
            await self._conn.execute(sql, *params)
            return []
        return list(await self._conn.fetch(sql, *params))

    async def _update_many(
        self,
        table: str,
        key: str,
        columns: tuple[Column, ...],
        rows: Sequence[Sequence[Any]],
        assignments: str,
        fixed: Fixed,
    ) -> None:
        sql = _update_sql(table, key, columns, fixed.columns, assignments)
        await self._conn.execute(sql, *_arrays(columns, rows), *fixed.values)
