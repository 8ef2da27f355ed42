"""The sleep diary on PostgreSQL: nights as DATE, instants as timestamptz."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from bot.db.diary import ENTRY_COLUMNS, entry_from_row, entry_values, upsert_sql
from bot.db.postgres import PostgresDatabase
from bot.sleep.entry import SleepEntry

_SELECT = f"SELECT {ENTRY_COLUMNS} FROM sleep_entries"
_SAVE = upsert_sql(", ".join(f"${n}" for n in range(1, 19)) + ", $19, $19")


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _as_is(night: date) -> date:
    return night


def _second(value: datetime) -> datetime:
    # SQLite keeps whole seconds; round here too so both backends return the same entry.
    return value.astimezone(UTC).replace(microsecond=0)


def _entry(row: Sequence[Any]) -> SleepEntry:
    return entry_from_row(row, _as_is, _utc)


class PostgresDiaryRepository:
    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def save(self, entry: SleepEntry, now: datetime) -> SleepEntry:
        e = entry
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO users (id, timezone, created_at) VALUES ($1, $2, $3) "
                "ON CONFLICT (id) DO NOTHING",
                e.user_id,
                e.timezone,
                _second(now),
            )
            row = await conn.fetchrow(_SAVE, *entry_values(e, _as_is, _second), _second(now))
        return _entry(row)

    async def get(self, user_id: int, night: date) -> SleepEntry | None:
        async with self._db.connection() as conn:
            row = await conn.fetchrow(
                _SELECT + " WHERE user_id = $1 AND night = $2", user_id, night
            )
        return None if row is None else _entry(row)

    async def between(self, user_id: int, first: date, last: date) -> list[SleepEntry]:
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                _SELECT + " WHERE user_id = $1 AND night BETWEEN $2 AND $3 ORDER BY night",
                user_id,
                first,
                last,
            )
        return [_entry(row) for row in rows]

    async def recent_nights(self, user_id: int, limit: int) -> list[date]:
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                "SELECT night FROM sleep_entries WHERE user_id = $1 ORDER BY night DESC LIMIT $2",
                user_id,
                limit,
            )
        return [row[0] for row in rows]

    async def delete(self, user_id: int, night: date) -> bool:
        deleted = await self._db.write(
            "DELETE FROM sleep_entries WHERE user_id = $1 AND night = $2", user_id, night
        )
        return deleted > 0
