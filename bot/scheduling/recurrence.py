"""Daily reminders at a local wall-clock time, computed correctly across DST changes.

A schedule means "at ``local_time`` on every selected *local date* in ``zone``". We never add 24 h
to a UTC instant and never store naive local times: every occurrence is derived afresh from the
local date, so a clock change can shift *when* (in UTC) a reminder fires but never how many times.

DST POLICY
----------
For every selected local date D in the schedule's zone there is at most one occurrence:

1. **Normal day** – the instant at which the zone's wall clock shows ``local_time`` on D.
2. **Fold** (clocks go back, so ``local_time`` happens twice on D, e.g. 02:30 in Europe/Berlin on
   2026-10-25) – fires **once**, at the *first* of the two instants (``fold=0``, the offset that
   was in force before the change). The repeat an hour later is not an occurrence.
3. **Gap** (clocks go forward, so ``local_time`` never shows on D, e.g. 02:30 in Europe/Berlin on
   2026-03-29) – fires at the first valid instant after it: the moment the gap ends (03:00 CEST
   = 01:00 UTC). Gap lengths are read from the zone data, never assumed to be one hour
   (Australia/Lord_Howe: 30 min, Antarctica/Troll: 2 h). This is still D's single occurrence.
   If the gap runs up to or past midnight, the gap end lies on D+1 — e.g. America/Nuuk jumps
   from 2026-03-28 23:00 to 2026-03-29 00:00, so 23:30 on the 28th fires at 00:00 on the 29th.
   It still belongs to D, so D+1 gets its own occurrence as usual; ``local_date_of`` of such an
   instant is D+1.
4. **Skipped date** (no instant at all has local date D, e.g. Pacific/Apia jumped from
   2011-12-29 to 2011-12-31) – D gets **no** occurrence, because the day did not exist; the
   schedule simply continues with the next selected date.
5. **Shared gap end** – if one gap swallows ``local_time`` on two consecutive dates (a gap
   straddling midnight, e.g. America/Toronto 1919-03-30 23:30 → 03-31 00:30 and a 23:45/00:15
   reminder) both dates map to the same instant, and it fires once. No zone has done this since
   1919, but the rule keeps the output strictly increasing.
6. ``next_occurrence(schedule, after)`` returns the earliest occurrence **strictly after**
   ``after``. Passing an occurrence itself therefore yields the next date's occurrence, which is
   what stops a reminder engine from firing twice in a fold.

Consequence worth knowing: a schedule created *during* the repeated hour of a fold, for a time
inside that hour that has already passed once, first fires on the next selected date.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from bot.i18n.speech import N_, Speaker

__all__ = [
    "DailySchedule",
    "Weekdays",
    "load_zone",
    "local_date_of",
    "next_occurrence",
    "occurrence_on",
    "scheduled_date_of",
    "upcoming",
]

_DAY_ABBREVIATIONS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_ALL_DAYS_MASK = 0b111_1111
_WEEKDAYS_MASK = 0b001_1111
_WEEKENDS_MASK = 0b110_0000

_NAMED_SETS = {
    _ALL_DAYS_MASK: N_("every day"),
    _WEEKDAYS_MASK: N_("weekdays"),
    _WEEKENDS_MASK: N_("weekends"),
    0: N_("no days"),
}

# How many local dates next_occurrence examines at most: a week, plus the one date a zone has
# ever skipped, plus slack. It also looks one date back: an occurrence belongs to one date but
# may lie on the next (gap ending at midnight), and one extra date is cheaper than proving that
# this can never matter for any zone's history.
_SEARCH_DAYS = 16


@dataclass(frozen=True, slots=True)
class Weekdays:
    """An immutable set of weekdays, Monday=0 … Sunday=6, stored as a 7-bit mask (bit n = day n)."""

    mask: int

    EVERY_DAY: ClassVar[Weekdays]
    WEEKDAYS: ClassVar[Weekdays]
    WEEKENDS: ClassVar[Weekdays]

    def __post_init__(self) -> None:
        if not isinstance(self.mask, int) or isinstance(self.mask, bool):
            raise TypeError(f"Weekdays mask must be an int, not {type(self.mask).__name__}")
        if not 0 <= self.mask <= _ALL_DAYS_MASK:
            raise ValueError(f"Weekdays mask must be within 0..{_ALL_DAYS_MASK}, got {self.mask}")

    @classmethod
    def of(cls, *weekdays: int) -> Weekdays:
        mask = 0
        for day in weekdays:
            _check_weekday(day)
            mask |= 1 << day
        return cls(mask)

    @classmethod
    def from_mask(cls, mask: int) -> Weekdays:
        """Rebuild from :meth:`to_mask`; rejects values that can't have come from it."""
        return cls(mask)

    def to_mask(self) -> int:
        return self.mask

    def contains(self, weekday: int) -> bool:
        _check_weekday(weekday)
        return bool(self.mask >> weekday & 1)

    def __contains__(self, weekday: object) -> bool:
        return isinstance(weekday, int) and 0 <= weekday <= 6 and self.contains(weekday)

    def __iter__(self) -> Iterator[int]:
        return (day for day in range(7) if self.mask >> day & 1)

    def __len__(self) -> int:
        return self.mask.bit_count()

    def __bool__(self) -> bool:
        return self.mask != 0

    def __or__(self, other: Weekdays) -> Weekdays:
        return Weekdays(self.mask | other.mask)

    def label(self) -> str:
        """Human wording: "every day", "weekdays", "weekends" or e.g. "Mon, Wed, Fri"."""
        if self.mask in _NAMED_SETS:
            return _NAMED_SETS[self.mask]
        return ", ".join(_DAY_ABBREVIATIONS[day] for day in self)

    def said_by(self, tr: Speaker) -> str:
        """:meth:`label` in the reader's language: "werktags", "Mo., Mi., Fr."."""
        if self.mask in _NAMED_SETS:
            return tr(_NAMED_SETS[self.mask])
        return ", ".join(tr.weekday(day, "abbreviated") for day in self)

    def __str__(self) -> str:
        return self.label()


Weekdays.EVERY_DAY = Weekdays(_ALL_DAYS_MASK)
Weekdays.WEEKDAYS = Weekdays(_WEEKDAYS_MASK)
Weekdays.WEEKENDS = Weekdays(_WEEKENDS_MASK)


def _check_weekday(weekday: int) -> None:
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday) .. 6 (Sunday), got {weekday}")


@dataclass(frozen=True, slots=True)
class DailySchedule:
    """Fire at ``local_time`` on each selected local date in the IANA zone ``zone``."""

    local_time: time
    days: Weekdays
    zone: str

    def __post_init__(self) -> None:
        # A time with its own tzinfo would contradict ``zone``; user input goes through
        # parse_time/resolve_zone first, so these are programming errors, not UserErrors.
        if self.local_time.tzinfo is not None:
            raise ValueError("DailySchedule.local_time must be a naive wall-clock time")
        if not self.days:
            raise ValueError("DailySchedule needs at least one day")
        try:
            load_zone(self.zone)
        except (ValueError, KeyError) as exc:  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"unknown time zone {self.zone!r}") from exc

    @property
    def tzinfo(self) -> ZoneInfo:
        return load_zone(self.zone)


@functools.cache
def load_zone(name: str) -> ZoneInfo:
    """``ZoneInfo(name)``, kept alive for the life of the process.

    ZoneInfo holds only its 8 most recent zones strongly; with more zones in play (one per user)
    it would re-read the tzdata file from disk on most calls. There are ~600 zones, so this
    cache stays small, and failed look-ups raise and are not cached.
    """
    return ZoneInfo(name)


def local_date_of(instant: datetime, zone: str | ZoneInfo) -> date:
    """The calendar date the zone's wall clock shows at ``instant``.

    Equal to the date an occurrence was scheduled for, except after a gap that ran to midnight
    (DST POLICY rule 3), where it is the following date.
    """
    _require_aware(instant, "instant")
    tz = zone if isinstance(zone, ZoneInfo) else load_zone(zone)
    return instant.astimezone(tz).date()


def occurrence_on(schedule: DailySchedule, local_date: date) -> datetime | None:
    """The UTC instant the schedule fires for ``local_date``, following the DST policy above.

    None if ``local_date`` isn't a selected weekday or never existed in the zone.
    """
    if not schedule.days.contains(local_date.weekday()):
        return None
    # fold=0 on the requested time: a time that came with fold=1 must not pick the repeat.
    wall = datetime.combine(local_date, schedule.local_time.replace(fold=0))
    return _resolve_wall_time(wall, schedule.tzinfo)


def scheduled_date_of(schedule: DailySchedule, occurrence: datetime) -> date:
    """The local date an occurrence instant was scheduled for (use this to count "per day").

    Usually ``local_date_of(occurrence, zone)``. The exception is DST POLICY rule 3: a reminder
    pushed to the end of a gap that ran to midnight (America/Nuuk, 2026-03-28 23:30 -> 03-29
    00:00) belongs to the earlier date, so streaks and "one per day" counts stay right.
    """
    shown = local_date_of(occurrence, schedule.tzinfo)
    previous = shown - timedelta(days=1)
    if occurrence_on(schedule, previous) == occurrence != occurrence_on(schedule, shown):
        return previous
    return shown


def next_occurrence(schedule: DailySchedule, after: datetime) -> datetime:
    """The first occurrence strictly after ``after`` (which must be aware), in UTC.

    Follows the module's DST POLICY. Passing the previous result gives the next date's
    occurrence, so ``next_occurrence(schedule, max(now, due))`` never repeats a reminder.
    """
    _require_aware(after, "after")
    # Compare in UTC only: aware datetimes sharing a tzinfo compare by wall time, ignoring fold.
    after_utc = after.astimezone(UTC)
    zone = schedule.tzinfo
    first_date = local_date_of(after_utc, zone) - timedelta(days=1)
    best: datetime | None = None
    for offset in range(_SEARCH_DAYS):
        day = first_date + timedelta(days=offset)
        if best is not None and day > local_date_of(best, zone) + timedelta(days=1):
            # Later dates can only fire later. One date past the best one's local date is still
            # checked, because an occurrence may sit on the next local date.
            break
        candidate = occurrence_on(schedule, day)
        if candidate is not None and candidate > after_utc and (best is None or candidate < best):
            best = candidate
    if best is None:  # pragma: no cover - needs a zone that skips a whole week
        raise RuntimeError(f"no occurrence of {schedule} within {_SEARCH_DAYS} days")
    return best


def upcoming(schedule: DailySchedule, after: datetime, count: int) -> list[datetime]:
    """The next ``count`` occurrences strictly after ``after``, in increasing order."""
    if count < 0:
        raise ValueError(f"count must not be negative, got {count}")
    return list(_upcoming(schedule, after, count))


@functools.lru_cache(maxsize=4096)
def _upcoming(schedule: DailySchedule, after: datetime, count: int) -> tuple[datetime, ...]:
    # Every status shows a schedule's next reminders, and many people share one recurrence and
    # due time (17:30 every day in Berlin): computed once, not per command (issue 19). A pure
    # function of hashable values; the zone data does not change while the process runs.
    instants: list[datetime] = []
    cursor = after
    for _ in range(count):
        cursor = next_occurrence(schedule, cursor)
        instants.append(cursor)
    return tuple(instants)


def _resolve_wall_time(wall: datetime, zone: ZoneInfo) -> datetime | None:
    """Map a naive local wall time to the instant it fires (see DST POLICY), in UTC."""
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    # If the round trip shows the same wall time, it exists; fold=0 made it the earlier of two.
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    gap_end = _gap_end(wall, zone)
    if _wall_at(gap_end, zone).date() == wall.date():
        return gap_end
    # The gap runs past the end of the requested date; the date still counts if it existed at
    # all, i.e. the last instant before the gap was already on it.
    just_before = _wall_at(gap_end - timedelta(seconds=1), zone)
    return gap_end if just_before.date() == wall.date() else None


def _gap_end(wall: datetime, zone: ZoneInfo) -> datetime:
    """The first instant whose wall time is later than the non-existent ``wall``.

    zoneinfo interprets a gap time with the offset before (fold=0) and after (fold=1) the change;
    the transition lies between those two readings, so we bisect there instead of assuming the
    gap's length. Transitions in tzdata fall on whole seconds, hence integer timestamps.
    """
    readings = sorted(
        wall.replace(tzinfo=zone, fold=fold).astimezone(UTC).timestamp() for fold in (0, 1)
    )
    low, high = math.floor(readings[0]), math.ceil(readings[1])
    # Invariant: wall(low) <= wall < wall(high). Widen defensively if zone data were odd.
    while _wall_at_timestamp(low, zone) > wall:
        low -= 86_400
    while _wall_at_timestamp(high, zone) <= wall:
        high += 86_400
    while high - low > 1:
        middle = (low + high) // 2
        if _wall_at_timestamp(middle, zone) > wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _wall_at_timestamp(timestamp: int, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(timestamp, zone).replace(tzinfo=None)


def _wall_at(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")
