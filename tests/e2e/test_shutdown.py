"""Stopping the bot: what a SIGTERM starts is finished before the process may end."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.client import RlsBot
from bot.clock import FakeClock
from bot.emulator import DiscordEmulator
from tests.e2e.conftest import TOKEN, bot_settings


async def test_leaving_async_with_waits_for_the_whole_shutdown(
    emu: DiscordEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    # What `rls-companion run` does: a signal handler calls close() while start() runs inside
    # `async with`; start() returns once the gateway is closed, and the event loop ends right
    # after `async with`. Anything of the shutdown still pending then is cancelled: the
    # database's close was, and its thread kept the process from exiting.
    bot = RlsBot(bot_settings(emu, tmp_path), clock=clock)
    async with bot:
        running = asyncio.create_task(bot.start(TOKEN))
        await emu.wait_until_ready(timeout=30)
        stopping = asyncio.ensure_future(bot.close())  # the SIGTERM handler
        await running
    assert stopping.done()
    assert bot._db is None  # closed before `async with` returned
