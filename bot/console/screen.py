"""The console's view of what the bot sent: each new, edited or deleted message drawn once.

The emulator keeps every message the bot created; after each step the screen draws what changed,
labelled with where it went (a reply, a DM, a channel post), saves attachments to files, and
remembers which messages have buttons for ``:click`` and ``:select``.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.text import Text

from bot.console.markup import Reader
from bot.console.render import Action, SavedFile, actions_of, draw_message, only_changes
from bot.console.world import DemoWorld
from bot.emulator import EmuAttachment, EmuMessage, EmuUser
from bot.emulator.state import CHANNEL_DM, CHANNEL_GROUP_DM


class ErrorTap(logging.Handler):
    """Collects the bot's error log lines so the console can point at them after each step."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Screen:
    def __init__(
        self,
        world: DemoWorld,
        console: Console,
        output: Path,
        errors: ErrorTap,
        zone_of: Callable[[EmuUser], Awaitable[ZoneInfo]],
        viewer: Callable[[], EmuUser],
        now: Callable[[], datetime],
    ) -> None:
        self.world = world
        self.emu = world.emu
        self.console = console
        self.output = output
        self._errors = errors
        self._errors_seen = len(errors.records)
        self._violations_seen = len(self.emu.violations)
        self._zone_of = zone_of
        self._viewer = viewer
        self._now = now
        # Message id -> (edits seen, deleted) when last drawn, so only news is drawn.
        self._shown: dict[int, tuple[int, bool]] = {}
        # Messages with components, most recently drawn last: the target of :click / :select.
        self._clickable: list[int] = []
        self._saved: dict[int, SavedFile] = {}
        # What each message looked like when drawn, to show only the changes of an edit.
        self._drawn: dict[int, dict[str, Any]] = {}

    def error(self, message: str) -> None:
        self.console.print(Text(f"✖ {message}", style="bold red"))

    def note(self, message: str) -> None:
        self.console.print(Text(message, style="dim"))

    def news(self) -> list[EmuMessage]:
        found = []
        for message in list(self.emu.world.messages.values()):
            if self._shown.get(message.id) == (len(message.history), message.deleted):
                continue
            if message.loading and not message.deleted:
                continue  # "is thinking…": drawn once the bot edits in its answer
            found.append(message)
        return found

    async def show_new(self) -> None:
        """Draw every message the bot created, edited or deleted since the last call."""
        for message in self.news():
            seen_before = message.id in self._shown
            self._shown[message.id] = (len(message.history), message.deleted)
            if message.deleted:
                if seen_before:
                    self.note(f"🗑  the bot deleted {self._place(message)}")
                continue
            await self._draw(message, edited=seen_before)
        self._report_problems()

    def last_clickable(self) -> tuple[EmuMessage, list[Action]] | None:
        """The latest message with components that the person acting now can see: not someone
        else's ephemeral reply or DM (Discord shows those to nobody else, so nobody else can
        press them; a later one of theirs must not hide the person's own)."""
        for message_id in reversed(self._clickable):
            message = self.emu.world.messages.get(message_id)
            if message is not None and not message.deleted and self._sees(message):
                actions = actions_of(message.components)
                if actions:
                    return message, actions
        return None

    async def _draw(self, message: EmuMessage, *, edited: bool) -> None:
        audience = self._audience(message)
        reader = Reader(
            user_name=self.world.user_name,
            channel_name=self.world.channel_name,
            zone=await self._zone_of(audience),
            now=self._now(),
            locale=audience.locale,
        )
        body = copy.deepcopy(
            {"content": message.content, "embeds": message.embeds, "components": message.components}
        )
        before = self._drawn.get(message.id)
        self._drawn[message.id] = body
        shown = only_changes(before, body) if edited and before is not None else body
        files = [
            self._save(a) for a in message.attachments if a.id not in self._saved or not edited
        ]
        drawing = draw_message(shown, self._header(message, edited), reader, files)
        self.console.print()
        for part in drawing.parts:
            self.console.print(part, crop=False)
        if edited and before is not None and before["components"] and not body["components"]:
            self.note("  (its buttons are gone)")
        if drawing.actions:
            with contextlib.suppress(ValueError):
                self._clickable.remove(message.id)
            self._clickable.append(message.id)

    def _audience(self, message: EmuMessage) -> EmuUser:
        """Who reads the message: timestamps are shown in their timezone, as Discord does."""
        interaction = self.emu.world.interactions.get(message.interaction_id or 0)
        if interaction is not None:
            user: EmuUser = interaction.user
            return user
        channel = self.emu.world.channels.get(message.channel_id)
        if channel is not None and channel.type == CHANNEL_DM and channel.recipient_id:
            return self.emu.world.users[channel.recipient_id]
        return self._viewer()

    def _sees(self, message: EmuMessage) -> bool:
        viewer = self._viewer()
        if message.ephemeral:
            interaction = self.emu.world.interactions.get(message.interaction_id or 0)
            return interaction is None or interaction.user.id == viewer.id
        channel = self.emu.world.channels.get(message.channel_id)
        if channel is not None and channel.type == CHANNEL_DM and channel.recipient_id:
            return channel.recipient_id == viewer.id
        return True

    def _place(self, message: EmuMessage) -> str:
        channel = self.emu.world.channels.get(message.channel_id)
        if channel is None:
            return "a message"
        if channel.type == CHANNEL_DM:
            return f"its DM to {self.world.user_name(channel.recipient_id or 0)}"
        return f"its message in #{channel.name}"

    def _header(self, message: EmuMessage, edited: bool) -> Text:
        channel = self.emu.world.channels.get(message.channel_id)
        in_dm = channel is not None and channel.type == CHANNEL_DM
        where = "DM" if in_dm else f"#{channel.name if channel else '?'}"
        if channel is not None and channel.type == CHANNEL_GROUP_DM:
            where = f"the group DM {channel.name!r}"
        interaction = self.emu.world.interactions.get(message.interaction_id or 0)
        header = Text("● rls-companion", style="bold green")
        if edited:
            header.append(" edited its message", style="bold")
        if interaction is not None:
            header.append(f" → reply to {interaction.user.name} in {where}")
        elif in_dm and channel is not None:
            header.append(f" → DM to {self.world.user_name(channel.recipient_id or 0)}")
        else:
            header.append(f" → posted in {where}")
        if message.ephemeral:
            header.append(" (only you can see this)", style="italic dim")
        if edited:
            header.append(" · changes only", style="dim")
        return header

    def _save(self, attachment: EmuAttachment) -> SavedFile:
        saved = self._saved.get(attachment.id)
        if saved is None:
            safe = re.sub(r"[^A-Za-z0-9._-]", "_", attachment.filename) or "file"
            path = self.output / f"{len(self._saved) + 1:02d}-{safe}"
            path.write_bytes(attachment.data)
            saved = SavedFile(attachment.filename, path, len(attachment.data))
            self._saved[attachment.id] = saved
        return saved

    def _report_problems(self) -> None:
        """Bot errors and bodies Discord would reject are worth knowing about while trying it."""
        for record in self._errors.records[self._errors_seen :]:
            first = record.getMessage().splitlines()[0]
            log_file = self.output / "bot.log"
            self.console.print(
                Text(f"⚠ the bot logged an error: {first} (details in {log_file})", style="yellow")
            )
        self._errors_seen = len(self._errors.records)
        for violation in self.emu.violations[self._violations_seen :]:
            self.console.print(Text(f"⚠ Discord would reject this: {violation}", style="yellow"))
        self._violations_seen = len(self.emu.violations)
