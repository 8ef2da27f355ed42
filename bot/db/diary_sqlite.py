"""The sleep diary on SQLite: nights as ISO date text, instants as epoch seconds (UTC)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from bot.db.diary import ENTRY_COLUMNS, join_tags, split_tags
from bot.db.sqlite import SqliteDatabase, from_epoch, to_epoch
from bot.sleep.entry import SleepEntry

_SELECT = f"SELECT {ENTRY_COLUMNS} FROM sleep_entries"


def _opt(value: int | None) -> datetime | None:
    return None if value is None else from_epoch(value)


def _entry(row: Sequence[Any]) -> SleepEntry:
    return SleepEntry(
        user_id=row[0],
        night=date.fromisoformat(row[1]),
        timezone=row[2],
        into_bed=from_epoch(row[3]),
        tried_sleep=from_epoch(row[4]),
        sleep_latency_min=row[5],
        awakenings=row[6],
        awake_min=row[7],
        final_wake=from_epoch(row[8]),
        out_of_bed=from_epoch(row[9]),
        quality=row[10],
        severity=row[11],
        rls_onset=_opt(row[12]),
        rls_out_of_bed=row[13],
        tags=split_tags(row[14]),
        note=row[15],
        updated_at=from_epoch(row[16]),
    )


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
            async with conn.execute(
                "INSERT INTO sleep_entries (user_id, night, timezone, into_bed, tried_sleep, "
                "sleep_latency_min, awakenings, awake_min, final_wake, out_of_bed, quality, "
                "severity, rls_onset, rls_out_of_bed, tags, note, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (user_id, night) DO UPDATE SET timezone = excluded.timezone, "
                "into_bed = excluded.into_bed, tried_sleep = excluded.tried_sleep, "
                "sleep_latency_min = excluded.sleep_latency_min, "
                "awakenings = excluded.awakenings, awake_min = excluded.awake_min, "
                "final_wake = excluded.final_wake, out_of_bed = excluded.out_of_bed, "
                "quality = excluded.quality, severity = excluded.severity, "
                "rls_onset = excluded.rls_onset, rls_out_of_bed = excluded.rls_out_of_bed, "
                "tags = excluded.tags, note = excluded.note, updated_at = excluded.updated_at "
                f"RETURNING {ENTRY_COLUMNS}",
                (
                    e.user_id,
                    e.night.isoformat(),
                    e.timezone,
                    to_epoch(e.into_bed),
                    to_epoch(e.tried_sleep),
                    e.sleep_latency_min,
                    e.awakenings,
                    e.awake_min,
                    to_epoch(e.final_wake),
                    to_epoch(e.out_of_bed),
                    e.quality,
                    e.severity,
                    None if e.rls_onset is None else to_epoch(e.rls_onset),
                    e.rls_out_of_bed,
                    join_tags(e.tags),
                    e.note,
                    to_epoch(now),
                    to_epoch(now),
                ),
            ) as cursor:
                row = await cursor.fetchone()
        assert row is not None
        return _entry(row)

    async def get(self, user_id: int, night: date) -> SleepEntry | None:
        async with (
            self._db.connection() as conn,
            conn.execute(
                _SELECT + " WHERE user_id = ? AND night = ?", (user_id, night.isoformat())
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return None if row is None else _entry(row)

    async def between(self, user_id: int, first: date, last: date) -> list[SleepEntry]:
        async with (
            self._db.connection() as conn,
            conn.execute(
                _SELECT + " WHERE user_id = ? AND night BETWEEN ? AND ? ORDER BY night",
                (user_id, first.isoformat(), last.isoformat()),
            ) as cursor,
        ):
            return [_entry(row) async for row in cursor]

    async def recent_nights(self, user_id: int, limit: int) -> list[date]:
        async with (
            self._db.connection() as conn,
            conn.execute(
                "SELECT night FROM sleep_entries WHERE user_id = ? ORDER BY night DESC LIMIT ?",
                (user_id, limit),
            ) as cursor,
        ):
            return [date.fromisoformat(row[0]) async for row in cursor]

    async def delete(self, user_id: int, night: date) -> bool:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM sleep_entries WHERE user_id = ? AND night = ?",
                (user_id, night.isoformat()),
            )
            return cursor.rowcount > 0
