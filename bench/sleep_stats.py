"""Sleep statistics and the history chart for a year of nights, and how fast /sleep history is
acknowledged on the emulator while the chart renders.

    .venv/bin/python -m bench.sleep_stats [--nights 365] [--runs 7]

Prints a Markdown table (medians and worst of `--runs`).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.common import BENCH_TOKEN, emulated_settings, machine, with_loop_lag
from bot.client import RlsBot
from bot.clock import FakeClock
from bot.emulator import DiscordEmulator, EmuUser
from bot.emulator.testing import running_client
from bot.sleep.charts import history_png
from bot.sleep.drawing import draw
from bot.sleep.entry import SleepEntry
from bot.sleep.form import NightForm, build_entry
from bot.sleep.report import ReportInput, render_report
from bot.sleep.stats import add_stretched, summarise, window

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)


def varied_night(back: int) -> NightForm:
    """The answers for the night ``back`` days ago in the benchmarks' diaries: times, latency,
    awakenings, quality, severity and tags that vary from night to night."""
    return NightForm(
        into_bed=f"{22 + back % 2}:{(back * 7) % 60:02d}",
        final_wake=f"{6 + back % 2}:{(back * 11) % 60:02d}",
        sleep_latency_min=back % 40,
        awakenings=back % 4,
        awake_min=(back * 3) % 60,
        quality=1 + back % 5,
        severity=back % 11,
        tags={"stretched"} if back % 3 else {"caffeine"},
    )


def year_of_nights(user_id: int, nights: int) -> list[SleepEntry]:
    entries = []
    for back in range(nights):
        entries.append(
            build_entry(
                varied_night(back),
                user_id=user_id,
                night=TODAY - timedelta(days=back),
                zone_name="Europe/Berlin",
                now=NOW,
            )
        )
    return entries


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


async def chart_off_loop(
    entries: list[SleepEntry], runs: int, in_process: bool
) -> tuple[list[float], float]:
    """Render times and the worst event-loop lag, drawing in a thread of this process or in the
    bot's drawing process."""
    start, end = window(len(entries), TODAY)

    async def render() -> bytes:
        if in_process:
            return await draw(history_png, entries, start, end)
        return await asyncio.to_thread(history_png, entries, start, end)

    times, worst_lag = [], 0.0
    await render()  # warm up: the process, matplotlib's import, fonts and caches
    for _ in range(runs):
        _, elapsed, lag = await with_loop_lag(render())
        times.append(elapsed)
        worst_lag = max(worst_lag, lag)
    return times, worst_lag


async def report_in_drawing_process(
    entries: list[SleepEntry], nights: int, runs: int
) -> list[float]:
    """Seconds to draw /sleep report's PNG, PDF and CSVs for the last `nights` in the drawing
    process (nights only; `bench.sleep_report` adds labs, doses and the watch)."""
    start, end = window(nights, TODAY)
    data = ReportInput(tuple(e for e in entries if e.night >= start), start, end)
    await draw(render_report, data)  # warm up: the process, matplotlib's import, fonts
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        await draw(render_report, data)
        seconds.append(time.perf_counter() - began)
    return seconds


@asynccontextmanager
async def bot_with_nights(
    entries: list[SleepEntry],
) -> AsyncIterator[tuple[DiscordEmulator, RlsBot, EmuUser]]:
    """The real bot on the emulator and a SQLite file, and a person in Berlin whose diary holds
    `entries` (their user id replaced by the person's)."""
    with tempfile.TemporaryDirectory() as tmp:
        async with DiscordEmulator(validate=False) as emu:
            settings = emulated_settings(
                emu, Path(tmp) / "bench.sqlite3", reminder_tick_seconds=3600
            )
            client = RlsBot(settings, clock=FakeClock(NOW))
            async with running_client(emu, client, token=BENCH_TOKEN) as bot:
                await bot.tree.sync()
                user = emu.add_user("bench")
                await bot.repos.users.set_timezone(user.id, "Europe/Berlin", NOW)
                for entry in entries:
                    await bot.repos.diary.save(replace(entry, user_id=user.id), NOW)
                yield emu, bot, user


async def acknowledgement(entries: list[SleepEntry], runs: int) -> tuple[list[float], list[float]]:
    """Seconds from sending /sleep history to the deferral arriving, and to the chart arriving."""
    acks, totals = [], []
    async with bot_with_nights(year_of_nights(1, len(entries))) as (emu, _, user):
        for _ in range(runs + 1):
            start = time.perf_counter()
            ix = await emu.slash(user, "sleep history", {"days": len(entries)})
            await ix.response(timeout=10)
            ack = time.perf_counter() - start
            await ix.followup(timeout=30)
            acks.append(ack)
            totals.append(time.perf_counter() - start)
    return acks[1:], totals[1:]  # the first run warms caches


def row(name: str, seconds: list[float], target: str) -> str:
    median = statistics.median(seconds) * 1000
    return f"| {name} | {median:.1f} ms | {max(seconds) * 1000:.1f} ms | {target} |"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nights", type=int, default=365)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    entries = year_of_nights(1, args.nights)
    start, end = window(args.nights, TODAY)
    done = [NOW - timedelta(days=d, hours=-5) for d in range(0, args.nights, 2)]
    metrics = timed(lambda: summarise(add_stretched(entries, done), start, end), args.runs)
    threaded, threaded_lag = await chart_off_loop(entries, args.runs, in_process=False)
    chart, lag = await chart_off_loop(entries, args.runs, in_process=True)
    acks, totals = await acknowledgement(entries, args.runs)
    report = await report_in_drawing_process(entries, 30, args.runs)
    print(f"Sleep stats, {args.nights} nights — {machine()}\n")
    print("| Measure | Median | Worst | Target |")
    print("|---|---|---|---|")
    print(row("Stats (metrics, trends, tag comparisons)", metrics, "–"))
    print(row("History chart drawn in a thread (before)", threaded, "≤ 300 ms"))
    print(f"| Worst event-loop lag, thread | – | {threaded_lag * 1000:.1f} ms | small |")
    print(row("History chart drawn in the drawing process", chart, "≤ 300 ms"))
    print(f"| Worst event-loop lag, drawing process | – | {lag * 1000:.1f} ms | small |")
    print(row("/sleep history acknowledged (emulator)", acks, "≤ 50 ms"))
    print(row("/sleep history chart delivered (emulator)", totals, "–"))
    print(row("/sleep report, 30 nights, PNG + PDF + CSV, drawing process", report, "–"))


if __name__ == "__main__":
    asyncio.run(main())
