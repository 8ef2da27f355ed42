"""The layering the README promises: domain logic and storage are plain Python; only cogs/, the
client and the Discord adapters speak Discord. Checked on the source's imports, so a shortcut
through discord.py in the domain fails here rather than in review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"
DOMAIN = [
    *sorted((BOT / "scheduling").glob("*.py")),
    *sorted((BOT / "reminders").glob("*.py")),
    *sorted((BOT / "sleep").glob("*.py")),
    *sorted((BOT / "clinical").glob("*.py")),
    *sorted((BOT / "db").glob("*.py")),
    *sorted((BOT / "i18n").glob("*.py")),
    *sorted((BOT / "usecases").glob("*.py")),
    BOT / "tips.py",
    BOT / "routines.py",
    BOT / "guild_config.py",
    BOT / "clock.py",
    BOT / "errors.py",
]


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", DOMAIN, ids=lambda p: str(p.relative_to(BOT.parent)))
def test_domain_modules_do_not_import_discord_or_cogs(path: Path) -> None:
    leaks = {
        name
        for name in imported_modules(path)
        if name.split(".")[0] in {"discord", "cogs"} or name in {"bot.client", "bot.interactions"}
    }
    assert leaks == set()


# discord.py's private attributes that the bot once reached into; a minor release may move them
# (pyproject.toml pins the minor release tested). The emulator's test harness is not the bot.
PRIVATE_DISCORD = ("_view_store", "_dynamic_items", "_connection", "_views", "_modals")


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in sorted([*BOT.rglob("*.py"), *(BOT.parent / "cogs").rglob("*.py")])
        if "emulator" not in p.parts
    ],
    ids=lambda p: str(p.relative_to(BOT.parent)),
)
def test_no_private_discord_py_attributes(path: Path) -> None:
    used = {
        node.attr
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.Attribute) and node.attr in PRIVATE_DISCORD
    }
    assert used == set()


# User actions that go through bot/usecases (one transaction each): a cog doing them on storage or
# on the engine itself would bypass the use case. (owner attribute, method) as written in a cog.
ACTIONS_IN_USECASES = {
    ("diary", "save"),  # save a night
    ("user_data", "delete_all"),  # delete my data
    ("engine", "change_zone"),  # change zone
    ("engine", "remind"),  # set a stretch reminder
    ("engine", "remind_once"),  # a one-off reminder (/labs add retest_in:)
    ("meds", "add"),  # add a medicine
    ("meds", "record_dose"),  # Taken / Skipped / /meds taken
    ("meds", "stop"),  # stop a medicine
    ("labs", "save"),  # save a lab value (with its retest reminder)
    ("guild_settings", "update"),  # any /config change (audited)
    ("guild_settings", "delete"),  # leaving a server
    ("reminders", "delete_server_schedules"),  # tips off, leaving a server
    ("reminders", "move_channel_targets"),  # moving the reminder channel
}


def test_the_config_cog_reaches_storage_only_through_use_cases() -> None:
    """/config's changes (and its clean-ups when a channel or the server goes) are use cases; the
    cog imports neither storage nor the settings change helper."""
    leaks = {
        name
        for name in imported_modules(BOT.parent / "cogs" / "config.py")
        if name.startswith("bot.db")
    }
    source = (BOT.parent / "cogs" / "config.py").read_text()
    assert leaks == set() and "change_settings" not in source


COGS = sorted((BOT.parent / "cogs").glob("*.py"))


@pytest.mark.parametrize("path", COGS, ids=lambda p: str(p.relative_to(BOT.parent)))
def test_cogs_do_user_actions_through_the_use_cases(path: Path) -> None:
    bypasses = {
        (node.value.attr, node.attr)
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Attribute)
        and (node.value.attr, node.attr) in ACTIONS_IN_USECASES
    }
    assert bypasses == set()
