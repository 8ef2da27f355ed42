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
from typing import Any, cast

import aiosqlite

from bot.db.engines import Bulk, BulkInsert, BulkUpdate, Column, Engine, Row, Session


def to_epoch(instant: datetime) -> int:
    if instant.tzinfo is None:
        raise ValueError("refusing to store a naive datetime")
    return int(instant.timestamp())


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _iso_day(value: date) -> str:
    return value.isoformat()


def _read_json(text: Any) -> Any:
    return json.loads(text)


@lru_cache(maxsize=64)
def _json_each_source(columns: tuple[Column, ...]) -> str:
    """The batch is one JSON array of rows; json_each walks it in C, one row per element.

    LIMIT -1 (no limit) keeps SQLite from flattening the subquery into the statement using it:
    flattened, each `json_extract` would run once per row of a join against it, parsing the
    whole batch text every time (a claim of 10,000 ids took 0.5 s instead of 3 ms)."""
    extracted = ", ".join(
        f"json_extract(value, '$[{n}]') AS {name}" for n, (name, _) in enumerate(columns)
    )
    return f"(SELECT {extracted} FROM json_each(?) LIMIT -1)"


def _json_list(ids: Sequence[int]) -> str:
    return json.dumps(list(ids))


def _json_rows(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> list[Any]:
    return [json.dumps(rows)]


ENGINE = Engine(
    name="sqlite",
    # BEGIN IMMEDIATE (every transaction) holds the only write lock: nothing to lock row by row.
    for_update="",
    skip_locked="",
    in_ids=" IN (SELECT value FROM json_each(?))",
    sole_writer=True,
    row_order="rowid",
    instant=to_epoch,
    from_instant=from_epoch,
    day=_iso_day,
    from_day=date.fromisoformat,
    id_list=_json_list,
    read_array=_read_json,
    rows_source_sql=_json_each_source,
    rows_params=_json_rows,
    read_ids=_read_json,
    # The lists travel as JSON arrays: integers and text survive the round trip unchanged.
    rows_array_sql=(
        "(SELECT json_group_array(json_array({columns})) FROM (SELECT {columns} {query}))"
    ),
    values_array_sql="(SELECT json_group_array({column}) {query})",
    group_ids_sql="json_group_array({column})",
    each_id_sql="json_each({ids}) AS {alias}",
    lock_sql=None,
    user_columns_sql=(
        "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c "
        "WHERE m.type = 'table' AND c.name IN (?, ?) ORDER BY m.name"
    ),
)

_NEW_COLUMN = re.compile(r"\bnew\.(\w+)")


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

    async def _insert_many(self, batch: BulkInsert) -> list[Row]:
        fixed = batch.fixed
        if batch.returning is not None:
            sql = _insert_returning_sql(
                batch.table, batch.names, len(fixed.values), batch.suffix, batch.returning
            )
            rows = json.dumps([list(row) for row in batch.rows])
            return await self.fetch_all(sql, *fixed.values, rows)
        sql = _insert_sql(batch.table, batch.names, batch.suffix)
        await self._conn.executemany(sql, _with_fixed(batch))
        return []

    async def _update_many(self, batch: BulkUpdate) -> None:
        sql = _update_sql(batch.table, batch.key, batch.names, batch.assignments)
        await self._conn.executemany(sql, _with_fixed(batch))


def _with_fixed(batch: Bulk) -> Sequence[Sequence[Any]]:
    """Each row with the fixed values after it (executemany binds one sequence per row)."""
    fixed = batch.fixed.values
    return [(*row, *fixed) for row in batch.rows] if fixed else batch.rows
