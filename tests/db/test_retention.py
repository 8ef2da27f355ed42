"""DELIVERY_RETENTION_DAYS: old finished deliveries are pruned in small batches, on both backends,
while Done streaks and /mydata export stay right."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.db import Database, Repositories
from bot.db.reminders import ScheduleSpec
from bot.db.retention import prune_deliveries
from bot.reminders.streaks import MAX_STREAK_DAYS, done_streak
from bot.scheduling.recurrence import Weekdays
from bot.settings import SettingsError, load_settings

NOW = datetime(2027, 6, 1, 16, 0, tzinfo=UTC)
USER = 7
DAYS = 450


async def streak_and_done(repos: Repositories) -> tuple[int, list[datetime]]:
    activity = await repos.reminders.schedule_activity(
        USER,
        "stretch",
        recent=3,
        done_since=NOW - timedelta(days=MAX_STREAK_DAYS),
        skipped_since=NOW - timedelta(days=7),
    )
    assert activity is not None
    dates = [t.date() for t in activity.done_due_times]
    return done_streak(dates, Weekdays.EVERY_DAY, NOW.date()), activity.done_due_times


async def test_old_deliveries_go_in_batches_and_streaks_and_export_stay_right(
    database: Database, repos: Repositories
) -> None:
    schedule = await repos.reminders.save_schedule(
        ScheduleSpec(USER, "stretch", time(16), 127, "UTC"), NOW, NOW - timedelta(days=DAYS)
    )
    # A Done every day for 450 days, then one still pending (never pruned, however old).
    for days in range(DAYS, 0, -1):
        due = NOW - timedelta(days=days)
        delivery = await repos.reminders.add_delivery(schedule, due, "scheduled", due)
        assert delivery is not None
        await repos.reminders.mark_sent(delivery.id, 500, 600 + days, due, 0)
        await repos.reminders.mark_done(delivery.id, USER, due + timedelta(minutes=5))
    pending = await repos.reminders.add_delivery(
        schedule, NOW - timedelta(days=DAYS + 10), "now", NOW
    )
    assert pending is not None
    streak_before, done_before = await streak_and_done(repos)
    assert streak_before == MAX_STREAK_DAYS - 1  # every day it looks at, today not yet done

    cutoff = NOW - timedelta(days=400)
    assert await prune_deliveries(database, cutoff, batch=7) == DAYS - 400

    assert await streak_and_done(repos) == (streak_before, done_before)
    exported = (await repos.user_data.export(USER))["deliveries"]
    assert len(exported) == 400 + 1
    assert pending.id in {int(row["id"]) for row in exported}
    # Nothing left to do the second time.
    assert await prune_deliveries(database, cutoff, batch=7) == 0


def test_the_retention_cannot_be_shorter_than_streaks_look_back() -> None:
    assert load_settings(_env_file=None).delivery_retention_days == 400
    with pytest.raises(SettingsError, match="DELIVERY_RETENTION_DAYS"):
        load_settings(_env_file=None, delivery_retention_days=30)
