"""Hand-built histories for the clinical tests: nights whose onset clock times are resolved the
way the diary resolves them (bot.sleep.times), so DST nights are real DST nights."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from bot.clinical.meds import DoseEvent
from bot.clinical.nights import SymptomNight
from bot.scheduling.parsing import parse_time
from bot.scheduling.recurrence import load_zone
from bot.sleep.times import before_wake, local_instant, morning_instant


def night(
    day: date,
    zone: str = "Europe/Berlin",
    *,
    onset: str | None = None,
    severity: int | None = None,
    regions: set[str] | None = None,
    rest: int | None = None,
    wake: str = "07:00",
) -> SymptomNight:
    tz = load_zone(zone)
    final_wake = morning_instant(day, parse_time(wake), tz)
    instant = None if onset is None else before_wake(day, parse_time(onset), tz, final_wake)
    return SymptomNight(
        day, zone, instant, severity, None if regions is None else frozenset(regions), rest
    )


Fields = Callable[[int], dict[str, Any]]


def history(
    today: date,
    zone: str = "Europe/Berlin",
    *,
    earlier: Fields,
    later: Fields,
    earlier_nights: int = 28,
    later_nights: int = 28,
) -> list[SymptomNight]:
    """56 nights ending `today`: the 28 before get earlier(i), the last 28 get later(i) (i counts
    from the oldest night of each window). Fewer nights leave the window's oldest ones out."""
    nights = []
    for i in range(28):
        day = today - timedelta(days=55 - i)
        if i >= 28 - earlier_nights:
            nights.append(night(day, zone, **earlier(i)))
    for i in range(28):
        day = today - timedelta(days=27 - i)
        if i >= 28 - later_nights:
            nights.append(night(day, zone, **later(i)))
    return nights


def onsets(today: date, before: str, after: str, zone: str = "Europe/Berlin") -> list[SymptomNight]:
    """56 nights ending `today` whose symptoms began at the clock time `before` every night of
    the earlier window and at `after` every night of the later one."""
    return history(
        today, zone, earlier=lambda i: {"onset": before}, later=lambda i: {"onset": after}
    )


def dose(
    day: date, clock: str, zone: str = "Europe/Berlin", name: str = "Evening tablet"
) -> DoseEvent:
    """A dose at `clock` on local date `day` (after midnight: pass the calendar date it was)."""
    return DoseEvent(name, local_instant(day, parse_time(clock), load_zone(zone)), zone)


def doses_daily(
    today: date,
    earlier: list[str],
    later: list[str],
    *,
    days: int = 28,
    zone: str = "Europe/Berlin",
    name: str = "Evening tablet",
) -> list[DoseEvent]:
    """Every day of each window: the given clock times (a time before 04:00 is taken on the
    next calendar day, as the late end of that evening)."""
    events = []
    for back in range(56):
        day = today - timedelta(days=back)
        clocks = later if back < 28 else earlier
        if (back % 28) >= days:
            continue
        for clock in clocks:
            t = parse_time(clock)
            on = day + timedelta(days=1) if t.hour < 4 else day
            events.append(dose(on, clock, zone, name))
    return events


def at(day: date, clock: str, zone: str) -> datetime:
    return local_instant(day, parse_time(clock), load_zone(zone))
