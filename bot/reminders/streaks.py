"""Done streaks counted in scheduled local days, so a weekdays-only schedule keeps its streak over
the weekend."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from bot.scheduling.recurrence import Weekdays

# Far enough back for any realistic streak, short enough to stay cheap.
MAX_STREAK_DAYS = 400


def done_streak(done_dates: Iterable[date], days: Weekdays, today: date) -> int:
    """Consecutive scheduled dates, ending today (or the last scheduled date before it if today
    is not done yet), on which the user pressed Done."""
    done = set(done_dates)
    streak = 0
    day = today
    for step in range(MAX_STREAK_DAYS):
        if days.contains(day.weekday()):
            if day in done:
                streak += 1
            elif not (step == 0 and day == today):
                break
        day -= timedelta(days=1)
    return streak
