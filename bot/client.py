"""The bot itself: its lifecycle from set-up to a clean shutdown."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import aiohttp
import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.clock import Clock, SystemClock
from bot.command_translator import CatalogTranslator
from bot.db import Database, Repositories, build_repositories, open_database
from bot.db.retention import prune_deliveries
from bot.db.sqlite import SqliteDatabase
from bot.discord_delivery import DiscordTransport
from bot.endpoints import point_discord_at
from bot.extensions import walk_extensions
from bot.health import HealthCheck
from bot.i18n.memory import LocaleMemory
from bot.interactions import NO_MENTIONS, RlsCommandTree, answer_unclaimed
from bot.metrics import BotMetrics
from bot.reminders.engine import EngineConfig, ReminderEngine
from bot.reminders.pacing import DM_OPEN_ROUTE, TokenBucket, pacing_route
from bot.settings import Settings
from bot.usecases import Context

log = logging.getLogger(__name__)

# Old deliveries are pruned at start and then four times a day (DELIVERY_RETENTION_DAYS).
PRUNE_EVERY_HOURS = 6


def bot_intents() -> discord.Intents:
    """Guild events only: no members, presences or message content (all privileged)."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


# Every command works wherever a person meets the bot: in servers that added it, and, once someone
# added it to their own account ("Add to my apps"), in their DM with it, in group DMs and in any
# server. Commands that belong to a server (/config) narrow this themselves.
EVERYWHERE = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True)
BOTH_INSTALLS = app_commands.AppInstallationType(guild=True, user=True)


def shard_options(settings: Settings) -> dict[str, Any]:
    """Only what was configured: absent options keep discord.py's automatic sharding."""
    options: dict[str, Any] = {}
    if settings.shard_count is not None:
        options["shard_count"] = settings.shard_count
    if settings.shard_id_list is not None:
        options["shard_ids"] = settings.shard_id_list
    return options


_CHANNEL_PATH = re.compile(r"/channels/(\d+)")


def limited_route(path: str, headers: Mapping[str, str]) -> str | None:
    """What a 429 limits: None for the whole bot (a global limit), else the route it named.
    Discord's buckets are per route and its major parameter (the channel), so a busy reminder
    channel answers 429 for itself, and DMs to other people are unaffected."""
    scope = headers.get("X-RateLimit-Scope", "").lower()
    if scope == "global" or headers.get("X-RateLimit-Global", "").lower() == "true":
        return None
    if match := _CHANNEL_PATH.search(path):
        return pacing_route(int(match[1]))
    if path.endswith("/users/@me/channels"):
        return DM_OPEN_ROUTE
    return path


def rate_limit_feedback(pacer: TokenBucket) -> aiohttp.TraceConfig:
    """Tell the pacer about every 429 Discord sends, so the sender backs off even when something
    else (another process, a proxy) shares the token's global limit."""

    async def on_request_end(
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestEndParams,
    ) -> None:
        if params.response.status != 429:
            return
        # Interaction callbacks and webhooks are outside the global limit the pacer guards.
        if "/interactions/" in params.url.path or "/webhooks/" in params.url.path:
            return
        headers = params.response.headers
        try:
            retry_after = float(
                headers.get("X-RateLimit-Reset-After") or headers.get("Retry-After") or 1
            )
        except ValueError:
            retry_after = 1.0
        pacer.penalise(retry_after, route=limited_route(params.url.path, headers))

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_request_end)
    return trace


class RlsBot(commands.AutoShardedBot):
    """The bot. Without SHARD_COUNT discord.py picks the shard count Discord recommends and runs
    them all in this process; with SHARD_COUNT/SHARD_IDS several processes split the shards."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        background_jobs: bool = True,
        **options: object,
    ) -> None:
        # Paces every message the reminder sender makes; 429s slow it down (see above).
        pacer = TokenBucket(settings.send_rate)
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=bot_intents(),
            allowed_mentions=NO_MENTIONS,
            tree_cls=RlsCommandTree,
            allowed_contexts=EVERYWHERE,
            allowed_installs=BOTH_INSTALLS,
            activity=discord.CustomActivity(name="Try /help"),
            http_trace=rate_limit_feedback(pacer),
            **shard_options(settings),
            **options,  # type: ignore[arg-type]
        )
        self.settings = settings
        self.pacer = pacer
        self.clock: Clock = clock or SystemClock()
        # sync-commands only needs the command tree, not the scheduler's jobs.
        self.background_jobs = background_jobs
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._db: Database | None = None
        self._repos: Repositories | None = None
        self._engine: ReminderEngine | None = None
        self._tick_task: asyncio.Task[object] | None = None
        self._shutdown: asyncio.Future[None] | None = None
        self.metrics = BotMetrics()
        self.health = HealthCheck(
            gateway_connected=self._gateway_connected,
            database_answers=self._database_answers,
            tick_seconds=settings.reminder_tick_seconds,
        )
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

    @property
    def engine(self) -> ReminderEngine:
        if self._engine is None:
            raise RuntimeError("the reminder engine is built in setup_hook")
        return self._engine

    @property
    def usecases(self) -> Context:
        """What the use cases (bot/usecases) work with: the cogs call them with this."""
        return Context(self.repos, self.engine)

    async def open_storage(self) -> None:
        """The database, its repositories and the reminder engine: what the cogs need to load
        (they register their renderers with the engine)."""
        self._db = await open_database(self.settings)
        self._repos = build_repositories(self._db)
        self.user_locales = LocaleMemory(self._repos.users)
        self.guild_locales = LocaleMemory(self._repos.guild_settings)
        self._engine = ReminderEngine(
            self._repos.reminders,
            self._repos.users,
            self.clock,
            DiscordTransport(
                self,
                self._repos.reminders,
                # Late-bound: the engine is built around this transport, and the cogs register
                # their renderers with it as they load.
                lambda kind: self.engine.renderer(kind),
                self.pacer,
            ),
            EngineConfig(
                skip_after=timedelta(minutes=self.settings.reminder_skip_after_minutes),
                lease=timedelta(seconds=self.settings.reminder_lease_seconds),
                # About ten seconds of sending, and never more than half a lease's worth.
                lease_batch=max(
                    1,
                    int(
                        self.settings.send_rate * min(10, self.settings.reminder_lease_seconds / 2)
                    ),
                ),
            ),
            self.metrics,
        )

    async def setup_hook(self) -> None:
        log.info("rls-companion %s starting (%s)", __version__, self._describe_database())
        await self.open_storage()
        for extension in walk_extensions():
            await self.load_extension(extension)
            log.debug("loaded %s", extension)
        log.info("loaded %d commands", len(self.tree.get_commands()))
        # Command names and descriptions in the person's language, sent when commands are synced;
        # the replies name commands the same way (the German catalog's msgstr, tests/i18n).
        await self.tree.set_translator(CatalogTranslator(names=True))
        # Last: the first tick may send at once, and every kind's renderer is registered by now.
        if self.background_jobs:
            await self._start_reminders()

    async def _start_reminders(self) -> None:
        if isinstance(self._db, SqliteDatabase):
            # One process owns an SQLite file, so any lease left is from our own previous run
            # that died mid-send: resend those now (with their nonces) instead of after expiry.
            released = await self.repos.reminders.release_leases()
            if released:
                log.warning("resending %d deliveries interrupted by the last shutdown", released)
        # One interval job claims every due schedule: APScheduler never holds a job per user.
        # No misfire grace: a tick that runs late still claims, the engine labels lateness.
        self.scheduler.add_job(
            self._tick,
            "interval",
            seconds=self.settings.reminder_tick_seconds,
            id="reminder-tick",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),
        )
        self.scheduler.add_job(
            self._prune,
            "interval",
            hours=PRUNE_EVERY_HOURS,
            id="prune-deliveries",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),
        )
        self.scheduler.start()
        self.engine.start_sender()
        self.engine.wake()
        if self.settings.metrics_port is not None:
            await self.metrics.serve(
                self.settings.metrics_host, self.settings.metrics_port, self.health
            )
            self.metrics.start_lag_probe()

    async def _tick(self) -> None:
        # Tracked so close() can let a running claim finish before the database closes.
        self._tick_task = asyncio.current_task()
        try:
            await self.engine.tick()
            self.health.tick_finished()
        except Exception:
            log.exception("reminder tick failed; the next tick will try again")
        finally:
            self._tick_task = None

    async def _prune(self) -> None:
        cutoff = self.clock.now() - timedelta(days=self.settings.delivery_retention_days)
        try:
            await prune_deliveries(self.db, cutoff)
        except Exception:
            log.exception("pruning old deliveries failed; the next run will try again")

    def _gateway_connected(self) -> bool:
        return (
            self.is_ready()
            and not self.is_closed()
            and all(not shard.is_closed() for shard in self.shards.values())
        )

    async def _database_answers(self) -> None:
        async with self.db.connection() as conn:
            await conn.execute("SELECT 1")

    def _describe_database(self) -> str:
        if self.settings.database_url is not None:
            return "PostgreSQL"
        return f"SQLite at {self.settings.database_path}"

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        self.metrics.interaction(interaction.type.name)
        # A click or form nothing takes any more (a view that timed out or belonged to a
        # previous run, a button gone from its message) gets an answer, not "This interaction
        # failed".
        await answer_unclaimed(interaction)

    async def on_app_command_completion(
        self, interaction: discord.Interaction, command: object
    ) -> None:
        await self.remember_locales(interaction)

    async def remember_locales(self, interaction: discord.Interaction) -> None:
        """The person's language for their reminders; the server's for its posts, from /config
        (a moderator's command: the server's preferred language is theirs to set). Only after a
        command that succeeded: bad input changes nothing, not even this."""
        if self._repos is None:
            return
        now = self.clock.now()
        await self.user_locales.note(interaction.user.id, interaction.locale.value, now)
        command = interaction.command
        if (
            interaction.guild_id is not None
            and interaction.guild_locale is not None
            and command is not None
            and command.qualified_name.split(" ")[0] == "config"
        ):
            await self.guild_locales.note(interaction.guild_id, interaction.guild_locale.value, now)

    async def on_ready(self) -> None:
        # May run many times (reconnects): only log here, never set up.
        log.info("connected as %s to %d servers", self.user, len(self.guilds))

    async def __aexit__(self, *exc_info: object) -> None:
        # discord.py's own __aexit__ waits only for its part of close() (gateway and HTTP) when a
        # close has begun, so leaving `async with` after a SIGTERM ended the event loop while our
        # shutdown still closed the database: cancelled there, the database thread could be left
        # running and the process hung at exit. Wait for the whole shutdown.
        await self.close()

    async def close(self) -> None:
        # close() can be called twice at once (a signal, then leaving `async with`): the
        # second caller waits for the first shutdown instead of repeating it.
        if self._shutdown is None:
            self._shutdown = asyncio.ensure_future(self._close_once())
        await asyncio.shield(self._shutdown)

    async def _close_once(self) -> None:
        log.info("shutting down")
        if self.scheduler.running:
            # Pause first and let a running claim finish: shutting the scheduler down cancels
            # its running jobs, which would abandon a claim halfway (it would roll back, but
            # only to be redone at the next start).
            self.scheduler.pause()
            if self._tick_task is not None:
                await asyncio.wait([self._tick_task], timeout=10)
            self.scheduler.shutdown(wait=False)
        if self._engine is not None:
            await self._engine.stop_sender()
        await self.metrics.stop_lag_probe()
        await self.metrics.stop_serving()
        try:
            await super().close()
        finally:
            if self._db is not None:
                await self._db.close()
                self._db = None
        log.info("shut down cleanly")
