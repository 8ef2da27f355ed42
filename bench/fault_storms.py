"""Invalid requests (401/403/429) under a sustained reminder burst, against Discord's ban threshold of
10,000 per 10 minutes.

    .venv/bin/python -m bench.fault_storms [--reminders 1000] [--limits 50 25 10]

The bot (in this process, real clock, a tick every second) sends
`--reminders` stretch reminders (DM channels already known: one request each) at its default pace of
45 requests/s, while the emulator enforces a global limit of each of `--limits` requests/s: 50 is
Discord's; a lower one stands for a second process or a REST proxy sharing the same token without
`PROCESS_COUNT` being set. Reported: 429s, their rate extrapolated to 10 minutes, and whether every
reminder arrived exactly once.

Needs the engine to wake its sender for retries due (see bench/README.md): without it, a reminder
that met five 429s in a row waits for the next claim, and this script waits with it.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from bench.common import BENCH_TOKEN, emulated_settings, machine
from bot.client import RlsBot
from bot.db.reminders import ScheduleSpec
from bot.emulator import DiscordEmulator
from bot.emulator.testing import running_client

INVALID = (401, 403, 429)


async def storm(reminders: int, limit: int) -> dict[str, str]:
    async with DiscordEmulator(validate=False) as emu:
        people = [emu.add_user(f"user{n}") for n in range(reminders)]
        with tempfile.TemporaryDirectory() as tmp:
            settings = emulated_settings(emu, Path(tmp) / "bench.sqlite3", reminder_tick_seconds=1)
            async with running_client(emu, RlsBot(settings), token=BENCH_TOKEN) as bot:
                emu.global_rate_limit = limit
                first = len(emu.requests)
                # All due a few seconds from now, once every schedule is written.
                now = datetime.now(UTC).replace(microsecond=0)
                due = now + timedelta(seconds=3)
                for person in people:
                    spec = ScheduleSpec(person.id, "stretch", clock_time(17), 127, "UTC")
                    await bot.repos.reminders.save_schedule(spec, due, now)
                    channel = emu.world.dm_channel(person).id
                    await bot.repos.reminders.save_dm_channel(person.id, channel)
                await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()))
                started = time.perf_counter()
                seen: set[int] = set()
                while len(seen) < reminders:
                    seen.add((await emu.wait_for_message(timeout=300)).channel_id)
                elapsed = time.perf_counter() - started
                await bot.engine.stop_sender()
                requests = emu.requests[first:]
    invalid = sum(1 for r in requests if r.status in INVALID)
    per_user = Counter(m.channel_id for m in emu.world.messages.values() if m.kind == "channel")
    return {
        "limit": f"{limit}/s",
        "time": f"{elapsed:.1f} s ({reminders / elapsed:.1f} messages/s)",
        "requests": f"{len(requests):,}",
        "429s": f"{invalid:,}",
        "per 10 minutes": f"{invalid / elapsed * 600:,.0f}",
        "exactly once": str(len(per_user) == reminders and set(per_user.values()) == {1}),
    }


async def run(reminders: int, limits: list[int]) -> list[dict[str, str]]:
    return [await storm(reminders, limit) for limit in limits]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reminders", type=int, default=1000)
    parser.add_argument("--limits", type=int, nargs="+", default=[50, 25, 10])
    args = parser.parse_args()
    rows = asyncio.run(run(args.reminders, args.limits))
    print(
        f"| global limit | {args.reminders:,} reminders at 45/s | requests | 401/403/429 | "
        "extrapolated per 10 min | each once |"
    )
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['limit']} | {r['time']} | {r['requests']} | {r['429s']} | "
            f"{r['per 10 minutes']} | {r['exactly once']} |"
        )
    print(f"\nmachine: {machine()}")


if __name__ == "__main__":
    main()
