"""The reminder sender against the emulator with Discord's global limit (50 requests/s) enforced.

    .venv/bin/python -m bench.sender [--users 1000]

Cold run: every user's DM channel is opened first (two requests per reminder). Warm run: the
channel ids are cached in the database (one request per reminder).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from bench.common import BENCH_TOKEN, emulated_settings, machine
from bot.client import RlsBot
from bot.clock import FakeClock
from bot.db.reminders import ScheduleSpec
from bot.emulator import DiscordEmulator
from bot.emulator.testing import running_client

START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


async def run(users: int, rate: float | None) -> dict[str, str]:
    figures: dict[str, str] = {"machine": machine()}
    async with DiscordEmulator(validate=False) as emu:
        emu.global_rate_limit = 50
        people = [emu.add_user(f"user{n}") for n in range(users)]
        with tempfile.TemporaryDirectory() as tmp:
            settings = emulated_settings(
                emu,
                Path(tmp) / "bench.sqlite3",
                reminder_tick_seconds=3600,
                send_rate_per_second=rate,
            )
            clock = FakeClock(START)
            async with running_client(emu, RlsBot(settings, clock=clock), token=BENCH_TOKEN) as bot:
                for person in people:
                    await bot.engine.subscribe(
                        ScheduleSpec(person.id, "stretch", clock_time(17), 127, "Europe/Berlin")
                    )
                for label, due in (
                    ("cold", START + timedelta(hours=1)),
                    ("warm", START + timedelta(days=1, hours=1)),
                ):
                    clock.set(due)
                    hits_before = emu.global_limit_hits
                    sent_before = len(emu.requests_to("POST", "/channels/{channel_id}/messages"))
                    started = time.perf_counter()
                    await bot.engine.tick()
                    for _ in range(users):
                        await emu.wait_for_request(
                            "POST", "/channels/{channel_id}/messages", timeout=120
                        )
                    elapsed = time.perf_counter() - started
                    posts = emu.requests_to("POST", "/channels/{channel_id}/messages")[sent_before:]
                    figures[f"{label}: {users:,} reminders sent"] = (
                        f"{elapsed:.1f} s = {users / elapsed:.1f} messages/s"
                    )
                    figures[f"{label}: 429 responses"] = str(emu.global_limit_hits - hits_before)
                    figures[f"{label}: messages delivered"] = str(
                        sum(1 for r in posts if r.status == 200)
                    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=None, help="SEND_RATE_PER_SECOND")
    args = parser.parse_args()
    figures = asyncio.run(run(args.users, args.rate))
    print("| figure | value |\n|---|---|")
    for key, value in figures.items():
        print(f"| {key} | {value} |")


if __name__ == "__main__":
    main()
