"""The confirmations that share one view: each keeps its own buttons, ids and texts, and Cancel
changes nothing. (Confirm, and Cancel on /mydata delete and /config reset, are tested with their
features.)"""

from __future__ import annotations

from typing import Any

from bot.client import RlsBot
from bot.emulator import DiscordEmulator, EmuUser
from tests.e2e.test_sleep_checkin import TODAY, cid, with_zone


def buttons(message: Any) -> dict[str, tuple[str, int]]:
    """Button label -> (custom_id, style), in order."""
    return {
        c["label"]: (c["custom_id"], c["style"])
        for row in message.components
        for c in row["components"]
    }


async def cancel(emu: DiscordEmulator, user: EmuUser, ask: Any, label: str) -> Any:
    kept = await (await emu.click(user, ask, buttons(ask)[label][0])).response()
    assert kept.type == 7 and kept.components == []
    return kept


async def test_keeping_a_relogged_night(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await (await emu.slash(alice, "sleep log", {"bed": "23:00", "wake": "7:00"})).response()
    ask = await (await emu.slash(alice, "sleep log", {"bed": "22:00", "wake": "6:00"})).response()
    assert ask.ephemeral and ask.content.startswith(
        "You already logged the night ending Mon 02 Mar:"
    )
    assert buttons(ask) == {
        "Replace": (f"rls:sleep:replace:{alice.id}:20260302", 4),
        "Keep the old one": (f"rls:sleep:keep:{alice.id}:20260302", 2),
    }
    kept = await cancel(emu, alice, ask, "Keep the old one")
    assert kept.content == "Kept your earlier entry."
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None and entry.into_bed.hour == 22  # 23:00 CET


async def test_keeping_a_night_the_checkin_would_replace(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await (await emu.slash(alice, "sleep log", {"bed": "23:00", "wake": "7:00"})).response()
    opened = await emu.slash(alice, "sleep checkin")
    details = await (await emu.submit_modal(alice, opened, {"bed": "21:00"})).response()
    ask = await (await emu.click(alice, details, cid("save", alice))).response()
    # The check-in's own message turns into the question.
    assert ask.type == 7 and ask.content.startswith("You already logged this night:")
    kept = await cancel(emu, alice, ask, "Keep the old one")
    assert kept.content == "Kept your earlier entry."
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None and entry.into_bed.hour == 22


async def test_keeping_a_night_instead_of_deleting_it(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await (await emu.slash(alice, "sleep log", {"bed": "23:00", "wake": "7:00"})).response()
    ask = await (await emu.slash(alice, "sleep delete", {"night": "2026-03-02"})).response()
    assert ask.ephemeral and buttons(ask) == {
        "Delete this night": (f"rls:sleep:delete:{alice.id}:20260302", 4),
        "Keep it": (f"rls:sleep:keepnight:{alice.id}:20260302", 2),
    }
    kept = await cancel(emu, alice, ask, "Keep it")
    assert kept.content == "Kept."
    assert await bot.repos.diary.get(alice.id, TODAY) is not None


async def test_keeping_stretch_reminders(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice, bob = emu.add_user("alice"), emu.add_user("bob")
    options = {"time": "17:30", "timezone": "Europe/Berlin"}
    await (await emu.slash(alice, "stretch remind", options)).response()
    ask = await (await emu.slash(alice, "stretch stop")).response()
    assert ask.ephemeral and ask.content.startswith("Stop your daily stretch reminders?")
    assert [(label, style) for label, (_, style) in buttons(ask).items()] == [
        ("Yes, stop", 4),
        ("Keep them", 2),
    ]
    refused = await (await emu.click(bob, ask, buttons(ask)["Keep them"][0])).response()
    assert refused.ephemeral and "someone else" in refused.content
    kept = await cancel(emu, alice, ask, "Keep them")
    assert kept.content == "Kept: your reminders carry on."
    assert await bot.repos.reminders.get_schedule(alice.id, "stretch") is not None
