"""The server's daily tip post: how it looks when the reminder engine sends it.

Part of the tips feature (registered by the tips cog when it loads); /config only decides where and
when it goes out.
"""

from __future__ import annotations

import random

import discord

from bot.client import RlsBot
from bot.discord_delivery import RenderedMessage
from bot.reminders.transport import Outgoing
from bot.tips import NOTICE, TipCatalog, pick_tip, sources_field

COLOUR = discord.Colour.dark_teal()
MAX_FIELD = 1024


class DailyTipRenderer:
    """The server's daily tip: one the server has not seen recently, the same one on a resend."""

    def __init__(self, bot: RlsBot, catalog: TipCatalog) -> None:
        self.bot = bot
        self.catalog = catalog
        self.rng = random.Random()

    def _pick(self, recent: list[str]) -> str:
        return pick_tip(self.catalog, None, recent, self.rng).id

    async def __call__(self, outgoing: Outgoing) -> RenderedMessage:
        guild_id = outgoing.schedule.guild_id
        assert guild_id is not None  # the schema guarantees it for a server's schedule
        tip_id = await self.bot.repos.guild_settings.choose_tip(
            guild_id, outgoing.delivery.id, self._pick, self.bot.clock.now()
        )
        # A tip retired from the catalog since it was chosen: any fresh one will do.
        tip = self.catalog.get(tip_id) or pick_tip(self.catalog, None, [], self.rng)
        embed = discord.Embed(title=tip.title, description=tip.body, colour=COLOUR)
        embed.set_author(name="Tip of the day")
        embed.add_field(name="Topic", value=self.catalog.topic(tip.topic).name, inline=True)
        name, sources = sources_field(tip)
        embed.add_field(name=name, value=sources[:MAX_FIELD], inline=True)
        if outgoing.is_late:
            embed.add_field(
                name="Note", value="Posted late: I was offline when it was due.", inline=False
            )
        embed.set_footer(text=NOTICE)
        return RenderedMessage(embed=embed)
