"""One claiming process for bench/reminders_postgres.py: claims everything due, prints JSON."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime

from bench.common import rss_mb, with_loop_lag
from bot.clock import FakeClock
from bot.db import build_repositories
from bot.db.postgres import PostgresDatabase
from bot.reminders.engine import ReminderEngine


async def claim(dsn: str, schema: str, at: str) -> dict[str, float]:
    db = await PostgresDatabase.open(dsn, server_settings={"search_path": schema})
    repos = build_repositories(db)
    engine = ReminderEngine(repos.reminders, repos.users, FakeClock(datetime.fromisoformat(at)))
    claimed, elapsed, lag = await with_loop_lag(engine.tick())
    await db.close()
    return {"claimed": claimed, "seconds": elapsed, "lag": lag, "rss": rss_mb()}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(claim(sys.argv[1], sys.argv[2], sys.argv[3]))))
