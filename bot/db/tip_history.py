"""Which tips each user saw most recently, so a new tip is not one they just read.

Kept in the database rather than in memory so the history survives restarts and is shared by every
process of a sharded deployment. Only the newest :data:`KEEP` tips per user are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.db.postgres import PostgresDatabase
from bot.db.sqlite import SqliteDatabase, fetch_all, to_epoch

# Enough to avoid repeats in a topic of any size we have and across a good run of "Another tip"
# presses, small enough that the table stays tiny.
KEEP = 20

# Before a view is inserted, one statement makes room for it: it drops the tip's earlier view (a
# delete and insert rather than an update, so the new id puts the tip at the front) and every
# view beyond the newest KEEP - 1 of the others, so with the new one exactly KEEP remain.
_MAKE_ROOM_SQLITE = (
    "DELETE FROM tip_views WHERE user_id = :user AND (tip_id = :tip OR id NOT IN ("
    "SELECT id FROM tip_views WHERE user_id = :user AND tip_id <> :tip "
    "ORDER BY id DESC LIMIT :keep))"
)
_MAKE_ROOM_POSTGRES = (
    "DELETE FROM tip_views WHERE user_id = $1 AND (tip_id = $2 OR id NOT IN ("
    "SELECT id FROM tip_views WHERE user_id = $1 AND tip_id <> $2 "
    "ORDER BY id DESC LIMIT $3))"
)


class TipHistoryRepository(Protocol):
    async def recent(self, user_id: int, limit: int = KEEP) -> list[str]:
        """Ids of the tips this user saw last, most recent first, each id once."""
        ...

    async def record(self, user_id: int, tip_id: str, now: datetime) -> None:
        """Note that the user saw the tip now; older entries beyond :data:`KEEP` are dropped."""
        ...


class SqliteTipHistoryRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def recent(self, user_id: int, limit: int = KEEP) -> list[str]:
        async with self._db.connection() as conn:
            rows = await fetch_all(
                conn,
                "SELECT tip_id FROM tip_views WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                (user_id, max(limit, 0)),
            )
        return [row[0] for row in rows]

    async def record(self, user_id: int, tip_id: str, now: datetime) -> None:
        # BEGIN IMMEDIATE (in transaction()) already makes SQLite's single writer run these alone.
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO users (id, timezone, created_at) VALUES (?, NULL, ?) "
                "ON CONFLICT (id) DO NOTHING",
                (user_id, to_epoch(now)),
            )
            await conn.execute(
                _MAKE_ROOM_SQLITE, {"user": user_id, "tip": tip_id, "keep": KEEP - 1}
            )
            await conn.execute(
                "INSERT INTO tip_views (user_id, tip_id, seen_at) VALUES (?, ?, ?)",
                (user_id, tip_id, to_epoch(now)),
            )


class PostgresTipHistoryRepository:
    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def recent(self, user_id: int, limit: int = KEEP) -> list[str]:
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                "SELECT tip_id FROM tip_views WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
                user_id,
                max(limit, 0),
            )
        return [row[0] for row in rows]

    async def record(self, user_id: int, tip_id: str, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO users (id, timezone, created_at) VALUES ($1, NULL, $2) "
                "ON CONFLICT (id) DO NOTHING",
                user_id,
                now,
            )
            # Two processes recording for one user at once would race on the unique (user, tip)
            # pair and on the trim; locking the user's row makes them take turns.
            await conn.execute("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", user_id)
            await conn.execute(_MAKE_ROOM_POSTGRES, user_id, tip_id, KEEP - 1)
            await conn.execute(
                "INSERT INTO tip_views (user_id, tip_id, seen_at) VALUES ($1, $2, $3)",
                user_id,
                tip_id,
                now,
            )
