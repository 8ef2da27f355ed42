"""Which of a user's reminders follow their symptom onset (`/stretch remind time:auto`), and how
many minutes before it: one repository for both backends.

A row means "auto"; the schedule itself (bot.db.reminders) keeps holding the time in force, so
the reminder engine needs nothing from here. Every method takes the user id and filters on it.
"""

from __future__ import annotations

from datetime import datetime

from bot.db.engines import Repository
from bot.db.users import ensure_user


class AutoTimesRepository(Repository):
    async def get(self, user_id: int, kind: str) -> int | None:
        """Minutes before the median onset, or None when the reminder's time was typed."""
        async with self._db.read() as s:
            row = await s.fetch_one(
                "SELECT before_min FROM auto_times WHERE user_id = ? AND kind = ?", user_id, kind
            )
        return None if row is None else int(row[0])

    async def set(self, user_id: int, kind: str, before_min: int, now: datetime) -> None:
        stamp = self._e.instant(now)
        async with self._db.atomic() as s:
            await ensure_user(s, user_id, stamp)
            await s.execute(
                "INSERT INTO auto_times (user_id, kind, before_min, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (user_id, kind) DO UPDATE SET "
                "before_min = excluded.before_min, updated_at = excluded.updated_at",
                user_id,
                kind,
                before_min,
                stamp,
            )

    async def clear(self, user_id: int, kind: str) -> bool:
        """Back to a typed time; True when it was auto."""
        return await self._changes_a_row(
            "DELETE FROM auto_times WHERE user_id = ? AND kind = ?", user_id, kind
        )
