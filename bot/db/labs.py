"""Iron lab values' storage: one repository for both backends.

One value per user and day of the blood test: adding a second for the same day replaces it.
Every method takes the user id and filters on it.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.clinical.labs import LabResult
from bot.db.engines import Repository, Row
from bot.db.users import ensure_user

_COLUMNS = "taken_on, ferritin, tsat, fasting, note"
_SELECT = "SELECT " + _COLUMNS + " FROM lab_results"
# A replaced day keeps its created_at; everything else is the new value's.
_SAVE = (
    "INSERT INTO lab_results (user_id, " + _COLUMNS + ", created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (user_id, taken_on) DO UPDATE SET ferritin = excluded.ferritin, "
    "tsat = excluded.tsat, fasting = excluded.fasting, note = excluded.note, "
    "updated_at = excluded.updated_at"
)


def _fasting(value: bool | None) -> int | None:
    return None if value is None else int(value)


class LabsRepository(Repository):
    def _lab(self, row: Row) -> LabResult:
        return LabResult(
            taken_on=self._e.from_day(row[0]),
            ferritin=float(row[1]),
            tsat=None if row[2] is None else float(row[2]),
            fasting=None if row[3] is None else bool(row[3]),
            note=row[4],
        )

    async def save(self, user_id: int, lab: LabResult, now: datetime) -> LabResult | None:
        """Insert the value, or replace the user's value for that day; the value it replaced."""
        stamp = self._e.instant(now)
        async with self._db.atomic() as s:
            existed = await s.fetch_one(
                _SELECT + " WHERE user_id = ? AND taken_on = ?",
                user_id,
                self._e.day(lab.taken_on),
            )
            # The foreign key must never be the reason a value is lost (the diary does the same).
            await ensure_user(s, user_id, stamp)
            await s.execute(
                _SAVE,
                user_id,
                self._e.day(lab.taken_on),
                lab.ferritin,
                lab.tsat,
                _fasting(lab.fasting),
                lab.note,
                stamp,
                stamp,
            )
        return None if existed is None else self._lab(existed)

    async def get(self, user_id: int, taken_on: date) -> LabResult | None:
        async with self._db.read() as s:
            row = await s.fetch_one(
                _SELECT + " WHERE user_id = ? AND taken_on = ?", user_id, self._e.day(taken_on)
            )
        return None if row is None else self._lab(row)

    async def all(self, user_id: int) -> list[LabResult]:
        """Every value of the user, newest first."""
        async with self._db.read() as s:
            rows = await s.fetch_all(_SELECT + " WHERE user_id = ? ORDER BY taken_on DESC", user_id)
        return [self._lab(row) for row in rows]

    async def delete(self, user_id: int, taken_on: date) -> bool:
        return await self._changes_a_row(
            "DELETE FROM lab_results WHERE user_id = ? AND taken_on = ?",
            user_id,
            self._e.day(taken_on),
        )
