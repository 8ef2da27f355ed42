"""One console session: the emulator, the real bot, the people being played, and what they see.

Everything runs on one event loop. The console drives time: the bot is started without its
background scheduler, and after every action the console claims and sends due reminders itself,
so a script's output is the same on every run and nothing prints while the person is typing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import discord
from rich.console import Console
from rich.text import Text

from bot.client import RlsBot
from bot.clock import FakeClock
from bot.console.catalog import (
    CommandCatalog,
    CommandSpec,
    ConsoleError,
    OptionSpec,
    did_you_mean,
    nearest,
)
from bot.console.parsing import parse_command
from bot.console.render import Action, ModalField, modal_fields
from bot.console.screen import ErrorTap, Screen
from bot.console.timeflow import MAX_JUMP, NextReminder, describe, parse_target, zone_named
from bot.console.world import DEFAULT_USER, DemoWorld
from bot.emulator import (
    DiscordEmulator,
    EmuChannel,
    EmuGuild,
    EmuInteraction,
    EmuMessage,
    EmuUser,
)
from bot.emulator.interactions import (
    CALLBACK_DEFERRED_UPDATE,
    CALLBACK_MODAL,
    EmuCallback,
    reach,
)
from bot.emulator.permissions import Permissions
from bot.emulator.testing import running_client
from bot.formatting import plural
from bot.settings import Settings

log = logging.getLogger(__name__)

TOKEN = "console.offline.token-0123456789"
# Discord shows "The application did not respond" after 3 s; a little slack for slow machines.
REPLY_TIMEOUT = 5.0
# How long a handler may keep working after its first reply (charts, exports).
HANDLER_TIMEOUT = 60.0
# discord.py names the tasks that run a command, a component or a modal callback like this; the
# console waits for them so follow-ups and edits are shown with the reply they belong to.
_HANDLER_TASKS = (
    "CommandTree-invoker",
    "discord-ui-view-dispatch",
    "discord-ui-modal-dispatch",
    "discord-ui-dynamic-item",
    "discord.py: on_",
)
# Below the engine's 10-minute "late" mark, so reminders fire on time as the clock moves.
HEARTBEAT = timedelta(minutes=9)


class LineSource(Protocol):
    """Where lines come from: a script (echoed) or a person at a prompt."""

    interactive: bool

    async def command(self, prompt: str) -> str | None:
        """The next command line; None at the end of input."""
        ...

    async def field(self, prompt: str, default: str) -> str | None:
        """A value for one modal field (the default when left blank); None at the end."""
        ...


@dataclass(frozen=True)
class ConsoleConfig:
    database: Path | None = None
    start: datetime | None = None
    timezone: str = "UTC"  # for people who haven't told the bot theirs
    output: Path | None = None
    keep: bool = False  # keep the temporary output folder (files sent, the log) after exit


class Session:
    """The people, where they are, and every action they can take; the screen shows results."""

    def __init__(
        self,
        world: DemoWorld,
        bot: RlsBot,
        clock: FakeClock,
        console: Console,
        source: LineSource,
        options: ConsoleConfig,
        output: Path,
        errors: ErrorTap,
    ) -> None:
        self.world = world
        self.emu = world.emu
        self.bot = bot
        self.clock = clock
        self.console = console
        self.source = source
        self.output = output
        self.default_zone = zone_named(options.timezone)
        self.guild = world.guild
        self.moderators: set[int] = set()
        self.channel: EmuChannel | None = self.guild.channels[0]
        self.user = world.person(DEFAULT_USER)
        self.screen = Screen(
            world, console, output, errors, self.zone_of, lambda: self.user, clock.now
        )
        self.status_text = ""

    # -- people and places -------------------------------------------------------------------
    @property
    def users(self) -> dict[str, EmuUser]:
        return self.world.users

    def switch_user(self, name: str) -> EmuUser:
        locale = self.user.locale
        self.user = self.world.person(name)
        # Everyone the console plays speaks the language chosen with :locale.
        self.user.locale = locale
        return self.user

    def set_locale(self, code: str) -> str:
        """The Discord client language of the person (their interactions' ``locale``) and the
        demo server's preferred one (``guild_locale``), e.g. ``de`` or ``en-US``."""
        try:
            locale = discord.Locale(code.strip())
        except ValueError:
            known = ", ".join(sorted(item.value for item in discord.Locale))
            raise ConsoleError(f"Unknown locale {code!r}: one of {known}") from None
        self.user.locale = self.guild.locale = locale.value
        return f"Discord now runs in {locale.value} for {self.user.name} and {self.guild.name}."

    @property
    def is_moderator(self) -> bool:
        return self.user.id in self.moderators

    @property
    def permissions(self) -> int:
        return int(Permissions.manager if self.is_moderator else Permissions.default_member)

    @property
    def current_guild(self) -> EmuGuild | None:
        """The server of the channel the person is in (None in a DM or group DM)."""
        if self.channel is None or self.channel.guild_id is None:
            return None
        return self.emu.world.guilds.get(self.channel.guild_id)

    @property
    def account_only(self) -> bool:
        """The person added the bot to their own account and meets it through that alone."""
        return self.user.app_installed and not self.user.in_bot_server

    def where(self) -> str:
        if self.channel is None:
            return "DM"
        guild = self.current_guild
        if guild is None:
            return f"group DM {self.channel.name!r}"
        if guild is not self.guild:
            return f"{guild.name} #{self.channel.name}"
        return f"#{self.channel.name}"

    def install(self, how: str) -> str:
        """`:install user|server`: how the bot reaches the current person; what it means."""
        user = self.user
        if how == "user":
            self.emu.install_for_user(user, in_bot_server=False)
            if self.current_guild is self.guild:
                self.channel = self.world.other_guild.channels[0]
            return (
                f"{user.name} added RLS Companion to their own account (and is not in "
                f"{self.guild.name}): it answers them in its DM, in group DMs (:where private) "
                f"and in servers that never added it (:where server is {self.world.other_guild.name})."
            )
        user.app_installed = False
        user.in_bot_server = True
        if self.channel is not None and self.current_guild is not self.guild:
            self.channel = self.guild.channels[0]
        return f"{user.name} meets RLS Companion through {self.guild.name}, which added it."

    def prompt(self) -> str:
        mod = " (mod)" if self.is_moderator else ""
        return f"{self.user.name}{mod} in {self.where()} › "

    def go(self, place: str) -> None:
        wanted = place.strip().lower()
        if wanted in ("dm", "dms"):
            self.channel = None
        elif wanted in ("private", "group", "gdm"):
            friends = [u for u in self.users.values() if u is not self.user][:2]
            if not friends:
                friends = [self.world.person("bob" if self.user.name != "bob" else "alice")]
            self.channel = self.world.group_dm([self.user, *friends])
        elif wanted in ("server", "guild"):
            server = self.world.other_guild if self.account_only else self.guild
            self.channel = server.channels[0]
        else:
            self.channel = self.world.channel(wanted)

    def channel_names(self) -> list[str]:
        return [c.name for c in self.world.channels()]

    def error(self, message: str) -> None:
        self.screen.error(message)

    # -- commands ----------------------------------------------------------------------------
    def catalog(self) -> CommandCatalog:
        """The commands Discord would offer here: the server's own ones shadow global ones."""
        registered = self.emu.registered_commands(None)
        if self.current_guild is not None:
            local = self.emu.registered_commands(self.current_guild.id)
            names = {c["name"] for c in local}
            registered = local + [c for c in registered if c["name"] not in names]
        # Discord's client shows a German client the German names; the console takes both.
        return CommandCatalog(registered, self.user.locale)

    def resolve(self, option: OptionSpec, text: str) -> Any:
        """Users and channels named in options (``@bob``, ``#reminders``)."""
        if option.names_person:
            return self.world.find_person(text)
        if option.names_channel:
            if self.current_guild is None:
                raise ConsoleError(f"{option.name}: names a server channel; try :where server.")
            channel = self.world.channel(text)
            if option.channel_types and channel.type not in option.channel_types:
                raise ConsoleError(
                    f"#{channel.name} is not the kind of channel {option.name}: wants."
                )
            return channel
        raise ConsoleError(f"{option.name}: can't be given in the console.")

    async def run_command(self, line: str) -> None:
        invocation = parse_command(line, self.catalog(), self.resolve)
        command = invocation.command
        guild = self.current_guild
        if self.channel is None and not command.allowed_in_dm():
            raise ConsoleError(f"{command.display} only works in a server: try :where server.")
        if self.channel is not None and guild is None and not command.allowed_in_private():
            raise ConsoleError(f"{command.display} isn't offered in group DMs: try :where dm.")
        self._check_reach(command)
        if guild is not None:
            if not command.allowed_in_guild():
                raise ConsoleError(f"{command.display} only works in DMs: try :where dm.")
            missing = command.missing_permissions(self.permissions)
            if missing:
                raise ConsoleError(
                    f"Discord only shows {command.display} to members with "
                    f"{', '.join(missing)}; :mod on gives {self.user.name} Manage Server."
                )
        await self._interact(
            lambda: self.emu.slash(
                self.user,
                command.name,
                invocation.options,
                guild=guild,
                channel=self.channel,
                permissions=self.permissions,
            )
        )

    def _check_reach(self, command: CommandSpec) -> None:
        """Discord offers a command only where an install of the bot reaches the person."""
        guild = self.current_guild
        channel = self.channel or self.emu.world.dm_channel(self.user)
        if reach(self.user, guild, channel, list(command.integration_types)):
            return
        if guild is not None:
            raise ConsoleError(
                f"{command.display} comes with a server's own install, and {guild.name} hasn't "
                f"added the bot: try :where #{self.guild.channels[0].name} with :install server."
            )
        raise ConsoleError(
            "The bot answers in group DMs only people who added it to their own account: "
            ":install user."
        )

    async def autocomplete(
        self, command_name: str, options: dict[str, Any], focused: str
    ) -> list[dict[str, Any]]:
        """The bot's own suggestions for the option being typed (used by tab completion)."""
        guild = self.current_guild
        return await self.emu.autocomplete(
            self.user,
            command_name,
            options,
            focused=focused,
            guild=guild,
            channel=self.channel,
            permissions=self.permissions,
            timeout=2,
        )

    # -- components ----------------------------------------------------------------------------
    def _last_clickable(self) -> tuple[EmuMessage, list[Action]]:
        found = self.screen.last_clickable()
        if found is None:
            raise ConsoleError("No message with buttons or menus yet.")
        return found

    def clickable_actions(self) -> list[Action]:
        try:
            return self._last_clickable()[1]
        except ConsoleError:
            return []

    async def click(self, which: str) -> None:
        message, actions = self._last_clickable()
        buttons = [a for a in actions if a.kind == "button"]
        action = _pick(which, actions, buttons)
        if action.kind != "button":
            raise ConsoleError(f"{action.number} is a menu option: use :select {action.number}.")
        if action.disabled:
            raise ConsoleError(f"The button {action.label!r} is disabled.")
        await self._interact(
            lambda: self.emu.click(
                self.user, message, action.custom_id, permissions=self.permissions
            )
        )

    async def select(self, which: str) -> None:
        message, actions = self._last_clickable()
        options = [a for a in actions if a.kind == "option"]
        if not options:
            raise ConsoleError("The last message with components has no menu.")
        words = which.replace(",", " ").split()
        if words and all(w.isdigit() for w in words):
            chosen = [_pick(w, actions, options) for w in words]
        else:
            chosen = [_pick(which, actions, options)]
        if any(a.kind != "option" for a in chosen):
            raise ConsoleError("Those numbers include a button: use :click for buttons.")
        menus = {a.custom_id for a in chosen}
        if len(menus) > 1:
            raise ConsoleError("Pick options of one menu at a time.")
        first = chosen[0]
        if first.disabled:
            raise ConsoleError("That menu is disabled.")
        if not first.min_values <= len(chosen) <= first.max_values:
            span = (
                plural(first.max_values, "option")
                if first.min_values == first.max_values
                else f"{first.min_values} to {first.max_values} options"
            )
            raise ConsoleError(f"That menu takes {span}.")
        values = list(dict.fromkeys(a.value for a in chosen))
        await self._interact(
            lambda: self.emu.select(
                self.user, message, first.custom_id, values, permissions=self.permissions
            )
        )

    # -- modals --------------------------------------------------------------------------------
    async def _fill_modal(self, opened_by: EmuInteraction, callback: EmuCallback) -> None:
        fields = modal_fields(callback.data)
        heading = Text("📝 form ", style="bold yellow")
        heading.append(str(callback.title or ""), style="bold")
        hint = (
            "edit each suggestion and press Enter; Ctrl-C closes the form"
            if self.source.interactive
            else "one line per field; blank keeps the suggestion; :cancel closes the form"
        )
        heading.append(f"  ({hint})", style="dim")
        self.console.print(heading)
        values: dict[str, Any] = {}
        for field in fields:
            value = await self._ask(field)
            if value is None:
                self.console.print(Text("Form closed without sending.", style="yellow"))
                return
            values[field.custom_id] = value
        await self._interact(
            lambda: self.emu.submit_modal(
                self.user, opened_by, values, permissions=self.permissions
            )
        )

    async def _ask(self, field: ModalField) -> str | list[str] | None:
        prompt = f"  {field.label}"
        if not field.required:
            prompt += " (optional)"
        if field.is_select:
            for number, (label, _) in enumerate(field.options, 1):
                self.console.print(Text(f"    ({number}) {label}"))
            prompt += " [numbers]"
        while True:
            answer = await self.source.field(prompt + ": ", field.default)
            if answer is None or answer.strip() == ":cancel":
                return None
            try:
                return _field_value(field, answer)
            except ConsoleError as exc:
                self.error(exc.message)
                if not self.source.interactive:
                    return None

    # -- time ----------------------------------------------------------------------------------
    async def zone_of(self, user: EmuUser) -> ZoneInfo:
        """The zone the bot knows for ``user`` (timestamps show in it, as Discord does)."""
        profile = await self.bot.repos.users.get(user.id)
        if profile is not None and profile.timezone:
            with contextlib.suppress(ConsoleError):
                return zone_named(profile.timezone)
        return self.default_zone

    async def refresh_status(self) -> None:
        """The prompt's status bar: the emulated time where the current person lives."""
        zone = await self.zone_of(self.user)
        now = describe(self.clock.now(), zone)
        self.status_text = f" {now} · :help · Tab completes · Ctrl-D quits"

    async def move_time(self, spec: str) -> None:
        zone = await self.zone_of(self.user)
        now = self.clock.now()
        if not spec.strip():
            self.console.print(Text(f"🕑 It is {describe(now, zone)}.", style="bold"))
            return
        target = parse_target(spec, now, zone)
        if isinstance(target, NextReminder):
            found = await self._next_due(now, now + MAX_JUMP)
            if found is None:
                raise ConsoleError("No reminder is scheduled for anyone here.")
            target = found
        # Step from one due reminder to the next, so each is sent at its own time (not all at
        # the end, where they would count as late or be skipped). Schedules the console can't
        # list (a server's, or kinds added later) are caught by the regular small steps, which
        # stay under the engine's "late" mark.
        known = await self._next_due(now, target)
        while self.clock.now() < target:
            step = min(known or target, self.clock.now() + HEARTBEAT, target)
            self.clock.set(step)
            if await self._after_step(zone) or (known is not None and step >= known):
                # Only a claim or a send changes what is due next: look again only then.
                known = await self._next_due(step, target)
        self.console.print(Text(f"🕑 It is now {describe(target, zone)}.", style="bold"))

    async def _after_step(self, zone: ZoneInfo) -> bool:
        """Send what is due now and show it; True if anything was claimed or sent."""
        busy = await self._deliver_due()
        if self.screen.news():
            self.screen.note(f"🕑 {describe(self.clock.now(), zone)}")
        await self.screen.show_new()
        return busy

    async def _next_due(self, after: datetime, until: datetime) -> datetime | None:
        """The earliest reminder or snooze of any user here due in (after, until]."""
        reminders = self.bot.repos.reminders
        due: list[datetime] = []
        for user in self.users.values():
            for schedule in await reminders.user_schedules(user.id):
                if schedule.next_due is not None:
                    due.append(schedule.next_due)
                for delivery in await reminders.recent_deliveries(schedule.id, 10):
                    if delivery.status == "pending":
                        due.append(delivery.next_attempt_at)
        upcoming = [d for d in due if after < d <= until]
        return min(upcoming) if upcoming else None

    async def _deliver_due(self) -> bool:
        """What the bot's scheduler would do at this instant: claim due reminders, send them."""
        claimed = await self.bot.engine.tick()
        report = await self.bot.engine.drain()
        return bool(claimed or report.sent or report.failed or report.retried or report.skipped)

    # -- one interaction from start to finish ------------------------------------------------------
    async def _interact(self, send: Callable[[], Awaitable[EmuInteraction]]) -> None:
        before = asyncio.all_tasks()
        try:
            interaction = await send()
        except LookupError as exc:
            raise ConsoleError(str(exc)) from None
        callback: EmuCallback | None = None
        with contextlib.suppress(TimeoutError):
            callback = await interaction.response(timeout=REPLY_TIMEOUT)
        await self._wait_for_handlers(before)
        await self._deliver_due()
        quiet = not self.screen.news()
        await self.screen.show_new()
        if callback is not None and callback.type == CALLBACK_DEFERRED_UPDATE and quiet:
            # Discord shows nothing either; say so, or the person wonders whether it worked.
            self.screen.note("✓ the bot took that (nothing changed on screen)")
        if callback is None:
            self.error(f"The application did not respond (no answer within {REPLY_TIMEOUT:g} s).")
        elif callback.type == CALLBACK_MODAL:
            await self._fill_modal(interaction, callback)

    async def _wait_for_handlers(self, before: set[asyncio.Task[Any]]) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + HANDLER_TIMEOUT
        while True:
            pending = [
                task
                for task in asyncio.all_tasks()
                if task not in before
                and not task.done()
                and task.get_name().startswith(_HANDLER_TASKS)
            ]
            if not pending:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                self.error("The bot is still busy with that; its answer will show up later.")
                return
            await asyncio.wait(pending, timeout=remaining)


def _pick(which: str, actions: list[Action], preferred: list[Action]) -> Action:
    """An action by number, else by label (exact, then the closest) among ``preferred``."""
    text = which.strip()
    if not text:
        raise ConsoleError("Say which: a number or a label (e.g. :click 1).")
    if text.isdigit():
        number = int(text)
        for action in actions:
            if action.number == number:
                return action
        raise ConsoleError(f"There is no {number} on that message (1 to {len(actions)}).")
    for action in preferred:
        if action.label.lower() == text.lower():
            return action
    labels = [a.label for a in preferred]
    suggestion = nearest(text, labels)
    if suggestion is not None and suggestion.lower().startswith(text.lower()):
        return next(a for a in preferred if a.label == suggestion)
    listed = ", ".join(f"{a.number} {a.label}" for a in preferred)
    raise ConsoleError(f"Nothing called {text!r}{did_you_mean(suggestion)} (there is: {listed})")


def _field_value(field: ModalField, answer: str) -> str | list[str]:
    if field.is_select:
        picks = [w for w in answer.replace(",", " ").split() if w]
        if not picks:
            if field.required:
                raise ConsoleError(f"{field.label} needs a choice.")
            return []
        values = []
        for pick in picks:
            if not pick.isdigit() or not 1 <= int(pick) <= len(field.options):
                raise ConsoleError(f"Pick by number, 1 to {len(field.options)}.")
            values.append(field.options[int(pick) - 1][1])
        if len(values) > field.max_values:
            raise ConsoleError(f"{field.label} takes at most {field.max_values}.")
        return values
    if field.required and not answer.strip():
        raise ConsoleError(f"{field.label} is required.")
    if field.max_length is not None and len(answer) > field.max_length:
        raise ConsoleError(f"{field.label} takes at most {field.max_length} characters.")
    if answer and field.min_length is not None and len(answer) < field.min_length:
        raise ConsoleError(f"{field.label} needs at least {field.min_length} characters.")
    return answer


@contextlib.asynccontextmanager
async def open_session(
    options: ConsoleConfig, console: Console, source: LineSource, errors: ErrorTap
) -> AsyncIterator[Session]:
    """Start the emulator and the real bot, register the commands and set up the demo server."""
    output = options.output or Path(tempfile.mkdtemp(prefix="rls-console-"))
    output.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        roster: Path | None = None
        if options.database is not None:
            database = options.database
            roster = database.with_name(database.name + ".people")
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="rls-console-db-"))
            database = Path(folder) / "console.sqlite3"
        async with DiscordEmulator(validate=True) as emu:
            # Before the bot connects, so the server arrives with READY like on a real start.
            world = DemoWorld(emu, roster)
            # Everything that points somewhere or scales out is pinned: an operator's .env or
            # environment (DATABASE_URL, SHARD_COUNT, METRICS_PORT...) must not reach the console.
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                discord_token=TOKEN,  # type: ignore[arg-type]
                database_path=database,
                database_url=None,
                discord_api_base=emu.api_base,
                discord_gateway_url=emu.gateway_url,
                process_count=1,
                shard_count=None,
                shard_ids=None,
                metrics_port=None,
            )
            clock = FakeClock((options.start or datetime.now().astimezone()).replace(microsecond=0))
            bot = RlsBot(settings, clock=clock, background_jobs=False)
            async with running_client(emu, bot, token=TOKEN) as running:
                await running.tree.sync()
                # A reused database may hold deliveries leased by a run that was killed mid-send.
                await running.repos.reminders.release_leases()
                yield Session(world, running, clock, console, source, options, output, errors)
