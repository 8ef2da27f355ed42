"""`rls-companion` / `python -m bot`: parse the command line, load settings, run one subcommand."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sqlite3
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any

import discord

from bot import __version__
from bot.db import DatabaseOpenError, MigrationError
from bot.db.sqlite import backup_file
from bot.db.transfer import TransferError
from bot.formatting import plural
from bot.logging_setup import configure_logging, secrets_of
from bot.settings import Settings, SettingsError, load_settings, unknown_settings
from bot.shutdown_watch import report_if_stuck

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_CONFIG = 2

NO_TOKEN_HELP = """\
DISCORD_TOKEN is not set, so the bot cannot log in to Discord.

To get a token:
  1. Open https://discord.com/developers/applications and create an application.
  2. Under "Bot", reset/copy the token.
  3. Put it in a file named .env next to this project:  DISCORD_TOKEN=your-token
     (or export DISCORD_TOKEN in your shell).

No Discord account at hand? `rls-companion console` will let you try the bot offline."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rls-companion",
        description="A Discord bot for Restless Legs Syndrome communities.",
    )
    parser.add_argument("--version", action="version", version=f"rls-companion {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="start the bot (the default)")
    sync = sub.add_parser("sync-commands", help="register the slash commands with Discord")
    sync.add_argument(
        "--guild", type=int, metavar="ID", help="register to one server only (instant; for testing)"
    )
    backup = sub.add_parser("backup", help="copy the live SQLite database safely")
    backup.add_argument("path", type=Path, help="where to write the copy")
    backup.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    console = sub.add_parser("console", help="try the bot offline, without a Discord account")
    console.add_argument("--database", metavar="PATH", help="keep the console's data in this file")
    transfer = sub.add_parser(
        "migrate-to-postgres", help="copy an SQLite database into the empty DATABASE_URL one"
    )
    transfer.add_argument(
        "--from", dest="source", type=Path, required=True, metavar="PATH", help="SQLite file"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["console"]:  # the console parses its own options and needs no settings
        from bot.console import run_console

        return run_console(arguments[1:])
    args = build_parser().parse_args(arguments)
    command = args.command or "run"
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG
    database_url = settings.database_url.get_secret_value() if settings.database_url else None
    configure_logging(
        settings.log_level, secrets_of(settings.token, database_url), settings.log_format
    )
    unknown = unknown_settings()
    if unknown:
        log.warning("ignoring unknown setting(s) in .env: %s", ", ".join(unknown))

    if command == "run":
        return _run(settings)
    if command == "sync-commands":
        return _sync_commands(settings, args.guild)
    if command == "backup":
        return _backup(settings, args.path, force=args.force)
    if command == "migrate-to-postgres":
        return _migrate_to_postgres(settings, args.source)
    raise AssertionError(command)


def _need_token(settings: Settings) -> str | None:
    if settings.token is None:
        print(NO_TOKEN_HELP, file=sys.stderr)
    return settings.token


def _run(settings: Settings) -> int:
    token = _need_token(settings)
    if token is None:
        return EXIT_CONFIG
    return asyncio.run(_guarded(_run_bot(settings, token)))


async def _run_bot(settings: Settings, token: str) -> None:
    from bot.client import RlsBot

    async with RlsBot(settings) as bot:
        loop = asyncio.get_running_loop()

        def stop() -> None:
            report_if_stuck(loop)
            # Kept referenced: the event loop holds only weak references to tasks.
            stopping.append(asyncio.ensure_future(bot.close()))

        stopping: list[asyncio.Future[None]] = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop)
        await bot.start(token)


def _sync_commands(settings: Settings, guild_id: int | None) -> int:
    token = _need_token(settings)
    if token is None:
        return EXIT_CONFIG
    return asyncio.run(_guarded(_sync(settings, token, guild_id)))


async def _sync(settings: Settings, token: str, guild_id: int | None) -> None:
    from bot.client import RlsBot

    async with RlsBot(settings, background_jobs=False) as bot:
        await bot.login(token)
        if guild_id is None:
            registered = await bot.tree.sync()
            where = "globally (Discord may take up to an hour to show changes)"
        else:
            guild = discord.Object(id=guild_id)
            bot.tree.copy_global_to(guild=guild)
            registered = await bot.tree.sync(guild=guild)
            where = f"to server {guild_id}"
        print(f"Registered {plural(len(registered), 'command')} {where}:")
        for command in sorted(registered, key=lambda c: c.name):
            print(f"  /{command.name} — {command.description}")


async def _guarded(work: Coroutine[Any, Any, None]) -> int:
    """Turn the failures an operator can fix into one clear line and exit code 2."""
    try:
        await work
    except discord.LoginFailure:
        print(
            "Discord rejected DISCORD_TOKEN (HTTP 401). Copy a fresh token from the developer "
            "portal's Bot page.",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    except discord.PrivilegedIntentsRequired:
        print("Discord refused the gateway intents requested.", file=sys.stderr)
        return EXIT_CONFIG
    except (DatabaseOpenError, MigrationError, TransferError) as exc:
        print(f"Database problem: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except OSError as exc:
        print(f"Could not connect: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK


def _migrate_to_postgres(settings: Settings, source: Path) -> int:
    if settings.database_url is None:
        print("Set DATABASE_URL to the (empty) PostgreSQL database to copy into.", file=sys.stderr)
        return EXIT_CONFIG
    if not source.is_file():
        print(f"{source} does not exist.", file=sys.stderr)
        return EXIT_CONFIG
    dsn = settings.database_url.get_secret_value()
    return asyncio.run(_guarded(_transfer(source, dsn)))


async def _transfer(source: Path, dsn: str) -> None:
    from bot.db.postgres import PostgresDatabase
    from bot.db.transfer import copy_sqlite_to_postgres

    target = await PostgresDatabase.open(dsn)
    try:
        copied = await copy_sqlite_to_postgres(source, target)
    finally:
        await target.close()
    for table in copied:
        print(f"  {table.table}: {plural(table.rows, 'row')}")
    total = plural(sum(t.rows for t in copied), "row")
    print(f"Copied {total} in {plural(len(copied), 'table')}; counts match.")


def _backup(settings: Settings, destination: Path, *, force: bool) -> int:
    if settings.database_url is not None:
        print(
            "DATABASE_URL points at PostgreSQL: back it up with pg_dump instead.", file=sys.stderr
        )
        return EXIT_CONFIG
    if destination.is_dir():
        print(
            f"{destination} is a folder; give the backup's file name, "
            f"e.g. {destination / 'rls-companion.sqlite3'}.",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    if destination.exists() or destination.is_symlink():
        if not force:
            print(f"{destination} already exists; pass --force to overwrite it.", file=sys.stderr)
            return EXIT_CONFIG
        if not destination.is_file() or destination.is_symlink():
            print(
                f"{destination} is not a regular file; --force only replaces an earlier backup.",
                file=sys.stderr,
            )
            return EXIT_CONFIG
    if destination.resolve() == settings.database_path.resolve():
        print("The backup path must differ from DATABASE_PATH.", file=sys.stderr)
        return EXIT_CONFIG
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        report = backup_file(settings.database_path, destination)
    except DatabaseOpenError as exc:
        print(f"Backup failed: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except OSError as exc:
        reason = exc.strerror or str(exc)
        print(f"Backup failed: cannot write {destination} ({reason}).", file=sys.stderr)
        return EXIT_CONFIG
    except sqlite3.Error as exc:
        print(f"Backup failed: {exc}.", file=sys.stderr)
        return EXIT_CONFIG
    for table, rows in report.tables.items():
        print(f"  {table}: {plural(rows, 'row')}")
    print(
        f"Backed up {settings.database_path} to {destination}: {plural(report.rows, 'row')} in "
        f"{plural(len(report.tables), 'table')}, integrity checked, counts match."
    )
    return EXIT_OK
