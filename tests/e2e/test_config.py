"""/config end to end: the real bot, the emulator, a fake clock, a real SQLite file."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.client import RlsBot
from bot.db.guild_settings import GuildSettings
from bot.emulator import DiscordEmulator, EmuGuild, EmuUser
from bot.emulator.permissions import Permissions
from bot.emulator.state import (
    CHANNEL_CATEGORY,
    CHANNEL_FORUM,
    CHANNEL_PUBLIC_THREAD,
    CHANNEL_VOICE,
)
from bot.guild_config import TIP_KIND
from tests.e2e.stretch_steps import subscribe

MESSAGES = "/channels/{channel_id}/messages"
TIP_DUE = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # 17:00 in Berlin, the Monday of the fixture


@pytest.fixture
def guild(emu: DiscordEmulator, bot: RlsBot) -> EmuGuild:
    return emu.add_guild("RLS Friends", channels=["general", "reminders", "tips"])


@pytest.fixture
def mod(emu: DiscordEmulator) -> EmuUser:
    return emu.add_user("mod")


async def config(
    emu: DiscordEmulator,
    user: EmuUser,
    guild: EmuGuild,
    command: str,
    options: dict[str, Any] | None = None,
    *,
    permissions: int = Permissions.manager,
) -> Any:
    interaction = await emu.slash(
        user, f"config {command}", options, guild=guild, permissions=permissions
    )
    return await interaction.response()


def buttons(reply: Any) -> dict[str, str]:
    return {c["label"]: c["custom_id"] for row in reply.components for c in row["components"]}


@asynccontextmanager
async def handled(bot: RlsBot, event: str) -> AsyncIterator[None]:
    """Wait until every listener for the gateway event the block causes has finished: discord.py
    runs each listener as a task named after the event."""
    dispatched = asyncio.ensure_future(bot.wait_for(event, timeout=5))
    yield
    await dispatched
    listeners = [t for t in asyncio.all_tasks() if t.get_name() == f"discord.py: on_{event}"]
    await asyncio.gather(*listeners)


async def test_the_command_is_for_servers_and_defaults_to_manage_server(emu, bot) -> None:
    [registered] = [c for c in emu.registered_commands() if c["name"] == "config"]
    assert str(registered["default_member_permissions"]) == "32"
    assert registered["contexts"] == [0]


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("show", {}),
        ("reminder-channel", {"channel": "reminders"}),
        ("reminder-channel", {}),
        ("tips-channel", {"channel": "tips", "timezone": "Europe/Berlin"}),
        ("tips-off", {}),
        ("timezone", {"timezone": "Europe/Berlin"}),
        ("reset", {}),
    ],
)
async def test_members_without_manage_server_are_refused_and_nothing_changes(
    emu, bot, guild, command, options
) -> None:
    await bot.repos.guild_settings.set_reminder_channel(
        guild.id, guild.channels[1].id, bot.clock.now()
    )
    before = await bot.repos.guild_settings.get(guild.id)
    member = emu.add_user("member")
    resolved = {k: guild.channel(v) if k == "channel" else v for k, v in options.items()}
    reply = await config(
        emu, member, guild, command, resolved, permissions=Permissions.default_member
    )
    assert reply.ephemeral and "Manage Server" in reply.content and reply.components == []
    assert await bot.repos.guild_settings.get(guild.id) == before
    assert await bot.repos.guild_settings.recent_changes(guild.id, 5) == []
    assert await bot.repos.reminders.get_server_schedule(guild.id, TIP_KIND) is None


async def test_an_administrator_passes_the_check(emu, bot, guild, mod) -> None:
    reply = await config(emu, mod, guild, "show", permissions=Permissions.ADMINISTRATOR)
    assert "Server settings" in reply.content


async def test_in_a_dm_the_command_is_refused(emu, bot, mod) -> None:
    # Registered for servers only, so Discord's client offers it nowhere else...
    with pytest.raises(LookupError, match="not registered for context 1"):
        await emu.slash(mod, "config show", permissions=Permissions.manager)
    # ...and an outdated client that sends it anyway is told why, with nothing changed.
    sent = await emu.slash(mod, "config show", permissions=Permissions.manager, stale_client=True)
    reply = await sent.response()
    assert reply.ephemeral and "inside a server that added me" in reply.content


async def test_reminder_channel_is_set_shown_and_audited_without_pinging(
    emu, bot, guild, mod
) -> None:
    reminders = guild.channel("reminders")
    reply = await config(emu, mod, guild, "reminder-channel", {"channel": reminders})
    assert reply.ephemeral and f"<#{reminders.id}>" in reply.content
    assert (await bot.repos.guild_settings.get(guild.id)).reminder_channel_id == reminders.id
    [entry] = await bot.repos.guild_settings.recent_changes(guild.id, 5)
    assert (entry.moderator_id, entry.setting, entry.old_value, entry.new_value) == (
        mod.id,
        "reminder_channel",
        None,
        str(reminders.id),
    )
    shown = await config(emu, mod, guild, "show")
    assert shown.ephemeral
    assert f"**Reminder channel:** <#{reminders.id}>" in shown.content
    assert "**Daily tip:** off" in shown.content
    assert f"by <@{mod.id}>: reminder channel not set → <#{reminders.id}>" in shown.content
    assert re.search(rf"<t:{int(bot.clock.now().timestamp())}:f>", shown.content)
    assert shown.message is not None and shown.message.pinged_user_ids == []
    assert shown.body["data"]["allowed_mentions"] == {"parse": []}


async def stretch_in_channel(emu: DiscordEmulator, guild: EmuGuild, user: EmuUser) -> None:
    reply = await subscribe(emu, user, guild=guild, where="channel")
    assert "Stretch reminders set" in reply.content


async def test_turning_the_reminder_channel_off_moves_members_to_dm(
    emu, bot, guild, mod, clock
) -> None:
    await config(emu, mod, guild, "reminder-channel", {"channel": guild.channel("reminders")})
    alice = emu.add_user("alice")
    await stretch_in_channel(emu, guild, alice)
    reply = await config(emu, mod, guild, "reminder-channel")
    assert "turned off" in reply.content and "reminders of 1 member from" in reply.content
    assert (await bot.repos.guild_settings.get(guild.id)).reminder_channel_id is None
    clock.set(datetime(2026, 3, 2, 16, 30, tzinfo=UTC))
    await bot.engine.tick()
    dm = await emu.wait_for_dm(alice)
    notes = [f["value"] for f in dm.embeds[0]["fields"] if f["name"] == "Note"]
    assert notes and "turned off its reminder channel" in notes[0]
    again = await config(emu, mod, guild, "reminder-channel")
    assert "no reminder channel" in again.content
    assert len(await bot.repos.guild_settings.recent_changes(guild.id, 5)) == 2


async def test_moving_the_reminder_channel_takes_members_along(emu, bot, guild, mod, clock) -> None:
    await config(emu, mod, guild, "reminder-channel", {"channel": guild.channel("reminders")})
    alice = emu.add_user("alice")
    await stretch_in_channel(emu, guild, alice)
    moved_to = emu.add_channel(guild, "stretching")
    reply = await config(emu, mod, guild, "reminder-channel", {"channel": moved_to})
    assert "the reminders of 1 member." in reply.content
    clock.set(datetime(2026, 3, 2, 16, 30, tzinfo=UTC))
    await bot.engine.tick()
    post = await emu.wait_for_message(channel_id=moved_to.id)
    assert post.pinged_user_ids == [alice.id]


async def test_missing_bot_permissions_are_named_and_nothing_changes(emu, bot, guild, mod) -> None:
    no_embeds = emu.add_channel(
        guild, "no-embeds", bot_deny=Permissions.EMBED_LINKS | Permissions.ATTACH_FILES
    )
    for command, options in (
        ("reminder-channel", {"channel": no_embeds}),
        ("tips-channel", {"channel": no_embeds, "timezone": "Europe/Berlin"}),
    ):
        reply = await config(emu, mod, guild, command, options)
        assert reply.ephemeral and f"<#{no_embeds.id}>" in reply.content
        assert "missing **Embed Links**, **Attach Files** there" in reply.content
    read_only = emu.add_channel(guild, "read-only", bot_deny=Permissions.SEND_MESSAGES)
    reply = await config(emu, mod, guild, "reminder-channel", {"channel": read_only})
    assert "**Send Messages**" in reply.content and "View Channel" not in reply.content
    hidden = emu.add_channel(guild, "staff", bot_deny=Permissions.VIEW_CHANNEL)
    reply = await config(emu, mod, guild, "reminder-channel", {"channel": hidden})
    assert "**View Channel**" in reply.content
    assert await bot.repos.guild_settings.get(guild.id) == GuildSettings(guild.id)
    assert await bot.repos.guild_settings.recent_changes(guild.id, 5) == []


async def test_a_channel_overwrite_can_grant_what_the_bots_role_lacks(emu, bot, mod) -> None:
    strict = emu.add_guild(
        "Strict", ["general"], bot_permissions=Permissions.default_bot & ~Permissions.EMBED_LINKS
    )
    strict.everyone_permissions &= ~int(Permissions.EMBED_LINKS)
    # The GUILD_CREATE above already carried the roles; re-announce them with the change.
    emu.gateway.dispatch("GUILD_UPDATE", emu.world.guild_create_payload(strict), strict.id)
    plain = strict.channel("general")
    granted = emu.add_channel(strict, "bot-ok", bot_allow=Permissions.EMBED_LINKS)
    reply = await config(emu, mod, strict, "reminder-channel", {"channel": plain})
    assert "missing **Embed Links** there" in reply.content
    reply = await config(emu, mod, strict, "reminder-channel", {"channel": granted})
    assert f"Reminder channel: <#{granted.id}>" in reply.content


@pytest.mark.parametrize(
    ("channel_type", "expected"),
    [
        (CHANNEL_PUBLIC_THREAD, "thread"),
        (CHANNEL_VOICE, "voice channel"),
        (CHANNEL_FORUM, "forum channel"),
        (CHANNEL_CATEGORY, "category"),
    ],
)
async def test_threads_voice_forums_and_categories_are_refused(
    emu, bot, guild, mod, channel_type, expected
) -> None:
    parent = guild.channel("general") if channel_type == CHANNEL_PUBLIC_THREAD else None
    odd = emu.add_channel(guild, "odd", channel_type, parent=parent)
    for command, options in (
        ("reminder-channel", {"channel": odd}),
        ("tips-channel", {"channel": odd, "timezone": "Europe/Berlin"}),
    ):
        reply = await config(emu, mod, guild, command, options)
        assert reply.ephemeral and expected in reply.content and "text channel" in reply.content
    assert await bot.repos.guild_settings.get(guild.id) == GuildSettings(guild.id)


async def test_tips_channel_needs_a_timezone_the_first_time(emu, bot, guild, mod) -> None:
    tips = guild.channel("tips")
    reply = await config(emu, mod, guild, "tips-channel", {"channel": tips})
    assert reply.ephemeral and "timezone:" in reply.content
    assert await bot.repos.reminders.get_server_schedule(guild.id, TIP_KIND) is None
    bad = await config(emu, mod, guild, "tips-channel", {"channel": tips, "timezone": "EST"})
    assert "America/New_York" in bad.content
    bad = await config(
        emu, mod, guild, "tips-channel", {"channel": tips, "time": "25:99", "timezone": "UTC"}
    )
    assert "25:99" in bad.content
    assert await bot.repos.guild_settings.get(guild.id) == GuildSettings(guild.id)

    ok = await config(
        emu, mod, guild, "tips-channel", {"channel": tips, "time": "6pm", "timezone": "UTC"}
    )
    assert "18:00 (UTC)" in ok.content and f"<#{tips.id}>" in ok.content
    # Later changes keep what was set before: the zone, and the time unless a new one is given.
    other = emu.add_channel(guild, "tips-2")
    moved = await config(emu, mod, guild, "tips-channel", {"channel": other})
    assert "18:00 (UTC)" in moved.content and f"<#{other.id}>" in moved.content
    schedule = await bot.repos.reminders.get_server_schedule(guild.id, TIP_KIND)
    assert schedule is not None and schedule.channel_id == other.id
    assert schedule.next_due == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    settings = [c.setting for c in await bot.repos.guild_settings.recent_changes(guild.id, 10)]
    assert settings == ["tips_channel", "timezone", "tips_time", "tips_channel"]


async def test_the_timezone_can_be_set_alone_and_moves_the_daily_tip(emu, bot, guild, mod) -> None:
    tips = guild.channel("tips")
    bad = await config(emu, mod, guild, "timezone", {"timezone": "EST"})
    assert bad.ephemeral and "America/New_York" in bad.content
    assert await bot.repos.guild_settings.get(guild.id) == GuildSettings(guild.id)

    # Set first, then the tips channel needs no timezone option.
    reply = await config(emu, mod, guild, "timezone", {"timezone": "UTC"})
    assert reply.ephemeral and reply.content == "The server's timezone is now UTC."
    await config(emu, mod, guild, "tips-channel", {"channel": tips, "time": "18:00"})
    schedule = await bot.repos.reminders.get_server_schedule(guild.id, TIP_KIND)
    assert schedule is not None and schedule.next_due == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)

    # A new zone keeps the local time: 18:00 in Berlin is 17:00 UTC in March.
    moved = await config(emu, mod, guild, "timezone", {"timezone": "Europe/Berlin"})
    due = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    assert "now Europe/Berlin" in moved.content and f"<t:{int(due.timestamp())}:F>" in moved.content
    schedule = await bot.repos.reminders.get_server_schedule(guild.id, TIP_KIND)
    assert schedule is not None and schedule.timezone == "Europe/Berlin"
    assert schedule.next_due == due

    same = await config(emu, mod, guild, "timezone", {"timezone": "Europe/Berlin"})
    assert same.content == "The server's timezone is already Europe/Berlin."
    changes = await bot.repos.guild_settings.recent_changes(guild.id, 10)
    assert [(c.setting, c.new_value) for c in changes if c.setting == "timezone"] == [
        ("timezone", "Europe/Berlin"),
        ("timezone", "UTC"),
    ]


async def test_the_daily_tip_arrives_pings_nobody_and_avoids_repeats(
    emu, bot, guild, mod, clock
) -> None:
    tips = guild.channel("tips")
    reply = await config(
        emu, mod, guild, "tips-channel", {"channel": tips, "timezone": "Europe/Berlin"}
    )
    assert "17:00 (Europe/Berlin)" in reply.content
    assert f"<t:{int(TIP_DUE.timestamp())}:F>" in reply.content
    titles = []
    for day in range(5):
        clock.set(TIP_DUE + timedelta(days=day, seconds=10))
        assert await bot.engine.tick() == 1
        post = await emu.wait_for_message(channel_id=tips.id)
        assert post.embeds[0]["author"]["name"] == "Tip of the day"
        assert post.content == "" and post.components == []
        assert post.pinged_user_ids == [] and post.pinged_role_ids == []
        assert not post.pings_everyone and post.allowed_mentions == {"parse": []}
        titles.append(post.embeds[0]["title"])
    assert len(set(titles)) == 5
    recent = await bot.repos.guild_settings.recent_tips(guild.id)
    assert len(recent) == len(set(recent)) == 5
    # Only the server's post went out; no user was created for it.
    assert emu.requests_to("POST", "/users/@me/channels") == []


async def test_tips_off_stops_the_post(emu, bot, guild, mod, clock) -> None:
    await config(
        emu, mod, guild, "tips-channel", {"channel": guild.channel("tips"), "timezone": "UTC"}
    )
    reply = await config(emu, mod, guild, "tips-off")
    assert "stopped" in reply.content
    assert await bot.repos.reminders.get_server_schedule(guild.id, TIP_KIND) is None
    clock.set(TIP_DUE + timedelta(days=1))
    assert await bot.engine.tick() == 0
    again = await config(emu, mod, guild, "tips-off")
    assert "already off" in again.content
    shown = await config(emu, mod, guild, "show")
    assert "**Daily tip:** off" in shown.content
    assert "daily tip channel" in shown.content


async def test_a_tip_post_the_bot_cannot_send_pauses_until_fixed(
    emu, bot, guild, mod, clock
) -> None:
    tips = guild.channel("tips")
    await config(emu, mod, guild, "tips-channel", {"channel": tips, "timezone": "Europe/Berlin"})
    emu.fail_next("POST", MESSAGES, status=403, code=50013, message="Missing Permissions")
    clock.set(TIP_DUE)
    await bot.engine.tick()
    await emu.wait_for_request("POST", MESSAGES)
    await bot.engine.drain()  # the background sender may still be recording the failure
    shown = await config(emu, mod, guild, "show")
    assert "Paused" in shown.content and "/config tips-channel" in shown.content
    clock.set(TIP_DUE + timedelta(days=1, hours=1))
    assert await bot.engine.tick() == 0  # not retried against a channel that refuses
    resumed = await config(emu, mod, guild, "tips-channel", {"channel": tips})
    assert "The first" in resumed.content
    clock.set(TIP_DUE + timedelta(days=2))
    assert await bot.engine.tick() == 1
    await emu.wait_for_message(channel_id=tips.id)


async def test_reset_asks_first_then_restores_defaults(emu, bot, guild, mod, clock) -> None:
    await config(emu, mod, guild, "reminder-channel", {"channel": guild.channel("reminders")})
    await config(
        emu, mod, guild, "tips-channel", {"channel": guild.channel("tips"), "timezone": "UTC"}
    )
    ask = await config(emu, mod, guild, "reset")
    assert ask.ephemeral and set(buttons(ask)) == {"Reset to defaults", "Keep them"}
    kept = await (await emu.click(mod, ask, buttons(ask)["Keep them"])).response()
    assert "nothing was changed" in kept.content
    assert (await bot.repos.guild_settings.get(guild.id)).tips_channel_id is not None

    ask = await config(emu, mod, guild, "reset")
    done = await (
        await emu.click(
            mod, ask, buttons(ask)["Reset to defaults"], permissions=Permissions.manager
        )
    ).response()
    assert done.type == 7 and "back to its default" in done.content and done.components == []
    settings = await bot.repos.guild_settings.get(guild.id)
    assert replace(settings, updated_at=None) == GuildSettings(guild.id)
    assert await bot.repos.reminders.get_server_schedule(guild.id, TIP_KIND) is None
    reset = await bot.repos.guild_settings.recent_changes(guild.id, 3)
    assert sorted((e.setting, e.moderator_id, e.new_value) for e in reset) == [
        ("reminder_channel", mod.id, None),
        ("timezone", mod.id, None),
        ("tips_channel", mod.id, None),
    ]


async def test_reset_confirm_is_refused_once_the_permission_is_gone(emu, bot, guild, mod) -> None:
    await config(emu, mod, guild, "reminder-channel", {"channel": guild.channel("reminders")})
    ask = await config(emu, mod, guild, "reset")
    refused = await (
        await emu.click(
            mod, ask, buttons(ask)["Reset to defaults"], permissions=Permissions.default_member
        )
    ).response()
    assert refused.ephemeral and "Manage Server" in refused.content
    assert (await bot.repos.guild_settings.get(guild.id)).reminder_channel_id is not None


async def test_removing_the_bot_forgets_the_server(emu, bot, guild, mod, clock) -> None:
    await config(emu, mod, guild, "reminder-channel", {"channel": guild.channel("reminders")})
    await config(
        emu, mod, guild, "tips-channel", {"channel": guild.channel("tips"), "timezone": "UTC"}
    )
    alice = emu.add_user("alice")
    await stretch_in_channel(emu, guild, alice)
    async with handled(bot, "guild_remove"):
        emu.remove_guild(guild)
    assert await bot.repos.guild_settings.get(guild.id) == GuildSettings(guild.id)
    assert await bot.repos.guild_settings.recent_changes(guild.id, 5) == []
    assert await bot.repos.reminders.get_server_schedule(guild.id, TIP_KIND) is None
    schedule = await bot.repos.reminders.get_schedule(alice.id, "stretch")
    assert schedule is not None and schedule.channel_id is None and schedule.notice
    # Alice's next reminder comes by DM and tells her why.
    clock.set(datetime(2026, 3, 2, 16, 30, tzinfo=UTC))
    assert await bot.engine.tick() == 1
    dm = await emu.wait_for_dm(alice)
    assert any("no longer in the server" in f["value"] for f in dm.embeds[0]["fields"])


async def test_an_outage_is_not_a_removal(emu, bot, guild, mod) -> None:
    await config(
        emu, mod, guild, "tips-channel", {"channel": guild.channel("tips"), "timezone": "UTC"}
    )
    before = await bot.repos.guild_settings.get(guild.id)
    async with handled(bot, "guild_unavailable"):
        emu.gateway.dispatch("GUILD_DELETE", {"id": str(guild.id), "unavailable": True}, guild.id)
    assert await bot.repos.guild_settings.get(guild.id) == before
    assert await bot.repos.reminders.get_server_schedule(guild.id, TIP_KIND) is not None


async def test_deleting_a_configured_channel_clears_and_records_it(emu, bot, guild, mod) -> None:
    reminders, tips = guild.channel("reminders"), guild.channel("tips")
    await config(emu, mod, guild, "reminder-channel", {"channel": reminders})
    await config(emu, mod, guild, "tips-channel", {"channel": tips, "timezone": "UTC"})
    async with handled(bot, "guild_channel_delete"):
        emu.delete_channel(guild, tips)
    settings = await bot.repos.guild_settings.get(guild.id)
    assert settings.tips_channel_id is None and settings.reminder_channel_id == reminders.id
    assert settings.timezone == "UTC"
    assert await bot.repos.reminders.get_server_schedule(guild.id, TIP_KIND) is None
    [latest] = await bot.repos.guild_settings.recent_changes(guild.id, 1)
    assert (latest.moderator_id, latest.setting, latest.old_value, latest.new_value) == (
        0,
        "tips_channel",
        str(tips.id),
        None,
    )
    async with handled(bot, "guild_channel_delete"):
        emu.delete_channel(guild, reminders)
    assert (await bot.repos.guild_settings.get(guild.id)).reminder_channel_id is None
    shown = await config(emu, mod, guild, "show")
    assert f"automatically: reminder channel <#{reminders.id}> → not set" in shown.content
    # A channel nobody configured changes nothing.
    async with handled(bot, "guild_channel_delete"):
        emu.delete_channel(guild, guild.channel("general"))
    assert len(await bot.repos.guild_settings.recent_changes(guild.id, 10)) == 5
