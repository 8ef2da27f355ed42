"""Entries as the check-in form makes them, for the sleep tests."""

from __future__ import annotations

from datetime import date, datetime

from bot.sleep.entry import SleepEntry
from bot.sleep.form import NightForm, build_entry


def berlin_entry(night: date, now: datetime, **answers: object) -> SleepEntry:
    """What user 1, in Berlin, gets by sending the form with these answers for `night` at `now`."""
    return build_entry(
        NightForm(**answers),  # type: ignore[arg-type]
        user_id=1,
        night=night,
        zone_name="Europe/Berlin",
        now=now,
    )
