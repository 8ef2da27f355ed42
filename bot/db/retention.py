"""Pruning the reminder outbox: a bot that runs for years would otherwise keep every delivery.

Finished deliveries (sent, failed or skipped) due before the cut-off go, a small batch per
transaction, so the writer lock (SQLite) or row locks (PostgreSQL) are held only briefly and
commands keep being answered in between. Pending ones are never touched. Done streaks look back
at most MAX_STREAK_DAYS scheduled local days, all due after `now - MAX_STREAK_DAYS days`: with
the retention at least that long (the setting's minimum), streaks count exactly as before.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from bot.db.engines import Database

log = logging.getLogger(__name__)

PRUNE_BATCH = 500


def _prune_sql(db: Database) -> str:
    # SKIP LOCKED (PostgreSQL): rows a sender is settling right now wait for the next batch.
    return (
        "DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries "
        "WHERE status IN ('sent', 'failed', 'skipped') AND due_at < ? ORDER BY id LIMIT ?"
        + db.engine.skip_locked
        + ")"
    )


async def prune_deliveries(db: Database, before: datetime, batch: int = PRUNE_BATCH) -> int:
    """Delete finished deliveries due before BEFORE, BATCH rows per transaction; returns how
    many. A snooze made from a pruned delivery is older still and goes with it (ON DELETE
    CASCADE)."""
    total = 0
    while True:
        async with db.atomic() as s:
            deleted = await s.execute(_prune_sql(db), db.engine.instant(before), batch)
        total += deleted
        if deleted < batch:
            break
        await asyncio.sleep(0)  # let waiting commands have the database between batches
    if total:
        log.info("pruned %d reminder deliveries due before %s", total, before.date())
    return total
