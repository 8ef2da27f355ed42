"""/help: every command the bot has, grouped by feature."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import RlsBot
from bot.help_text import field_chunks, help_sections
from bot.interactions import send_reply

EMBED_COLOUR = discord.Colour.teal()


def offered_here(commands: list[Any], interaction: discord.Interaction[Any]) -> list[Any]:
    """What Discord offers where /help was asked: commands for servers that added the bot
    (guild_only, like /config) only in such a server, not in DMs or through a user install."""
    in_our_server = interaction.guild_id is not None and interaction.is_guild_integration()
    return [c for c in commands if in_our_server or not getattr(c, "guild_only", False)]


class HelpCog(commands.Cog):
    help_title = "Help"

    def __init__(self, bot: RlsBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="What this bot can do, command by command.")
    async def help(self, interaction: discord.Interaction[RlsBot]) -> None:
        embed = discord.Embed(
            title="RLS Companion",
            description=(
                "Tips about Restless Legs Syndrome, gentle stretch reminders and a private sleep "
                "diary. Replies about your own data are only visible to you."
            ),
            colour=EMBED_COLOUR,
        )
        for section in help_sections(offered_here(self.bot.tree.get_commands(), interaction)):
            for index, chunk in enumerate(field_chunks(section.lines)):
                name = section.title if index == 0 else f"{section.title} (cont.)"
                embed.add_field(name=name, value=chunk, inline=False)
        await send_reply(interaction, embed=embed, ephemeral=True)


async def setup(bot: RlsBot) -> None:
    await bot.add_cog(HelpCog(bot))
