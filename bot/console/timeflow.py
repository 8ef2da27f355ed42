"""``:time`` arguments: where to move the emulated clock. Pure functions, no emulator."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.console.catalog import ConsoleError

_DURATION = re.compile(r"\+((?:\d+[dhms])+)")
_PART = re.compile(r"(\d+)([dhms])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
_DATE_CLOCK = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2})")
# Far enough for "a week of reminders", near enough that a typo doesn't replay years of them.
MAX_JUMP = timedelta(days=14)

TIME_HELP = "use +2h, +1d, +1h30m, 17:30, 17:30 Europe/Berlin, 2026-03-03 07:00 or next"


@dataclass(frozen=True)
class NextReminder:
    """``:time next``: the session finds the instant."""


def zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConsoleError(f"Unknown timezone {name!r}; use a name like Europe/Berlin.") from None


def parse_target(text: str, now: datetime, zone: ZoneInfo) -> datetime | NextReminder:
    """The instant ``text`` names, after ``now``; a bare clock time is the next one in ``zone``."""
    words = text.split()
    if not words:
        raise ConsoleError(f"Where to? {TIME_HELP}")
    if words == ["next"]:
        return NextReminder()
    if words[0].startswith("-"):
        raise ConsoleError("The clock only moves forward (reminders already sent stay sent).")
    if len(words) > 1 and not _CLOCK.fullmatch(words[-1]):
        zone = zone_named(words[-1])
        spec = " ".join(words[:-1])
    else:
        spec = text.strip()
    target = _target(spec, now, zone)
    if target <= now:
        raise ConsoleError("The clock only moves forward (reminders already sent stay sent).")
    if target - now > MAX_JUMP:
        raise ConsoleError(f"That is more than {MAX_JUMP.days} days ahead; move in smaller steps.")
    return target


def _target(spec: str, now: datetime, zone: ZoneInfo) -> datetime:
    duration = _DURATION.fullmatch(spec)
    if duration:
        delta = timedelta()
        for amount, unit in _PART.findall(duration.group(1)):
            delta += timedelta(**{_UNITS[unit]: int(amount)})
        return now + delta
    clock = _CLOCK.fullmatch(spec)
    if clock:
        wanted = _clock_time(int(clock.group(1)), int(clock.group(2)))
        today = now.astimezone(zone).date()
        for day in (today, today + timedelta(days=1), today + timedelta(days=2)):
            candidate = _local(day, wanted, zone)
            if candidate > now:
                return candidate
    dated = _DATE_CLOCK.fullmatch(spec)
    if dated:
        try:
            day = date.fromisoformat(dated.group(1))
        except ValueError:
            raise ConsoleError(f"{dated.group(1)!r} is not a date.") from None
        hour, minute = (int(p) for p in dated.group(2).split(":"))
        return _local(day, _clock_time(hour, minute), zone)
    raise ConsoleError(f"I can't read {spec!r} as a time: {TIME_HELP}")


def _clock_time(hour: int, minute: int) -> time:
    if hour > 23 or minute > 59:
        raise ConsoleError(f"{hour}:{minute:02d} is not a time of day.")
    return time(hour, minute)


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    # fold=0 (PEP 495): a time skipped by DST lands after the gap, a repeated one at its first.
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def describe(instant: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    return f"{local:%a %d %b %Y %H:%M} {zone.key}"
