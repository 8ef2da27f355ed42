"""End-to-end fixtures: the real bot, over the wire, against the local Discord emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.client import RlsBot
from bot.clock import FakeClock
from bot.emulator import DiscordEmulator
from bot.emulator.testing import running_client
from bot.settings import Settings

TOKEN = "emulated.bot.token-0123456789"


@pytest.fixture
async def emu() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator(validate=True) as emulator:
        yield emulator
        # Every body the bot sent must be one Discord would accept.
        assert emulator.violations == []


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))  # Monday, 13:00 in Berlin


def bot_settings(emu: DiscordEmulator, tmp_path: Path, **overrides: object) -> Settings:
    # _env_file=None and explicit values: a developer's own .env or DATABASE_URL must not leak in.
    values: dict[str, object] = {
        "discord_token": TOKEN,
        "database_path": tmp_path / "bot.sqlite3",
        "database_url": None,
        "discord_api_base": emu.api_base,
        "discord_gateway_url": emu.gateway_url,
        "reminder_tick_seconds": 3600,  # tests tick by hand with the fake clock
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


@pytest.fixture
async def bot(emu: DiscordEmulator, tmp_path: Path, clock: FakeClock) -> AsyncIterator[RlsBot]:
    client = RlsBot(bot_settings(emu, tmp_path), clock=clock)
    async with running_client(emu, client, token=TOKEN) as running:
        # Register the commands like `rls-companion sync-commands` would, so the emulator knows
        # each option's type.
        await running.tree.sync()
        yield running
