"""Delivers the engine's outbox over Discord: posts to the delivery's target (a DM or a channel),
renders, maps Discord's errors to the engine's failure kinds."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import cast

import aiohttp
import discord

from bot.db.reminder_store import ReminderRepository
from bot.reminders.pacing import DM_OPEN_ROUTE, TokenBucket, pacing_route
from bot.reminders.target import ChannelTarget, DmTarget
from bot.reminders.transport import (
    LeaseLost,
    Outgoing,
    PermanentFailure,
    RecipientUnreachable,
    SentMessage,
    TargetUnavailable,
    TemporaryFailure,
)

log = logging.getLogger(__name__)

CANNOT_MESSAGE_USER = 50007
UNKNOWN_CHANNEL = 10003
MISSING_ACCESS = 50001
# A 403 that means the chosen channel can no longer take the bot's posts: fall back to a DM.
CHANNEL_FORBIDDEN_CODES = {MISSING_ACCESS, 50013}  # missing access, missing permissions
# Discord answers a DM to a user who shares no server with the bot with 50007, and at times 50001.
DM_REFUSED_CODES = {CANNOT_MESSAGE_USER, MISSING_ACCESS}
# Worth another try later: a timeout, too many requests, server errors (status >= 500).
RETRYABLE_STATUSES = {408, 429}


@dataclass(frozen=True)
class RenderedMessage:
    embed: discord.Embed
    view: discord.ui.View | None = None
    content: str | None = None


# A renderer may be async when the message depends on stored state (the server's daily tip
# avoids tips posted there recently).
Renderer = Callable[[Outgoing], RenderedMessage | Awaitable[RenderedMessage]]


class DiscordTransport:
    def __init__(
        self,
        client: discord.Client,
        reminders: ReminderRepository,
        renderer_for: Callable[[str], object | None],
        pacer: TokenBucket,
    ) -> None:
        self._client = client
        self._reminders = reminders
        # The engine's registry: each feature registers how its kind of schedule looks when it
        # is set up (ReminderEngine.register_renderer).
        self._renderer_for = renderer_for
        # Every REST request counts towards Discord's global limit, including opening a DM.
        self._pacer = pacer

    async def _dm_channel_id(self, user_id: int) -> int:
        cached = await self._reminders.get_dm_channel(user_id)
        if cached is not None:
            return cached
        await self._pacer.acquire(DM_OPEN_ROUTE)
        data = await self._client.http.start_private_message(user_id)
        channel_id = int(data["id"])
        await self._reminders.save_dm_channel(user_id, channel_id)
        return channel_id

    async def send(self, outgoing: Outgoing) -> SentMessage:
        kind = outgoing.schedule.kind
        renderer = cast(Renderer | None, self._renderer_for(kind))
        if renderer is None:
            raise TemporaryFailure(f"no renderer for {kind!r}")
        rendered = renderer(outgoing)
        if inspect.isawaitable(rendered):
            rendered = await rendered
        target = outgoing.target
        try:
            if isinstance(target, DmTarget):
                channel_id = await self._dm_channel_id(target.user_id)
                guild_id = None
                content = rendered.content or ""
                mentions = discord.AllowedMentions.none()
            elif target.mention_user_id is None:
                # A server's own post (the daily tip) is for everyone and pings no one.
                channel_id, guild_id = target.channel_id, target.guild_id
                content = rendered.content or ""
                mentions = discord.AllowedMentions.none()
            else:
                channel_id, guild_id = target.channel_id, target.guild_id
                # In a shared channel the member reminded is pinged, and only them.
                content = f"<@{target.mention_user_id}> {rendered.content or ''}".strip()
                mentions = discord.AllowedMentions(
                    everyone=False,
                    roles=False,
                    replied_user=False,
                    users=[discord.Object(target.mention_user_id)],
                )
            channel = self._client.get_partial_messageable(channel_id, guild_id=guild_id)
            await self._pacer.acquire(pacing_route(channel_id))
            # The wait above may have outlasted the lease: check (and renew) it only now.
            if not await outgoing.ready():
                raise LeaseLost(f"delivery {outgoing.delivery.id} is no longer ours")
            message = await channel.send(
                content=content or None,
                embed=rendered.embed,
                view=rendered.view or discord.utils.MISSING,
                nonce=outgoing.nonce,
                allowed_mentions=mentions,
            )
        except discord.Forbidden as exc:
            if isinstance(target, DmTarget) and exc.code in DM_REFUSED_CODES:
                raise RecipientUnreachable(f"{exc.code}: {exc.text}") from exc
            if isinstance(target, ChannelTarget) and exc.code in CHANNEL_FORBIDDEN_CODES:
                raise TargetUnavailable(f"{exc.code}: {exc.text}") from exc
            # Any other 403 would be refused again: retrying only adds invalid requests.
            raise PermanentFailure(exc.status, exc.code, exc.text) from exc
        except discord.NotFound as exc:
            if exc.code != UNKNOWN_CHANNEL:
                raise PermanentFailure(exc.status, exc.code, exc.text) from exc
            if isinstance(target, ChannelTarget):
                raise TargetUnavailable(f"{exc.code}: {exc.text}") from exc
            # A cached DM channel that Discord no longer knows: forget it and try again later.
            await self._reminders.forget_dm_channel(target.user_id)
            raise TemporaryFailure(f"DM channel gone: {exc.code}") from exc
        except discord.HTTPException as exc:
            if 400 <= exc.status < 500 and exc.status not in RETRYABLE_STATUSES:
                raise PermanentFailure(exc.status, exc.code, exc.text) from exc
            raise TemporaryFailure(f"HTTP {exc.status}: {exc.text}") from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise TemporaryFailure(f"network: {exc!r}") from exc
        return SentMessage(channel_id=message.channel.id, message_id=message.id)
