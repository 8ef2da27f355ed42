"""Zones as people type them (issue 15): what /help promises, a city, works everywhere."""

from __future__ import annotations

from bot.client import RlsBot
from bot.emulator import DiscordEmulator


async def test_a_city_is_accepted_and_said_back_as_its_zone(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = emu.add_user("alice")
    reply = await (await emu.slash(alice, "timezone set", {"zone": "Berlin"})).response()
    assert reply.ephemeral and "Berlin → Europe/Berlin" in reply.content, reply.content
    profile = await bot.repos.users.get(alice.id)
    assert profile is not None and profile.timezone == "Europe/Berlin"
    # Typed in full, the zone is said back as itself.
    reply = await (await emu.slash(alice, "timezone set", {"zone": "america/new york"})).response()
    assert "**America/New_York**" in reply.content


async def test_a_city_works_wherever_a_zone_is_typed(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = emu.add_user("alice")
    options = {"time": "17:30", "timezone": "New York"}
    reply = await (await emu.slash(alice, "stretch remind", options)).response()
    assert "(America/New_York)" in reply.content, reply.content
    schedule = await bot.repos.reminders.get_schedule(alice.id, "stretch")
    assert schedule is not None and schedule.timezone == "America/New_York"


async def test_help_promises_what_works(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = emu.add_user("alice")
    shown = await (await emu.slash(alice, "help")).response()
    fields = " ".join(f["value"] for f in shown.embeds[0]["fields"])
    assert "e.g. Berlin" in fields
    reply = await (await emu.slash(alice, "timezone set", {"zone": "Berlin"})).response()
    assert "Did you mean" not in reply.content and "Europe/Berlin" in reply.content
