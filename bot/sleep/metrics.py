"""Consensus Sleep Diary metrics, as pure functions of one entry.

* time in bed (TIB) = out of bed − into bed
* total sleep time (TST) = (final wake − tried to sleep) − minutes to fall asleep − minutes awake
* sleep efficiency (SE) = TST / TIB × 100 (85 % or more is the usual target)

All differences are taken between UTC instants: subtracting two datetimes that share a ZoneInfo
would give the wall-clock difference and miss the hour a DST change adds or removes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.sleep.entry import SleepEntry, minutes, utc

EFFICIENCY_TARGET = 85.0


def time_in_bed(entry: SleepEntry) -> timedelta:
    return utc(entry.out_of_bed) - utc(entry.into_bed)


def sleep_window(entry: SleepEntry) -> timedelta:
    """From trying to sleep to the final awakening."""
    return utc(entry.final_wake) - utc(entry.tried_sleep)


def total_sleep(entry: SleepEntry) -> timedelta:
    return sleep_window(entry) - timedelta(minutes=entry.sleep_latency_min + entry.awake_min)


def efficiency(entry: SleepEntry) -> float | None:
    """Percent of the time in bed spent asleep; None for a zero-length time in bed."""
    tib = time_in_bed(entry)
    if tib <= timedelta(0):
        return None
    return max(0.0, total_sleep(entry) / tib * 100)


@dataclass(frozen=True)
class NightMetrics:
    time_in_bed_min: float
    total_sleep_min: float
    efficiency: float | None


def night_metrics(entry: SleepEntry) -> NightMetrics:
    return NightMetrics(minutes(time_in_bed(entry)), minutes(total_sleep(entry)), efficiency(entry))


def hours_minutes(total_minutes: float) -> str:
    """490 -> "8h 10m"; negative values keep their sign."""
    sign = "-" if total_minutes < 0 else ""
    whole = round(abs(total_minutes))
    return f"{sign}{whole // 60}h {whole % 60:02d}m"
