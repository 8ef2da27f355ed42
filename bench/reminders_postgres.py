"""Reminder engine on PostgreSQL at scale: idle claim, a burst claimed by 1, 2 and 4 processes.

    .venv/bin/python -m bench.reminders_postgres [--schedules 10000000] [--due 100000]

Uses TEST_DATABASE_URL (default postgresql://127.0.0.1:5432/test) in a schema of its own, dropped
at the end. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from bench.common import machine
from bot.clock import FakeClock
from bot.db import build_repositories
from bot.db.postgres import PostgresDatabase
from bot.reminders.engine import ReminderEngine

BURST_AT = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def dsn() -> str:
    return os.environ.get("TEST_DATABASE_URL") or "postgresql://127.0.0.1:5432/test"


def postgres_rss_mb() -> float:
    out = subprocess.run(["ps", "-C", "postgres", "-o", "rss="], capture_output=True, text=True)
    return sum(int(x) for x in out.stdout.split()) / 1024


async def load(conn: asyncpg.Connection, schedules: int, due: int) -> None:
    await conn.execute(
        "INSERT INTO users (id, timezone, created_at) "
        "SELECT g, 'Europe/Berlin', $2 FROM generate_series(1, $1::bigint) g",
        schedules,
        BURST_AT - timedelta(days=1),
    )
    # `due` schedules at the burst minute, the rest spread over the following day.
    await conn.execute(
        "INSERT INTO schedules (user_id, kind, local_time, days_mask, timezone, next_due, "
        "created_at, updated_at) SELECT g, 'stretch', '17:00', 127, 'Europe/Berlin', "
        "CASE WHEN g <= $2 THEN $3::timestamptz "
        "ELSE $3::timestamptz + ((g * 7919) % 86000 + 120) * interval '1 second' END, "
        "$4, $4 FROM generate_series(1, $1::bigint) g",
        schedules,
        due,
        BURST_AT,
        BURST_AT - timedelta(days=1),
    )
    await conn.execute("ANALYZE")


async def reset_burst(conn: asyncpg.Connection, due: int) -> None:
    await conn.execute("TRUNCATE deliveries")
    await conn.execute("UPDATE schedules SET next_due = $1 WHERE id <= $2", BURST_AT, due)
    await conn.execute("VACUUM ANALYZE schedules")


def run_workers(count: int, schema: str) -> list[dict[str, float]]:
    at = (BURST_AT + timedelta(seconds=5)).isoformat()
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.pg_worker", dsn(), schema, at],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    return [json.loads(w.communicate()[0]) for w in workers]


async def main(schedules: int, due: int) -> None:
    figures: dict[str, str] = {"machine": machine()}
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(dsn())
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        db = await PostgresDatabase.open(dsn(), server_settings={"search_path": schema})
        await db.migrate()
        async with db.connection() as conn:
            started = time.perf_counter()
            await load(conn, schedules, due)
            figures[f"load {schedules:,} schedules (generate_series)"] = (
                f"{time.perf_counter() - started:.0f} s"
            )
            size = await conn.fetchval(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = $1 AND c.relkind = 'r'",
                schema,
            )
            figures["tables + indexes on disk"] = f"{size / 2**20:,.0f} MiB"
        repos = build_repositories(db)
        engine = ReminderEngine(
            repos.reminders, repos.users, FakeClock(BURST_AT - timedelta(minutes=1))
        )
        idle = []
        for _ in range(50):
            t0 = time.perf_counter()
            await engine.tick()
            idle.append(time.perf_counter() - t0)
        figures["idle claim (median / max of 50), target ≤ 5 ms"] = (
            f"{statistics.median(idle) * 1000:.2f} ms / {max(idle) * 1000:.2f} ms"
        )
        for processes in (1, 2, 4):
            async with db.connection() as conn:
                await reset_burst(conn, due)
            started = time.perf_counter()
            results = run_workers(processes, schema)
            wall = time.perf_counter() - started
            async with db.connection() as conn:
                rows = await conn.fetchval("SELECT count(*) FROM deliveries")
                doubles = await conn.fetchval(
                    "SELECT count(*) FROM (SELECT schedule_id, due_at FROM deliveries "
                    "GROUP BY 1, 2 HAVING count(*) > 1) d"
                )
            claims = sorted(int(r["claimed"]) for r in results)
            figures[f"{due:,} due claimed by {processes} process(es)"] = (
                f"slowest process {max(r['seconds'] for r in results):.1f} s "
                f"(wall {wall:.1f} s incl. start-up); per process {claims}; "
                f"{rows:,} outbox rows, {doubles} doubles; worst loop lag "
                f"{max(r['lag'] for r in results) * 1000:.0f} ms; "
                f"worker RSS ≤ {max(r['rss'] for r in results):.0f} MiB"
            )
        figures["PostgreSQL server RSS (all backends)"] = f"{postgres_rss_mb():,.0f} MiB"
        await db.close()
    finally:
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()
    print("| figure | value |\n|---|---|")
    for key, value in figures.items():
        print(f"| {key} | {value} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--schedules", type=int, default=10_000_000)
    parser.add_argument("--due", type=int, default=100_000)
    args = parser.parse_args()
    asyncio.run(main(args.schedules, args.due))
