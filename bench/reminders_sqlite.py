"""Reminder engine on SQLite at scale, and APScheduler one-job-per-user for comparison.

    .venv/bin/python -m bench.reminders_sqlite [--schedules 1000000] [--due 10000] [--aps 100000]
                                               [--profile PATH]

`--profile PATH` (issue 19) splits the tick with `--due` due into where its wall time goes: each
trip to the SQLite thread by statement (the SELECT, the INSERT, the UPDATE, the COMMIT), the
engine's decision per row (next occurrence, late or skipped) and the rest (Python row handling
between them); it also runs that tick under cProfile (the event-loop thread), writes PATH and prints
the top entries. The timers add a little to the tick: compare its total with a run without.

Figures printed as a Markdown table row set; copy them into bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import logging
import pstats
import random
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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


class TickPhases:
    """Wall time of every trip to the SQLite thread (by statement) and of the engine's decisions,
    measured by wrapping aiosqlite's Connection and the engine's `decide` for one tick."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def add(self, phase: str, seconds: float) -> None:
        self.seconds[phase] = self.seconds.get(phase, 0.0) + seconds
        self.calls[phase] = self.calls.get(phase, 0) + 1

    @contextlib.contextmanager
    def timing(self, engine: ReminderEngine) -> Iterator[None]:
        import aiosqlite

        phases = self
        originals = {
            name: getattr(aiosqlite.Connection, name)
            for name in ("execute", "execute_fetchall", "executemany", "commit")
        }

        def wrap(name: str) -> Callable[..., Any]:
            original = originals[name]

            async def timed(conn: Any, *args: Any, **kwargs: Any) -> Any:
                sql = args[0] if args else name
                label = f"SQLite thread: {_verb(sql)}" if sql != "commit" else ""
                started = time.perf_counter()
                try:
                    return await original(conn, *args, **kwargs)
                finally:
                    phases.add(label or "SQLite thread: COMMIT", time.perf_counter() - started)

            return timed

        engine_decide = engine.decide

        def decide(now: datetime) -> Callable[[Any], Any]:
            inner = engine_decide(now)

            def timed(schedule: Any) -> Any:
                started = time.perf_counter()
                try:
                    return inner(schedule)
                finally:
                    phases.add(
                        "decide per group (next occurrence, late/skip)",
                        time.perf_counter() - started,
                    )

            return timed

        for name in originals:
            setattr(aiosqlite.Connection, name, wrap(name))
        engine.decide = decide  # type: ignore[method-assign]
        try:
            yield
        finally:
            for name, original in originals.items():
                setattr(aiosqlite.Connection, name, original)
            del engine.decide


def _verb(sql: str) -> str:
    """The statement's own verb: `WITH x AS (…) INSERT …` is an INSERT."""
    words = sql.split()
    if words[0].upper() != "WITH":
        return words[0].upper()
    found = re.search(r"\)\s+(INSERT|UPDATE|DELETE|SELECT)\b", sql)
    return found[1] if found else "WITH"


async def engine_figures(path: Path, profile: Path | None = None) -> dict[str, str]:
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
    if profile is not None:
        claimed, elapsed, lag = await profiled_tick(engine, path, profile, figures)
    else:
        claimed, elapsed, lag = await with_loop_lag(engine.tick())
    figures[f"tick with {claimed:,} due"] = f"{elapsed * 1000:.0f} ms"
    figures["event-loop lag during that tick"] = f"{lag * 1000:.1f} ms"
    pending = await repos.reminders.pending_count(clock.now())
    figures["outbox rows written"] = f"{pending:,}"
    figures["RSS after the burst"] = f"{rss_mb():.0f} MiB"
    await db.close()
    return figures


async def profiled_tick(
    engine: ReminderEngine, path: Path, profile: Path, figures: dict[str, str]
) -> tuple[int, float, float]:
    """The burst tick with phase timers (light: a clock read around each trip and decision),
    then the same burst again under cProfile (heavy: its figures are shares, not times)."""
    phases = TickPhases()
    with phases.timing(engine):
        claimed, elapsed, lag = await with_loop_lag(engine.tick())
    accounted = 0.0
    for phase, seconds in sorted(phases.seconds.items(), key=lambda item: -item[1]):
        accounted += seconds
        figures[f"profile: {phase} ({phases.calls[phase]:,} calls)"] = (
            f"{seconds * 1000:.1f} ms ({seconds / elapsed:.0%})"
        )
    rest = elapsed - accounted
    figures["profile: the rest (Python row handling, event loop)"] = (
        f"{rest * 1000:.1f} ms ({rest / elapsed:.0%})"
    )
    replay_burst(path, claimed)
    profiler = cProfile.Profile()
    profiler.enable()
    again = await engine.tick()
    profiler.disable()
    profiler.dump_stats(profile)
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("tottime")
    print(
        f"cProfile of the same burst again ({again:,} due), written to {profile}:", file=sys.stderr
    )
    stats.print_stats(25)
    return claimed, elapsed, lag


def replay_burst(path: Path, due: int) -> None:
    """Put the burst back (the first `due` schedules due at BURST_AT, no deliveries), so the
    same tick can run a second time under the profiler."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DELETE FROM deliveries")
        conn.execute(
            "UPDATE schedules SET next_due = ? WHERE id <= ?", (int(BURST_AT.timestamp()), due)
        )
    conn.close()


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
    parser.add_argument(
        "--profile", type=Path, default=None, help="cProfile file for the burst tick"
    )
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
        for key, value in asyncio.run(engine_figures(big, args.profile)).items():
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
