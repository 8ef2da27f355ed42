"""The ceiling: a minimal discord.py bot that answers `/rls tip`, `/stretch status` and
`/sleep stats` with one static ephemeral embed. Same intents, sharding class, allowed mentions and
emulator as the project's bot, no database, no cogs: what discord.py itself costs per command.

    DISCORD_TOKEN=... DISCORD_API_BASE=... DISCORD_GATEWAY_URL=... python -m bench.bare_bot run

`bench.ceiling` starts it side by side with the project's bot; it is not meant for Discord.
"""

from __future__ import annotations

import asyncio
import os
import signal

import discord
from discord import app_commands

from bot.client import bot_intents
from bot.endpoints import point_discord_at
from bot.interactions import NO_MENTIONS

# Built once: the ceiling must not pay for building its answer.
EMBED = discord.Embed(
    title="A tip for restless legs",
    description="Walk for a few minutes, then stretch your calves slowly for 30 seconds each.",
    colour=discord.Colour.blurple(),
)


def build_client() -> discord.AutoShardedClient:
    client = discord.AutoShardedClient(intents=bot_intents(), allowed_mentions=NO_MENTIONS)
    tree = app_commands.CommandTree(client)
    for group_name, command_name in (("rls", "tip"), ("stretch", "status"), ("sleep", "stats")):
        group = app_commands.Group(name=group_name, description=group_name)

        async def answer(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(embed=EMBED, ephemeral=True)

        group.add_command(app_commands.Command(name=command_name, description="x", callback=answer))
        tree.add_command(group)
    return client


async def run(token: str) -> None:
    client = build_client()
    async with client:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(client.close()))
        await client.start(token)


def main() -> None:
    point_discord_at(os.environ["DISCORD_API_BASE"], os.environ["DISCORD_GATEWAY_URL"])
    asyncio.run(run(os.environ["DISCORD_TOKEN"]))


if __name__ == "__main__":
    main()
