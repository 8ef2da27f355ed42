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


async def test_remind_needs_a_timezone(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = emu.add_user("alice")
    reply = await (await emu.slash(alice, "sleep remind")).response()
    assert "`/timezone set`" in reply.content
