"""One-time heads-ups after a person's next command, about their own reminders that the engine
paused by itself (closed DMs, an unreadable zone): they learn it wherever they next turn up, not
only in that feature's status."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord.ext import commands

from bot.client import RlsBot
from bot.interactions import translator_for
from bot.reminders.engine import ReminderKind
from cogs._cog import BotCog

log = logging.getLogger(__name__)


class PauseNotices(BotCog):
    def __init__(self, bot: RlsBot) -> None:
        super().__init__(bot)
        self._gathered: tuple[tuple[commands.Cog, ...], dict[str, ReminderKind]] | None = None

    def _kinds(self) -> dict[str, ReminderKind]:
        """Each cog that offers a kind of reminder declares `reminder_kinds`. Gathered again
        only when the loaded cogs change (the key holds the cog objects themselves, so a
        reloaded cog is a new key)."""
        loaded = tuple(self.bot.cogs.values())
        if self._gathered is None or self._gathered[0] != loaded:
            kinds: dict[str, ReminderKind] = {}
            for cog in loaded:
                kinds.update(getattr(cog, "reminder_kinds", {}))
            self._gathered = (loaded, kinds)
        return self._gathered[1]

    @commands.Cog.listener()
    async def on_app_command_completion(
        self, interaction: discord.Interaction[Any], command: Any
    ) -> None:
        # A follow-up needs a message response to follow (not a modal): try at the next command.
        if interaction.response.type not in {
            discord.InteractionResponseType.channel_message,
            discord.InteractionResponseType.deferred_channel_message,
        }:
            return
        notices = await self.bot.engine.pause_notices(
            interaction.user.id, self._kinds(), translator_for(interaction)
        )
        for notice in notices:
            # Ephemeral: about the person's own reminders, whatever the command's reply was.
            await interaction.followup.send(notice, ephemeral=True)


async def setup(bot: RlsBot) -> None:
    await bot.add_cog(PauseNotices(bot))
