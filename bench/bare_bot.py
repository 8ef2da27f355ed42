"""The ceiling: a minimal discord.py bot that answers `/rls tip`, `/stretch status` and
`/sleep stats` with one static ephemeral embed. Same intents, sharding class, allowed mentions and
emulator as the project's bot, no database, no cogs: what discord.py itself costs per command.

With `BARE_REPLIES=<file>` (a JSON object: command -> the `data` of the project's own reply to it,
as `bench.ceiling --our-replies` records it) it answers each command with that reply instead,
built once (content, embeds and the same buttons and menus): what discord.py costs to send the
project's replies, with none of the project's own work.

    DISCORD_TOKEN=... DISCORD_API_BASE=... DISCORD_GATEWAY_URL=... python -m bench.bare_bot run

`bench.ceiling` starts it side by side with the project's bot; it is not meant for Discord.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

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


def build_client(replies: dict[str, dict[str, Any]] | None = None) -> discord.AutoShardedClient:
    client = discord.AutoShardedClient(intents=bot_intents(), allowed_mentions=NO_MENTIONS)
    tree = app_commands.CommandTree(client)
    for group_name, command_name in (("rls", "tip"), ("stretch", "status"), ("sleep", "stats")):
        group = app_commands.Group(name=group_name, description=group_name)
        reply = (replies or {}).get(f"{group_name} {command_name}")
        answer = static_answer if reply is None else recorded_answer(reply)
        group.add_command(app_commands.Command(name=command_name, description="x", callback=answer))
        tree.add_command(group)
    return client


async def static_answer(interaction: discord.Interaction) -> None:
    await interaction.response.send_message(embed=EMBED, ephemeral=True)


def recorded_answer(
    data: dict[str, Any],
) -> Callable[[discord.Interaction], Coroutine[Any, Any, None]]:
    """An answer sending `data` (a reply's content, embeds and components) as it was recorded."""
    embeds = [discord.Embed.from_dict(e) for e in data.get("embeds", [])]
    prepared: list[discord.ui.View] = []  # a View needs the running loop: built on first use

    async def answer(interaction: discord.Interaction) -> None:
        if not prepared and data.get("components"):
            prepared.append(view_of(data["components"]))
        kwargs: dict[str, Any] = {"embeds": embeds, "ephemeral": True}
        if data.get("content"):
            kwargs["content"] = data["content"]
        if prepared:
            kwargs["view"] = prepared[0]
        await interaction.response.send_message(**kwargs)

    return answer


def view_of(rows: list[dict[str, Any]]) -> discord.ui.View:
    """The buttons and string menus of recorded action rows, as one View (no timeout)."""
    view = discord.ui.View(timeout=None)
    for number, row in enumerate(rows):
        for item in row["components"]:
            if item["type"] == 2:
                view.add_item(
                    discord.ui.Button(
                        style=discord.ButtonStyle(item["style"]),
                        label=item.get("label"),
                        custom_id=item.get("custom_id"),
                        url=item.get("url"),
                        row=number,
                    )
                )
            elif item["type"] == 3:
                options = [
                    discord.SelectOption(
                        label=o["label"], value=o["value"], description=o.get("description")
                    )
                    for o in item["options"]
                ]
                view.add_item(
                    discord.ui.Select(
                        custom_id=item["custom_id"],
                        placeholder=item.get("placeholder"),
                        options=options,
                        min_values=item.get("min_values", 1),
                        max_values=item.get("max_values", 1),
                        row=number,
                    )
                )
    return view


async def run(token: str, replies: dict[str, dict[str, Any]] | None = None) -> None:
    client = build_client(replies)
    async with client:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(client.close()))
        await client.start(token)


def main() -> None:
    point_discord_at(os.environ["DISCORD_API_BASE"], os.environ["DISCORD_GATEWAY_URL"])
    recorded = os.environ.get("BARE_REPLIES")
    replies = json.loads(Path(recorded).read_text()) if recorded else None
    asyncio.run(run(os.environ["DISCORD_TOKEN"], replies))


if __name__ == "__main__":
    main()
