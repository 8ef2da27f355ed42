"""Reminder engine on SQLite at scale, and APScheduler one-job-per-user for comparison.

    .venv/bin/python -m bench.reminders_sqlite [--schedules 1000000] [--due 10000] [--aps 100000]

Figures printed as a Markdown table row set; copy them into bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import random
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import machine, rss_mb, with_loop_lag
from bot.clock import FakeClock
from bot.db import build_repositories
from bot.db.sqlite import SqliteDatabase
from bot.reminders.engine import ReminderEngine

ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "UTC"]
BURST_AT = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def populate(path: Path, schedules: int, due: int) -> float:
    """Bulk-load users and schedules straight through sqlite3 (the bot's own path is one at a
    time); `due` of them are due at BURST_AT, the rest spread over the following day."""
    start = time.perf_counter()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    rng = random.Random(7)
    burst = int(BURST_AT.timestamp())
    created = int((BURST_AT - timedelta(days=1)).timestamp())
    batch = 50_000
    for first in range(0, schedules, batch):
        ids = range(first + 1, min(schedules, first + batch) + 1)
        conn.executemany(
            "INSERT INTO users (id, timezone, created_at) VALUES (?, ?, ?)",
            [(i, ZONES[i % len(ZONES)], created) for i in ids],
        )
        rows = []
        for i in ids:
            if i <= due:
                next_due, local = burst, "17:00"
            else:
                offset = rng.randrange(120, 86_400)
                next_due, local = burst + offset, f"{rng.randrange(24):02d}:{rng.randrange(60):02d}"
            rows.append((i, "stretch", local, 127, "Europe/Berlin", next_due, created, created))
        conn.executemany(
            "INSERT INTO schedules (user_id, kind, local_time, days_mask, timezone, next_due, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.commit()
    conn.close()
    return time.perf_counter() - start


async def engine_figures(path: Path) -> dict[str, str]:
    figures: dict[str, str] = {}
    start = time.perf_counter()
    db = await SqliteDatabase.open(path)
    await db.migrate()
    repos = build_repositories(db)
    clock = FakeClock(BURST_AT - timedelta(minutes=1))
    engine = ReminderEngine(repos.reminders, repos.users, clock)
    await engine.tick()
    figures["start-up (open, migrate, first idle tick)"] = (
        f"{(time.perf_counter() - start) * 1000:.0f} ms"
    )

    idle = []
    for _ in range(50):
        t0 = time.perf_counter()
        await engine.tick()
        idle.append(time.perf_counter() - t0)
    idle.sort()
    figures["idle tick (median / max of 50)"] = (
        f"{idle[len(idle) // 2] * 1000:.2f} ms / {idle[-1] * 1000:.2f} ms"
    )

    clock.set(BURST_AT + timedelta(seconds=5))
    claimed, elapsed, lag = await with_loop_lag(engine.tick())
    figures[f"tick with {claimed:,} due"] = f"{elapsed * 1000:.0f} ms"
    figures["event-loop lag during that tick"] = f"{lag * 1000:.1f} ms"
    pending = await repos.reminders.pending_count(clock.now())
    figures["outbox rows written"] = f"{pending:,}"
    figures["RSS after the burst"] = f"{rss_mb():.0f} MiB"
    await db.close()
    return figures


def apscheduler_figures(jobs: int, burst: int) -> dict[str, str]:
    """One APScheduler cron job per user: memory and add time, then a burst of `burst` jobs due
    in the same second with a little blocking work each (what a DB write per job costs)."""
    from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    figures: dict[str, str] = {}
    # Each missed job logs a warning; the count is the figure, not 8,000 lines.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)

    async def run() -> None:
        scheduler = AsyncIOScheduler(timezone="UTC")
        scheduler.start(paused=True)
        before = rss_mb()

        async def remind(user_id: int) -> None:
            end = time.perf_counter() + 0.0003
            while time.perf_counter() < end:
                pass

        t0 = time.perf_counter()
        for user in range(jobs):
            scheduler.add_job(
                remind, "cron", hour=user % 24, minute=user % 60, args=[user], id=f"u{user}"
            )
        figures[f"APScheduler: add {jobs:,} cron jobs"] = f"{time.perf_counter() - t0:.1f} s"
        figures[f"APScheduler: memory for {jobs:,} jobs"] = f"{rss_mb() - before:.0f} MiB"
        scheduler.remove_all_jobs()

        executed = missed = 0
        all_done = asyncio.Event()

        def listen(event: object) -> None:
            nonlocal executed, missed
            if getattr(event, "code", None) == EVENT_JOB_MISSED:
                missed += 1
            else:
                executed += 1
            if executed + missed >= burst:
                all_done.set()

        scheduler.add_listener(listen, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED)
        run_at = datetime.now(UTC) + timedelta(seconds=2)
        for user in range(burst):
            scheduler.add_job(remind, "date", run_date=run_at, args=[user], id=f"b{user}")
        scheduler.resume()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_done.wait(), timeout=60)
        figures[f"APScheduler: burst of {burst:,} due at once (default grace 1 s)"] = (
            f"{executed:,} ran, {missed:,} missed"
        )
        scheduler.shutdown(wait=False)

    asyncio.run(run())
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schedules", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--aps", type=int, default=100_000)
    args = parser.parse_args()
    figures: dict[str, str] = {"machine": machine()}
    with tempfile.TemporaryDirectory() as tmp:
        small, big = Path(tmp) / "small.sqlite3", Path(tmp) / "big.sqlite3"
        for path, n in ((small, 1_000), (big, args.schedules)):
            asyncio.run(_migrate_only(path))
            load = populate(path, n, min(args.due, n))
            if path is big:
                figures[f"load {n:,} schedules"] = f"{load:.1f} s"
                figures["database size"] = f"{path.stat().st_size / 2**20:.0f} MiB"
        small_figures = asyncio.run(engine_figures(small))
        figures["start-up with 1,000 schedules"] = small_figures[
            "start-up (open, migrate, first idle tick)"
        ]
        for key, value in asyncio.run(engine_figures(big)).items():
            figures[f"{key} ({args.schedules:,} schedules)" if "start-up" in key else key] = value
    if args.aps:
        figures.update(apscheduler_figures(args.aps, args.due))
    print("| figure | value |\n|---|---|")
    for key, value in figures.items():
        print(f"| {key} | {value} |")


async def _migrate_only(path: Path) -> None:
    db = await SqliteDatabase.open(path)
    await db.migrate()
    await db.close()


if __name__ == "__main__":
    main()
