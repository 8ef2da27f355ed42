"""End-to-end fixtures: the real bot, over the wire, against the local Discord emulator."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.client import RlsBot
from bot.clock import FakeClock
from bot.emulator import DiscordEmulator
from bot.emulator.testing import running_client
from bot.emulator.validation import SpecValidator
from bot.settings import Settings

TOKEN = "emulated.bot.token-0123456789"

COMMAND_REGISTRATIONS = frozenset(
    {
        "/applications/{application_id}/commands",
        "/applications/{application_id}/guilds/{guild_id}/commands",
    }
)


class RememberingValidator(SpecValidator):
    """Discord's spec validator, remembering its verdict on each command registration body.

    Every test's bot registers the same commands, and checking that large body against the spec
    costs about 40 ms a test. The verdict depends on the body alone, so the remembered one is
    exactly what checking it again would say: a bad registration is still reported, in every test.
    """

    def __init__(self) -> None:
        super().__init__()
        self._verdicts: dict[tuple[str, str, str], list[str]] = {}

    def validate(self, method: str, template: str, body: Any) -> list[str]:
        if method.upper() != "PUT" or template not in COMMAND_REGISTRATIONS:
            return super().validate(method, template, body)
        key = (method.upper(), template, json.dumps(body, sort_keys=True))
        if key not in self._verdicts:
            self._verdicts[key] = super().validate(method, template, body)
        return list(self._verdicts[key])


remembering_validator = RememberingValidator()


@pytest.fixture
async def emu() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator(validate=True) as emulator:
        emulator.validator = remembering_validator
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


@asynccontextmanager
async def bot_process(
    emu: DiscordEmulator, settings: Settings, clock: FakeClock
) -> AsyncIterator[RlsBot]:
    """One run of the bot on these settings; two in a row are a restart on the same database."""
    async with running_client(emu, RlsBot(settings, clock=clock), token=TOKEN) as running:
        # Register the commands like `rls-companion sync-commands` would, so the emulator knows
        # each option's type.
        await running.tree.sync()
        yield running


@pytest.fixture
async def bot(emu: DiscordEmulator, tmp_path: Path, clock: FakeClock) -> AsyncIterator[RlsBot]:
    async with bot_process(emu, bot_settings(emu, tmp_path), clock) as running:
        yield running
