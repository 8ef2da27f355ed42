"""A real discord.py bot against the emulator: login, commands, components, DMs, faults."""

from __future__ import annotations

import asyncio

import discord
import pytest

from bot.emulator import DiscordEmulator, EmuGuild, EmuUser, Permissions
from bot.emulator.testing import running_client

from .conftest import SampleBot

MESSAGES = "/channels/{channel_id}/messages"


async def test_login_identifies_with_intents_and_sees_guilds(
    emu: DiscordEmulator, bot: SampleBot, guild: EmuGuild
):
    identify = await emu.wait_for_identify()
    assert identify["intents"] == discord.Intents(guilds=True).value
    assert identify is emu.identify_payloads[-1]
    await emu.wait_until_ready()
    paths = [(r.method, r.path) for r in emu.requests]
    assert ("GET", "/users/@me") in paths
    assert ("GET", "/oauth2/applications/@me") in paths
    seen = bot.get_guild(guild.id)
    assert seen is not None and seen.name == "RLS Friends"
    assert [c.name for c in seen.text_channels] == ["general", "reminders"]
    assert seen.me is not None and bot.user is not None and bot.user.id == emu.bot_user_id
    assert bot.application_id == emu.application_id
    assert emu.violations == [] and emu.unknown_requests == []


async def test_tree_sync_is_recorded_and_valid(emu: DiscordEmulator, bot: SampleBot):
    put = emu.requests_to("PUT", "/applications/{application_id}/commands")
    assert len(put) == 1 and put[0].status == 200 and put[0].violations == []
    registered = {c["name"]: c for c in emu.registered_commands()}
    assert set(registered) == {
        "ping",
        "report",
        "remindme",
        "feedback",
        "mood",
        "announce",
        "stretch",
    }
    subcommands = [o["name"] for o in registered["stretch"]["options"]]
    assert subcommands == ["remind", "zone"]
    # Syncing again keeps ids, as Discord does for unchanged commands.
    again = await bot.tree.sync()
    assert {c.name: c.id for c in again}["ping"] == int(registered["ping"]["id"])
    assert emu.violations == []


async def test_guild_commands_are_scoped(
    emu: DiscordEmulator, bot: SampleBot, guild: EmuGuild, alice: EmuUser
):
    target = discord.Object(guild.id)
    bot.tree.copy_global_to(guild=target)
    synced = await bot.tree.sync(guild=target)
    assert {c.guild_id for c in synced} == {guild.id}
    assert len(emu.registered_commands(guild.id)) == len(synced)
    ix = await emu.slash(alice, "stretch remind", {"time": "21:00"}, guild=guild)
    assert ix.payload["data"]["guild_id"] == str(guild.id)
    assert (await ix.response()).content == "ok, 21:00 repeat=False"
    assert emu.violations == []


async def test_slash_reply_and_button_click_reach_the_view(
    emu: DiscordEmulator, bot: SampleBot, guild: EmuGuild, alice: EmuUser
):
    ix = await emu.slash(alice, "ping", guild=guild, channel=guild.channels[1])
    reply = await ix.response()
    assert reply.type == 4 and not reply.ephemeral
    assert reply.embeds[0]["title"] == "Pong"
    assert reply.message is not None and reply.message.channel_id == guild.channels[1].id
    assert emu.messages_in(guild.channels[1].id) == [reply.message]
    record = emu.requests_to("POST", "/interactions/{interaction_id}/{interaction_token}/callback")
    assert record[0].query.get("with_response") in ("1", "true")

    click = await emu.click(alice, reply, "ping:again")
    answer = await click.response()
    assert answer.content == "pong again" and answer.ephemeral
    assert ("clicked", alice.id) in bot.events

    pick = await emu.select(alice, reply.message, "ping:pick", ["restless"])
    update = await pick.response()
    assert update.type == 7
    final = await pick.final_message()
    assert final is reply.message and final.content == "you picked restless"
    assert emu.violations == []


async def test_modal_submit_reaches_on_submit(
    emu: DiscordEmulator, bot: SampleBot, guild: EmuGuild, alice: EmuUser
):
    ix = await emu.slash(alice, "feedback", guild=guild)
    modal = await ix.response()
    assert modal.type == 9 and modal.title == "Feedback"
    submitted = await emu.submit_modal(alice, ix, {"feedback:text": "stretching at 9"})
    thanks = await submitted.response()
    assert thanks.content == "thanks: stretching at 9"
    assert ("feedback", "stretching at 9") in bot.events
    # The label (type 18) layout, with a select inside a label.
    ix = await emu.slash(alice, "mood", guild=guild)
    assert (await ix.response()).components[0]["type"] == 18
    submitted = await emu.submit_modal(alice, ix, {"mood:text": "ok", "mood:legs": ["restless"]})
    assert (await submitted.response()).content == "noted"
    assert ("mood", ("ok", ["restless"])) in bot.events
    assert emu.violations == []


async def test_deferred_follow_up_with_file(
    emu: DiscordEmulator, bot: SampleBot, guild: EmuGuild, alice: EmuUser
):
    ix = await emu.slash(alice, "report", guild=guild)
    deferred = await ix.response()
    assert deferred.type == 5 and deferred.ephemeral
    followup = await ix.followup()
    assert followup.content == "here it is"
    assert followup.file("report.csv") == b"night,severity\n2026-01-01,3\n"
    request = emu.requests_to("POST", "/webhooks/{webhook_id}/{webhook_token}")[0]
    assert request.json["attachments"][0]["filename"] == "report.csv"
    assert request.files[0].field_name == "files[0]"
    assert request.files[0].data.startswith(b"night")
    assert emu.violations == []


async def test_defer_then_edit_gives_final_message_and_channel_post(
    emu: DiscordEmulator, bot: SampleBot, guild: EmuGuild, alice: EmuUser
):
    channel = guild.channels[0]
    ix = await emu.slash(
        alice, "announce", guild=guild, channel=channel, permissions=Permissions.manager
    )
    posted = await emu.wait_for_message(channel_id=channel.id)
    assert posted.content == "Stretch break!"
    assert posted.allowed_mentions == {"parse": []}
    assert posted.pinged_user_ids == [] and not posted.pings_everyone
    final = await ix.final_message()
    assert final.content == "posted" and not final.loading
    assert emu.violations == []


async def test_dm_with_nonce_creates_channel_once(
    emu: DiscordEmulator, bot: SampleBot, alice: EmuUser
):
    ix = await emu.slash(alice, "remindme")  # from a DM
    dm = await emu.wait_for_dm(alice)
    assert dm.content == "Time to stretch!" and dm.nonce == "rls-1"
    assert (await ix.response()).content == "Sent you a DM."
    send = emu.requests_to("POST", MESSAGES)[0]
    assert send.json["enforce_nonce"] is True
    assert emu.dms_to(alice) == [dm]
    create = emu.requests_to("POST", "/users/@me/channels")
    assert len(create) == 1 and create[0].json == {"recipient_id": alice.id}


async def test_nonce_repeat_returns_the_same_message(
    emu: DiscordEmulator, bot: SampleBot, guild: EmuGuild
):
    channel = bot.get_channel(guild.channels[0].id)
    assert isinstance(channel, discord.TextChannel)
    first = await channel.send("tip of the day", nonce="tip-42")
    second = await channel.send("tip of the day", nonce="tip-42")
    assert first.id == second.id
    assert len(emu.messages_in(guild.channels[0].id)) == 1
    assert [r.deduplicated for r in emu.requests_to("POST", MESSAGES)] == [False, True]


async def test_429_is_retried_and_message_arrives_once(
    emu: DiscordEmulator, bot: SampleBot, guild: EmuGuild
):
    emu.fail_next("POST", MESSAGES, status=429, retry_after=0.05)
    channel = bot.get_channel(guild.channels[0].id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("after the rate limit")
    assert [r.status for r in emu.requests_to("POST", MESSAGES)] == [429, 200]
    assert [m.content for m in emu.messages_in(channel.id)] == ["after the rate limit"]


async def test_global_rate_limit_answers_429_global_and_exempts_interactions(
    emu: DiscordEmulator, bot: SampleBot, guild: EmuGuild, alice: EmuUser
):
    emu.global_rate_limit = 3
    channel = bot.get_channel(guild.channels[0].id)
    assert isinstance(channel, discord.TextChannel)
    for n in range(4):  # the fourth within a second is limited, then retried by discord.py
        await channel.send(f"message {n}")
    statuses = [r.status for r in emu.requests_to("POST", MESSAGES)]
    assert statuses.count(429) >= 1 and statuses.count(200) == 4
    limited = next(r for r in emu.requests_to("POST", MESSAGES) if r.status == 429)
    assert limited.response is not None and limited.response["global"] is True
    assert emu.global_limit_hits == statuses.count(429)
    # Interaction callbacks are not counted against the global limit.
    ix = await emu.slash(alice, "ping", guild=guild)
    assert (await ix.response()).type == 4


async def test_500_then_success(emu: DiscordEmulator, bot: SampleBot, guild: EmuGuild):
    emu.fail_next("POST", MESSAGES, status=500, times=1)
    channel = bot.get_channel(guild.channels[0].id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("eventually")  # discord.py waits 1 s before retrying a 500
    assert [r.status for r in emu.requests_to("POST", MESSAGES)] == [500, 200]
    assert len(emu.messages_in(channel.id)) == 1


async def test_closed_dms_surface_as_forbidden_50007(
    emu: DiscordEmulator, bot: SampleBot, alice: EmuUser
):
    emu.close_dms(alice)
    ix = await emu.slash(alice, "remindme")
    assert (await ix.response()).content == "I cannot DM you."
    assert isinstance(bot.errors[0], discord.Forbidden) and bot.errors[0].code == 50007
    assert emu.dms_to(alice) == []


async def test_dropped_gateway_resumes_and_still_answers(
    emu: DiscordEmulator, bot: SampleBot, guild: EmuGuild, alice: EmuUser
):
    await emu.drop_gateway()
    await emu.wait_for_resume()
    assert emu.resume_count == 1 and len(emu.identify_payloads) == 1
    ix = await emu.slash(alice, "stretch remind", {"time": "17:30"}, guild=guild)
    reply = await ix.response()
    assert reply.content == "ok, 17:30 repeat=False"


async def test_events_sent_while_disconnected_are_replayed(
    emu: DiscordEmulator, bot: SampleBot, guild: EmuGuild
):
    removed = asyncio.ensure_future(bot.wait_for("guild_channel_delete", timeout=5))
    await emu.drop_gateway()
    emu.delete_channel(guild, guild.channels[1])  # happens while the bot is away
    await emu.wait_for_resume()
    assert (await removed).id == guild.channels[1].id
    assert bot.get_channel(guild.channels[1].id) is None


async def test_autocomplete_and_subcommand_types(
    emu: DiscordEmulator, bot: SampleBot, guild: EmuGuild, alice: EmuUser
):
    choices = await emu.autocomplete(
        alice, "stretch zone", {"zone": "Europe"}, focused="zone", guild=guild
    )
    assert [c["value"] for c in choices] == ["Europe/Berlin", "Europe/Paris"]
    ix = await emu.slash(alice, "stretch remind", {"time": "08:00", "repeat": True}, guild=guild)
    option = ix.payload["data"]["options"][0]
    assert option["type"] == 1 and option["options"][1] == {
        "name": "repeat",
        "type": 5,
        "value": True,
    }
    assert (await ix.response()).content == "ok, 08:00 repeat=True"


async def test_deleted_channel_and_removed_guild(
    emu: DiscordEmulator, bot: SampleBot, guild: EmuGuild
):
    channel = bot.get_channel(guild.channels[0].id)
    assert isinstance(channel, discord.TextChannel)
    deleted = asyncio.ensure_future(bot.wait_for("guild_channel_delete", timeout=5))
    emu.delete_channel(guild, guild.channels[0])
    await deleted
    with pytest.raises(discord.NotFound) as info:
        await channel.send("anyone there?")
    assert info.value.code == 10003
    removed = asyncio.ensure_future(bot.wait_for("guild_remove", timeout=5))
    emu.remove_guild(guild)
    assert (await removed).id == guild.id
    assert bot.get_guild(guild.id) is None


async def test_guild_joined_after_ready_is_announced(emu: DiscordEmulator, bot: SampleBot):
    joined = asyncio.ensure_future(bot.wait_for("guild_join", timeout=5))
    new = emu.add_guild("Night Owls", channels=["chat"])
    assert (await joined).id == new.id


async def test_rejected_token_fails_login(emu: DiscordEmulator):
    emu.reject_token = True
    with pytest.raises(discord.LoginFailure):
        async with running_client(emu, SampleBot(sync=False)):
            pass
    assert emu.requests[0].status == 401


async def test_missing_permission_is_forbidden(emu: DiscordEmulator, guild: EmuGuild):
    quiet = emu.add_channel(guild, "read-only", bot_deny=Permissions.SEND_MESSAGES)
    async with running_client(emu, SampleBot(sync=False)) as client:
        channel = client.get_channel(quiet.id)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.Forbidden) as info:
            await channel.send("hello")
        assert info.value.code == 50013


async def test_other_channel_types_parse(emu: DiscordEmulator, guild: EmuGuild):
    voice = emu.add_channel(guild, "Lounge", type=2)
    forum = emu.add_channel(guild, "ideas", type=15)
    thread = emu.add_channel(guild, "night-shift", type=11, parent=guild.channels[0])
    async with running_client(emu, SampleBot(sync=False)) as client:
        assert isinstance(client.get_channel(voice.id), discord.VoiceChannel)
        assert isinstance(client.get_channel(forum.id), discord.ForumChannel)
        seen = client.get_guild(guild.id)
        assert seen is not None
        parsed = seen.get_thread(thread.id)
        assert parsed is not None and parsed.parent_id == guild.channels[0].id
