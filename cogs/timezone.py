"""/timezone: the one profile zone every feature uses."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import discord
from discord import app_commands

from bot.client import RlsBot
from bot.i18n import N_, Speaker
from bot.interactions import OwnedView, said, send_reply, translator_for
from bot.scheduling.zones import UnknownZone, resolve_zone, said_back
from bot.usecases import change_zone
from cogs._autocomplete import zone_autocomplete
from cogs._cog import BotCog


class TimezoneCog(BotCog):
    help_title = N_("Your timezone")

    group = app_commands.Group(
        name="timezone", description="Your timezone, used by reminders and the sleep diary."
    )

    @group.command(name="set", description="Set your timezone (type a city, e.g. Berlin).")
    @app_commands.describe(zone="A city or IANA zone such as Europe/Berlin")
    async def set_zone(self, interaction: discord.Interaction[RlsBot], zone: str) -> None:
        try:
            resolved = resolve_zone(zone)
        except UnknownZone as unknown:
            if not unknown.suggestions:
                raise
            # One tap on the zone it suggests, instead of typing the name again.
            tr = translator_for(interaction)
            view = OwnedView(interaction.user.id, timeout=900)
            for key in unknown.suggestions[:MAX_PICKS]:
                view.add_item(PickZoneButton(self, key, tr))
            await send_reply(interaction, said(interaction, unknown), view=view)
            return
        await send_reply(interaction, await self.set_to(interaction, zone, resolved))

    async def set_to(
        self, interaction: discord.Interaction[Any], typed: str, resolved: ZoneInfo
    ) -> str:
        """The person's zone set to `resolved` (what they typed: `typed`), and the reply."""
        tr = translator_for(interaction)
        schedules = await change_zone(self.bot.usecases, interaction.user.id, resolved.key)
        local_now = self.bot.clock.now().astimezone(resolved)
        # "Berlin → Europe/Berlin": the person sees which zone a city they typed became.
        lines = [
            tr(
                "Your timezone is now **{zone}** (it's {time} there).",
                zone=said_back(typed, resolved),
                time=tr.time(local_now),
            )
        ]
        if schedules:
            lines.append(
                tr.plural(
                    len(schedules),
                    "I moved {count} reminder schedule to the new zone.",
                    "I moved {count} reminder schedules to the new zone.",
                )
            )
        return "\n".join(lines)

    set_zone.autocomplete("zone")(zone_autocomplete)

    @group.command(name="show", description="Show the timezone I use for you.")
    async def show(self, interaction: discord.Interaction[RlsBot]) -> None:
        tr = translator_for(interaction)
        profile = await self.bot.repos.users.get(interaction.user.id)
        if profile is None or profile.timezone is None:
            await send_reply(
                interaction,
                tr("You haven't set a timezone yet. Use `/timezone set` with your city."),
            )
            return
        local_now = self.bot.clock.now().astimezone(resolve_zone(profile.timezone))
        await send_reply(
            interaction,
            tr(
                "Your timezone is **{zone}** (it's {time} there now).",
                zone=profile.timezone,
                time=tr.time(local_now),
            ),
        )


MAX_PICKS = 3


class PickZoneButton(discord.ui.Button[OwnedView]):
    """ "Use Europe/Berlin" under "Did you mean …?": sets that zone, in place of the question."""

    def __init__(self, cog: TimezoneCog, key: str, tr: Speaker) -> None:
        super().__init__(label=tr("Use {zone}", zone=key)[:80], style=discord.ButtonStyle.primary)
        self.cog = cog
        self.key = key

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        assert self.view is not None
        text = await self.cog.set_to(interaction, self.key, resolve_zone(self.key))
        await self.view.leave(interaction, content=text)


async def setup(bot: RlsBot) -> None:
    await bot.add_cog(TimezoneCog(bot))
