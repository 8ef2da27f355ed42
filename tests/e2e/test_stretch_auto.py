"""`/stretch remind time:auto` end to end (issue 20): the time chosen from the person's own
nights and why, 17:00 and why not with too few, following each night logged, and a typed time
turning it off."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.client import RlsBot
from bot.clock import FakeClock
from bot.emulator import DiscordEmulator, EmuUser
from bot.routines import STRETCH_KIND
from tests.e2e.test_sleep import with_zone

TODAY = date(2026, 3, 2)  # the clock fixture: Monday 13:00 in Berlin


async def log(emu: DiscordEmulator, user: EmuUser, night: date, onset: str) -> str:
    options = {"bed": "23:00", "wake": "7:00", "rls_start": onset, "night": night.isoformat()}
    reply = await (await emu.slash(user, "sleep log", options)).response()
    assert reply.content.startswith("Saved."), reply.content
    return reply.content


async def stretch_time(bot: RlsBot, user: EmuUser) -> tuple[time, datetime | None]:
    schedule = await bot.repos.reminders.get_schedule(user.id, STRETCH_KIND)
    assert schedule is not None
    return schedule.local_time, schedule.next_due


async def test_too_few_nights_gives_17_00_and_says_why(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await log(emu, alice, TODAY, "20:00")
    reply = await (await emu.slash(alice, "stretch remind", {"time": "auto"})).response()
    assert reply.ephemeral and reply.body["data"]["allowed_mentions"] == {"parse": []}
    assert "Only 1 of your nights has a time when symptoms started, and I need 5" in reply.content
    assert "your stretch reminder is at 17:00 for now" in reply.content
    assert (await stretch_time(bot, alice))[0] == time(17, 0)
    assert await bot.repos.auto_times.get(alice.id, STRETCH_KIND) == 60
    status = await (await emu.slash(alice, "stretch status")).response()
    assert "follows your symptom start, 60 min before (`time:auto`)" in status.content


async def test_auto_follows_the_nights_and_a_typed_time_turns_it_off(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    for back in range(5):
        await log(emu, alice, TODAY - timedelta(days=back), "21:00")
    reply = await (
        await emu.slash(alice, "stretch remind", {"time": "Auto", "before": 90})
    ).response()
    assert (
        "Your symptoms started at a median 21:00 over your last 5 nights with a start time, so "
        "your stretch reminder is at 19:30, 90 minutes before." in reply.content
    )
    assert "A typed time turns this off." in reply.content
    local, due = await stretch_time(bot, alice)
    assert local == time(19, 30) and due == datetime(2026, 3, 2, 18, 30, tzinfo=UTC)

    # 20:00 in Berlin: today's 19:30 has passed. A night with an earlier start moves the time
    # from tomorrow on, never a second reminder today.
    clock.set(datetime(2026, 3, 2, 19, 0, tzinfo=UTC))
    assert await bot.engine.tick() == 1
    await bot.engine.drain()
    assert (await emu.wait_for_dm(alice)).embeds[0]["title"].startswith("Time to stretch")
    for back in range(5, 8):
        await log(emu, alice, TODAY - timedelta(days=back), "19:00")
    await log(emu, alice, TODAY - timedelta(days=8), "19:00")
    local, due = await stretch_time(bot, alice)
    # Onsets 21:00 ×5, 19:00 ×4: median 21:00, still 19:30. One more 19:00: median 20:00, so
    # 18:30, which has passed today: from tomorrow.
    assert local == time(19, 30)
    await log(emu, alice, TODAY - timedelta(days=9), "19:00")
    local, due = await stretch_time(bot, alice)
    assert local == time(18, 30) and due == datetime(2026, 3, 3, 17, 30, tzinfo=UTC)

    # A typed time is the person's: auto is off, and the reply says so.
    typed = await (await emu.slash(alice, "stretch remind", {"time": "18:00"})).response()
    assert "no longer follows your symptom start time" in typed.content
    status = await (await emu.slash(alice, "stretch status")).response()
    assert "time:auto" not in status.content
    assert await bot.repos.auto_times.get(alice.id, STRETCH_KIND) is None
    await log(emu, alice, TODAY - timedelta(days=10), "15:00")
    assert (await stretch_time(bot, alice))[0] == time(18, 0)


async def test_before_without_auto_and_out_of_range_change_nothing(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    alone = await (await emu.slash(alice, "stretch remind", {"before": 30})).response()
    assert alone.ephemeral and "`before` goes with `time:auto`" in alone.content
    assert await bot.repos.reminders.get_schedule(alice.id, STRETCH_KIND) is None
    assert await bot.repos.auto_times.get(alice.id, STRETCH_KIND) is None


async def test_before_alone_changes_the_lead_of_a_reminder_that_follows_the_symptoms(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    for back in range(5):
        await log(emu, alice, TODAY - timedelta(days=back), "21:00")
    await (await emu.slash(alice, "stretch remind", {"time": "auto"})).response()
    assert (await stretch_time(bot, alice))[0] == time(20, 0)
    reply = await (await emu.slash(alice, "stretch remind", {"before": 90})).response()
    assert "changed: time 19:30 (was 20:00)" in reply.content
    assert "your stretch reminder is at 19:30, 90 minutes before." in reply.content
    assert (await stretch_time(bot, alice))[0] == time(19, 30)
    assert await bot.repos.auto_times.get(alice.id, STRETCH_KIND) == 90
    # With a typed time, `before` has nothing to go with: nothing changes.
    typed = await (
        await emu.slash(alice, "stretch remind", {"time": "18:00", "before": 30})
    ).response()
    assert "`before` goes with `time:auto`" in typed.content
    assert (await stretch_time(bot, alice))[0] == time(19, 30)
