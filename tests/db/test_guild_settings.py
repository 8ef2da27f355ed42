"""Contract tests: each runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.db import Repositories
from bot.db.guild_settings import GuildSettings

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def test_unconfigured_server_gets_defaults(repos: Repositories) -> None:
    assert await repos.guild_settings.get(7) == GuildSettings(7)


async def test_reminder_channel_set_and_cleared(repos: Repositories) -> None:
    saved = await repos.guild_settings.set_reminder_channel(7, 700, NOW)
    assert saved.reminder_channel_id == 700
    assert saved.updated_at == NOW
    cleared = await repos.guild_settings.set_reminder_channel(7, None, NOW)
    assert cleared.reminder_channel_id is None
    assert (await repos.guild_settings.get(8)).reminder_channel_id is None


async def test_delete_forgets_the_server(repos: Repositories) -> None:
    await repos.guild_settings.set_reminder_channel(7, 700, NOW)
    assert await repos.guild_settings.delete(7) is True
    assert await repos.guild_settings.get(7) == GuildSettings(7)
    assert await repos.guild_settings.delete(7) is False
