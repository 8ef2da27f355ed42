"""Slash commands under load: the real bot process on the emulator, acknowledgement latency.

    .venv/bin/python -m bench.load_interactions [--commands 500] [--users 100]
                                                [--rates 100 250 500] [--profile out.prof]
                                                [--postgres [--processes 2]]

Users have a timezone, a stretch schedule and two weeks of sleep diary, so `/rls tip`,
`/stretch status` and `/sleep stats` (mixed evenly) give their real answers. Latency is measured
from the moment the emulator puts INTERACTION_CREATE on the gateway to the moment the bot's callback
request reaches the emulator. Runs, each with `--commands` commands:

- burst: every command dispatched at once, back to back on one gateway connection (the worst case:
  one event loop answers them one after another, so the last waits for all the others);
- at each of `--rates` per second: arrivals on a fixed timetable, independent of how fast the bot
  answers (500/s = 500 commands within one second; 100/s is a very busy community).

`--profile PATH` runs the bot under cProfile and writes its profile to PATH when it stops.

`--postgres` uses PostgreSQL (`TEST_DATABASE_URL`, default postgresql://127.0.0.1:5432/test, in a
fresh schema that is dropped afterwards) and sends the commands in servers, one per shard;
`--processes N` then runs N sharded bot processes (`SHARD_COUNT=N`), each answering its own shards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import asyncpg

from bench.common import machine
from bench.crash_safety import bot_env, kill, stop
from bot.db import Database, build_repositories
from bot.db.postgres import PostgresDatabase
from bot.db.reminders import ScheduleSpec
from bot.db.sqlite import SqliteDatabase
from bot.emulator import DiscordEmulator, EmuGuild, EmuUser
from bot.emulator.interactions import EmuInteraction
from bot.scheduling.recurrence import DailySchedule, Weekdays, next_occurrence
from bot.sleep.form import NightForm, build_entry

CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"
COMMANDS = ["rls tip", "stretch status", "sleep stats"]
DEADLINE_MS = 3000


@asynccontextmanager
async def postgres_schema() -> AsyncIterator[str]:
    """DATABASE_URL for a fresh schema, dropped afterwards."""
    url = os.environ.get("TEST_DATABASE_URL") or "postgresql://127.0.0.1:5432/test"
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        yield f"{url}?search_path={schema}"
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


async def seed(db: Database, users: list[EmuUser], now: datetime) -> None:
    await db.migrate()
    repos = build_repositories(db)
    try:
        for user in users:
            await repos.users.set_timezone(user.id, "Europe/Berlin", now)
            spec = ScheduleSpec(user.id, "stretch", clock_time(17, 30), 127, "Europe/Berlin")
            rule = DailySchedule(clock_time(17, 30), Weekdays.EVERY_DAY, "Europe/Berlin")
            await repos.reminders.save_schedule(spec, next_occurrence(rule, now), now)
            # Nights up to yesterday: last night's 07:00 may still be ahead at any hour.
            for back in range(1, 15):
                form = NightForm(into_bed="23:00", final_wake="7:00", severity=back % 8, quality=3)
                # Nights that ended yesterday or before: today's 07:00 may still be ahead.
                night = (now - timedelta(days=back + 1)).date()
                entry = build_entry(
                    form, user_id=user.id, night=night, zone_name="Europe/Berlin", now=now
                )
                await repos.diary.save(entry, now)
    finally:
        await db.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


async def measure(
    emu: DiscordEmulator,
    users: list[EmuUser],
    count: int,
    rate: float | None,
    guilds: list[EmuGuild] | None = None,
) -> dict[str, float]:
    rng = random.Random(count)
    sent: list[tuple[EmuInteraction, float]] = []
    # The emulator keeps every request it saw: a full garbage collection in this process would
    # stall it for tens of milliseconds and be counted against the bot.
    gc.collect()
    gc.disable()
    try:
        return await _measure(emu, users, count, rate, rng, sent, guilds)
    finally:
        gc.enable()


async def _measure(
    emu: DiscordEmulator,
    users: list[EmuUser],
    count: int,
    rate: float | None,
    rng: random.Random,
    sent: list[tuple[EmuInteraction, float]],
    guilds: list[EmuGuild] | None,
) -> dict[str, float]:
    started = time.monotonic()
    for n in range(count):
        if rate is not None:
            # Arrivals on a fixed timetable, independent of how fast the bot answers.
            delay = started + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        command = COMMANDS[n % len(COMMANDS)]
        # In servers, commands spread over the shards (and so over the processes); else DMs.
        guild = guilds[(n // len(COMMANDS)) % len(guilds)] if guilds else None
        interaction = await emu.slash(rng.choice(users), command, guild=guild)
        sent.append((interaction, time.monotonic()))
    callbacks = [await i.response(timeout=120) for i, _ in sent]
    by_token = {r.path.split("/")[3]: r for r in emu.requests_to("POST", CALLBACK)}
    latencies = [(by_token[i.token].at - at) * 1000 for i, at in sent]
    return {
        "acknowledged": sum(1 for c in callbacks if c.type in (4, 5)),
        "ok": sum(1 for i, _ in sent if by_token[i.token].status < 300),
        # Discord refuses an initial response that comes later than this (the emulator doesn't).
        "in_time": sum(1 for latency in latencies if latency <= DEADLINE_MS),
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 99),
        "max": max(latencies),
        "seconds": time.monotonic() - started,
    }


def guilds_on_every_shard(emu: DiscordEmulator, shards: int) -> list[EmuGuild]:
    found: dict[int, EmuGuild] = {}
    while len(found) < shards:
        guild = emu.add_guild(f"server {len(found)}", channels=["general"])
        found.setdefault((guild.id >> 22) % shards, guild)
    return [found[shard] for shard in range(shards)]


async def start_bots(
    emu: DiscordEmulator, tmp: Path, profile: Path | None, settings: list[dict[str, str]]
) -> list[asyncio.subprocess.Process]:
    processes = []
    for n, extra in enumerate(settings):
        env = bot_env(emu, Path(tmp) / "load.sqlite3", REMINDER_TICK_SECONDS="3600", **extra)
        env["LOG_LEVEL"] = "WARNING"
        args = ["-m", "cProfile", "-o", f"{profile}.{n}" if n else str(profile)] if profile else []
        with (Path(tmp) / f"bot{n}.log").open("wb") as sink:
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    *args,
                    "-m",
                    "bot",
                    "run",
                    cwd=tmp,
                    env=env,
                    stdout=sink,
                    stderr=sink,
                )
            )
    return processes


async def run(
    count: int,
    user_count: int,
    rates: list[float],
    profile: Path | None,
    postgres: bool,
    process_count: int,
) -> dict[str, str]:
    figures: dict[str, str] = {}
    async with DiscordEmulator(validate=False) as emu:
        users = [emu.add_user(f"user{n}") for n in range(user_count)]
        guilds = guilds_on_every_shard(emu, process_count) if postgres else None
        with tempfile.TemporaryDirectory() as tmp:
            async with contextlib.AsyncExitStack() as stack:
                now = datetime.now(UTC)
                if postgres:
                    url = await stack.enter_async_context(postgres_schema())
                    db: Database = await PostgresDatabase.open(url)
                    shared = {"DATABASE_URL": url, "PROCESS_COUNT": str(process_count)}
                    settings = [
                        {**shared, "SHARD_COUNT": str(process_count), "SHARD_IDS": str(n)}
                        for n in range(process_count)
                    ]
                else:
                    db = await SqliteDatabase.open(Path(tmp) / "load.sqlite3")
                    settings = [{}]
                try:
                    await seed(db, users, now)
                finally:
                    await db.close()
                processes = await start_bots(emu, Path(tmp), profile, settings)
                try:
                    await emu.wait_until_ready(timeout=60, shards=len(processes))
                    # Warm-up: first-use imports and caches, in every process.
                    await measure(emu, users, 30 * len(processes), None, guilds)
                    for label, arrival in [("burst", None)] + [(f"{r:g}/s", r) for r in rates]:
                        cpu_before = sum(cpu_seconds(p.pid) for p in processes)
                        result = await measure(emu, users, count, arrival, guilds)
                        cpu_used = sum(cpu_seconds(p.pid) for p in processes) - cpu_before
                        figures[f"{label}: acknowledged"] = (
                            f"{result['acknowledged']:,} of {count:,} "
                            f"({result['ok']:,} callbacks 2xx, "
                            f"{result['in_time']:,} within Discord's 3 s)"
                        )
                        figures[f"{label}: p50 / p99 / max acknowledgement"] = (
                            f"{result['p50']:.1f} / {result['p99']:.1f} / {result['max']:.1f} ms"
                        )
                        figures[f"{label}: wall time; bot CPU per command"] = (
                            f"{result['seconds']:.2f} s; {cpu_used / count * 1000:.2f} ms"
                        )
                    for process in processes:
                        await stop(process)
                finally:
                    for process in processes:
                        await kill(process)
    backend = f"PostgreSQL, {process_count} process(es)" if postgres else "SQLite, 1 process"
    figures["setup"] = backend
    figures["machine"] = machine()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=500)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument(
        "--rates", type=float, nargs="*", default=[100.0, 250.0, 500.0], help="arrivals per second"
    )
    parser.add_argument("--profile", type=Path, default=None)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL, commands in servers")
    parser.add_argument("--processes", type=int, default=1, help="sharded bot processes")
    args = parser.parse_args()
    if args.processes > 1 and not args.postgres:
        parser.error("several processes need --postgres (an SQLite file belongs to one process)")
    figures = asyncio.run(
        run(args.commands, args.users, args.rates, args.profile, args.postgres, args.processes)
    )
    print("| figure | value |\n|---|---|")
    for key, value in figures.items():
        print(f"| {key} | {value} |")


if __name__ == "__main__":
    main()
