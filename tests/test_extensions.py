"""Every extension imports, and each registers what it should."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
from discord import app_commands

import cogs
from bot.client import RlsBot
from bot.extensions import walk_extensions
from bot.interactions import FormModal, OwnedView, OwnerOnlyItem
from bot.settings import Settings

# Top-level slash commands each extension must register; a new cog adds its line here.
EXPECTED_COMMANDS = {
    "cogs.config": {"config"},
    "cogs.help": {"help"},
    "cogs.labs": {"labs"},
    "cogs.meds": {"meds"},
    "cogs.mydata": {"mydata"},
    "cogs.notices": set(),
    "cogs.sleep": {"sleep"},
    "cogs.stretch": {"stretch"},
    "cogs.timezone": {"timezone"},
    "cogs.tips": {"rls"},
}


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[RlsBot]:
    bot = RlsBot(Settings(database_path=tmp_path / "x.sqlite3"), background_jobs=False)
    # Cogs register their renderers with the engine as they load, so it must exist.
    await bot.open_storage()
    yield bot
    await bot.db.close()  # only storage was opened: no gateway to close


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
    assert bot.engine.renderer_kinds() == {"stretch", "sleep", "server_tip", "med:", "labs:retest"}


async def test_command_names_and_descriptions_follow_discord_rules(bot: RlsBot) -> None:
    for extension in walk_extensions():
        await bot.load_extension(extension)
    for command in bot.tree.walk_commands():
        assert command.name == command.name.lower()
        assert 1 <= len(command.name) <= 32
        assert 1 <= len(command.description) <= 100
        if isinstance(command, app_commands.Command):
            assert len(command.parameters) <= 25


def test_every_handler_claims_its_interactions() -> None:
    """A click or form nothing claims is answered "expired" (bot/interactions.py,
    answer_unclaimed). Every view, form and dynamic item of the cogs must therefore be one of
    the claiming bases, or the person would get that answer as well as the real one."""
    bases = {
        discord.ui.DynamicItem: OwnerOnlyItem,
        discord.ui.Modal: FormModal,
        discord.ui.View: OwnedView,
    }
    found = 0
    for module in pkgutil.iter_modules(cogs.__path__, "cogs."):
        for _, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if not cls.__module__.startswith("cogs."):
                continue
            for ui_base, ours in bases.items():
                if issubclass(cls, ui_base):
                    found += 1
                    assert issubclass(cls, ours), f"{cls.__qualname__} is not an {ours.__name__}"
    assert found >= 6


async def test_the_daily_tip_renderer_belongs_to_the_tips_feature(bot: RlsBot) -> None:
    # /config only decides where and when the tip goes out; how it looks is the tips feature's.
    await bot.load_extension("cogs.config")
    assert bot.engine.renderer_kinds() == set()
    await bot.load_extension("cogs.tips")
    assert bot.engine.renderer_kinds() == {"server_tip"}


async def test_pause_notice_kinds_are_gathered_again_when_the_loaded_cogs_change(
    bot: RlsBot,
) -> None:
    await bot.load_extension("cogs.notices")
    notices = bot.get_cog("PauseNotices")
    first = notices._kinds()  # type: ignore[union-attr]
    assert first == {} and notices._kinds() is first  # type: ignore[union-attr]
    await bot.load_extension("cogs.stretch")
    assert "stretch" in notices._kinds()  # type: ignore[union-attr]
    await bot.reload_extension("cogs.stretch")
    assert "stretch" in notices._kinds()  # type: ignore[union-attr]
    await bot.unload_extension("cogs.stretch")
    assert notices._kinds() == {}  # type: ignore[union-attr]
