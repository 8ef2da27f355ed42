"""An independent model of a zone's wall clock, used as the oracle for the DST policy.

It shares no code with ``bot.scheduling.recurrence``: it finds the UTC-offset changes by sampling
and bisecting, then treats the clock as pieces of constant offset. Every question about which
instants show a wall time is answered from those pieces directly, not via zoneinfo's ``fold``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# No zone changes its offset twice within six hours in the years the tests look at (1919 and
# 2011 included), so sampling at this step and bisecting finds every transition.
SAMPLE_STEP = 6 * 3600


def wall_at(instant: datetime, offset: timedelta) -> datetime:
    """The naive wall time a clock at ``offset`` from UTC shows at ``instant``."""
    return (instant + offset).replace(tzinfo=None)


@dataclass(frozen=True)
class Transition:
    at: datetime  # first UTC instant with the new offset
    before: timedelta
    after: timedelta

    @property
    def walls(self) -> tuple[datetime, datetime]:
        """Where the change skips (a gap) or repeats (a fold) wall time, earlier end first: what
        the clock would show at ``at`` with the old offset and with the new one."""
        low, high = sorted((wall_at(self.at, self.before), wall_at(self.at, self.after)))
        return low, high


def _offset(zone: ZoneInfo, timestamp: int) -> timedelta:
    offset = datetime.fromtimestamp(timestamp, zone).utcoffset()
    assert offset is not None
    return offset


def find_transitions(
    zone: ZoneInfo, start: datetime, end: datetime, step: int = SAMPLE_STEP
) -> list[Transition]:
    """Every UTC-offset change in [start, end), to the second, if none are closer than ``step``."""
    found: list[Transition] = []
    low_ts = int(start.timestamp())
    end_ts = int(end.timestamp())
    previous = _offset(zone, low_ts)
    while low_ts < end_ts:
        high_ts = min(low_ts + step, end_ts)
        current = _offset(zone, high_ts)
        if current != previous:
            low, high = low_ts, high_ts
            while high - low > 1:
                middle = (low + high) // 2
                if _offset(zone, middle) == previous:
                    low = middle
                else:
                    high = middle
            found.append(Transition(datetime.fromtimestamp(high, UTC), previous, current))
        previous = current
        low_ts = high_ts
    return found


@dataclass(frozen=True)
class Piece:
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    offset: timedelta

    def shows(self, wall: datetime) -> datetime | None:
        instant = (wall - self.offset).replace(tzinfo=UTC)
        return instant if self.start <= instant < self.end else None

    @property
    def wall_start(self) -> datetime:
        return wall_at(self.start, self.offset)

    @property
    def wall_end(self) -> datetime:
        return wall_at(self.end, self.offset)


class Timeline:
    """The wall clock of ``zone`` between two UTC instants, as constant-offset pieces."""

    def __init__(self, zone: ZoneInfo, start: datetime, end: datetime) -> None:
        self.zone = zone
        self.start = start
        self.end = end
        self.transitions = find_transitions(zone, start, end)
        bounds = [start, *(t.at for t in self.transitions), end]
        offsets = [_offset(zone, int(start.timestamp())), *(t.after for t in self.transitions)]
        self.pieces = [Piece(bounds[i], bounds[i + 1], offsets[i]) for i in range(len(offsets))]

    def wall(self, instant: datetime) -> datetime:
        for piece in self.pieces:
            if piece.start <= instant < piece.end:
                return wall_at(instant, piece.offset)
        raise AssertionError(f"{instant} is outside the timeline")

    def instants_showing(self, wall: datetime) -> list[datetime]:
        return [i for p in self.pieces if (i := p.shows(wall)) is not None]

    def jump_over(self, wall: datetime) -> datetime | None:
        """The first transition at which the clock jumps forward over ``wall``."""
        for before, after in itertools.pairwise(self.pieces):
            if before.wall_end <= wall < after.wall_start:
                return after.start
        return None

    def date_exists(self, day: date) -> bool:
        day_start = datetime.combine(day, time())
        day_end = day_start + timedelta(days=1)
        return any(p.wall_start < day_end and day_start < p.wall_end for p in self.pieces)

    def expected(self, day: date, local_time: time) -> datetime | None:
        """The instant the DST policy prescribes for ``local_time`` on ``day`` (all days selected)."""
        wall = datetime.combine(day, local_time)
        shown = self.instants_showing(wall)
        if shown:
            return min(shown)  # fold: the first of the two
        if not self.date_exists(day):
            return None  # skipped date
        jump = self.jump_over(wall)
        assert jump is not None, f"{wall} neither shown nor jumped over in {self.zone}"
        return jump
