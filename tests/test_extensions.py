"""Every extension imports, and each registers what it should."""

from __future__ import annotations

from pathlib import Path

import pytest
from discord import app_commands

from bot.client import RlsBot
from bot.extensions import walk_extensions
from bot.settings import Settings

# Top-level slash commands each extension must register; a new cog adds its line here.
EXPECTED_COMMANDS = {
    "cogs.config": {"config"},
    "cogs.help": {"help"},
    "cogs.mydata": {"mydata"},
    "cogs.notices": set(),
    "cogs.sleep": {"sleep"},
    "cogs.stretch": {"stretch"},
    "cogs.timezone": {"timezone"},
    "cogs.tips": {"rls"},
}


@pytest.fixture
async def bot(tmp_path: Path) -> RlsBot:
    return RlsBot(Settings(database_path=tmp_path / "x.sqlite3"))


def test_every_module_with_setup_is_discovered() -> None:
    assert set(walk_extensions()) == set(EXPECTED_COMMANDS)


async def test_each_extension_registers_its_commands(bot: RlsBot) -> None:
    for extension, expected in EXPECTED_COMMANDS.items():
        before = {c.name for c in bot.tree.get_commands()}
        await bot.load_extension(extension)
        added = {c.name for c in bot.tree.get_commands()} - before
        assert added == expected, extension


async def test_each_schedule_kind_has_a_renderer(bot: RlsBot) -> None:
    for extension in walk_extensions():
        await bot.load_extension(extension)
    assert set(bot.renderers) == {"stretch", "sleep", "server_tip"}


async def test_command_names_and_descriptions_follow_discord_rules(bot: RlsBot) -> None:
    for extension in walk_extensions():
        await bot.load_extension(extension)
    for command in bot.tree.walk_commands():
        assert command.name == command.name.lower()
        assert 1 <= len(command.name) <= 32
        assert 1 <= len(command.description) <= 100
        if isinstance(command, app_commands.Command):
            assert len(command.parameters) <= 25
