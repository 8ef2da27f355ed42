"""The sleep diary on PostgreSQL: nights as DATE, instants as timestamptz."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from bot.db.diary import ENTRY_COLUMNS, join_tags, split_tags
from bot.db.postgres import PostgresDatabase
from bot.sleep.entry import SleepEntry

_SELECT = f"SELECT {ENTRY_COLUMNS} FROM sleep_entries"


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _entry(row: Sequence[Any]) -> SleepEntry:
    return SleepEntry(
        user_id=row[0],
        night=row[1],
        timezone=row[2],
        into_bed=row[3].astimezone(UTC),
        tried_sleep=row[4].astimezone(UTC),
        sleep_latency_min=row[5],
        awakenings=row[6],
        awake_min=row[7],
        final_wake=row[8].astimezone(UTC),
        out_of_bed=row[9].astimezone(UTC),
        quality=row[10],
        severity=row[11],
        rls_onset=_utc(row[12]),
        rls_out_of_bed=row[13],
        tags=split_tags(row[14]),
        note=row[15],
        updated_at=_utc(row[16]),
    )


def _second(value: datetime) -> datetime:
    # SQLite keeps whole seconds; round here too so both backends return the same entry.
    return value.astimezone(UTC).replace(microsecond=0)


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
            row = await conn.fetchrow(
                "INSERT INTO sleep_entries (user_id, night, timezone, into_bed, tried_sleep, "
                "sleep_latency_min, awakenings, awake_min, final_wake, out_of_bed, quality, "
                "severity, rls_onset, rls_out_of_bed, tags, note, created_at, updated_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
                "$17, $17) "
                "ON CONFLICT (user_id, night) DO UPDATE SET timezone = excluded.timezone, "
                "into_bed = excluded.into_bed, tried_sleep = excluded.tried_sleep, "
                "sleep_latency_min = excluded.sleep_latency_min, "
                "awakenings = excluded.awakenings, awake_min = excluded.awake_min, "
                "final_wake = excluded.final_wake, out_of_bed = excluded.out_of_bed, "
                "quality = excluded.quality, severity = excluded.severity, "
                "rls_onset = excluded.rls_onset, rls_out_of_bed = excluded.rls_out_of_bed, "
                "tags = excluded.tags, note = excluded.note, updated_at = excluded.updated_at "
                f"RETURNING {ENTRY_COLUMNS}",
                e.user_id,
                e.night,
                e.timezone,
                _second(e.into_bed),
                _second(e.tried_sleep),
                e.sleep_latency_min,
                e.awakenings,
                e.awake_min,
                _second(e.final_wake),
                _second(e.out_of_bed),
                e.quality,
                e.severity,
                None if e.rls_onset is None else _second(e.rls_onset),
                e.rls_out_of_bed,
                join_tags(e.tags),
                e.note,
                _second(now),
            )
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
        async with self._db.transaction() as conn:
            status = await conn.execute(
                "DELETE FROM sleep_entries WHERE user_id = $1 AND night = $2", user_id, night
            )
        return bool(status != "DELETE 0")
