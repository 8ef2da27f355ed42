"""From the clock times people type to instants, relative to the night being logged.

THE RULE (night N is dated by the morning it ends):

* Evening times — into bed, tried to sleep, RLS symptoms started — read from 12:00 to 23:59
  are on the evening before (N − 1 day); from 00:00 to 11:59 they are after midnight, on N.
* Morning times — final wake, out of bed — are always on N.

So "23:15" into bed and "7am" up for night Tue 3 Mar mean Mon 2 Mar 23:15 and Tue 3 Mar 07:00;
"00:30" into bed means Tue 00:30. People who sleep by day fit too (into bed 08:00, up 15:00).
Times in bed over 24 hours are rejected by validation rather than guessed at.

DST: a local time is turned into an instant with zoneinfo and fold=0 (PEP 495).
* In a fold (clocks go back, 02:30 happens twice on 2026-10-25 in Europe/Berlin) that is the
  first 02:30, still on summer time.
* In a gap (clocks go forward, 02:30 never happens on 2026-03-29 in Europe/Berlin) it is read with
  the offset in force before the change, which lands an hour later on the new clock (03:30 CEST).
  Someone typing a time that did not exist almost always read it off a clock that had not been
  changed yet, so this is the kindest reading.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

EVENING_STARTS = time(12, 0)


def local_instant(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The UTC instant when `zone`'s wall clock shows `clock` on `day` (fold=0, see above)."""
    return datetime.combine(day, clock.replace(fold=0), tzinfo=zone).astimezone(UTC)


def evening_instant(night: date, clock: time, zone: ZoneInfo) -> datetime:
    day = night - timedelta(days=1) if clock >= EVENING_STARTS else night
    return local_instant(day, clock, zone)


def morning_instant(night: date, clock: time, zone: ZoneInfo) -> datetime:
    return local_instant(night, clock, zone)


def local_clock(instant: datetime, zone: ZoneInfo) -> str:
    """ "23:15" for display and for pre-filling forms."""
    return f"{instant.astimezone(zone):%H:%M}"
