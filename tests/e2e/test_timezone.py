"""Zones as people type them (issue 15): what /help promises, a city, works everywhere."""

from __future__ import annotations

from bot.client import RlsBot
from bot.emulator import DiscordEmulator
from tests.e2e.stretch_steps import buttons


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


async def test_a_typo_offers_the_zone_it_suggests_as_one_tap(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    # "Did you mean Europe/Berlin?" left the person to type it again; now it is a button.
    alice, bob = emu.add_user("alice"), emu.add_user("bob")
    asked = await (await emu.slash(alice, "timezone set", {"zone": "Berln"})).response()
    assert asked.ephemeral and "Did you mean Europe/Berlin?" in asked.content, asked.content
    picks = buttons(asked)
    assert "Use Europe/Berlin" in picks
    assert await bot.repos.users.get(alice.id) is None  # nothing set by the question
    refused = await (await emu.click(bob, asked, picks["Use Europe/Berlin"])).response()
    assert refused.ephemeral and "someone else" in refused.content
    done = await (await emu.click(alice, asked, picks["Use Europe/Berlin"])).response()
    assert done.type == 7 and done.components == []
    assert done.content.startswith("Your timezone is now **Europe/Berlin**"), done.content
    profile = await bot.repos.users.get(alice.id)
    assert profile is not None and profile.timezone == "Europe/Berlin"


async def test_nothing_near_offers_no_buttons(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = emu.add_user("alice")
    reply = await (await emu.slash(alice, "timezone set", {"zone": "xyzzy"})).response()
    assert "Start typing your nearest big city" in reply.content and reply.components == []


async def test_the_offer_is_in_german(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = emu.add_user("alice")
    alice.locale = "de"
    asked = await (await emu.slash(alice, "timezone set", {"zone": "Berln"})).response()
    assert "Europe/Berlin verwenden" in buttons(asked)
