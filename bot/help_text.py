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


def command_path(
    command: app_commands.Command[Any, ..., Any] | app_commands.Group,
    name: Callable[[str, str], str | None] = lambda text, place: None,
) -> str:
    """``/sleep log`` as the reader sees it: ``name(english, place)`` gives a group's
    (``group_name``) or command's (``command_name``) name in their language, None for English."""
    words: list[str] = []
    current: app_commands.Command[Any, ..., Any] | app_commands.Group | None = command
    while current is not None:
        place = "group_name" if isinstance(current, app_commands.Group) else "command_name"
        words.append(name(current.name, place) or current.name)
        current = current.parent
    return "/" + " ".join(reversed(words))


def help_sections(
    commands: Iterable[AnyCommand],
    describe: Callable[[str], str] = str,
    name: Callable[[str, str], str | None] = lambda text, place: None,
) -> list[HelpSection]:
    """One section per feature (the cog that owns the command), commands in name order;
    ``describe`` turns a command's English description into the reader's language and
    ``name`` a group's or command's name (see :func:`command_path`)."""
    sections: dict[str, list[str]] = {}
    for top in sorted(commands, key=lambda c: c.qualified_name):
        # Context-menu commands have no slash name to list; they show in Discord's own menus.
        for command in _leaf_commands(top):
            cog = command.binding
            title = getattr(cog, "help_title", None) or (
                cog.__class__.__name__ if cog is not None else "General"
            )
            sections.setdefault(title, []).append(
                f"`{command_path(command, name)}` — {describe(command.description)}"
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
