"""SQLite's side of the storage API: epoch seconds, `?` as written, one writer, executemany.

Every aiosqlite call is a trip to the connection's worker thread and back; each Session method
below is exactly one (tests/db/test_sqlite_round_trips.py counts them), except fetch_dicts (two:
execute, which gives the column names, then every row).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, Literal, cast

import aiosqlite

from bot.db.engines import Column, Engine, Fixed, Row, Session


def to_epoch(instant: datetime) -> int:
    if instant.tzinfo is None:
        raise ValueError("refusing to store a naive datetime")
    return int(instant.timestamp())


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class SqliteEngine:
    name: Literal["sqlite", "postgres"] = "sqlite"
    # BEGIN IMMEDIATE (every transaction) holds the only write lock: nothing to lock row by row.
    for_update = ""
    skip_locked = ""
    sole_writer = True
    in_ids = " IN (SELECT value FROM json_each(?))"
    row_order = "rowid"

    instant = staticmethod(to_epoch)
    from_instant = staticmethod(from_epoch)

    @staticmethod
    def opt_instant(value: datetime | None) -> int | None:
        return None if value is None else to_epoch(value)

    @staticmethod
    def opt_from_instant(value: Any) -> datetime | None:
        return None if value is None else from_epoch(value)

    @staticmethod
    def day(value: date) -> str:
        return value.isoformat()

    @staticmethod
    def from_day(value: Any) -> date:
        return date.fromisoformat(value)

    @staticmethod
    def id_list(ids: Sequence[int]) -> str:
        return json.dumps(list(ids))

    @staticmethod
    def rows_array(columns: str, query: str) -> str:
        # The lists travel as JSON arrays: integers and text survive the round trip unchanged.
        return f"(SELECT json_group_array(json_array({columns})) FROM (SELECT {columns} {query}))"

    @staticmethod
    def values_array(column: str, query: str) -> str:
        return f"(SELECT json_group_array({column}) {query})"

    @staticmethod
    def read_array(value: Any) -> list[Any]:
        return cast(list[Any], json.loads(value))

    @staticmethod
    def lock_for_update(table: str, key: str) -> str | None:
        return None

    @staticmethod
    def rows_source(columns: Sequence[Column]) -> str:
        return _rows_source(tuple(columns))

    @staticmethod
    def rows_params(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> list[Any]:
        return [json.dumps(rows)]

    @staticmethod
    def group_ids(column: str) -> str:
        return f"json_group_array({column})"

    @staticmethod
    def each_id(ids: str, alias: str) -> str:
        return f"json_each({ids}) AS {alias}"

    @staticmethod
    def read_ids(ids: str) -> list[int]:
        return cast(list[int], json.loads(ids))

    @staticmethod
    def user_columns_sql() -> str:
        return (
            "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c "
            "WHERE m.type = 'table' AND c.name IN (?, ?) ORDER BY m.name"
        )


ENGINE = SqliteEngine()

_NEW_COLUMN = re.compile(r"\bnew\.(\w+)")


@lru_cache(maxsize=64)
def _rows_source(columns: tuple[Column, ...]) -> str:
    """The batch is one JSON array of rows; json_each walks it in C, one row per element.

    LIMIT -1 (no limit) keeps SQLite from flattening the subquery into the statement using it:
    flattened, each `json_extract` would run once per row of a join against it, parsing the
    whole batch text every time (a claim of 10,000 ids took 0.5 s instead of 3 ms)."""
    extracted = ", ".join(
        f"json_extract(value, '$[{n}]') AS {name}" for n, (name, _) in enumerate(columns)
    )
    return f"(SELECT {extracted} FROM json_each(?) LIMIT -1)"


@lru_cache(maxsize=256)
def _update_sql(table: str, key: str, names: tuple[str, ...], assignments: str) -> str:
    """`new.column` becomes `?N`, the column's place in the row (SQLite's numbered parameters)."""
    place = {name: f"?{n}" for n, name in enumerate(names, start=1)}
    body = _NEW_COLUMN.sub(lambda m: place[m[1]], assignments)
    return f"UPDATE {table} SET {body} WHERE {table}.{key} = {place[key]}"


@lru_cache(maxsize=256)
def _insert_sql(table: str, names: tuple[str, ...], suffix: str) -> str:
    marks = ", ".join("?" * len(names))
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks}) {suffix}"


@lru_cache(maxsize=256)
def _insert_returning_sql(
    table: str, names: tuple[str, ...], fixed: int, suffix: str, returning: str
) -> str:
    """One statement for the whole batch, which travels as one JSON array (executemany cannot
    return rows); `ORDER BY v.key` inserts them in the given order, so their ids follow it."""
    extracted = [f"json_extract(v.value, '$[{n}]')" for n in range(len(names) - fixed)]
    constants = ["?"] * fixed  # bound before the batch: they come first in the text
    # WHERE true: without it SQLite would read ON CONFLICT as part of the SELECT's join.
    return (
        f"INSERT INTO {table} ({', '.join(names)}) "
        f"SELECT {', '.join(extracted + constants)} FROM json_each(?) AS v WHERE true "
        f"ORDER BY v.key {suffix} RETURNING {returning}"
    )


class SqliteSession(Session):
    engine: Engine = ENGINE

    __slots__ = ("_conn",)

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def fetch_all(self, sql: str, *params: Any) -> list[Row]:
        return cast(list[Row], await self._conn.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, *params: Any) -> Row | None:
        # All rows are read in the one trip: for statements returning at most a few.
        rows = await self._conn.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def fetch_value(self, sql: str, *params: Any) -> Any:
        row = await self.fetch_one(sql, *params)
        return None if row is None else row[0]

    async def fetch_dicts(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        # The statement is finished once every row is read, so the cursor needs no close trip.
        cursor = await self._conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in await cursor.fetchall()]

    async def execute(self, sql: str, *params: Any) -> int:
        cursor = await self._conn.execute(sql, params)
        return cursor.rowcount

    async def _insert_many(
        self,
        table: str,
        columns: tuple[Column, ...],
        rows: Sequence[Sequence[Any]],
        fixed: Fixed,
        suffix: str,
        returning: str | None,
    ) -> list[Row]:
        names = tuple(name for name, _ in columns) + fixed.names
        if returning is not None:
            sql = _insert_returning_sql(table, names, len(fixed.values), suffix, returning)
            return await self.fetch_all(sql, *fixed.values, json.dumps([list(r) for r in rows]))
        await self._conn.executemany(_insert_sql(table, names, suffix), _with(rows, fixed))
        return []

    async def _update_many(
        self,
        table: str,
        key: str,
        columns: tuple[Column, ...],
        rows: Sequence[Sequence[Any]],
        assignments: str,
        fixed: Fixed,
    ) -> None:
        names = tuple(name for name, _ in columns) + fixed.names
        sql = _update_sql(table, key, names, assignments)
        await self._conn.executemany(sql, _with(rows, fixed))


def _with(rows: Sequence[Sequence[Any]], fixed: Fixed) -> Sequence[Sequence[Any]]:
    """Each row with the fixed values after it (executemany binds one sequence per row)."""
    return [(*row, *fixed.values) for row in rows] if fixed.values else rows
