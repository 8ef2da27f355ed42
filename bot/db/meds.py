"""Medicines and doses' storage: one repository for both backends.

The report and the augmentation watch read doses through :meth:`MedsRepository.doses_between`
(plain :class:`~bot.clinical.meds.DoseEvent`s, taken doses only) and the list of medicines
through :meth:`MedsRepository.medicines`. Every method that takes a user id filters on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Literal

from bot.clinical.meds import DoseEvent, MedicineSpec, medicine_key
from bot.db.engines import Repository, Row
from bot.db.reminders import format_local_time, parse_local_time
from bot.db.users import ensure_user
from bot.scheduling.recurrence import Weekdays

DoseSource = Literal["reminder", "typed", "skipped"]


@dataclass(frozen=True)
class Medicine:
    """A medicine in a person's list, as they named it, with its reminder times."""

    id: int
    user_id: int
    name: str
    times: tuple[time, ...]
    days: Weekdays
    created_at: datetime
    stopped_at: datetime | None = None

    def kinds(self) -> list[str]:
        """The reminder engine's schedule kinds of this medicine's times, in order."""
        return [medicine_kind(self.id, n) for n in range(len(self.times))]


@dataclass(frozen=True)
class DoseRecord:
    """One answer about a dose: taken (with its instant and zone) or skipped."""

    id: int
    medicine_id: int
    medicine: str
    source: DoseSource
    taken_at: datetime | None  # None when skipped
    timezone: str
    delivery_id: int | None
    created_at: datetime

    @property
    def skipped(self) -> bool:
        return self.source == "skipped"


MED_KIND_PREFIX = "med:"


def medicine_kind(medicine_id: int, index: int) -> str:
    """The schedule kind of a medicine's `index`-th time: `med:<medicine id>:<n>`."""
    return f"{MED_KIND_PREFIX}{medicine_id}:{index}"


def medicine_of_kind(kind: str) -> int | None:
    """The medicine id a schedule kind belongs to, or None for another kind."""
    if not kind.startswith(MED_KIND_PREFIX):
        return None
    parts = kind.split(":")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return int(parts[1])


_MED_COLUMNS = "id, user_id, name, times, days_mask, created_at, stopped_at"
_DOSE_COLUMNS = (
    "d.id, d.medicine_id, m.name, d.source, d.taken_at, d.timezone, d.delivery_id, d.created_at"
)
_DOSE_SELECT = "SELECT " + _DOSE_COLUMNS + " FROM doses d JOIN medicines m ON m.id = d.medicine_id"
_ANSWER_TO = _DOSE_SELECT + " WHERE d.delivery_id = ? AND d.user_id = ?"


def _times_text(times: tuple[time, ...]) -> str:
    return ",".join(format_local_time(t) for t in times)


class MedsRepository(Repository):
    def _medicine(self, row: Row) -> Medicine:
        return Medicine(
            id=row[0],
            user_id=row[1],
            name=row[2],
            times=tuple(parse_local_time(t) for t in row[3].split(",")),
            days=Weekdays.from_mask(row[4]),
            created_at=self._e.from_instant(row[5]),
            stopped_at=self._e.opt_from_instant(row[6]),
        )

    def _dose(self, row: Row) -> DoseRecord:
        return DoseRecord(
            id=row[0],
            medicine_id=row[1],
            medicine=row[2],
            source=row[3],
            taken_at=self._e.opt_from_instant(row[4]),
            timezone=row[5],
            delivery_id=row[6],
            created_at=self._e.from_instant(row[7]),
        )

    async def add(self, user_id: int, spec: MedicineSpec, now: datetime) -> Medicine:
        """A new medicine in the user's list (the caller checked its name is free)."""
        stamp = self._e.instant(now)
        async with self._db.atomic() as s:
            await ensure_user(s, user_id, stamp)
            row = await s.fetch_one(
                "INSERT INTO medicines (user_id, name, name_key, times, days_mask, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING " + _MED_COLUMNS,
                user_id,
                spec.name,
                medicine_key(spec.name),
                _times_text(spec.times),
                spec.days.to_mask(),
                stamp,
            )
        assert row is not None
        return self._medicine(row)

    async def medicines(self, user_id: int, *, include_stopped: bool = False) -> list[Medicine]:
        """The user's medicines, oldest first; stopped ones only with include_stopped."""
        where = "" if include_stopped else " AND stopped_at IS NULL"
        async with self._db.read() as s:
            rows = await s.fetch_all(
                "SELECT "
                + _MED_COLUMNS
                + " FROM medicines WHERE user_id = ?"
                + where
                + " ORDER BY id",
                user_id,
            )
        return [self._medicine(row) for row in rows]

    async def get(self, user_id: int, medicine_id: int) -> Medicine | None:
        """One of the user's medicines (stopped too); None when it is not theirs."""
        async with self._db.read() as s:
            row = await s.fetch_one(
                "SELECT " + _MED_COLUMNS + " FROM medicines WHERE id = ? AND user_id = ?",
                medicine_id,
                user_id,
            )
        return None if row is None else self._medicine(row)

    async def stop(self, user_id: int, medicine_id: int, now: datetime) -> bool:
        """Take the medicine out of the list, keeping it and its doses; False if already out."""
        return await self._changes_a_row(
            "UPDATE medicines SET stopped_at = ? WHERE id = ? AND user_id = ? AND stopped_at IS NULL",
            self._e.instant(now),
            medicine_id,
            user_id,
        )

    async def record_dose(
        self,
        user_id: int,
        medicine_id: int,
        source: DoseSource,
        taken_at: datetime | None,
        zone: str,
        now: datetime,
        *,
        delivery_id: int | None = None,
    ) -> tuple[DoseRecord, bool]:
        """Record an answer; with a delivery id only the first answer to that reminder counts:
        (the record kept, True when this call made it)."""
        async with self._db.atomic() as s:
            row = await s.fetch_one(
                "INSERT INTO doses (user_id, medicine_id, source, taken_at, timezone, "
                "delivery_id, created_at) SELECT ?, id, ?, ?, ?, ?, ? FROM medicines "
                "WHERE id = ? AND user_id = ? "
                "ON CONFLICT (delivery_id) DO NOTHING RETURNING id",
                user_id,
                source,
                self._e.opt_instant(taken_at),
                zone,
                delivery_id,
                self._e.instant(now),
                medicine_id,
                user_id,
            )
            made = row is not None
            if made:
                assert row is not None
                found = await s.fetch_one(_DOSE_SELECT + " WHERE d.id = ?", row[0])
            else:
                found = await s.fetch_one(_ANSWER_TO, delivery_id, user_id)
        if found is None:
            raise LookupError(f"medicine {medicine_id} is not user {user_id}'s")
        return self._dose(found), made

    async def answer_to(self, user_id: int, delivery_id: int) -> DoseRecord | None:
        """The answer recorded to one reminder (the first of its snooze chain), if any."""
        async with self._db.read() as s:
            row = await s.fetch_one(_ANSWER_TO, delivery_id, user_id)
        return None if row is None else self._dose(row)

    async def answers(self, user_id: int, since: datetime) -> list[DoseRecord]:
        """Taken and skipped doses recorded since `since` (taken or recorded), oldest first."""
        async with self._db.read() as s:
            rows = await s.fetch_all(
                _DOSE_SELECT + " WHERE d.user_id = ? AND (d.taken_at >= ? OR "
                "(d.taken_at IS NULL AND d.created_at >= ?)) ORDER BY d.created_at, d.id",
                user_id,
                self._e.instant(since),
                self._e.instant(since),
            )
        return [self._dose(row) for row in rows]

    async def doses_between(self, user_id: int, start: datetime, end: datetime) -> list[DoseEvent]:
        """Doses taken at start <= instant < end, oldest first, each with the person's name for
        the medicine and the zone it was taken in (skips are not doses). For the report."""
        async with self._db.read() as s:
            rows = await s.fetch_all(
                "SELECT m.name, d.taken_at, d.timezone FROM doses d "
                "JOIN medicines m ON m.id = d.medicine_id "
                "WHERE d.user_id = ? AND d.taken_at >= ? AND d.taken_at < ? "
                "ORDER BY d.taken_at, d.id",
                user_id,
                self._e.instant(start),
                self._e.instant(end),
            )
        return [DoseEvent(row[0], self._e.from_instant(row[1]), row[2]) for row in rows]
