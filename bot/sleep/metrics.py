"""Consensus Sleep Diary metrics, as pure functions of one entry.

* time in bed (TIB) = out of bed − into bed
* total sleep time (TST) = (final wake − tried to sleep) − minutes to fall asleep − minutes awake
  (naps are not part of it: the CSD counts them separately)
* sleep efficiency (SE) = TST ÷ TIB × 100 (85 % or more is the usual target)

A metric that needs an unanswered question is unknown (None) for that night, never a guess: a
night logged as just "23:00 to 07:00" has no total sleep and no efficiency, not 8 h and 100 %.
The one deduction: someone who woke 0 times was awake 0 minutes in between.

All differences are taken between UTC instants: subtracting two datetimes that share a ZoneInfo
would give the wall-clock difference and miss the hour a DST change adds or removes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.i18n.speech import ENGLISH_SPEAKER, Speaker
from bot.sleep.entry import SleepEntry, minutes, utc

EFFICIENCY_TARGET = 85.0


def time_in_bed(entry: SleepEntry) -> timedelta | None:
    if entry.out_of_bed is None:
        return None
    return utc(entry.out_of_bed) - utc(entry.into_bed)


def sleep_window(entry: SleepEntry) -> timedelta:
    """From trying to sleep to the final awakening."""
    return utc(entry.final_wake) - utc(entry.tried_sleep)


def awake_minutes(entry: SleepEntry) -> int | None:
    """Minutes awake after first falling asleep; 0 when they said they never woke."""
    if entry.awake_min is None and entry.awakenings == 0:
        return 0
    return entry.awake_min


def total_sleep(entry: SleepEntry) -> timedelta | None:
    awake = awake_minutes(entry)
    if entry.sleep_latency_min is None or awake is None:
        return None
    return sleep_window(entry) - timedelta(minutes=entry.sleep_latency_min + awake)


def efficiency(entry: SleepEntry) -> float | None:
    """Percent of the time in bed spent asleep; None when either is unknown or the time in bed
    is zero."""
    tib, tst = time_in_bed(entry), total_sleep(entry)
    if tib is None or tst is None or tib <= timedelta(0):
        return None
    return max(0.0, tst / tib * 100)


def optional_minutes(delta: timedelta | None) -> float | None:
    return None if delta is None else minutes(delta)


@dataclass(frozen=True)
class NightMetrics:
    time_in_bed_min: float | None
    total_sleep_min: float | None
    efficiency: float | None


def night_metrics(entry: SleepEntry) -> NightMetrics:
    return NightMetrics(
        optional_minutes(time_in_bed(entry)),
        optional_minutes(total_sleep(entry)),
        efficiency(entry),
    )


def hours_minutes(total_minutes: float, tr: Speaker = ENGLISH_SPEAKER) -> str:
    """490 -> "8h 10m" ("8 Std. 10 Min." in German); negative values keep their sign."""
    return tr.hours_minutes(total_minutes)


def maybe_hours_minutes(
    total_minutes: float | None, unknown: str = "–", tr: Speaker = ENGLISH_SPEAKER
) -> str:
    return unknown if total_minutes is None else tr.hours_minutes(total_minutes)
