"""The sleep diary's storage: one repository for both backends.

Every method takes the user id and filters on it: no query can reach another user's nights.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.clinical.meds import DoseEvent
from bot.db.engines import Database, Repository, Row
from bot.sleep.entry import SleepEntry

# What `save` writes from an entry, in the order of entry_values(); the stored entry adds updated_at.
_WRITTEN = (
    "user_id, night, timezone, into_bed, tried_sleep, sleep_latency_min, awakenings, awake_min, "
    "final_wake, out_of_bed, quality, severity, rls_onset, rls_out_of_bed, tags, note, naps, "
    "nap_min, body_regions, rest_min"
)
ENTRY_COLUMNS = _WRITTEN + ", updated_at"
# A replaced night keeps its user, night and created_at; everything else is the new entry's.
_REPLACED = [*(c.strip() for c in _WRITTEN.split(",")[2:]), "updated_at"]


def upsert_sql(values: str) -> str:
    """The statement that saves an entry (insert, or replace the user's night) and returns it, on
    both backends; `values` are the backend's placeholders for entry_values(), then created_at
    and updated_at."""
    return (
        "INSERT INTO sleep_entries (" + _WRITTEN + ", created_at, updated_at) "
        "VALUES (" + values + ") "
        "ON CONFLICT (user_id, night) DO UPDATE SET "
        + ", ".join(c + " = excluded." + c for c in _REPLACED)
        + " RETURNING "
        + ENTRY_COLUMNS
    )


@dataclass(frozen=True, slots=True)
class NightsWithDone:
    timezone: str | None
    nights: list[tuple[date, Row]]  # each night's day and its row, for `entry`
    done: list[datetime]
    entry: Callable[[Row], SleepEntry]
    doses: list[DoseEvent] = field(default_factory=list)  # in `meds.doses_between`'s order


def join_tags(tags: frozenset[str]) -> str:
    # Custom tags are validated to letters, digits, spaces and dashes: a comma never occurs.
    return ",".join(sorted(tags))


def split_tags(text: str) -> frozenset[str]:
    return frozenset(t for t in text.split(",") if t)


def join_regions(regions: frozenset[str] | None) -> str | None:
    """Body regions as stored (migration 0012): NULL not answered, '' none, 'arms,legs'."""
    return None if regions is None else ",".join(sorted(regions))


def split_regions(text: str | None) -> frozenset[str] | None:
    return None if text is None else split_tags(text)


def entry_values(
    e: SleepEntry, night: Callable[[date], Any], instant: Callable[[datetime], Any]
) -> tuple[Any, ...]:
    """The entry as the backend stores it (`night` and `instant` convert), in _WRITTEN order."""
    return (
        e.user_id,
        night(e.night),
        e.timezone,
        instant(e.into_bed),
        instant(e.tried_sleep),
        e.sleep_latency_min,
        e.awakenings,
        e.awake_min,
        instant(e.final_wake),
        None if e.out_of_bed is None else instant(e.out_of_bed),
        e.quality,
        e.severity,
        None if e.rls_onset is None else instant(e.rls_onset),
        e.rls_out_of_bed,
        join_tags(e.tags),
        e.note,
        e.naps,
        e.nap_min,
        join_regions(e.body_regions),
        e.rest_min,
    )


def entry_from_row(
    row: Sequence[Any], night: Callable[[Any], date], instant: Callable[[Any], datetime]
) -> SleepEntry:
    """A row of ENTRY_COLUMNS; `night` and `instant` read the backend's storage."""
    return SleepEntry(
        user_id=row[0],
        night=night(row[1]),
        timezone=row[2],
        into_bed=instant(row[3]),
        tried_sleep=instant(row[4]),
        sleep_latency_min=row[5],
        awakenings=row[6],
        awake_min=row[7],
        final_wake=instant(row[8]),
        out_of_bed=None if row[9] is None else instant(row[9]),
        quality=row[10],
        severity=row[11],
        rls_onset=None if row[12] is None else instant(row[12]),
        rls_out_of_bed=row[13],
        tags=split_tags(row[14]),
        note=row[15],
        naps=row[16],
        nap_min=row[17],
        body_regions=split_regions(row[18]),
        rest_min=row[19],
        updated_at=None if row[20] is None else instant(row[20]),
    )


_SELECT = "SELECT " + ENTRY_COLUMNS + " FROM sleep_entries"
_SAVE = upsert_sql(", ".join(["?"] * 22))


class DiaryRepository(Repository):
    """Nights as the engine stores days (ISO text, DATE), instants as it stores instants."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        e = self._e
        # /sleep stats' three reads (zone, nights, Done stretch reminders) as one statement.
        self._nights_with_done_sql = (
            "SELECT u.timezone, "
            + e.rows_array(
                ENTRY_COLUMNS,
                "FROM sleep_entries WHERE user_id = u.id AND night BETWEEN ? AND ? ORDER BY night",
            )
            + ", "
            + e.values_array(
                "d.due_at",
                "FROM deliveries d JOIN schedules k ON k.id = d.schedule_id "
                "WHERE d.user_id = u.id AND k.kind = ? AND d.done_at IS NOT NULL AND d.due_at >= ?",
            )
            + ", "
            + e.rows_array(
                # Plain column names: SQLite's array selects them again from this query.
                "name, taken_at, timezone",
                "FROM (SELECT m.name AS name, d.taken_at AS taken_at, d.timezone AS timezone, "
                "d.id AS id FROM doses d JOIN medicines m ON m.id = d.medicine_id "
                "WHERE d.user_id = u.id AND d.taken_at >= ? AND d.taken_at < ?) AS taken "
                "ORDER BY taken_at, id",
            )
            + " FROM users u WHERE u.id = ?"
        )

    def _entry(self, row: Row) -> SleepEntry:
        return entry_from_row(row, self._e.from_day, self._e.from_instant)

    async def save(self, entry: SleepEntry, now: datetime) -> SleepEntry:
        """Insert the night, or replace the user's entry for that night."""
        e, stamp = entry, self._e.instant(now)
        async with self._db.atomic() as s:
            # The profile normally exists (a zone is needed to log), but the foreign key must
            # never be the reason a night is lost.
            await s.execute(
                "INSERT INTO users (id, timezone, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (id) DO NOTHING",
                e.user_id,
                e.timezone,
                stamp,
            )
            row = await s.fetch_one(
                _SAVE, *entry_values(e, self._e.day, self._e.instant), stamp, stamp
            )
        assert row is not None
        return self._entry(row)

    async def get(self, user_id: int, night: date) -> SleepEntry | None:
        async with self._db.read() as s:
            row = await s.fetch_one(
                _SELECT + " WHERE user_id = ? AND night = ?", user_id, self._e.day(night)
            )
        return None if row is None else self._entry(row)

    async def between(self, user_id: int, first: date, last: date) -> list[SleepEntry]:
        """Nights from `first` to `last` inclusive, oldest first."""
        async with self._db.read() as s:
            rows = await s.fetch_all(
                _SELECT + " WHERE user_id = ? AND night BETWEEN ? AND ? ORDER BY night",
                user_id,
                self._e.day(first),
                self._e.day(last),
            )
        return [self._entry(row) for row in rows]

    async def nights_with_done(
        self,
        user_id: int,
        first: date,
        last: date,
        kind: str,
        done_since: datetime,
        doses: tuple[datetime, datetime] | None = None,
    ) -> NightsWithDone | None:
        """In one read: the user's zone, their nights from `first` to `last` (oldest first, still
        rows: the caller builds only the ones it keeps), the due times of their `kind`
        reminders marked Done since `done_since` and, when `doses` is a (start, end) window,
        the doses taken in it as `meds.doses_between` lists them. None when the user has no
        profile."""
        e = self._e
        # No window asked for: an empty one (the statement is the same either way).
        doses_from, doses_to = doses or (done_since, done_since)
        async with self._db.read() as s:
            row = await s.fetch_one(
                self._nights_with_done_sql,
                e.day(first),
                e.day(last),
                kind,
                e.instant(done_since),
                e.instant(doses_from),
                e.instant(doses_to),
                user_id,
            )
        if row is None:
            return None
        nights = [(e.from_day(r[1]), r) for r in e.read_array(row[1])]
        done = sorted(e.from_instant(t) for t in e.read_array(row[2]))
        taken = [DoseEvent(r[0], e.from_instant(r[1]), r[2]) for r in e.read_array(row[3])]
        return NightsWithDone(row[0], nights, done, self._entry, taken)

    async def recent_nights(self, user_id: int, limit: int) -> list[date]:
        """The user's latest logged nights, newest first (for autocomplete)."""
        async with self._db.read() as s:
            rows = await s.fetch_all(
                "SELECT night FROM sleep_entries WHERE user_id = ? ORDER BY night DESC LIMIT ?",
                user_id,
                limit,
            )
        return [self._e.from_day(row[0]) for row in rows]

    async def delete(self, user_id: int, night: date) -> bool:
        return await self._changes_a_row(
            "DELETE FROM sleep_entries WHERE user_id = ? AND night = ?", user_id, self._e.day(night)
        )
