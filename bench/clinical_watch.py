"""The augmentation watch over a year of nights and doses, alone and with the sleep stats that
/sleep stats computes beside it (target: ≤ 20 ms for /sleep stats with the watch).

    .venv/bin/python -m bench.clinical_watch [--nights 365] [--runs 51]

Prints a Markdown table (medians and worst of `--runs`). CPU only: no database, no Discord.
"""

from __future__ import annotations

import argparse
import statistics
from datetime import timedelta

from bench.common import machine
from bench.sleep_stats import NOW, TODAY, timed, year_of_nights
from bot.clinical.meds import DoseEvent
from bot.clinical.nights import SymptomNight
from bot.clinical.watch import watch, watch_lines
from bot.scheduling.recurrence import load_zone
from bot.sleep.stats import add_stretched, summarise, window
from bot.sleep.times import local_instant

MEDICINES = ("Evening tablet", "Iron", "Night tablet")


def symptom_nights(nights: int) -> list[SymptomNight]:
    entries = year_of_nights(1, nights)
    out = []
    for back, entry in enumerate(entries):
        onset = entry.tried_sleep - timedelta(minutes=30 + (back % 5) * 20)
        regions = frozenset({"legs", "arms"} if back % 9 == 0 else {"legs"})
        out.append(
            SymptomNight(
                entry.night, entry.timezone, onset, entry.severity, regions, 10 + back % 30
            )
        )
    return out


def doses(nights: int) -> list[DoseEvent]:
    zone = load_zone("Europe/Berlin")
    events = []
    for back in range(nights):
        day = TODAY - timedelta(days=back)
        for name, hours in zip(MEDICINES, ((20, 22), (9,), (21, 23)), strict=True):
            for hour in hours:
                instant = local_instant(
                    day, (NOW.replace(hour=hour, minute=back % 50)).time(), zone
                )
                events.append(DoseEvent(name, instant, "Europe/Berlin"))
    return events


def row(name: str, seconds: list[float], target: str) -> str:
    median = statistics.median(seconds) * 1000
    return f"| {name} | {median:.2f} ms | {max(seconds) * 1000:.2f} ms | {target} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nights", type=int, default=365)
    parser.add_argument("--runs", type=int, default=51)
    args = parser.parse_args()
    entries = year_of_nights(1, args.nights)
    nights = symptom_nights(args.nights)
    events = doses(args.nights)
    start, end = window(args.nights, TODAY)
    done = [NOW - timedelta(days=d, hours=-5) for d in range(0, args.nights, 2)]

    def the_watch() -> list[str]:
        return watch_lines(watch(nights, TODAY, events))

    def stats_with_watch() -> None:
        summarise(add_stretched(entries, done), start, end)
        the_watch()

    the_watch()  # warm up: zone caches
    alone = timed(the_watch, args.runs)
    together = timed(stats_with_watch, args.runs)
    print(
        f"Augmentation watch, {args.nights} nights, {len(events)} doses of "
        f"{len(MEDICINES)} medicines — {machine()}\n"
    )
    print("| Measure | Median | Worst | Target |")
    print("|---|---|---|---|")
    print(row("Watch and its lines", alone, "–"))
    print(
        row("/sleep stats (metrics, trends, tag comparisons) with the watch", together, "≤ 20 ms")
    )


if __name__ == "__main__":
    main()
