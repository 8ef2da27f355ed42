"""The app added to a person's own account ("Add to my apps", USER_INSTALL) as well as to servers:
every personal command works in the DM with the bot, in group DMs and in servers; replies there
are private and ping nobody; nothing tries to post where the bot is no member; /config stays with
servers that added the bot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.client import RlsBot
from bot.clock import FakeClock
from bot.emulator import DiscordEmulator, EmuChannel, EmuGuild, EmuInteraction, EmuUser
from bot.emulator.interactions import (
    CALLBACK_DEFERRED_MESSAGE,
    CONTEXT_BOT_DM,
    CONTEXT_GUILD,
    CONTEXT_PRIVATE_CHANNEL,
)
from bot.emulator.permissions import Permissions
from bot.interactions import NOT_ADDED_HERE
from cogs.config import SERVER_DID_NOT_ADD_ME
from cogs.stretch import NO_CHANNEL_POSTS_HERE
from tests.e2e.stretch_steps import DUE, buttons, deliver_due

MESSAGES = "/channels/{channel_id}/messages"
FOLLOWUPS = "/webhooks/{webhook_id}/{webhook_token}"
PERSONAL = {"help", "rls", "stretch", "sleep", "mydata", "timezone"}


@dataclass
class Place:
    """Where alice types a command, and how the bot reaches her there."""

    install: str  # "server": the server added the bot; "user": alice added it to her account
    kind: str  # "server", "dm" (with the bot) or "private" (a group DM with a friend)
    guild: EmuGuild | None
    channel: EmuChannel | None

    @property
    def context(self) -> int:
        return {"server": CONTEXT_GUILD, "dm": CONTEXT_BOT_DM, "private": CONTEXT_PRIVATE_CHANNEL}[
            self.kind
        ]

    async def slash(
        self, emu: DiscordEmulator, user: EmuUser, name: str, options: dict[str, Any] | None = None
    ) -> EmuInteraction:
        return await emu.slash(user, name, options, guild=self.guild, channel=self.channel)


def arrange(emu: DiscordEmulator, install: str, kind: str) -> tuple[EmuUser, Place]:
    alice = emu.add_user("alice")
    bob = emu.add_user("bob")
    if install == "user":
        # She shares no server with the bot: only her own install reaches her anywhere.
        emu.install_for_user(alice, in_bot_server=False)
        guild = emu.add_guild("Night Owls", ["lounge"], installed=False)
    else:
        guild = emu.add_guild("RLS Friends", ["general"])
    if kind == "server":
        return alice, Place(install, kind, guild, guild.channels[0])
    if kind == "dm":
        return alice, Place(install, kind, None, None)
    return alice, Place(install, kind, None, emu.add_group_dm("legs club", [alice, bob]))


WHERE = [
    pytest.param("server", "server", id="server-install-in-server"),
    pytest.param("server", "dm", id="server-install-in-dm"),
    pytest.param("user", "server", id="user-install-in-server-without-bot"),
    pytest.param("user", "dm", id="user-install-in-dm"),
    pytest.param("user", "private", id="user-install-in-group-dm"),
]


def pings_nobody(emu: DiscordEmulator) -> bool:
    return not any(
        m.pinged_user_ids or m.pinged_role_ids or m.pings_everyone
        for m in emu.world.messages.values()
    )


async def test_commands_are_registered_for_both_installs_and_every_context(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    registered = {c["name"]: c for c in emu.registered_commands()}
    assert set(registered) >= PERSONAL
    for name in PERSONAL:
        assert registered[name]["integration_types"] == [0, 1], name
        assert registered[name]["contexts"] == [0, 1, 2], name
    # /config belongs to a server that added the bot, and only there.
    assert registered["config"]["integration_types"] == [0]
    assert registered["config"]["contexts"] == [0]
    assert registered["config"]["dm_permission"] is False
    [sync] = emu.requests_to("PUT", "/applications/{application_id}/commands")
    assert sync.status == 200 and sync.violations == []


async def test_the_emulator_refuses_a_registration_discord_would_refuse(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    # An application whose Developer Portal settings do not allow user installs.
    emu.world.integration_types = {0}
    with pytest.raises(discord.HTTPException):
        await bot.tree.sync()
    # And contexts the spec does not know.
    body = [{"name": "x", "description": "x", "contexts": [3], "integration_types": [0]}]
    with pytest.raises(discord.HTTPException):
        await bot.http.bulk_upsert_global_commands(emu.application_id, body)
    problems = [v.message for v in emu.violations]
    assert any("[1] not supported by the application" in p for p in problems), problems
    assert any("contexts" in p for p in problems), problems
    emu.violations.clear()  # seen: the fixture checks that nothing else was refused


@pytest.mark.parametrize(("install", "kind"), WHERE)
async def test_tips(emu: DiscordEmulator, bot: RlsBot, install: str, kind: str) -> None:
    alice, place = arrange(emu, install, kind)
    sent = await place.slash(emu, alice, "rls tip")
    assert sent.payload["context"] == place.context
    reply = await sent.response()
    assert reply.embeds
    without_bot = install == "user" and kind == "server"
    # Public only where the bot may speak to everyone: a server that added it, or a (group) DM.
    assert reply.ephemeral == without_bot
    assert (reply.content == NOT_ADDED_HERE) == without_bot
    # Another tip: the buttons work wherever the tip was shown.
    pressed = await emu.click(alice, reply, buttons(reply.message)["Another tip"])
    assert (await pressed.response()).embeds
    for command in ("rls topics", "rls about"):
        assert (await (await place.slash(emu, alice, command)).response()).ephemeral
    assert pings_nobody(emu)


@pytest.mark.parametrize(("install", "kind"), WHERE)
async def test_stretch(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock, install: str, kind: str
) -> None:
    alice, place = arrange(emu, install, kind)
    options = {"time": "17:30", "timezone": "Europe/Berlin"}
    reply = await (await place.slash(emu, alice, "stretch remind", options)).response()
    assert reply.ephemeral and reply.content.startswith("Stretch reminders set"), reply.content
    status = await (await place.slash(emu, alice, "stretch status")).response()
    assert status.ephemeral and "by DM" in status.content
    # The reminder itself comes by DM, whoever reaches her and wherever she set it up.
    await deliver_due(bot, clock, DUE)
    dm = await emu.wait_for_dm(alice)
    done = await (await emu.click(alice, dm, buttons(dm)["Done"])).response()
    assert done.type == 7
    assert pings_nobody(emu)


@pytest.mark.parametrize(("install", "kind"), WHERE)
async def test_sleep(emu: DiscordEmulator, bot: RlsBot, install: str, kind: str) -> None:
    alice, place = arrange(emu, install, kind)
    await (await place.slash(emu, alice, "timezone set", {"zone": "Europe/Berlin"})).response()
    log = await place.slash(emu, alice, "sleep log", {"bed": "23:00", "wake": "7:00"})
    saved = await log.response()
    assert saved.ephemeral and saved.content.startswith("Saved."), saved.content
    report = await place.slash(emu, alice, "sleep report", {"days": 7})
    assert (await report.response()).type == CALLBACK_DEFERRED_MESSAGE
    files = await report.followup(timeout=30)
    assert files.ephemeral and {a.filename.rsplit(".", 1)[1] for a in files.attachments} == {
        "png",
        "pdf",
        "csv",
    }
    assert pings_nobody(emu)


@pytest.mark.parametrize(("install", "kind"), WHERE)
async def test_timezone_help_and_mydata(
    emu: DiscordEmulator, bot: RlsBot, install: str, kind: str
) -> None:
    alice, place = arrange(emu, install, kind)
    zone = await (await place.slash(emu, alice, "timezone set", {"zone": "Berlin"})).response()
    assert zone.ephemeral and "Europe/Berlin" in zone.content
    shown = await (await place.slash(emu, alice, "timezone show")).response()
    assert shown.ephemeral and "Europe/Berlin" in shown.content
    helped = await (await place.slash(emu, alice, "help")).response()
    assert helped.ephemeral and helped.embeds
    # /config is listed only where Discord offers it: a server that added the bot.
    listed = "".join(f["value"] for f in helped.embeds[0]["fields"])
    assert "`/stretch remind`" in listed
    assert ("`/config show`" in listed) == (install == "server" and kind == "server")
    export = await place.slash(emu, alice, "mydata export")
    assert (await export.response()).ephemeral
    data = await export.followup()
    assert data.ephemeral and "my-data.json" in [a.filename for a in data.attachments]
    asked = await (await place.slash(emu, alice, "mydata delete")).response()
    deleted = await (await emu.click(alice, asked, f"rls:mydata:delete:{alice.id}")).response()
    assert deleted.content.startswith("Done: deleted")
    assert await bot.repos.users.get(alice.id) is None
    assert pings_nobody(emu)


async def test_a_server_install_does_not_reach_group_dms(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice, place = arrange(emu, "server", "private")
    with pytest.raises(LookupError, match="no server install nor their own install"):
        await place.slash(emu, alice, "help")


async def test_config_is_not_offered_through_a_user_install(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice, place = arrange(emu, "user", "server")
    manager = Permissions.manager
    with pytest.raises(LookupError):
        await emu.slash(alice, "config show", guild=place.guild, permissions=manager)
    # Sent anyway (an outdated client): refused with the reason, and nothing stored.
    sent = await emu.slash(
        alice, "config show", guild=place.guild, permissions=manager, stale_client=True
    )
    reply = await sent.response()
    assert reply.ephemeral and reply.content == SERVER_DID_NOT_ADD_ME
    assert place.guild is not None
    assert (await bot.repos.guild_settings.recent_changes(place.guild.id, 5)) == []


async def test_channel_reminders_are_refused_where_the_server_did_not_add_the_bot(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice, place = arrange(emu, "user", "server")
    options = {"time": "17:30", "timezone": "Europe/Berlin", "where": "channel"}
    reply = await (await place.slash(emu, alice, "stretch remind", options)).response()
    assert reply.ephemeral and reply.content == NO_CHANNEL_POSTS_HERE
    assert await bot.repos.reminders.get_schedule(alice.id, "stretch") is None
    assert emu.requests_to("POST", MESSAGES) == []


@pytest.mark.parametrize("code", [50007, 50001])
async def test_a_refused_dm_pauses_the_reminders_with_the_reason(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock, code: int
) -> None:
    alice, place = arrange(emu, "user", "private")
    options = {"time": "17:30", "timezone": "Europe/Berlin"}
    await (await place.slash(emu, alice, "stretch remind", options)).response()
    emu.close_dms(alice, code=code)
    await deliver_due(bot, clock, DUE)
    await emu.wait_for_request("POST", MESSAGES)
    await bot.engine.drain()
    [post] = emu.requests_to("POST", MESSAGES)
    assert (post.status, post.response["code"]) == (403, code)
    schedule = await bot.repos.reminders.get_schedule(alice.id, "stretch")
    assert schedule is not None and schedule.next_due is None
    status = await (await place.slash(emu, alice, "stretch status")).response()
    assert "paused" in status.content.lower()


async def test_the_emulator_enforces_five_follow_ups_for_a_user_install(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    """A flow that would send a sixth follow-up fails its test (the emulator records a
    violation), as Discord refuses it (40094) when only a user install authorised it."""

    @app_commands.command(name="chatty", description="Six follow-ups")
    async def chatty(interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(ephemeral=True)
        for number in range(6):
            try:
                await interaction.followup.send(f"part {number + 1}", ephemeral=True)
            except discord.HTTPException as exc:
                bot_errors.append(exc.code)

    bot_errors: list[int] = []
    bot.tree.add_command(chatty)
    await bot.tree.sync()
    alice, place = arrange(emu, "user", "dm")
    sent = await place.slash(emu, alice, "chatty")
    for _ in range(5):
        await sent.followup()
    await emu.wait_for_request("POST", FOLLOWUPS, predicate=lambda r: r.status == 400, timeout=5)
    assert [v.message for v in emu.violations] == [
        "follow-up 6 to an interaction authorised only by a user install (max 5)"
    ]
    emu.violations.clear()  # seen; the fixture would fail the test on it otherwise
    assert bot_errors == [40094]
    # A server install has no such cap.
    guild = emu.add_guild("RLS Friends", ["general"])
    sent = await emu.slash(alice, "chatty", guild=guild, channel=guild.channels[0])
    for _ in range(6):
        await sent.followup()
    assert emu.violations == []


async def test_refused_dms_are_told_once_within_the_follow_up_cap(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    """Someone who reaches the bot only through their own account, in a group DM: both kinds of
    reminder are refused (50001) and pause; the next command, the longest flow (a report: a
    deferral, its files, then a heads-up per paused kind), stays within the 5 follow-ups."""
    alice, place = arrange(emu, "user", "private")
    await (await place.slash(emu, alice, "timezone set", {"zone": "Europe/Berlin"})).response()
    await (await place.slash(emu, alice, "sleep log", {"bed": "23:00", "wake": "7:00"})).response()
    await (await place.slash(emu, alice, "stretch remind", {"time": "17:30"})).response()
    await (await place.slash(emu, alice, "sleep remind", {"time": "8:00"})).response()
    emu.close_dms(alice, code=50001)
    for due in (DUE, DUE.replace(day=3, hour=7, minute=0)):
        await deliver_due(bot, clock, due)
        await bot.engine.drain()
    assert [r.status for r in emu.requests_to("POST", MESSAGES)] == [403, 403]
    report = await place.slash(emu, alice, "sleep report", {"days": 7})
    sent = [await report.followup(timeout=30) for _ in range(3)]
    assert sent[0].attachments
    notices = sorted(m.content for m in sent[1:])
    assert all(m.ephemeral for m in sent)
    assert "morning check-in prompts are paused" in notices[0]
    assert "stretch reminders are paused" in notices[1]
    # Told once: the next command brings no heads-up.
    again = await place.slash(emu, alice, "help")
    await again.response()
    assert (await (await place.slash(emu, alice, "timezone show")).response()).ephemeral
    assert again.followups.items == []


async def test_refused_dms_offer_a_server_reminder_channel_instead(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    alice, place = arrange(emu, "server", "server")
    emu.install_for_user(alice)  # on her account too, and in a server that added the bot
    guild = place.guild
    assert guild is not None
    reminders = emu.add_channel(guild, "reminders")
    await bot.repos.guild_settings.set_reminder_channel(guild.id, reminders.id, clock.now())
    options = {"time": "17:30", "timezone": "Europe/Berlin"}
    await (await emu.slash(alice, "stretch remind", options)).response()  # in her DM
    emu.close_dms(alice)
    await deliver_due(bot, clock, DUE)
    await bot.engine.drain()
    # The heads-up on her next command offers the channel...
    status = await emu.slash(alice, "stretch status")
    assert "where:channel" in (await status.response()).content
    assert "where:channel" in (await status.followup()).content
    # ...which starts them again there, from the server.
    moved = await place.slash(emu, alice, "stretch remind", {"where": "channel"})
    assert f"<#{reminders.id}>" in (await moved.response()).content
    await deliver_due(bot, clock, DUE.replace(day=3))
    post = await emu.wait_for_message(channel_id=reminders.id)
    assert post.pinged_user_ids == [alice.id]


async def test_a_server_without_use_external_apps_forces_replies_ephemeral(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    """The emulator does what Discord does where a member may not use external apps."""

    @app_commands.command(name="shout", description="A public reply")
    async def shout(interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message("for everyone")

    bot.tree.add_command(shout)
    await bot.tree.sync()
    alice, place = arrange(emu, "user", "server")
    allowed = await emu.slash(alice, "shout", guild=place.guild, channel=place.channel)
    assert not (await allowed.final_message()).ephemeral
    denied = await emu.slash(
        alice,
        "shout",
        guild=place.guild,
        channel=place.channel,
        permissions=Permissions.default_member & ~Permissions.USE_EXTERNAL_APPS,
    )
    assert (await denied.final_message()).ephemeral
