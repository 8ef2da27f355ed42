"""The sleep diary's storage interface; each backend implements it side by side
(:mod:`bot.db.diary_sqlite`, :mod:`bot.db.diary_postgres`).

Every method takes the user id and filters on it: no query can reach another user's nights.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from bot.sleep.entry import SleepEntry

ENTRY_COLUMNS = (
    "user_id, night, timezone, into_bed, tried_sleep, sleep_latency_min, awakenings, awake_min, "
    "final_wake, out_of_bed, quality, severity, rls_onset, rls_out_of_bed, tags, note, updated_at"
)


class DiaryRepository(Protocol):
    async def save(self, entry: SleepEntry, now: datetime) -> SleepEntry:
        """Insert the night, or replace the user's entry for that night."""
        ...

    async def get(self, user_id: int, night: date) -> SleepEntry | None: ...

    async def between(self, user_id: int, first: date, last: date) -> list[SleepEntry]:
        """Nights from `first` to `last` inclusive, oldest first."""
        ...

    async def recent_nights(self, user_id: int, limit: int) -> list[date]:
        """The user's latest logged nights, newest first (for autocomplete)."""
        ...

    async def delete(self, user_id: int, night: date) -> bool: ...


def join_tags(tags: frozenset[str]) -> str:
    # Custom tags are validated to letters, digits, spaces and dashes: a comma never occurs.
    return ",".join(sorted(tags))


def split_tags(text: str) -> frozenset[str]:
    return frozenset(t for t in text.split(",") if t)
