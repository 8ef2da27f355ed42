"""The running bot prunes old deliveries on a schedule of its own (DELIVERY_RETENTION_DAYS)."""

from __future__ import annotations

from datetime import time, timedelta

from bot.client import PRUNE_EVERY_HOURS, RlsBot
from bot.clock import FakeClock
from bot.db.reminders import ScheduleSpec


async def test_the_bot_prunes_finished_deliveries_older_than_the_retention(
    bot: RlsBot, clock: FakeClock
) -> None:
    job = bot.scheduler.get_job("prune-deliveries")
    assert job is not None and job.trigger.interval == timedelta(hours=PRUNE_EVERY_HOURS)
    now = clock.now()
    schedule = await bot.repos.reminders.save_schedule(
        ScheduleSpec(1, "stretch", time(16), 127, "UTC"), now, now - timedelta(days=500)
    )
    kept = []
    for age in (401, 399):
        delivery = await bot.repos.reminders.add_delivery(
            schedule, now - timedelta(days=age), "now", now
        )
        assert delivery is not None
        await bot.repos.reminders.mark_sent(delivery.id, 5, 6, now - timedelta(days=age), 0)
        kept.append(delivery.id)
    await bot._prune()
    left = [d.id for d in await bot.repos.reminders.recent_deliveries(schedule.id, 10)]
    assert left == [kept[1]]
