"""The bot itself: its lifecycle from set-up to a clean shutdown."""

from __future__ import annotations

import logging

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord.ext import commands

from bot import __version__
from bot.clock import Clock, SystemClock
from bot.db import Database, Repositories, build_repositories, open_database
from bot.endpoints import point_discord_at
from bot.extensions import walk_extensions
from bot.interactions import NO_MENTIONS, RlsCommandTree
from bot.settings import Settings

log = logging.getLogger(__name__)


def bot_intents() -> discord.Intents:
    """Guild events only: no members, presences or message content (all privileged)."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


class RlsBot(commands.Bot):
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        background_jobs: bool = True,
        **options: object,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=bot_intents(),
            allowed_mentions=NO_MENTIONS,
            tree_cls=RlsCommandTree,
            activity=discord.CustomActivity(name="Try /help"),
            **options,  # type: ignore[arg-type]
        )
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        # sync-commands only needs the command tree, not the scheduler's jobs.
        self.background_jobs = background_jobs
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._db: Database | None = None
        self._repos: Repositories | None = None
        point_discord_at(settings.discord_api_base, settings.discord_gateway_url)

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("the database is opened in setup_hook")
        return self._db

    @property
    def repos(self) -> Repositories:
        if self._repos is None:
            raise RuntimeError("repositories are built in setup_hook")
        return self._repos

    async def setup_hook(self) -> None:
        log.info("rls-companion %s starting (%s)", __version__, self._describe_database())
        self._db = await open_database(self.settings)
        self._repos = build_repositories(self._db)
        if self.background_jobs:
            self.scheduler.start()
        for extension in walk_extensions():
            await self.load_extension(extension)
            log.debug("loaded %s", extension)
        log.info("loaded %d commands", len(self.tree.get_commands()))

    def _describe_database(self) -> str:
        if self.settings.database_url is not None:
            return "PostgreSQL"
        return f"SQLite at {self.settings.database_path}"

    async def on_ready(self) -> None:
        # May run many times (reconnects): only log here, never set up.
        log.info("connected as %s to %d servers", self.user, len(self.guilds))

    async def close(self) -> None:
        log.info("shutting down")
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        try:
            await super().close()
        finally:
            if self._db is not None:
                await self._db.close()
                self._db = None
