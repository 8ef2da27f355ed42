"""/stretch says what is true after stop and on a resume with nothing paused (issue 15)."""

from __future__ import annotations

import re

from bot.client import RlsBot
from bot.emulator import DiscordEmulator
from tests.e2e.stretch_steps import DUE, buttons, subscribe


async def test_resume_when_nothing_is_paused_says_so(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = emu.add_user("alice")
    await subscribe(emu, alice)
    before = await bot.repos.reminders.get_schedule(alice.id, "stretch")
    reply = await (await emu.slash(alice, "stretch resume")).response()
    assert reply.ephemeral and "aren't paused" in reply.content and "Resumed" not in reply.content
    assert f"<t:{int(DUE.timestamp())}:F>" in reply.content
    assert await bot.repos.reminders.get_schedule(alice.id, "stretch") == before
    # Paused, a resume still resumes.
    await (await emu.slash(alice, "stretch pause", {"days": 2})).response()
    resumed = await (await emu.slash(alice, "stretch resume")).response()
    assert resumed.content.startswith("Resumed.")


async def test_after_stop_status_says_stopped_and_how_to_start_again(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice, bob = emu.add_user("alice"), emu.add_user("bob")
    await subscribe(emu, alice)
    ask = await (await emu.slash(alice, "stretch stop")).response()
    done = await (await emu.click(alice, ask, buttons(ask)["Yes, stop"])).response()
    assert done.content.startswith("Stopped.")
    for command in ("stretch status", "stretch resume", "stretch stop", "stretch now"):
        reply = await (await emu.slash(alice, command)).response()
        assert reply.ephemeral and "You stopped your stretch reminders" in reply.content, command
        assert re.search(r"<t:\d+:R>", reply.content) and "/stretch remind" in reply.content
        assert "set up yet" not in reply.content
    # Someone who never had them still hears that.
    never = await (await emu.slash(bob, "stretch status")).response()
    assert "don't have stretch reminders set up yet" in never.content
    # Started again: status shows the schedule.
    await subscribe(emu, alice)
    status = await (await emu.slash(alice, "stretch status")).response()
    assert status.content.startswith("**Schedule:**")
