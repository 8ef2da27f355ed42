"""Pure scheduling logic for reminders: recurrence across DST, and parsing what users type.

Nothing here talks to Discord or the database, so it can be tested exhaustively.
"""

from bot.scheduling.parsing import parse_days, parse_pause_days, parse_time
from bot.scheduling.recurrence import (
    DailySchedule,
    Weekdays,
    load_zone,
    local_date_of,
    next_occurrence,
    occurrence_on,
    scheduled_date_of,
    upcoming,
)
from bot.scheduling.zones import is_valid_zone, resolve_zone, zone_choices

__all__ = [
    "DailySchedule",
    "Weekdays",
    "is_valid_zone",
    "load_zone",
    "local_date_of",
    "next_occurrence",
    "occurrence_on",
    "parse_days",
    "parse_pause_days",
    "parse_time",
    "resolve_zone",
    "scheduled_date_of",
    "upcoming",
    "zone_choices",
]
