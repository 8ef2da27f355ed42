"""From the clock times people type to instants, relative to the night being logged.

THE RULE (night N is dated by the day the main sleep ends, usually a morning):

* The final wake and out-of-bed times are on N.
* Every time before waking — into bed, tried to sleep, RLS symptoms started — is the last time the
  clock showed it at or before the final wake.

So "23:15" into bed and "7am" up for night Tue 3 Mar mean Mon 2 Mar 23:15 and Tue 3 Mar 07:00;
"00:30" into bed means Tue 00:30. People who sleep by day fit the same rule: into bed 08:00, up
15:00 is Tue 08:00 to 15:00, and a night-shift worker's 14:00 to 21:00 is Tue 14:00 to 21:00 (a
main sleep that starts in the afternoon or morning is a night like any other, not an error). A
time in bed of 16 hours or more, or none at all, is asked about before it is saved (see
:func:`bot.sleep.form.implausible`).

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
    """Noon to midnight on the evening before `night`, after midnight on `night` (for tests and
    examples that have no wake time)."""
    day = night - timedelta(days=1) if clock >= EVENING_STARTS else night
    return local_instant(day, clock, zone)


def before_wake(night: date, clock: time, zone: ZoneInfo, final_wake: datetime) -> datetime:
    """The last instant at or before `final_wake` when the clock showed `clock` (THE RULE)."""
    same_day = local_instant(night, clock, zone)
    if same_day <= final_wake:
        return same_day
    return local_instant(night - timedelta(days=1), clock, zone)


def morning_instant(night: date, clock: time, zone: ZoneInfo) -> datetime:
    return local_instant(night, clock, zone)


def local_clock(instant: datetime, zone: ZoneInfo) -> str:
    """ "23:15" for display and for pre-filling forms."""
    return f"{instant.astimezone(zone):%H:%M}"
