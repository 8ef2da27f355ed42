"""Console fixtures: a real session (emulator + the real bot) with the test playground loaded."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from bot.console.screen import ErrorTap
from bot.console.session import ConsoleConfig, Session, open_session
from tests.console.playground import Playground
from tests.e2e.conftest import remembering_validator

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday; 13:00 in Berlin


class Answers:
    """Modal answers a test queues up, read like the lines of a script."""

    interactive = False

    def __init__(self) -> None:
        self.lines: list[str] = []

    async def command(self, prompt: str) -> str | None:
        raise AssertionError("tests call run_line directly")

    async def field(self, prompt: str, default: str) -> str | None:
        if not self.lines:
            return None
        return self.lines.pop(0) or default


class Played:
    """A console session plus what it printed."""

    def __init__(self, session: Session, out: io.StringIO, answers: Answers) -> None:
        self.session = session
        self.out = out
        self.answers = answers
        self._read = 0

    def printed(self) -> str:
        """Output since the last call."""
        text = self.out.getvalue()
        new, self._read = text[self._read :], len(text)
        return new


@pytest.fixture
async def played(tmp_path: Path) -> AsyncIterator[Played]:
    out = io.StringIO()
    console = Console(file=out, width=100, emoji=False, highlight=False, markup=False)
    answers = Answers()
    options = ConsoleConfig(start=START, output=tmp_path / "out")
    (tmp_path / "out").mkdir()
    async with open_session(options, console, answers, ErrorTap()) as session:
        await session.bot.add_cog(Playground())
        session.emu.validator = remembering_validator  # see tests/e2e/conftest.py
        await session.bot.tree.sync()
        yield Played(session, out, answers)
