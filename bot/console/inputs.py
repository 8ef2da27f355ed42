"""Where the console's lines come from: a script on standard input, or a person at a prompt."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from typing import TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import InMemoryHistory
from rich.console import Console
from rich.text import Text

from bot.console.completion import Suggestion

PROMPT_STYLE = "bold cyan"


class ScriptSource:
    """Reads a script line by line and echoes it, so the output reads like a session."""

    interactive = False

    def __init__(self, stream: TextIO, console: Console) -> None:
        self._stream = stream
        self._console = console

    async def _line(self) -> str | None:
        # In a thread: a slow pipe must not stall the event loop the bot and emulator run on.
        line = await asyncio.to_thread(self._stream.readline)
        return None if line == "" else line.rstrip("\r\n")

    async def command(self, prompt: str) -> str | None:
        line = await self._line()
        if line is None:
            return None
        text = line.strip()
        if not text:
            self._console.print()
        elif text.startswith("#"):
            self._console.print(Text(text, style="dim"))
        else:
            echo = Text(prompt, style=PROMPT_STYLE)
            echo.append(text)
            self._console.print(echo)
        return text

    async def field(self, prompt: str, default: str) -> str | None:
        line = await self._line()
        if line is None:
            return None
        value = line.strip() or default
        echo = Text(prompt, style="cyan")
        echo.append(value)
        self._console.print(echo)
        return value


class _Completer(Completer):
    def __init__(self, complete: Callable[[str], Awaitable[list[Suggestion]]]) -> None:
        self._complete = complete

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        return []  # everything is asynchronous: the bot answers autocomplete over the emulator

    async def get_completions_async(
        self, document: Document, complete_event: CompleteEvent
    ) -> AsyncGenerator[Completion, None]:
        for suggestion in await self._complete(document.text_before_cursor):
            yield Completion(
                suggestion.text,
                start_position=suggestion.start,
                display=suggestion.display,
                display_meta=suggestion.meta,
            )


class InteractiveSource:
    """A prompt with history, tab completion and a status bar (prompt_toolkit, same event loop)."""

    interactive = True

    def __init__(
        self,
        complete: Callable[[str], Awaitable[list[Suggestion]]],
        status: Callable[[], str],
    ) -> None:
        self._commands: PromptSession[str] = PromptSession(
            history=InMemoryHistory(),
            completer=_Completer(complete),
            complete_while_typing=True,
            bottom_toolbar=status,
        )
        self._fields: PromptSession[str] = PromptSession()

    async def command(self, prompt: str) -> str | None:
        try:
            return await self._commands.prompt_async(prompt)
        except KeyboardInterrupt:
            return ""  # Ctrl-C abandons the line, like a shell
        except EOFError:
            return None

    async def field(self, prompt: str, default: str) -> str | None:
        try:
            return await self._fields.prompt_async(prompt, default=default)
        except (KeyboardInterrupt, EOFError):
            return None
