"""User profiles: the one place a user's timezone lives, shared by every feature."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.db.engines import Repository, Row, Session

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


class UserRepository(Repository):
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

    async def remember_locale(self, user_id: int, locale: str, now: datetime) -> None:
        """Note the language of the person's latest interaction (creating the profile if needed);
        a write only when it differs from the stored one."""
        # One statement with every parameter known: one trip to SQLite's thread (atomic_batch).
        sql = (
            "INSERT INTO users (id, timezone, created_at, locale) VALUES (?, NULL, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET locale = excluded.locale "
            "WHERE users.locale IS NULL OR users.locale <> excluded.locale"
        )
        await self._db.atomic_batch([(sql, (user_id, self._e.instant(now), locale))])

    async def locale(self, user_id: int) -> str | None:
        """The stored Discord locale code (``de``, ``en-US``), None when not known."""
        async with self._db.read() as s:
            value = await s.fetch_value("SELECT locale FROM users WHERE id = ?", user_id)
        return None if value is None else str(value)

    async def delete(self, user_id: int) -> bool:
        """Remove the profile (and, through foreign keys, everything hanging off it)."""
        async with self._db.atomic() as s:
            return await s.execute("DELETE FROM users WHERE id = ?", user_id) > 0
