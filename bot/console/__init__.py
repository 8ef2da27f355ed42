"""``rls-companion console``: try the whole bot offline, playing the Discord users yourself.

The real bot runs against the local Discord emulator in one process, with its own database and a
clock that moves only when told to. Lines come from a prompt, or from standard input as a script.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TextIO

from rich.console import Console

from bot.console.catalog import ConsoleError
from bot.console.repl import console_main
from bot.console.session import ConsoleConfig
from bot.console.timeflow import zone_named

__all__ = ["build_parser", "run_console"]


def _instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date and time") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("give a timezone, e.g. 2026-03-02T12:00+00:00")
    return moment


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rls-companion console",
        description=(
            "Try the bot offline: the real bot against a local Discord emulator. Type slash "
            "commands as Discord shows them; :help lists the console's own commands. With "
            "standard input from a file, runs it as a script and exits."
        ),
    )
    parser.add_argument(
        "--database",
        type=Path,
        metavar="PATH",
        help="SQLite file to use and keep (default: a temporary one, deleted on exit)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="DIR",
        help="where files the bot sends and its log go, kept after exit (default: a new "
        "temporary folder, removed on exit unless --keep)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary folder of files the bot sent and its log after exit",
    )
    parser.add_argument(
        "--timezone",
        default="UTC",
        metavar="ZONE",
        help="timezone for people who haven't told the bot theirs (default: UTC)",
    )
    parser.add_argument(
        "--start",
        type=_instant,
        metavar="ISO",
        help="start the emulated clock here, e.g. 2026-03-02T12:00+00:00 (default: now)",
    )
    return parser


def run_console(
    argv: Sequence[str], *, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> int:
    """Run the console; returns the exit code. ``stdin``/``stdout`` are for tests."""
    args = build_parser().parse_args(list(argv))
    stream = stdin if stdin is not None else sys.stdin
    console = Console(file=stdout, emoji=False, highlight=False, markup=False)
    try:
        zone_named(args.timezone)
    except ConsoleError as exc:
        console.print(exc.message)
        return 2
    options = ConsoleConfig(args.database, args.start, args.timezone, args.output, args.keep)
    interactive = stream.isatty()
    try:
        return asyncio.run(console_main(options, console, stream, interactive))
    except KeyboardInterrupt:
        return 130
