"""The foundation end to end: lifecycle, /help, error handling, retries, resume."""

from __future__ import annotations

import asyncio
import logging
import re

import discord
import pytest
from discord import app_commands

from bot.client import RlsBot
from bot.emulator import DiscordEmulator
from bot.errors import UserError

CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"

EPHEMERAL = 64


async def test_bot_identifies_with_guild_intent_only(emu: DiscordEmulator, bot: RlsBot) -> None:
    intents = emu.identify_payloads[-1]["intents"]
    assert intents == discord.Intents(guilds=True).value
    assert not discord.Intents._from_value(intents).members
    assert not discord.Intents._from_value(intents).message_content


async def test_help_lists_every_command_ephemerally(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = emu.add_user("alice")
    # In a server that added the bot, where Discord offers every command (in a DM, /config is
    # left out: see test_user_install).
    guild = emu.add_guild("RLS Friends", ["general"])
    ix = await emu.slash(alice, "help", guild=guild)
    reply = await ix.response()
    assert reply.flags & EPHEMERAL
    [embed] = reply.embeds
    listed = "\n".join(field["value"] for field in embed["fields"])
    for command in bot.tree.walk_commands():
        if isinstance(command, app_commands.Command):
            assert f"/{command.qualified_name}`" in listed


async def test_user_error_is_shown_ephemerally(emu: DiscordEmulator, bot: RlsBot) -> None:
    @bot.tree.command(name="explode-nicely", description="test")
    async def explode_nicely(interaction: discord.Interaction) -> None:
        raise UserError("That time doesn't exist. Try 17:30.")

    alice = emu.add_user("alice")
    reply = await (await emu.slash(alice, "explode-nicely")).response()
    assert reply.content == "That time doesn't exist. Try 17:30."
    assert reply.flags & EPHEMERAL


async def test_unexpected_error_gets_an_apology_whose_id_is_in_the_log(
    emu: DiscordEmulator, bot: RlsBot, caplog: pytest.LogCaptureFixture
) -> None:
    @bot.tree.command(name="explode", description="test")
    async def explode(interaction: discord.Interaction) -> None:
        raise RuntimeError("kaboom")

    alice = emu.add_user("alice")
    with caplog.at_level(logging.ERROR, logger="bot.interactions"):
        reply = await (await emu.slash(alice, "explode")).response()
    assert reply.flags & EPHEMERAL
    match = re.search(r"error id `([0-9a-f]{8})`", reply.content)
    assert match, reply.content
    [record] = [r for r in caplog.records if "kaboom" in str(r.exc_info)]
    assert f"error_id={match[1]}" in record.getMessage()
    assert "explode" in record.getMessage()


async def test_an_interaction_answered_too_late_is_a_warning_not_a_bug(
    emu: DiscordEmulator, bot: RlsBot, caplog: pytest.LogCaptureFixture
) -> None:
    handled = asyncio.Event()
    report = bot.tree.on_error

    async def on_error(interaction: discord.Interaction, error: Exception) -> None:
        await report(interaction, error)  # type: ignore[arg-type]
        handled.set()

    bot.tree.on_error = on_error  # type: ignore[method-assign]
    # What Discord answers when the first response comes after its 3 s deadline.
    emu.fail_next("POST", CALLBACK, status=404, code=10062, message="Unknown interaction")
    alice = emu.add_user("alice")
    with caplog.at_level(logging.WARNING, logger="bot.interactions"):
        ix = await emu.slash(alice, "help")
        await asyncio.wait_for(handled.wait(), timeout=5)
    # One attempt: no apology sent after it (it would fail the same way), no error logged.
    answers = [r for r in emu.requests_to("POST", CALLBACK) if ix.token in r.path]
    assert len(answers) == 1 and answers[0].status == 404
    [record] = caplog.records
    assert record.levelno == logging.WARNING and "expired before it was answered" in record.message
    assert bot.metrics.registry.get_sample_value("rls_interactions_expired_total") == 1


async def test_error_after_defer_is_sent_as_a_followup(emu: DiscordEmulator, bot: RlsBot) -> None:
    @bot.tree.command(name="slow-explode", description="test")
    async def slow_explode(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        raise UserError("Nothing logged for that night.")

    alice = emu.add_user("alice")
    ix = await emu.slash(alice, "slow-explode")
    deferred = await ix.response()
    assert deferred.type == 5
    followup = await ix.followup()
    assert followup.content == "Nothing logged for that night."


async def test_help_survives_a_gateway_drop(emu: DiscordEmulator, bot: RlsBot) -> None:
    await emu.drop_gateway()
    await emu.wait_for_resume()
    alice = emu.add_user("alice")
    reply = await (await emu.slash(alice, "help")).response()
    assert reply.embeds


async def test_sync_commands_sends_a_valid_registration(emu: DiscordEmulator, bot: RlsBot) -> None:
    names = {c["name"] for c in emu.registered_commands()}
    assert {"help"} <= names
    guild = emu.add_guild("Testers")
    bot.tree.copy_global_to(guild=discord.Object(guild.id))
    await bot.tree.sync(guild=discord.Object(guild.id))
    assert {c["name"] for c in emu.registered_commands(guild.id)} == names
