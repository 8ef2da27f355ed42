"""`/sleep stats` end to end with the augmentation watch (issue 20; target ≤ 20 ms): the real bot
on the emulator and a SQLite file, a person with `--nights` nights that carry a symptom start,
body regions, minutes at rest and severity.

    .venv/bin/python -m bench.sleep_stats_watch [--nights 90] [--runs 41]

Prints a Markdown table: from sending the command to the reply arriving (median and worst of
`--runs`, after one warm-up). The same script runs on main's code (copy it and bench/sleep_stats.py
into a checkout of main): there /sleep stats has no watch, which gives the "before" column.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import replace
from datetime import timedelta

from bench.common import machine
from bench.sleep_stats import bot_with_nights, row, year_of_nights
from bot.sleep.entry import SleepEntry


def nights_with_symptoms(user_id: int, nights: int) -> list[SleepEntry]:
    out = []
    for back, entry in enumerate(year_of_nights(user_id, nights)):
        out.append(
            replace(
                entry,
                rls_onset=entry.tried_sleep - timedelta(minutes=30 + (back % 5) * 20),
                body_regions=frozenset({"legs", "arms"} if back % 9 == 0 else {"legs"}),
                rest_min=10 + back % 30,
            )
        )
    return out


async def stats_round_trips(nights: int, days: int, runs: int) -> list[float]:
    seconds = []
    async with bot_with_nights(nights_with_symptoms(1, nights)) as (emu, _, user):
        for _ in range(runs + 1):
            start = time.perf_counter()
            ix = await emu.slash(user, "sleep stats", {"days": days})
            reply = await ix.response(timeout=10)
            seconds.append(time.perf_counter() - start)
            assert reply.embeds, reply.content
    return seconds[1:]  # the first run warms caches


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nights", type=int, default=90)
    parser.add_argument("--runs", type=int, default=41)
    args = parser.parse_args()
    default = await stats_round_trips(args.nights, 14, args.runs)
    year = await stats_round_trips(args.nights, args.nights, args.runs)
    print(f"/sleep stats on the emulator, {args.nights} nights — {machine()}\n")
    print("| Measure | Median | Worst | Target |")
    print("|---|---|---|---|")
    print(row("/sleep stats (14 days), command to reply", default, "≤ 20 ms"))
    print(row(f"/sleep stats days:{args.nights}, command to reply", year, "≤ 20 ms"))


if __name__ == "__main__":
    asyncio.run(main())
