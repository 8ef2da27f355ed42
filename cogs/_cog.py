"""The base of every cog: the bot it serves."""

from __future__ import annotations

from discord.ext import commands

from bot.client import RlsBot


class BotCog(commands.Cog):
    """A cog of this bot; commands and listeners reach the repositories, use cases, engine and
    clock through `self.bot`."""

    def __init__(self, bot: RlsBot) -> None:
        self.bot = bot
