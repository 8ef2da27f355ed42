"""/help: every command the bot has, grouped by feature."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.client import RlsBot
from bot.help_text import field_chunks, help_sections
from bot.i18n import N_, load_catalog
from bot.interactions import send_reply, translator_for
from cogs._cog import BotCog

EMBED_COLOUR = discord.Colour.teal()
# The section titles of features whose cogs are translated in a later slice (issue 22), marked
# here so that /help reads German throughout meanwhile; each cog's `help_title` is the English.
LATER_TITLES = (
    N_("Server settings (moderators)"),
    N_("Iron labs"),
    N_("Medicines"),
    N_("Sleep diary"),
)


def offered_here(commands: list[Any], interaction: discord.Interaction[Any]) -> list[Any]:
    """What Discord offers where /help was asked: commands for servers that added the bot
    (guild_only, like /config) only in such a server, not in DMs or through a user install."""
    in_our_server = interaction.guild_id is not None and interaction.is_guild_integration()
    return [c for c in commands if in_our_server or not getattr(c, "guild_only", False)]


class HelpCog(BotCog):
    help_title = N_("Help")

    @app_commands.command(name="help", description="What this bot can do, command by command.")
    async def help(self, interaction: discord.Interaction[RlsBot]) -> None:
        tr = translator_for(interaction)
        catalog = load_catalog(tr.locale)

        def describe(text: str) -> str:
            # The same words Discord shows under the command (synced from the catalog).
            return catalog.lookup(text, "command_description") or text

        embed = discord.Embed(
            title="RLS Companion",
            description=tr(
                "Tips about Restless Legs Syndrome, gentle stretch reminders and a private sleep "
                "diary. Replies about your own data are only visible to you."
            ),
            colour=EMBED_COLOUR,
        )
        offered = offered_here(self.bot.tree.get_commands(), interaction)
        for section in help_sections(offered, describe, catalog.lookup):
            title = tr(section.title)
            for index, chunk in enumerate(field_chunks(section.lines)):
                name = title if index == 0 else tr("{title} (cont.)", title=title)
                embed.add_field(name=name, value=chunk, inline=False)
        await send_reply(interaction, embed=embed, ephemeral=True)


async def setup(bot: RlsBot) -> None:
    await bot.add_cog(HelpCog(bot))
