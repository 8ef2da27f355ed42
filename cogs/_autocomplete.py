"""Autocomplete callbacks shared by several cogs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
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


def date_choices(
    current: str, days: Iterable[tuple[date, str, str]]
) -> list[app_commands.Choice[str]]:
    """Up to 25 of `days` (each with its date as shown to the reader, in their language, and a
    note for its label) whose shown or ISO date (2026-03-03) contains what was typed; the value is
    the ISO date. The note is shown, not searched."""
    typed = current.strip().lower()
    return [
        app_commands.Choice(name=f"{shown}{note}", value=day.isoformat())
        for day, shown, note in days
        if typed in f"{shown} {day.isoformat()}".lower()
    ][:25]
