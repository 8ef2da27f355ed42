"""The morning prompt: a "sleep" schedule on the reminder engine, its DM, and its button."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.client import RlsBot
from bot.clock import FakeClock
from bot.emulator import DiscordEmulator


async def test_morning_prompt_button_opens_the_checkin(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    alice, bob = emu.add_user("alice"), emu.add_user("bob")
    await bot.repos.users.set_timezone(alice.id, "Europe/Berlin", clock.now())
    reply = await (await emu.slash(alice, "sleep remind", {"time": "7:30"})).response()
    assert reply.ephemeral and "07:30" in reply.content
    schedule = await bot.repos.reminders.get_schedule(alice.id, "sleep")
    assert schedule is not None
    assert schedule.next_due == datetime(2026, 3, 3, 6, 30, tzinfo=UTC)  # 07:30 CET tomorrow

    clock.set(datetime(2026, 3, 3, 6, 30, 5, tzinfo=UTC))
    assert await bot.engine.tick() == 1
    await bot.engine.drain()
    dm = await emu.wait_for_dm(alice)
    assert dm.embeds[0]["title"] == "Good morning! How did you sleep?"
    button = f"rls:sleep:log:{alice.id}:20260303"
    # Bob forges a press: refused.
    forged = await (await emu.click(bob, dm, button)).response()
    assert "someone else" in forged.content and forged.ephemeral
    pressed = await emu.click(alice, dm, button)
    modal = await pressed.response()
    assert modal.type == 9 and modal.custom_id == f"rls:sleep:ci:times:{alice.id}:20260303"
    details = await (
        await emu.submit_modal(alice, pressed, {"bed": "23:00", "wake": "6:30"})
    ).response()
    await (await emu.click(alice, details, f"rls:sleep:ci:save:{alice.id}:20260303")).response()
    assert await bot.repos.diary.recent_nights(alice.id, 5) == [datetime(2026, 3, 3).date()]

    off = await (await emu.slash(alice, "sleep remind", {"time": "off"})).response()
    assert "off" in off.content
    stopped = await bot.repos.reminders.get_schedule(alice.id, "sleep")
    assert stopped is not None and stopped.next_due is None


async def test_the_prompt_names_the_stop_as_it_must_be_typed(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    # "/sleep remind off" without its option name is no command Discord sends: only time:off is.
    alice = emu.add_user("alice")
    await bot.repos.users.set_timezone(alice.id, "Europe/Berlin", clock.now())
    started = await (await emu.slash(alice, "sleep remind", {"time": "7:30"})).response()
    assert "`/sleep remind time:off` stops it." in started.content
    clock.set(datetime(2026, 3, 3, 6, 30, 5, tzinfo=UTC))
    assert await bot.engine.tick() == 1
    await bot.engine.drain()
    dm = await emu.wait_for_dm(alice)
    assert dm.embeds[0]["footer"]["text"] == "/sleep remind time:off stops these messages."
    status = await (await emu.slash(alice, "sleep remind")).response()
    assert "`/sleep remind time:off` stops it." in status.content


async def test_remind_needs_a_timezone(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = emu.add_user("alice")
    reply = await (await emu.slash(alice, "sleep remind")).response()
    assert "**Fix it** asks for your city" in reply.content  # tests/e2e/test_zone_fix_it.py


async def test_closed_dms_pause_the_morning_prompt_visibly(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    alice = emu.add_user("alice")
    await bot.repos.users.set_timezone(alice.id, "Europe/Berlin", clock.now())
    await (await emu.slash(alice, "sleep remind", {"time": "7:30"})).response()
    emu.close_dms(alice)
    clock.set(datetime(2026, 3, 3, 6, 30, 5, tzinfo=UTC))
    assert await bot.engine.tick() == 1
    await bot.engine.drain()
    schedule = await bot.repos.reminders.get_schedule(alice.id, "sleep")
    assert schedule is not None and schedule.pause_reason == "dm_closed"
    # Her next command, whichever it is, brings a one-time heads-up only she can see.
    helped = await emu.slash(alice, "help")
    assert (await helped.response()).ephemeral
    notice = await helped.followup()
    assert notice.flags & 64
    assert "couldn't send you a DM" in notice.content
    assert "morning check-in prompts are paused" in notice.content
    assert await bot.repos.reminders.take_pause_notices(alice.id, clock.now()) == []  # told once
    # The feature's own status says so too.
    status = await (await emu.slash(alice, "sleep remind")).response()
    assert (
        status.ephemeral
        and "**Paused:**" in status.content
        and "Privacy Settings" in status.content
    )
    # Setting it again (DMs open now) starts it again.
    emu.open_dms(alice)
    again = await (await emu.slash(alice, "sleep remind", {"time": "7:30"})).response()
    assert "Every morning at 07:30" in again.content
