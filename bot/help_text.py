"""Builds the /help listing from the command tree itself, so it can never go stale."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from discord import app_commands

FIELD_LIMIT = 1024


@dataclass(frozen=True)
class HelpSection:
    title: str
    lines: list[str]


AnyCommand = app_commands.Command[Any, ..., Any] | app_commands.Group | app_commands.ContextMenu


def _leaf_commands(command: AnyCommand) -> Iterable[app_commands.Command[Any, ..., Any]]:
    if isinstance(command, app_commands.Group):
        for child in command.commands:
            yield from _leaf_commands(child)
    elif isinstance(command, app_commands.Command):
        yield command


def help_sections(
    commands: Iterable[AnyCommand], describe: Callable[[str], str] = str
) -> list[HelpSection]:
    """One section per feature (the cog that owns the command), commands in name order;
    ``describe`` turns a command's English description into the reader's language."""
    sections: dict[str, list[str]] = {}
    for top in sorted(commands, key=lambda c: c.qualified_name):
        # Context-menu commands have no slash name to list; they show in Discord's own menus.
        for command in _leaf_commands(top):
            cog = command.binding
            title = getattr(cog, "help_title", None) or (
                cog.__class__.__name__ if cog is not None else "General"
            )
            sections.setdefault(title, []).append(
                f"`/{command.qualified_name}` — {describe(command.description)}"
            )
    return [HelpSection(title, lines) for title, lines in sections.items()]


def field_chunks(lines: list[str]) -> list[str]:
    """Split lines into embed-field values that each fit Discord's 1024-character limit."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > FIELD_LIMIT and current:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks
