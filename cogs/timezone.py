"""/timezone: the one profile zone every feature uses."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.client import RlsBot
from bot.i18n import N_
from bot.interactions import send_reply, translator_for
from bot.scheduling.zones import resolve_zone, said_back
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
        tr = translator_for(interaction)
        resolved = resolve_zone(zone)
        schedules = await change_zone(self.bot.usecases, interaction.user.id, resolved.key)
        local_now = self.bot.clock.now().astimezone(resolved)
        # "Berlin → Europe/Berlin": the person sees which zone a city they typed became.
        lines = [
            tr(
                "Your timezone is now **{zone}** (it's {time} there).",
                zone=said_back(zone, resolved),
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
        await send_reply(interaction, "\n".join(lines))

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


async def setup(bot: RlsBot) -> None:
    await bot.add_cog(TimezoneCog(bot))
