"""Per-user (and per-channel) cooldowns on commands that post publicly or do heavy work.

discord.py's own cooldowns read the monotonic clock; these read the bot's clock, so tests move time
instead of waiting. A command's cooldown starts when it is accepted and is handed back if the
command then fails (a "set it up first" answer should not cost the user a minute). Kept in memory
per process: each process answers its own shards' users, so that is where the counting belongs.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Awaitable, Callable, Hashable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot.clock import Clock
from bot.routines import STRETCH_KIND

T = TypeVar("T")

# Past this many entries the expired ones are dropped (a bot in many servers sees many users).
PRUNE_AT = 10_000

# (key, seconds) pairs: every key must be free for the command to run, and all of them start.
Limits = Sequence[tuple[Hashable, float]]
LimitsOf = Callable[[discord.Interaction[Any]], Awaitable[Limits]]


class CooldownBook:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._until: dict[Hashable, datetime] = {}

    def take(self, limits: Limits) -> float:
        """0 and every key started if all are free; else the seconds until the last is free."""
        now = self._clock.now()
        waits = [(self._until[k] - now).total_seconds() for k, _ in limits if k in self._until]
        left = max((w for w in waits if w > 0), default=0.0)
        if left:
            return left
        if len(self._until) > PRUNE_AT:
            self._until = {k: t for k, t in self._until.items() if t > now}
        for key, seconds in limits:
            self._until[key] = now + timedelta(seconds=seconds)
        return 0.0

    def give_back(self, keys: Sequence[Hashable]) -> None:
        for key in keys:
            self._until.pop(key, None)


_books: weakref.WeakKeyDictionary[Any, CooldownBook] = weakref.WeakKeyDictionary()


def book_of(client: Any) -> CooldownBook:
    book = _books.get(client)
    if book is None:
        book = _books[client] = CooldownBook(client.clock)
    return book


EXTRAS_KEY = "cooldown_keys"


def cooldown(limits_of: LimitsOf) -> Callable[[T], T]:
    """A check: the command runs only when every (key, seconds) LIMITS_OF gives is free;
    otherwise the user is told, ephemerally, how many seconds to wait."""

    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        limits = await limits_of(interaction)
        if not limits:
            return True
        left = book_of(interaction.client).take(limits)
        if left:
            longest = max(seconds for _, seconds in limits)
            raise app_commands.CommandOnCooldown(app_commands.Cooldown(1, longest), math.ceil(left))
        interaction.extras[EXTRAS_KEY] = [key for key, _ in limits]
        return True

    return app_commands.check(predicate)


def give_back(interaction: discord.Interaction[Any]) -> None:
    """The command failed: the cooldowns it started are handed back."""
    keys = interaction.extras.pop(EXTRAS_KEY, None)
    if keys:
        book_of(interaction.client).give_back(keys)


def per_user(name: str, seconds: float) -> LimitsOf:
    async def limits(interaction: discord.Interaction[Any]) -> Limits:
        return [((name, interaction.user.id), seconds)]

    return limits


# How long each limited command waits, per user unless said otherwise. Long enough to stop a
# flood or a loop of heavy work, short enough that nobody waits who uses the bot normally.
STRETCH_NOW_SECONDS = 60.0
STRETCH_NOW_IN_CHANNEL_SECONDS = 600.0  # it posts where others read, pinging
CHANNEL_POST_SECONDS = 60.0  # one /stretch now post per channel, whoever asks
PUBLIC_TIP_SECONDS = 30.0
SLEEP_REPORT_SECONDS = 60.0
EXPORT_SECONDS = 60.0


async def stretch_now_limits(interaction: discord.Interaction[Any]) -> Limits:
    user = interaction.user.id
    schedule = await interaction.client.repos.reminders.get_schedule(user, STRETCH_KIND)
    if schedule is None or schedule.channel_id is None:
        return [(("stretch now", user), STRETCH_NOW_SECONDS)]
    return [
        (("stretch now", user), STRETCH_NOW_IN_CHANNEL_SECONDS),
        (("stretch now in", schedule.channel_id), CHANNEL_POST_SECONDS),
    ]


async def public_tip_limits(interaction: discord.Interaction[Any]) -> Limits:
    """Only a tip everyone in a channel sees: private ones and DMs are the asker's own business."""
    if interaction.guild_id is None or getattr(interaction.namespace, "private", False):
        return []
    return [(("public tip", interaction.user.id), PUBLIC_TIP_SECONDS)]
