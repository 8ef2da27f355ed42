"""The sleep diary on SQLite: nights as ISO date text, instants as epoch seconds (UTC)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from bot.db.diary import ENTRY_COLUMNS, entry_from_row, entry_values, upsert_sql
from bot.db.sqlite import SqliteDatabase, fetch_all, fetch_one, from_epoch, to_epoch
from bot.sleep.entry import SleepEntry

_SELECT = f"SELECT {ENTRY_COLUMNS} FROM sleep_entries"
_SAVE = upsert_sql(", ".join(["?"] * 20))


def _entry(row: Sequence[Any]) -> SleepEntry:
    return entry_from_row(row, date.fromisoformat, from_epoch)


class SqliteDiaryRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def save(self, entry: SleepEntry, now: datetime) -> SleepEntry:
        e = entry
        async with self._db.transaction() as conn:
            # The profile normally exists (a zone is needed to log), but the foreign key must
            # never be the reason a night is lost.
            await conn.execute(
                "INSERT INTO users (id, timezone, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (id) DO NOTHING",
                (e.user_id, e.timezone, to_epoch(now)),
            )
            row = await fetch_one(
                conn,
                _SAVE,
                (*entry_values(e, date.isoformat, to_epoch), to_epoch(now), to_epoch(now)),
            )
        assert row is not None
        return _entry(row)

    async def get(self, user_id: int, night: date) -> SleepEntry | None:
        async with self._db.connection() as conn:
            row = await fetch_one(
                conn, _SELECT + " WHERE user_id = ? AND night = ?", (user_id, night.isoformat())
            )
        return None if row is None else _entry(row)

    async def between(self, user_id: int, first: date, last: date) -> list[SleepEntry]:
        async with self._db.connection() as conn:
            rows = await fetch_all(
                conn,
                _SELECT + " WHERE user_id = ? AND night BETWEEN ? AND ? ORDER BY night",
                (user_id, first.isoformat(), last.isoformat()),
            )
        return [_entry(row) for row in rows]

    async def recent_nights(self, user_id: int, limit: int) -> list[date]:
        async with self._db.connection() as conn:
            rows = await fetch_all(
                conn,
                "SELECT night FROM sleep_entries WHERE user_id = ? ORDER BY night DESC LIMIT ?",
                (user_id, limit),
            )
        return [date.fromisoformat(row[0]) for row in rows]

    async def delete(self, user_id: int, night: date) -> bool:
        deleted = await self._db.write(
            "DELETE FROM sleep_entries WHERE user_id = ? AND night = ?",
            (user_id, night.isoformat()),
        )
        return deleted > 0
