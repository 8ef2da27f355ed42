"""User profiles: the one place a user's timezone lives, shared by every feature."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.db.postgres import PostgresDatabase
from bot.db.sqlite import SqliteDatabase, fetch_one, from_epoch, to_epoch


@dataclass(frozen=True)
class UserProfile:
    id: int
    timezone: str | None
    created_at: datetime


class UserRepository(Protocol):
    async def get(self, user_id: int) -> UserProfile | None: ...

    async def set_timezone(self, user_id: int, zone: str, now: datetime) -> UserProfile:
        """Create the profile if needed and set its zone."""
        ...

    async def delete(self, user_id: int) -> bool:
        """Remove the profile (and, through foreign keys, everything hanging off it)."""
        ...


class SqliteUserRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def get(self, user_id: int) -> UserProfile | None:
        async with self._db.connection() as conn:
            row = await fetch_one(
                conn, "SELECT id, timezone, created_at FROM users WHERE id = ?", (user_id,)
            )
        return None if row is None else UserProfile(row[0], row[1], from_epoch(row[2]))

    async def set_timezone(self, user_id: int, zone: str, now: datetime) -> UserProfile:
        async with self._db.transaction() as conn:
            row = await fetch_one(
                conn,
                "INSERT INTO users (id, timezone, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET timezone = excluded.timezone "
                "RETURNING id, timezone, created_at",
                (user_id, zone, to_epoch(now)),
            )
        assert row is not None
        return UserProfile(row[0], row[1], from_epoch(row[2]))

    async def delete(self, user_id: int) -> bool:
        return await self._db.write("DELETE FROM users WHERE id = ?", (user_id,)) > 0


class PostgresUserRepository:
    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def get(self, user_id: int) -> UserProfile | None:
        async with self._db.connection() as conn:
            row = await conn.fetchrow(
                "SELECT id, timezone, created_at FROM users WHERE id = $1", user_id
            )
        return None if row is None else UserProfile(row[0], row[1], row[2])

    async def set_timezone(self, user_id: int, zone: str, now: datetime) -> UserProfile:
        async with self._db.transaction() as conn:
            row = await conn.fetchrow(
                "INSERT INTO users (id, timezone, created_at) VALUES ($1, $2, $3) "
                "ON CONFLICT (id) DO UPDATE SET timezone = excluded.timezone "
                "RETURNING id, timezone, created_at",
                user_id,
                zone,
                now,
            )
        return UserProfile(row[0], row[1], row[2])

    async def delete(self, user_id: int) -> bool:
        return await self._db.write("DELETE FROM users WHERE id = $1", user_id) > 0
