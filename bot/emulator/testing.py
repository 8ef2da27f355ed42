"""Run a real discord.py client against a :class:`DiscordEmulator` inside a test."""

# ruff: noqa: ASYNC109 - the public test API takes ``timeout=`` arguments by design.

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable
from typing import TypeVar

import discord
import discord.gateway
import discord.http

from bot.emulator.server import DiscordEmulator
from bot.endpoints import point_discord_at

log = logging.getLogger(__name__)

ClientT = TypeVar("ClientT", bound=discord.Client)
T = TypeVar("T")


async def _unless_client_dies(
    awaitable: Awaitable[T], task: asyncio.Task[None], timeout: float
) -> T:
    """Await ``awaitable`` but fail fast (with the client's own error) if the client stops."""
    waiter = asyncio.ensure_future(awaitable)
    done, _ = await asyncio.wait(
        {waiter, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if waiter in done:
        return waiter.result()
    waiter.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiter
    if task in done:
        task.result()  # re-raises e.g. LoginFailure
        raise RuntimeError("the discord client stopped before it was ready")
    raise TimeoutError(f"the discord client was not ready within {timeout}s")


@contextlib.asynccontextmanager
async def running_client(
    emu: DiscordEmulator,
    client: ClientT,
    token: str = "t",
    *,
    wait_ready: bool = True,
    timeout: float = 10.0,
    guild_ready_timeout: float | None = 0.05,
) -> AsyncIterator[ClientT]:
    """Point discord.py at ``emu``, start ``client`` and yield it once it is connected.

    Waits for IDENTIFY (so ``setup_hook`` has run) and, with ``wait_ready``, for ``on_ready``.
    discord.py waits ``guild_ready_timeout`` (2 s by default) after the last GUILD_CREATE before
    ``on_ready``; it is shortened here unless ``None``. On exit the client is closed and its task
    awaited, and discord.py's process-wide endpoints are restored, so nothing leaks between tests.
    """
    previous = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    point_discord_at(emu.api_base, emu.gateway_url)
    if guild_ready_timeout is not None:
        client._connection.guild_ready_timeout = guild_ready_timeout
    identified = len(emu.identify_payloads)
    task = asyncio.create_task(client.start(token), name="emulated-discord-client")
    try:
        await _unless_client_dies(
            emu.wait_for_identify(timeout, count=identified + 1), task, timeout
        )
        if wait_ready:
            await _unless_client_dies(client.wait_until_ready(), task, timeout)
        yield client
    finally:
        await client.close()
        if not task.done():
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = previous
