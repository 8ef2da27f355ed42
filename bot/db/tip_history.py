"""Which tips each user saw most recently, so a new tip is not one they just read.

Kept in the database rather than in memory so the history survives restarts and is shared by every
process of a sharded deployment. Only the newest :data:`KEEP` tips per user are kept.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.db.engines import Repository, Row
from bot.db.users import ENSURE_USER

# Enough to avoid repeats in a topic of any size we have and across a good run of "Another tip"
# presses, small enough that the table stays tiny.
KEEP = 20

# Before a view is inserted, one statement makes room for it: it drops the tip's earlier view (a
# delete and insert rather than an update, so the new id puts the tip at the front) and every
# view beyond the newest KEEP - 1 of the others, so with the new one exactly KEEP remain.
_MAKE_ROOM = (
    "DELETE FROM tip_views WHERE user_id = ? AND (tip_id = ? OR id NOT IN ("
    "SELECT id FROM tip_views WHERE user_id = ? AND tip_id <> ? "
    "ORDER BY id DESC LIMIT ?))"
)

_RECENT = "SELECT tip_id FROM tip_views WHERE user_id = ? ORDER BY id DESC LIMIT ?"


class TipHistoryRepository(Repository):
    async def recent(self, user_id: int, limit: int = KEEP) -> list[str]:
        """Ids of the tips this user saw last, most recent first, each id once."""
        async with self._db.read() as s:
            rows = await s.fetch_all(_RECENT, user_id, max(limit, 0))
        return [row[0] for row in rows]

    async def record(self, user_id: int, tip_id: str, now: datetime) -> None:
        """Note that the user saw the tip now; older entries beyond :data:`KEEP` are dropped."""
        # Every parameter is known up front: on SQLite the whole transaction is one trip.
        await self._db.atomic_batch(self._recording(user_id, tip_id, now))

    async def choose_and_record(
        self, user_id: int, choose: Callable[[list[str]], str], now: datetime
    ) -> str:
        """`recent` (KEEP ids), `choose` (plain Python, no I/O) picks a tip id from them, and
        `record` of that id, in one transaction; returns the id chosen."""

        def decide(rows: list[Row]) -> tuple[str, list[tuple[str, tuple[Any, ...]]]]:
            tip_id = choose([row[0] for row in rows])
            return tip_id, self._recording(user_id, tip_id, now)

        # Which tip to show depends on the recent ones: read, choose and write in one
        # transaction, on SQLite one trip (this runs on every /rls tip and "Another tip").
        return await self._db.atomic_decide(_RECENT, (user_id, KEEP), decide)

    def _recording(
        self, user_id: int, tip_id: str, now: datetime
    ) -> list[tuple[str, tuple[Any, ...]]]:
        seen_at = self._e.instant(now)
        statements: list[tuple[str, tuple[Any, ...]]] = [(ENSURE_USER, (user_id, seen_at))]
        # Two processes recording for one user at once would race on the unique (user, tip)
        # pair and on the trim: they take turns on the user's row (on SQLite the transaction
        # already excludes every other writer).
        lock = self._e.lock_for_update("users", "id")
        if lock is not None:
            statements.append((lock, (user_id,)))
        statements += [
            (_MAKE_ROOM, (user_id, tip_id, user_id, tip_id, KEEP - 1)),
            (
                "INSERT INTO tip_views (user_id, tip_id, seen_at) VALUES (?, ?, ?)",
                (user_id, tip_id, seen_at),
            ),
        ]
        return statements
