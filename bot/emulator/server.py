"""``DiscordEmulator``: a loopback Discord (REST + gateway) for tests and the offline console."""

# ruff: noqa: ASYNC109 - the public test API takes ``timeout=`` arguments by design.

from __future__ import annotations

import collections
import logging
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from bot.emulator import interactions as ix
from bot.emulator.commands import CommandRegistry
from bot.emulator.gateway import Gateway
from bot.emulator.interactions import EmuCallback, EmuInteraction
from bot.emulator.permissions import Permissions
from bot.emulator.pipeline import make_middleware
from bot.emulator.records import FaultRule, RecordedRequest, Violation
from bot.emulator.rest import RestApi
from bot.emulator.state import (
    CHANNEL_DM,
    CHANNEL_TEXT,
    EmuChannel,
    EmuGuild,
    EmuMessage,
    EmuUser,
    World,
)
from bot.emulator.validation import SpecValidator, shared_validator
from bot.emulator.waiters import Feed

log = logging.getLogger(__name__)

MessageLike = EmuMessage | EmuCallback


_LIMIT_EXEMPT = ("/interactions/", "/webhooks/")


class DiscordEmulator:
    """A fake Discord on 127.0.0.1 that discord.py talks to over real HTTP and websockets."""

    def __init__(self, *, validate: bool = True, host: str = "127.0.0.1", port: int = 0) -> None:
        self.validate = validate
        self.validator: SpecValidator = shared_validator()
        self.world = World()
        self.commands = CommandRegistry(self.world)
        self.gateway = Gateway(self.world, lambda: self.gateway_url, self._gateway_changed)
        self.recommended_shards = 1
        self.latency = 0.0
        self.reject_token = False
        # Discord's global limit (requests per second per bot); None = unlimited. Interaction
        # callbacks and webhooks are exempt, as on Discord.
        self.global_rate_limit: int | None = None
        self._recent_limited: collections.deque[float] = collections.deque()
        self.global_limit_hits = 0
        self.violations: list[Violation] = []
        # Exceptions raised inside the emulator's own handlers (tests should assert it's empty).
        self.internal_errors: list[str] = []
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._requests: Feed[RecordedRequest] = Feed()
        self._messages: Feed[EmuMessage] = Feed()
        self._gateway_events: Feed[str] = Feed()
        self._faults: list[FaultRule] = []
        self._interactions_by_token: dict[str, EmuInteraction] = {}

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application(middlewares=[make_middleware(self)], client_max_size=64 * 1024**2)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._download)
        RestApi(self).add_routes(app)
        # Short shutdown timeout: open gateway sockets must not hold up stop().
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self.world.http_base = f"http://{self._host}:{self._port}"
        log.info("Discord emulator listening on %s", self.world.http_base)

    async def stop(self) -> None:
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- addresses and identity --------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._port

    @property
    def api_base(self) -> str:
        return f"http://{self._host}:{self._port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self._host}:{self._port}/gateway"

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def bot_user_id(self) -> int:
        return self.world.bot_user.id

    # -- records -----------------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        return self._requests.items

    @property
    def unknown_requests(self) -> list[RecordedRequest]:
        """Requests to routes the emulator does not implement (answered 404)."""
        return [r for r in self.requests if r.route_template is None]

    @property
    def identify_payloads(self) -> list[dict[str, Any]]:
        return self.gateway.identify_payloads

    @property
    def resume_count(self) -> int:
        return self.gateway.resume_count

    def requests_to(self, method: str, route_template: str) -> list[RecordedRequest]:
        return [
            r
            for r in self.requests
            if r.method == method and route_template in (r.route_template, r.path)
        ]

    async def wait_for_request(
        self,
        method: str,
        route_template: str,
        *,
        timeout: float = 5,
        predicate: Callable[[RecordedRequest], bool] | None = None,
    ) -> RecordedRequest:
        """The next matching request (each is returned once per method+route)."""

        def matches(r: RecordedRequest) -> bool:
            same_route = route_template in (r.route_template, r.path)
            return r.method == method and same_route and (predicate is None or predicate(r))

        return await self._requests.wait(
            matches, timeout=timeout, cursor=("req", method, route_template), what="request"
        )

    def registered_commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        return self.commands.in_scope(guild_id)

    # -- the world ---------------------------------------------------------------------------
    def add_user(self, name: str) -> EmuUser:
        return self.world.add_user(name)

    def add_guild(
        self,
        name: str,
        channels: list[str] | None = None,
        *,
        bot_permissions: int | None = None,
        installed: bool = True,
    ) -> EmuGuild:
        """A server with text channels; joining after READY dispatches GUILD_CREATE.

        `installed=False`: a server that never added the bot (no GUILD_CREATE, no channel
        access), where only people who added the app to their accounts can use it."""
        guild = self.world.add_guild(name, channels if channels is not None else ["general"])
        guild.installed = installed
        if bot_permissions is not None:
            guild.bot_permissions = int(bot_permissions)
        if self.gateway.sessions and installed:
            payload = self.world.guild_create_payload(guild, joined=True)
            self.gateway.dispatch("GUILD_CREATE", payload, guild.id)
        return guild

    def add_channel(
        self,
        guild: EmuGuild,
        name: str,
        type: int = CHANNEL_TEXT,
        *,
        parent: EmuChannel | None = None,
        bot_allow: int = 0,
        bot_deny: int = 0,
    ) -> EmuChannel:
        """Add a channel (0 text, 2 voice, 4 category, 11 public thread, 15 forum...).

        ``bot_allow``/``bot_deny`` become a member permission overwrite for the bot.
        """
        channel = self.world.add_channel(guild, name, type, parent=parent)
        if bot_allow or bot_deny:
            channel.overwrites.append((self.bot_user_id, int(bot_allow), int(bot_deny), 1))
        if self.gateway.sessions:
            event = "THREAD_CREATE" if type in (10, 11, 12) else "CHANNEL_CREATE"
            self.gateway.dispatch(event, channel.payload(self.world), guild.id)
        return channel

    def add_group_dm(self, name: str, members: list[EmuUser]) -> EmuChannel:
        """A group DM between people; the bot is not in it, but an app a member added to their
        account answers its commands there (context PRIVATE_CHANNEL)."""
        return self.world.add_group_dm(name, members)

    def install_for_user(self, user: EmuUser, *, in_bot_server: bool | None = None) -> None:
        """`user` adds the app to their account ("Add to my apps"). `in_bot_server=False`: they
        share no server with the bot, so only their own install reaches them."""
        user.app_installed = True
        if in_bot_server is not None:
            user.in_bot_server = in_bot_server

    def close_dms(self, user: EmuUser, *, code: int = 50007) -> None:
        """DMs to this user now fail with 403 and `code`: 50007 like a user who closed their DMs,
        50001 as reported for some who only added the app to their account."""
        user.dms_closed = True
        user.dm_refusal_code = code

    def open_dms(self, user: EmuUser) -> None:
        user.dms_closed = False

    def delete_channel(self, guild: EmuGuild, channel: EmuChannel) -> None:
        channel.deleted = True
        self.gateway.dispatch("CHANNEL_DELETE", channel.payload(self.world), guild.id)

    def remove_guild(self, guild: EmuGuild) -> None:
        """The bot was kicked: GUILD_DELETE without ``unavailable``."""
        guild.removed = True
        self.gateway.dispatch("GUILD_DELETE", {"id": str(guild.id)}, guild.id)

    # -- faults ------------------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        route: str,
        *,
        status: int = 429,
        retry_after: float = 0.2,
        global_: bool = False,
        times: int = 1,
        code: int = 0,
        message: str | None = None,
        scope: str | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status`` instead of handling them.

        ``route`` is an OpenAPI path template ("/channels/{channel_id}/messages") or a concrete
        path below the API base. ``scope`` sets a 429's X-RateLimit-Scope ("shared": a busy
        channel; default "global" or "user").
        """
        rule = FaultRule(
            method.upper(), route, status, times, retry_after, global_, code, message, scope
        )
        self._faults.append(rule)

    def _global_retry_after(self, template: str) -> float | None:
        """Seconds to wait if this request would break the global limit, else None."""
        if self.global_rate_limit is None or template.startswith(_LIMIT_EXEMPT):
            return None
        now = time.monotonic()
        window = self._recent_limited
        while window and now - window[0] >= 1.0:
            window.popleft()
        if len(window) >= self.global_rate_limit:
            return 1.0 - (now - window[0])
        window.append(now)
        return None

    def _take_fault(self, method: str, template: str | None, path: str) -> FaultRule | None:
        for rule in self._faults:
            if rule.times > 0 and rule.matches(method, template, path):
                rule.times -= 1
                if rule.times == 0:
                    self._faults.remove(rule)
                return rule
        return None

    def set_latency(self, seconds: float) -> None:
        """Delay every REST response by ``seconds``."""
        self.latency = seconds

    async def drop_gateway(self, code: int = 4000) -> None:
        """Close the gateway connections abnormally so discord.py reconnects and RESUMEs."""
        await self.gateway.drop(code)

    # -- gateway waits -----------------------------------------------------------------------
    def _gateway_changed(self) -> None:
        self._gateway_events.notify()

    async def wait_for_identify(self, timeout: float = 10, *, count: int = 1) -> dict[str, Any]:
        """The latest IDENTIFY payload once ``count`` were sent (setup_hook is done by then)."""
        await self._gateway_events.wait_until(
            lambda: len(self.identify_payloads) >= count, timeout=timeout, what="IDENTIFY"
        )
        return self.identify_payloads[-1]

    async def wait_until_ready(self, timeout: float = 10, *, shards: int = 1) -> None:
        """READY and every GUILD_CREATE have been sent to ``shards`` sessions."""
        await self._gateway_events.wait_until(
            lambda: self.gateway.ready_count >= shards, timeout=timeout, what="READY"
        )

    async def wait_for_resume(self, count: int = 1, timeout: float = 10) -> None:
        await self._gateway_events.wait_until(
            lambda: self.resume_count >= count, timeout=timeout, what="RESUME"
        )

    # -- interactions ------------------------------------------------------------------------
    def interaction_by_token(self, token: str) -> EmuInteraction | None:
        return self._interactions_by_token.get(token)

    def _send_interaction(self, interaction: EmuInteraction) -> EmuInteraction:
        self.world.interactions[interaction.id] = interaction
        self._interactions_by_token[interaction.token] = interaction
        guild_id = interaction.guild.id if interaction.guild else None
        delivered = self.gateway.dispatch("INTERACTION_CREATE", interaction.payload, guild_id)
        if not delivered:
            raise RuntimeError(
                "no gateway session receives this interaction: is the bot connected?"
            )
        return interaction

    def _where(
        self, user: EmuUser, guild: EmuGuild | None, channel: EmuChannel | None
    ) -> EmuChannel:
        if guild is None:
            if channel is not None and channel.guild_id is not None:
                raise LookupError(f"#{channel.name} is a server channel: pass its guild too")
            return channel if channel is not None else self.world.dm_channel(user)
        if channel is not None:
            return channel
        return next(c for c in guild.channels if c.type == CHANNEL_TEXT and not c.deleted)

    def _command_interaction(
        self,
        kind: int,
        user: EmuUser,
        name: str,
        options: dict[str, Any] | None,
        guild: EmuGuild | None,
        channel: EmuChannel | None,
        permissions: int,
        focused: str | None = None,
        stale_client: bool = False,
    ) -> EmuInteraction:
        command, *path = name.split()
        registered = self.commands.find(command, guild.id if guild else None)
        where = self._where(user, guild, channel)
        owners = self._command_owners(user, guild, where, command, registered, stale_client)
        wire_options, resolved = ix.build_command_options(
            self.world, guild, registered, path, options or {}, focused
        )
        data: dict[str, Any] = {
            "id": registered["id"] if registered else str(self.world.ids.next()),
            "name": command,
            "type": 1,
            "options": wire_options,
        }
        if resolved:
            data["resolved"] = resolved
        if registered is not None and "guild_id" in registered:
            data["guild_id"] = registered["guild_id"]
        interaction = EmuInteraction(
            self.world,
            type=kind,
            user=user,
            channel=where,
            guild=guild,
            data=data,
            permissions=int(permissions),
            owners=owners,
        )
        return self._send_interaction(interaction)

    def _command_owners(
        self,
        user: EmuUser,
        guild: EmuGuild | None,
        channel: EmuChannel,
        command: str,
        registered: dict[str, Any] | None,
        stale_client: bool,
    ) -> dict[str, str] | None:
        """Who authorises `user` to run /command here, or LookupError where Discord's client
        would not offer it: the command is not registered for this context, or neither a server
        install nor the person's own install reaches them here.

        `stale_client` sends it anyway, as a client with an outdated command list would, so a
        test can check the bot's own refusal."""
        if registered is None:
            return None  # not synced: the emulator knows nothing to check against
        context = (
            ix.CONTEXT_GUILD
            if guild is not None
            else ix.CONTEXT_BOT_DM
            if channel.type == CHANNEL_DM
            else ix.CONTEXT_PRIVATE_CHANNEL
        )
        types = registered.get("integration_types") or [0]
        contexts = registered.get("contexts")
        if contexts is None:
            # Discord's default: every context, but private channels only for user installs.
            contexts = [0, 1, 2] if 1 in types else [0, 1]
        if stale_client:
            return ix.reach(user, guild, channel, [0, 1]) or ix.default_owners(guild, user)
        if context not in contexts:
            raise LookupError(f"/{command} is not registered for context {context} ({contexts})")
        if context == ix.CONTEXT_PRIVATE_CHANNEL and 1 not in types:
            raise LookupError(f"/{command} reaches private channels only when user-installable")
        owners = ix.reach(user, guild, channel, types)
        if not owners:
            raise LookupError(
                f"{user.name} cannot use /{command} here: no server install nor their own "
                f"install reaches them (integration_types {types})"
            )
        return owners

    async def slash(
        self,
        user: EmuUser,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        guild: EmuGuild | None = None,
        channel: EmuChannel | None = None,
        permissions: int = Permissions.default_member,
        stale_client: bool = False,
    ) -> EmuInteraction:
        """Run ``/name`` ("group sub" names nest as sub-command options); DM when no guild.

        ``channel`` may be a group DM (:meth:`add_group_dm`). Like Discord's client, it refuses
        (LookupError) a command not registered for the place or install that reaches the
        person there; ``stale_client`` sends it anyway (an outdated client)."""
        return self._command_interaction(
            ix.TYPE_APPLICATION_COMMAND,
            user,
            name,
            options,
            guild,
            channel,
            permissions,
            stale_client=stale_client,
        )

    async def autocomplete(
        self,
        user: EmuUser,
        name: str,
        options: dict[str, Any],
        *,
        focused: str,
        guild: EmuGuild | None = None,
        channel: EmuChannel | None = None,
        permissions: int = Permissions.default_member,
        timeout: float = 5,
    ) -> list[dict[str, Any]]:
        """The choices the bot offers while ``focused`` is being typed."""
        interaction = self._command_interaction(
            ix.TYPE_AUTOCOMPLETE, user, name, options, guild, channel, permissions, focused
        )
        callback = await interaction.response(timeout)
        if callback.type != ix.CALLBACK_AUTOCOMPLETE:
            raise AssertionError(f"autocomplete answered with callback type {callback.type}")
        return callback.choices

    def _component_interaction(
        self,
        user: EmuUser,
        target: MessageLike,
        custom_id: str,
        values: list[str] | None,
        permissions: int,
        stale: bool = False,
    ) -> EmuInteraction:
        message = target.message if isinstance(target, EmuCallback) else target
        if message is None:
            raise LookupError("that callback created no message")
        component = ix.find_component(message, custom_id, earlier=stale)
        if component.get("disabled"):
            raise LookupError(f"component {custom_id!r} is disabled")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        if values is not None:
            if component["type"] == 3:
                allowed = {o.get("value") for o in component.get("options") or []}
                unknown = set(values) - allowed
                if unknown:
                    raise LookupError(f"select {custom_id!r} has no options {sorted(unknown)}")
            data["values"] = values
        channel = self.world.channels[message.channel_id]
        guild = self.world.guilds.get(channel.guild_id or 0)
        # A reply's components are authorised like the command it answered; a message the bot
        # posted itself (a DM reminder) by whatever install reaches the person there.
        earlier = self.world.interactions.get(message.interaction_id or 0)
        owners = earlier.owners if earlier is not None else ix.reach(user, guild, channel)
        interaction = EmuInteraction(
            self.world,
            type=ix.TYPE_COMPONENT,
            user=user,
            channel=channel,
            guild=guild,
            data=data,
            permissions=int(permissions),
            source_message=message,
            owners=owners or None,
        )
        return self._send_interaction(interaction)

    async def click(
        self,
        user: EmuUser,
        message: MessageLike,
        custom_id: str,
        *,
        permissions: int = Permissions.default_member,
        stale: bool = False,
    ) -> EmuInteraction:
        """Press a button on a message the bot sent. `stale`: a button the person's screen still
        shows though an edit has removed it (a double tap); as on Discord, the interaction
        carries the message as it is now."""
        return self._component_interaction(user, message, custom_id, None, permissions, stale)

    async def select(
        self,
        user: EmuUser,
        message: MessageLike,
        custom_id: str,
        values: list[str],
        *,
        permissions: int = Permissions.default_member,
    ) -> EmuInteraction:
        """Pick ``values`` in a select menu on a message the bot sent."""
        return self._component_interaction(user, message, custom_id, list(values), permissions)

    async def submit_modal(
        self,
        user: EmuUser,
        opened_by: EmuInteraction,
        values: dict[str, Any],
        *,
        permissions: int = Permissions.default_member,
        timeout: float = 5,
    ) -> EmuInteraction:
        """Fill in and submit the modal the bot showed in answer to ``opened_by``."""
        callback = await opened_by.response(timeout)
        if callback.type != ix.CALLBACK_MODAL:
            raise LookupError(f"interaction was answered with type {callback.type}, not a modal")
        data = {
            "custom_id": callback.custom_id,
            "components": ix.modal_submit_components(callback.data, values),
        }
        interaction = EmuInteraction(
            self.world,
            type=ix.TYPE_MODAL_SUBMIT,
            user=user,
            channel=opened_by.channel,
            guild=opened_by.guild,
            data=data,
            permissions=int(permissions),
            source_message=opened_by.source_message,
            owners=opened_by.owners,
        )
        return self._send_interaction(interaction)

    # -- messages ----------------------------------------------------------------------------
    def messages_in(self, channel_id: int | EmuChannel) -> list[EmuMessage]:
        """Every message the bot created in the channel (posts, responses, follow-ups)."""
        wanted = channel_id.id if isinstance(channel_id, EmuChannel) else channel_id
        return [m for m in self.world.messages.values() if m.channel_id == wanted and not m.deleted]

    def dms_to(self, user: EmuUser) -> list[EmuMessage]:
        """Messages the bot posted to its DM channel with ``user`` (not interaction replies)."""
        channel = self.world.dm_channels.get(user.id)
        if channel is None:
            return []
        return [m for m in self.messages_in(channel.id) if m.kind == "channel"]

    async def wait_for_message(
        self, channel_id: int | EmuChannel | None = None, timeout: float = 5
    ) -> EmuMessage:
        """The next message the bot POSTed to a channel (DMs included), each returned once."""
        wanted = channel_id.id if isinstance(channel_id, EmuChannel) else channel_id
        return await self._messages.wait(
            lambda m: m.kind == "channel" and wanted in (None, m.channel_id),
            timeout=timeout,
            cursor=("channel", wanted),
            what="message",
        )

    async def wait_for_dm(self, user: EmuUser, timeout: float = 5) -> EmuMessage:
        def is_dm(message: EmuMessage) -> bool:
            channel = self.world.channels.get(message.channel_id)
            return (
                message.kind == "channel"
                and channel is not None
                and channel.type == CHANNEL_DM
                and channel.recipient_id == user.id
            )

        return await self._messages.wait(
            is_dm, timeout=timeout, cursor=("dm", user.id), what=f"DM to {user.name}"
        )

    # -- hooks for the REST layer ------------------------------------------------------------
    def _record(self, record: RecordedRequest) -> None:
        self._requests.append(record)

    def _message_created(self, message: EmuMessage) -> None:
        self._messages.append(message)
        if not message.ephemeral:
            self.gateway.dispatch("MESSAGE_CREATE", message.payload(self.world), message.guild_id)

    def _message_updated(self, message: EmuMessage) -> None:
        self._messages.notify()
        if not message.ephemeral:
            self.gateway.dispatch("MESSAGE_UPDATE", message.payload(self.world), message.guild_id)

    def _message_deleted(self, message: EmuMessage) -> None:
        message.deleted = True
        self._messages.notify()
        if not message.ephemeral:
            data: dict[str, Any] = {"id": str(message.id), "channel_id": str(message.channel_id)}
            if message.guild_id is not None:
                data["guild_id"] = str(message.guild_id)
            self.gateway.dispatch("MESSAGE_DELETE", data, message.guild_id)

    async def _download(self, request: web.Request) -> web.Response:
        wanted = request.match_info["attachment_id"]
        for message in self.world.messages.values():
            for attachment in message.attachments:
                if str(attachment.id) == wanted:
                    return web.Response(
                        body=attachment.data,
                        content_type=attachment.content_type or "application/octet-stream",
                    )
        raise web.HTTPNotFound()
