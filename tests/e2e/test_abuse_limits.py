"""Abuse limits: per-user cooldowns on commands that post publicly or do heavy work, a channel that
/stretch now cannot flood, and option ranges Discord's client enforces (the bot still checks)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.client import RlsBot
from bot.clock import FakeClock
from bot.emulator import DiscordEmulator, EmuUser
from tests.e2e.test_sleep import seed, with_zone

SLOW_DOWN = "Slow down a little: try again in"


async def reply(emu: DiscordEmulator, user: EmuUser, command: str, **kwargs: Any) -> Any:
    options = kwargs.pop("options", {})
    return await (await emu.slash(user, command, options, **kwargs)).response()


async def test_stretch_now_by_dm_waits_a_minute_per_user(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    alice = emu.add_user("alice")
    # Without reminders the routine comes in the reply: a use like any other.
    inline = await reply(emu, alice, "stretch now")
    assert inline.content.startswith("Today's routine")
    clock.advance(timedelta(seconds=60))
    await reply(emu, alice, "stretch remind", options={"time": "17:30", "timezone": "UTC"})
    assert "On its way" in (await reply(emu, alice, "stretch now")).content
    again = await reply(emu, alice, "stretch now")
    assert again.ephemeral and again.content == f"{SLOW_DOWN} 60 seconds."
    clock.advance(timedelta(seconds=59))
    assert (await reply(emu, alice, "stretch now")).content == f"{SLOW_DOWN} 1 second."
    clock.advance(timedelta(seconds=1))
    assert "On its way" in (await reply(emu, alice, "stretch now")).content


async def test_stretch_now_cannot_flood_a_shared_channel(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    guild = emu.add_guild("RLS Friends", channels=["general", "reminders"])
    reminders = guild.channels[1]
    await bot.repos.guild_settings.set_reminder_channel(guild.id, reminders.id, clock.now())
    alice, bob = emu.add_user("alice"), emu.add_user("bob")
    for user in (alice, bob):
        await reply(
            emu,
            user,
            "stretch remind",
            options={"timezone": "UTC", "where": "channel"},
            guild=guild,
        )
    accepted = 0
    for _ in range(5):  # five in a row, as in the report
        answer = await reply(emu, alice, "stretch now", guild=guild)
        accepted += "On its way" in answer.content
        assert answer.ephemeral
    assert accepted == 1
    # Someone else right after: the channel just had one.
    other = await reply(emu, bob, "stretch now", guild=guild)
    assert other.ephemeral and other.content.startswith(SLOW_DOWN)
    clock.advance(timedelta(seconds=60))
    assert "On its way" in (await reply(emu, bob, "stretch now", guild=guild)).content
    # Alice waits ten minutes between her own posts in a channel.
    assert (await reply(emu, alice, "stretch now", guild=guild)).content.startswith(SLOW_DOWN)
    schedules = [await bot.repos.reminders.get_schedule(u.id, "stretch") for u in (alice, bob)]
    now_deliveries = [
        d
        for s in schedules
        if s is not None
        for d in await bot.repos.reminders.recent_deliveries(s.id, 20)
        if d.reason == "now"
    ]
    assert len(now_deliveries) == 2


async def test_a_public_tip_has_a_cooldown_a_private_one_does_not(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    guild = emu.add_guild("RLS Friends", channels=["general"])
    alice = emu.add_user("alice")
    first = await reply(emu, alice, "rls tip", guild=guild)
    assert not first.ephemeral and first.embeds
    second = await reply(emu, alice, "rls tip", guild=guild)
    assert second.ephemeral and second.content == f"{SLOW_DOWN} 30 seconds."
    private = await reply(emu, alice, "rls tip", options={"private": True}, guild=guild)
    assert private.ephemeral and private.embeds
    assert (await reply(emu, alice, "rls tip")).embeds  # in a DM: only alice sees it
    clock.advance(timedelta(seconds=30))
    assert not (await reply(emu, alice, "rls tip", guild=guild)).ephemeral


async def test_sleep_report_and_export_wait_a_minute(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    # A command that fails costs no cooldown: nothing to report yet, then nights, then at once.
    ix = await emu.slash(alice, "sleep report", {"days": 7})
    await ix.response()
    failed = await ix.followup(timeout=30)
    assert "no nights" in failed.content.lower() and SLOW_DOWN not in failed.content
    await seed(bot, alice)
    ix = await emu.slash(alice, "sleep report", {"days": 7})
    await ix.response()
    # The drawing process starts cold (matplotlib): a generous wait on a loaded machine.
    assert (await ix.followup(timeout=60)).file("sleep-report-2026-03-02.pdf")
    again = await reply(emu, alice, "sleep report", options={"days": 7})
    assert again.ephemeral and again.content == f"{SLOW_DOWN} 60 seconds."

    ix = await emu.slash(alice, "mydata export")
    await ix.response()
    assert (await ix.followup(timeout=30)).file("my-data.json")
    again = await reply(emu, alice, "mydata export")
    assert again.ephemeral and again.content == f"{SLOW_DOWN} 60 seconds."


def option(emu: DiscordEmulator, path: str) -> dict[str, Any]:
    """The registered option at 'command sub option'."""
    *names, last = path.split()
    [found] = [c for c in emu.registered_commands() if c["name"] == names[0]]
    for name in [*names[1:], last]:
        [found] = [o for o in found.get("options", []) if o["name"] == name]
    return found


async def test_options_carry_their_ranges_and_the_bot_still_checks(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    pause = option(emu, "stretch pause days")
    assert (pause["min_value"], pause["max_value"]) == (1, 30)
    report = option(emu, "sleep report days")
    assert report["min_value"] == 1 and report["max_value"] >= 14
    for days in ("sleep stats days", "sleep history days"):
        assert option(emu, days)["min_value"] == 1
    assert option(emu, "rls search query")["max_length"] == 100
    assert option(emu, "sleep log note")["max_length"] == 500
    assert (
        option(emu, "sleep log severity")["min_value"],
        option(emu, "sleep log severity")["max_value"],
    ) == (0, 10)
    assert (
        option(emu, "sleep log quality")["min_value"],
        option(emu, "sleep log quality")["max_value"],
    ) == (1, 5)

    # A client that ignores them (or an old one) still gets a friendly answer, nothing changed.
    alice = await with_zone(bot, emu.add_user("alice"))
    await reply(emu, alice, "stretch remind", options={"timezone": "UTC"})
    answer = await reply(emu, alice, "stretch pause", options={"days": 0})
    assert answer.ephemeral and "1 to 30 days, not 0" in answer.content
    answer = await reply(emu, alice, "sleep report", options={"days": 400})
    assert answer.ephemeral and "not 400" in answer.content
    answer = await reply(emu, alice, "rls search", options={"query": "legs " * 250})
    assert answer.ephemeral and "100 or fewer" in answer.content
    schedule = await bot.repos.reminders.get_schedule(alice.id, "stretch")
    assert schedule is not None and schedule.paused_until is None
