"""The read–run loop: slash commands go to the bot, ``:`` commands drive the console itself."""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from bot.console.catalog import ConsoleError, did_you_mean, nearest
from bot.console.completion import Suggestion, complete
from bot.console.inputs import InteractiveSource, ScriptSource
from bot.console.screen import ErrorTap
from bot.console.session import ConsoleConfig, LineSource, Session, open_session
from bot.console.timeflow import describe
from bot.console.world import CHANNELS, SERVER_NAME
from bot.db import DatabaseOpenError, MigrationError

log = logging.getLogger(__name__)

# (name, usage, what it does): the one list behind :help, dispatch and completion.
META: list[tuple[str, str, str]] = [
    ("help", ":help [/command]", "this help, or one command's options (/help is the bot's)"),
    ("as", ":as NAME", "act as another person (created on first use)"),
    ("mod", ":mod on|off", "give the current person Manage Server in the demo server"),
    ("where", ":where dm|private|server|#channel", "where your next commands are used"),
    ("install", ":install user|server", "the bot on your own account, or via the server"),
    ("time", ":time +2h | 17:30 [ZONE] | next", "move the clock; reminders due on the way fire"),
    ("locale", ":locale de|en-US|...", "your Discord language (and the demo server's)"),
    ("click", ":click N|LABEL", "press a button on the latest message that has some"),
    ("select", ":select N [M ...]", "pick options of a menu on that message"),
    ("quit", ":quit", "leave (Ctrl-D does too)"),
]
_QUIT = {"quit", "exit", "q"}


def _two_columns(rows: list[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    for left, right in rows:
        table.add_row(Text(left, style="bold"), Text(right))
    return table


def print_help(session: Session, topic: str) -> None:
    console = session.console
    if topic.startswith("/"):
        command, _ = session.catalog().resolve(topic[1:].split())
        # Names and descriptions as the person's client shows them (German with :locale de).
        console.print(Text(command.usage(), style="bold"))
        console.print(Text(command.shown_description))
        rows = []
        for option in command.options:
            what = f"{option.type_name}, {'required' if option.required else 'optional'}"
            if option.choices:
                what += ", one of " + ", ".join(option.shown_choices)
            if option.autocomplete:
                what += ", Tab suggests"
            rows.append((f"  {option.shown_name}:", f"{option.shown_description} ({what})"))
        if rows:
            console.print(_two_columns(rows))
        return
    console.print(Text("Console commands", style="bold underline"))
    console.print(_two_columns([(usage, what) for _, usage, what in META]))
    console.print(Text(f"\nBot commands here ({session.where()})", style="bold underline"))
    commands = sorted(session.catalog().commands, key=lambda command: command.display)
    console.print(_two_columns([(c.display, c.shown_description) for c in commands]))
    console.print(
        Text(
            "\nOptions are name:value; values may contain spaces (quote one that contains "
            "another name:). :help /command shows its options. Times in replies are shown in "
            "the timezone the bot knows for you.",
            style="dim",
        )
    )


async def run_line(session: Session, line: str) -> bool:
    """Run one line; False when the person asked to leave."""
    if line.startswith("/"):
        await session.run_command(line)
        return True
    if not line.startswith(":"):
        first = line.split()[0].lower()
        guess = nearest(first, [c.path[0] for c in session.catalog().commands])
        hint = f" — did you mean /{guess}?" if guess else ""
        raise ConsoleError(f"Commands start with / or :{hint} (:help lists them)")
    name, _, argument = line[1:].partition(" ")
    name, argument = name.lower(), argument.strip()
    if name in _QUIT:
        session.console.print(Text("Bye.", style="dim"))
        return False
    if name == "help":
        print_help(session, argument)
    elif name == "as":
        if not argument:
            raise ConsoleError("Who? e.g. :as bob")
        known = argument.lower().lstrip("@") in session.users
        user = session.switch_user(argument)
        note = "" if known else " (new user)"
        session.console.print(Text(f"You are now {user.name}{note}.", style="bold"))
    elif name == "mod":
        if argument not in ("on", "off"):
            raise ConsoleError("Use :mod on or :mod off.")
        (session.moderators.add if argument == "on" else session.moderators.discard)(
            session.user.id
        )
        state = "has" if argument == "on" else "no longer has"
        session.console.print(
            Text(f"{session.user.name} {state} Manage Server in {SERVER_NAME}.", style="bold")
        )
    elif name == "install":
        if argument not in ("user", "server"):
            raise ConsoleError("Use :install user (your own account) or :install server.")
        session.console.print(Text(session.install(argument), style="bold"))
    elif name == "where":
        if argument:
            session.go(argument)
        session.console.print(Text(f"You are in {session.where()}.", style="bold"))
    elif name == "time":
        await session.move_time(argument)
    elif name == "locale":
        if not argument:
            session.console.print(Text(f"Discord runs in {session.user.locale}.", style="bold"))
        else:
            session.console.print(Text(session.set_locale(argument), style="bold"))
    elif name == "click":
        await session.click(argument)
    elif name == "select":
        await session.select(argument)
    else:
        suggestion = nearest(name, [n for n, _, _ in META])
        raise ConsoleError(
            f"Unknown console command :{name}{did_you_mean(suggestion and ':' + suggestion)}"
        )
    return True


async def loop(session: Session, source: LineSource) -> None:
    while True:
        await session.refresh_status()
        line = await source.command(session.prompt())
        if line is None:
            return
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            if not await run_line(session, line):
                return
        except ConsoleError as exc:
            session.error(exc.message)
        except Exception as exc:  # a console bug must not end a session the person built up
            log.exception("console failed on %r", line)
            session.error(f"The console hit a problem ({type(exc).__name__}: {exc}); see bot.log.")


@contextlib.contextmanager
def logs_to(path: Path, tap: ErrorTap) -> Iterator[None]:
    """Send log lines to a file while the console owns the terminal; errors also to ``tap``."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root.handlers[:] = [handler, tap]
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        handler.close()
        root.handlers[:], root.level = saved


def banner(session: Session, interactive: bool) -> Text:
    channels = ", ".join(f"#{c}" for c in CHANNELS)
    now = describe(session.clock.now(), session.default_zone)
    text = Text("RLS Companion console", style="bold green")
    text.append(": the real bot and a local stand-in for Discord, no account needed.\n")
    text.append(
        f"Server {SERVER_NAME!r} ({channels}); you are {session.user.name} in {session.where()}.\n"
    )
    text.append(f"Clock: {now}; it only moves with :time.\n")
    text.append(f"Files the bot sends, and its log: {session.output}\n")
    tab = ", Tab completes" if interactive else ""
    text.append(f"/help lists the bot's commands, :help the console's{tab}.", style="dim")
    return text


async def console_main(
    options: ConsoleConfig, console: Console, stream: TextIO, interactive: bool
) -> int:
    temporary = options.output is None
    output = options.output or Path(tempfile.mkdtemp(prefix="rls-console-"))
    try:
        output.mkdir(parents=True, exist_ok=True)
        return await _console_in(
            ConsoleConfig(options.database, options.start, options.timezone, output, options.keep),
            console,
            stream,
            interactive,
        )
    finally:
        # A folder the console made for itself goes with it (it can hold charts and reports of
        # made-up sleep data, and one per run adds up); --output or --keep keep it.
        if temporary and not options.keep:
            sent = [p for p in output.iterdir() if p.name != "bot.log"] if output.is_dir() else []
            shutil.rmtree(output, ignore_errors=True)
            if sent:
                # The file paths were shown during the session: say they are gone, and how not.
                console.print(
                    Text(
                        f"Removed {output} with the {len(sent)} file"
                        f"{'s' if len(sent) != 1 else ''} the bot sent; --keep or --output DIR "
                        "keeps them.",
                        style="dim",
                    )
                )


async def _console_in(
    options: ConsoleConfig, console: Console, stream: TextIO, interactive: bool
) -> int:
    assert options.output is not None
    output = options.output
    tap = ErrorTap()
    session: Session | None = None

    async def completions(text: str) -> list[Suggestion]:
        if session is None:
            return []
        return await complete(text, session, [(n, what) for n, _, what in META])

    source: LineSource
    if interactive:
        source = InteractiveSource(completions, lambda: session.status_text if session else "")
    else:
        source = ScriptSource(stream, console)
    with logs_to(output / "bot.log", tap):
        try:
            async with open_session(options, console, source, tap) as opened:
                session = opened
                console.print(banner(session, interactive))
                await loop(session, source)
        except (DatabaseOpenError, MigrationError) as exc:
            console.print(Text(f"Database problem: {exc}", style="bold red"))
            return 2
        except OSError as exc:  # e.g. a --database folder that cannot be created
            console.print(Text(f"Could not start the console: {exc}", style="bold red"))
            return 1
    return 0
