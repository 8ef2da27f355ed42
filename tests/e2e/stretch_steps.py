"""Steps shared by the e2e tests that need a stretch reminder (test_stretch.py and the others)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.client import RlsBot
from bot.clock import FakeClock
from bot.emulator import DiscordEmulator, EmuGuild, EmuUser

DUE = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)  # 17:30 in Berlin, the Monday of the fixture


def buttons(message: Any) -> dict[str, str]:
    """Button label -> custom_id on a message."""
    return {
        c["label"]: c["custom_id"]
        for row in message.components
        for c in row["components"]
        if c["type"] == 2
    }


async def subscribe(
    emu: DiscordEmulator, user: EmuUser, *, guild: EmuGuild | None = None, **options: str
) -> Any:
    """/stretch remind at 17:30 Berlin time (and `options`), in a DM or, with `guild`, in the
    server's first channel; its reply."""
    options = {"time": "17:30", "timezone": "Europe/Berlin", **options}
    return await (await emu.slash(user, "stretch remind", options, guild=guild)).response()


async def deliver_due(bot: RlsBot, clock: FakeClock, at: datetime) -> None:
    clock.set(at)
    await bot.engine.tick()
