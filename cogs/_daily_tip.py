"""The server's daily tip post: how it looks when the reminder engine sends it.

Part of the tips feature (registered by the tips cog when it loads); /config only decides where and
when it goes out.
"""

from __future__ import annotations

import random

import discord

from bot.client import RlsBot
from bot.discord_delivery import RenderedMessage
from bot.i18n import ENGLISH, speaker
from bot.i18n.content import localized_catalog, tip_notice
from bot.reminders.transport import Outgoing
from bot.tips import TipCatalog, pick_tip, sources_field

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
        # The server's preferred language (stored from /config); English when not known.
        tr = speaker(await self.bot.repos.guild_settings.locale(guild_id))
        catalog = (
            self.catalog if tr.locale == ENGLISH else localized_catalog(tr.locale, self.catalog)
        )
        tip = catalog.get(tip.id) or tip
        embed = discord.Embed(title=tip.title, description=tip.body, colour=COLOUR)
        embed.set_author(name=tr("Tip of the day"))
        embed.add_field(name=tr("Topic"), value=catalog.topic(tip.topic).name, inline=True)
        name, sources = sources_field(tip, tr)
        embed.add_field(name=name, value=sources[:MAX_FIELD], inline=True)
        if outgoing.is_late:
            embed.add_field(
                name=tr("Note"),
                value=tr("Posted late: I was offline when it was due."),
                inline=False,
            )
        embed.set_footer(text=tip_notice(tr.locale))
        return RenderedMessage(embed=embed)
