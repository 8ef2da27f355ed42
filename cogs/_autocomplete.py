"""Autocomplete callbacks shared by several cogs."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.scheduling.zones import zone_choices


async def zone_autocomplete(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    now = interaction.client.clock.now()
    return [
        app_commands.Choice(name=label, value=value) for value, label in zone_choices(current, now)
    ]
