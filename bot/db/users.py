"""User profiles: the one place a user's timezone lives, shared by every feature."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.db.engines import Row, Session
from bot.db.locales import KeepsLocale

# A user's row without a zone, unless it exists: what other aggregates' rows hang off.
ENSURE_USER = "INSERT INTO users (id, created_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING"


async def ensure_user(s: Session, user_id: int, created_at: Any) -> None:
    """Create the user's row if it is missing, so a foreign key is never why a write is lost.

    ``created_at`` is already in the engine's form (``engine.instant(now)``)."""
    await s.execute(ENSURE_USER, user_id, created_at)


@dataclass(frozen=True)
class UserProfile:
    id: int
    timezone: str | None
    created_at: datetime


class UserRepository(KeepsLocale, table="users", key="id", stamp="created_at"):
    def _profile(self, row: Row) -> UserProfile:
        return UserProfile(row[0], row[1], self._e.from_instant(row[2]))

    async def get(self, user_id: int) -> UserProfile | None:
        async with self._db.read() as s:
            row = await s.fetch_one(
                "SELECT id, timezone, created_at FROM users WHERE id = ?", user_id
            )
        return None if row is None else self._profile(row)

    async def set_timezone(self, user_id: int, zone: str, now: datetime) -> UserProfile:
        """Create the profile if needed and set its zone."""
        async with self._db.atomic() as s:
            row = await s.fetch_one(
                "INSERT INTO users (id, timezone, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET timezone = excluded.timezone "
                "RETURNING id, timezone, created_at",
                user_id,
                zone,
                self._e.instant(now),
            )
        assert row is not None
        return self._profile(row)

    async def delete(self, user_id: int) -> bool:
        """Remove the profile (and, through foreign keys, everything hanging off it)."""
        return await self._changes_a_row("DELETE FROM users WHERE id = ?", user_id)
