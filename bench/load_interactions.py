"""Slash commands under load: the real bot process on the emulator, acknowledgement latency.

    .venv/bin/python -m bench.load_interactions [--commands 500] [--users 100]
                                                [--rates 100 250 500] [--profile out.prof]

Users have a timezone, a stretch schedule and two weeks of sleep diary, so `/rls tip`,
`/stretch status` and `/sleep stats` (mixed evenly) give their real answers. Latency is measured
from the moment the emulator puts INTERACTION_CREATE on the gateway to the moment the bot's callback
request reaches the emulator. Runs, each with `--commands` commands:

- burst: every command dispatched at once, back to back on one gateway connection (the worst case:
  one event loop answers them one after another, so the last waits for all the others);
- at each of `--rates` per second: arrivals on a fixed timetable, independent of how fast the bot
  answers (500/s = 500 commands within one second; 100/s is a very busy community).

`--profile PATH` runs the bot under cProfile and writes its profile to PATH when it stops.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from bench.common import machine
from bench.crash_safety import bot_env, kill, migrate, stop
from bot.db import build_repositories
from bot.db.reminders import ScheduleSpec
from bot.db.sqlite import SqliteDatabase
from bot.emulator import DiscordEmulator, EmuUser
from bot.emulator.interactions import EmuInteraction
from bot.scheduling.recurrence import DailySchedule, Weekdays, next_occurrence
from bot.sleep.form import NightForm, build_entry

CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"
COMMANDS = ["rls tip", "stretch status", "sleep stats"]
DEADLINE_MS = 3000


async def seed(db_path: Path, users: list[EmuUser], now: datetime) -> None:
    await migrate(db_path)
    db = await SqliteDatabase.open(db_path)
    repos = build_repositories(db)
    try:
        for user in users:
            await repos.users.set_timezone(user.id, "Europe/Berlin", now)
            spec = ScheduleSpec(user.id, "stretch", clock_time(17, 30), 127, "Europe/Berlin")
            rule = DailySchedule(clock_time(17, 30), Weekdays.EVERY_DAY, "Europe/Berlin")
            await repos.reminders.save_schedule(spec, next_occurrence(rule, now), now)
            for back in range(14):
                form = NightForm(into_bed="23:00", final_wake="7:00", severity=back % 8, quality=3)
                night = (now - timedelta(days=back)).date()
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
    emu: DiscordEmulator, users: list[EmuUser], count: int, rate: float | None
) -> dict[str, float]:
    rng = random.Random(count)
    sent: list[tuple[EmuInteraction, float]] = []
    # The emulator keeps every request it saw: a full garbage collection in this process would
    # stall it for tens of milliseconds and be counted against the bot.
    gc.collect()
    gc.disable()
    try:
        return await _measure(emu, users, count, rate, rng, sent)
    finally:
        gc.enable()


async def _measure(
    emu: DiscordEmulator,
    users: list[EmuUser],
    count: int,
    rate: float | None,
    rng: random.Random,
    sent: list[tuple[EmuInteraction, float]],
) -> dict[str, float]:
    started = time.monotonic()
    for n in range(count):
        if rate is not None:
            # Arrivals on a fixed timetable, independent of how fast the bot answers.
            delay = started + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        command = COMMANDS[n % len(COMMANDS)]
        interaction = await emu.slash(rng.choice(users), command)
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


async def run(
    count: int, user_count: int, rates: list[float], profile: Path | None
) -> dict[str, str]:
    figures: dict[str, str] = {}
    async with DiscordEmulator(validate=False) as emu:
        users = [emu.add_user(f"user{n}") for n in range(user_count)]
        with tempfile.TemporaryDirectory() as tmp:
            db_path = Path(tmp) / "load.sqlite3"
            await seed(db_path, users, datetime.now(UTC))
            env = bot_env(emu, db_path, REMINDER_TICK_SECONDS="3600", LOG_LEVEL="WARNING")
            args = ["-m", "cProfile", "-o", str(profile)] if profile else []
            log = Path(tmp) / "bot.log"
            with log.open("wb") as sink:
                process = await asyncio.create_subprocess_exec(
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
            try:
                await emu.wait_until_ready(timeout=60)
                await measure(emu, users, 30, None)  # warm-up: first-use imports and caches
                for label, arrival in [("burst", None)] + [(f"{r:g}/s", r) for r in rates]:
                    cpu_before = cpu_seconds(process.pid)
                    result = await measure(emu, users, count, arrival)
                    cpu_used = cpu_seconds(process.pid) - cpu_before
                    figures[f"{label}: acknowledged"] = (
                        f"{result['acknowledged']:,} of {count:,} ({result['ok']:,} callbacks 2xx, "
                        f"{result['in_time']:,} within Discord's 3 s)"
                    )
                    figures[f"{label}: p50 / p99 / max acknowledgement"] = (
                        f"{result['p50']:.1f} / {result['p99']:.1f} / {result['max']:.1f} ms"
                    )
                    figures[f"{label}: wall time; bot CPU per command"] = (
                        f"{result['seconds']:.2f} s; {cpu_used / count * 1000:.2f} ms"
                    )
                await stop(process)
            finally:
                await kill(process)
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
    args = parser.parse_args()
    figures = asyncio.run(run(args.commands, args.users, args.rates, args.profile))
    print("| figure | value |\n|---|---|")
    for key, value in figures.items():
        print(f"| {key} | {value} |")


if __name__ == "__main__":
    main()
