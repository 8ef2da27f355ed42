"""REST handlers for the parts of Discord's HTTP API v10 that discord.py uses for this bot."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.emulator import interactions as ix
from bot.emulator.messages import create_message, edit_message, is_empty
from bot.emulator.permissions import Permissions
from bot.emulator.pipeline import API_PREFIX, RECORD_KEY
from bot.emulator.records import RecordedRequest, Violation
from bot.emulator.responses import (
    MISSING_ACCESS,
    Refused,
    error,
    invalid_form_body,
    json_response,
    no_content,
    not_found,
)
from bot.emulator.state import (
    CHANNEL_DM,
    CHANNEL_GROUP_DM,
    FLAG_EPHEMERAL,
    EmuChannel,
    EmuMessage,
)

if TYPE_CHECKING:
    from bot.emulator.server import DiscordEmulator

log = logging.getLogger(__name__)

NONCE_WINDOW = timedelta(minutes=5)
_THREAD_TYPES = (10, 11, 12)


def _snowflake(request: web.Request, name: str) -> int:
    raw = request.match_info[name]
    if not raw.isdigit():
        raise web.HTTPNotFound()
    return int(raw)


def _record(request: web.Request) -> RecordedRequest:
    return request[RECORD_KEY]


def _body(request: web.Request) -> dict[str, Any]:
    body = _record(request).json
    return body if isinstance(body, dict) else {}


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true")


class RestApi:
    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu
        self.world = emu.world

    def add_routes(self, app: web.Application) -> None:
        routes: list[tuple[str, str, Any]] = [
            ("GET", "/users/@me", self.get_me),
            ("GET", "/users/{user_id}", self.get_user),
            ("GET", "/oauth2/applications/@me", self.get_application),
            ("GET", "/gateway", self.get_gateway),
            ("GET", "/gateway/bot", self.get_gateway_bot),
            ("POST", "/interactions/{interaction_id}/{interaction_token}/callback", self.callback),
            ("POST", "/webhooks/{webhook_id}/{webhook_token}", self.execute_webhook),
            ("POST", "/users/@me/channels", self.create_dm),
            ("GET", "/channels/{channel_id}", self.get_channel),
            ("POST", "/channels/{channel_id}/typing", self.typing),
            ("POST", "/channels/{channel_id}/messages", self.post_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message),
        ]
        # The global and a guild's commands, answered alike (_command_scope tells them apart).
        for scope in (
            "/applications/{application_id}",
            "/applications/{application_id}/guilds/{guild_id}",
        ):
            routes += [
                ("GET", scope + "/commands", self.get_commands),
                ("PUT", scope + "/commands", self.put_commands),
                ("POST", scope + "/commands", self.post_command),
            ]
        # An interaction's original response and its follow-ups, answered alike.
        for message in ("@original", "{message_id}"):
            path = "/webhooks/{webhook_id}/{webhook_token}/messages/" + message
            routes += [
                ("GET", path, self.get_wh_msg),
                ("PATCH", path, self.edit_wh_msg),
                ("DELETE", path, self.delete_wh_msg),
            ]
        for method, template, handler in routes:
            app.router.add_route(method, API_PREFIX + template, handler)
        # Everything else lands here so the pipeline can record it as an unknown route.
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self.unknown)

    async def unknown(self, request: web.Request) -> web.Response:
        return error(404, 0, "404: Not Found")

    # -- identity ----------------------------------------------------------------------------
    async def get_me(self, request: web.Request) -> web.Response:
        user = self.world.bot_user.payload()
        user.update(verified=True, mfa_enabled=False, email=None, locale="en-US")
        return json_response(user)

    async def get_user(self, request: web.Request) -> web.Response:
        user = self.world.users.get(_snowflake(request, "user_id"))
        return json_response(user.payload()) if user else not_found("User", 10013)

    async def get_application(self, request: web.Request) -> web.Response:
        world = self.world
        return json_response(
            {
                "id": str(world.application_id),
                "name": world.bot_user.name,
                "icon": None,
                "description": "RLS Companion (emulated)",
                "summary": "",
                "type": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "owner": world.owner.payload(),
                "team": None,
                "flags": 0,
                "rpc_origins": [],
                "hook": True,
                "tags": [],
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "approximate_guild_count": len(world.guilds),
                # Installation contexts the app supports, each with its default install params.
                "integration_types_config": {
                    str(kind): {} for kind in sorted(world.integration_types)
                },
                "bot": world.bot_user.payload(),
            }
        )

    async def get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.emu.gateway_url})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "url": self.emu.gateway_url,
                "shards": self.emu.recommended_shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    # -- application commands ----------------------------------------------------------------
    def _command_scope(self, request: web.Request) -> int | None:
        if _snowflake(request, "application_id") != self.world.application_id:
            raise Refused(error(*MISSING_ACCESS))
        if "guild_id" not in request.match_info:
            return None
        guild_id = _snowflake(request, "guild_id")
        if guild_id not in self.world.guilds:
            raise Refused(error(*MISSING_ACCESS))
        return guild_id

    async def get_commands(self, request: web.Request) -> web.Response:
        return json_response(self.emu.registered_commands(self._command_scope(request)))

    async def put_commands(self, request: web.Request) -> web.Response:
        scope = self._command_scope(request)
        body = _record(request).json or []
        problems = self._install_problems(request, body)
        if problems:
            return invalid_form_body(problems)
        stored = self.emu.commands.replace(scope, body)
        return json_response(stored)

    def _install_problems(self, request: web.Request, bodies: list[Any]) -> list[str]:
        """Discord refuses a command whose integration_types the application does not support
        (Developer Portal → Installation); recorded as violations like any invalid body."""
        record = _record(request)
        supported = self.world.integration_types
        problems = [
            f"{i}/integration_types: {sorted(set(types) - supported)} not supported by the "
            f"application (it has {sorted(supported)})"
            for i, body in enumerate(bodies)
            if isinstance(body, dict)
            and isinstance(types := body.get("integration_types"), list)
            and not set(types) <= supported
        ]
        for problem in problems:
            record.violations.append(problem)
            self.emu.violations.append(
                Violation(record.method, record.path, problem, record.route_template)
            )
        return problems

    async def post_command(self, request: web.Request) -> web.Response:
        scope = self._command_scope(request)
        problems = self._install_problems(request, [_body(request)])
        if problems:
            return invalid_form_body(problems)
        stored, created = self.emu.commands.upsert(scope, _body(request))
        return json_response(stored, status=201 if created else 200)

    # -- interactions ------------------------------------------------------------------------
    def _interaction(self, request: web.Request, id_key: str) -> ix.EmuInteraction | None:
        token = request.match_info.get("interaction_token") or request.match_info["webhook_token"]
        if id_key == "interaction_id":
            found = self.world.interactions.get(_snowflake(request, id_key))
            return found if found is not None and found.token == token else None
        if _snowflake(request, id_key) != self.world.application_id:
            return None
        return self.emu.interaction_by_token(token)

    async def callback(self, request: web.Request) -> web.StreamResponse:
        interaction = self._interaction(request, "interaction_id")
        if interaction is None:
            return not_found("interaction", 10062)
        if interaction.callback is not None:
            return error(400, 40060, "Interaction has already been acknowledged.")
        record = _record(request)
        body = _body(request)
        kind = int(body.get("type") or 0)
        raw_data = body.get("data")
        data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
        callback = ix.EmuCallback(type=kind, body=body, files=record.files)
        channel_id = interaction.channel.id
        if kind in (ix.CALLBACK_MESSAGE, ix.CALLBACK_DEFERRED_MESSAGE):
            if kind == ix.CALLBACK_MESSAGE and is_empty(data, record.files):
                return error(400, 50006, "Cannot send an empty message")
            if interaction.forced_ephemeral:
                data = data | {"flags": int(data.get("flags") or 0) | FLAG_EPHEMERAL}
            message = create_message(
                self.world,
                channel_id,
                data,
                record.files,
                kind="response",
                interaction_id=interaction.id,
                loading=kind == ix.CALLBACK_DEFERRED_MESSAGE,
            )
            interaction.original = message
            self.emu._message_created(message)
        elif kind in (ix.CALLBACK_DEFERRED_UPDATE, ix.CALLBACK_UPDATE):
            source = interaction.source_message
            if source is None:
                return error(400, 40043, "Interaction has no message to update")
            if kind == ix.CALLBACK_UPDATE:
                edit_message(self.world, source, data, record.files)
                self.emu._message_updated(source)
                interaction.original_edits.append(source)
            interaction.original = source
        elif kind not in (ix.CALLBACK_AUTOCOMPLETE, ix.CALLBACK_MODAL):
            return error(400, 50035, f"Invalid interaction callback type {kind}")
        callback.message = interaction.original
        interaction.callback = callback
        interaction.callbacks.append(callback)
        if not _truthy(request.query.get("with_response")):
            return no_content()
        return json_response(self._callback_response(interaction, callback))

    def _callback_response(
        self, interaction: ix.EmuInteraction, callback: ix.EmuCallback
    ) -> dict[str, Any]:
        message = callback.message
        resource: dict[str, Any] = {"type": callback.type}
        if message is not None and callback.type != ix.CALLBACK_DEFERRED_UPDATE:
            resource["message"] = message.payload(self.world)
        return {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.type,
                "response_message_id": str(message.id) if message else None,
                "response_message_loading": bool(message and message.loading),
                "response_message_ephemeral": bool(message and message.ephemeral),
                "activity_instance_id": None,
            },
            "resource": resource,
        }

    async def execute_webhook(self, request: web.Request) -> web.StreamResponse:
        interaction = self._interaction(request, "webhook_id")
        if interaction is None:
            return not_found("Webhook", 10015)
        if interaction.callback is None:
            # Follow-ups need the interaction to be acknowledged first.
            return not_found("Webhook", 10015)
        record = _record(request)
        body = _body(request)
        if is_empty(body, record.files):
            return error(400, 50006, "Cannot send an empty message")
        if (
            interaction.user_install_only
            and len(interaction.followups.items) >= ix.USER_INSTALL_FOLLOWUPS_MAX
        ):
            # Discord's cap for an interaction only a user install authorised. A violation too:
            # the person would miss whatever the flow meant to say, so its test must fail.
            problem = (
                f"follow-up {len(interaction.followups.items) + 1} to an interaction authorised "
                f"only by a user install (max {ix.USER_INSTALL_FOLLOWUPS_MAX})"
            )
            record.violations.append(problem)
            self.emu.violations.append(
                Violation(record.method, record.path, problem, record.route_template)
            )
            return error(
                400, 40094, "This interaction has hit the maximum number of follow up messages"
            )
        if interaction.forced_ephemeral:
            body = body | {"flags": int(body.get("flags") or 0) | FLAG_EPHEMERAL}
        message = create_message(
            self.world,
            interaction.channel.id,
            body,
            record.files,
            kind="followup",
            interaction_id=interaction.id,
        )
        self.emu._message_created(message)
        interaction.followups.append(message)
        if _truthy(request.query.get("wait")):
            return json_response(message.payload(self.world))
        return no_content()

    def _webhook_message(self, request: web.Request) -> tuple[ix.EmuInteraction, EmuMessage]:
        interaction = self._interaction(request, "webhook_id")
        if interaction is None:
            raise Refused(not_found("Webhook", 10015))
        raw_id = request.match_info.get("message_id")
        if raw_id is None:
            message = interaction.original
        else:
            message = self.world.messages.get(_snowflake(request, "message_id"))
            if message is not None and message.interaction_id != interaction.id:
                message = None
        if message is None or message.deleted:
            raise Refused(not_found("Message", 10008))
        return interaction, message

    async def get_wh_msg(self, request: web.Request) -> web.Response:
        _, message = self._webhook_message(request)
        return json_response(message.payload(self.world))

    async def edit_wh_msg(self, request: web.Request) -> web.Response:
        interaction, message = self._webhook_message(request)
        edit_message(self.world, message, _body(request), _record(request).files)
        self.emu._message_updated(message)
        if message is interaction.original:
            interaction.original_edits.append(message)
        return json_response(message.payload(self.world))

    async def delete_wh_msg(self, request: web.Request) -> web.Response:
        _, message = self._webhook_message(request)
        self.emu._message_deleted(message)
        return no_content()

    # -- channels and messages ---------------------------------------------------------------
    def _channel(self, request: web.Request) -> EmuChannel:
        channel = self.world.channels.get(_snowflake(request, "channel_id"))
        if channel is None or channel.deleted:
            raise Refused(not_found("Channel", 10003))
        guild = self.world.guilds.get(channel.guild_id or 0)
        if guild is not None and (guild.removed or not guild.installed):
            raise Refused(error(*MISSING_ACCESS))
        if channel.type == CHANNEL_GROUP_DM:  # the bot is never a member of a group DM
            raise Refused(error(*MISSING_ACCESS))
        if not self.world.bot_permissions_in(channel) & Permissions.VIEW_CHANNEL:
            raise Refused(error(*MISSING_ACCESS))
        return channel

    async def create_dm(self, request: web.Request) -> web.Response:
        raw = _body(request).get("recipient_id")
        user = self.world.users.get(int(str(raw))) if str(raw).isdigit() else None
        if user is None or user.bot:
            return error(400, 50033, "Invalid Recipient(s)")
        return json_response(self.world.dm_channel(user).payload(self.world))

    async def get_channel(self, request: web.Request) -> web.Response:
        return json_response(self._channel(request).payload(self.world))

    async def typing(self, request: web.Request) -> web.Response:
        self._channel(request)
        return no_content()

    def _send_refusal(self, channel: EmuChannel, has_files: bool) -> web.Response | None:
        if channel.type == CHANNEL_DM:
            recipient = self.world.users.get(channel.recipient_id or 0)
            if recipient is None or recipient.dms_closed:
                code = recipient.dm_refusal_code if recipient is not None else 50007
                text = "Missing Access" if code == 50001 else "Cannot send messages to this user"
                return error(403, code, text)
            return None
        perms = self.world.bot_permissions_in(channel)
        needed = Permissions.SEND_MESSAGES
        if channel.type in _THREAD_TYPES:
            needed = Permissions.SEND_MESSAGES_IN_THREADS
        if not perms & needed or (has_files and not perms & Permissions.ATTACH_FILES):
            return error(403, 50013, "Missing Permissions")
        return None

    async def post_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        record = _record(request)
        body = _body(request)
        refusal = self._send_refusal(channel, bool(record.files))
        if refusal is not None:
            return refusal
        if is_empty(body, record.files):
            return error(400, 50006, "Cannot send an empty message")
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            earlier = self._find_by_nonce(channel.id, nonce)
            if earlier is not None:
                earlier.deduplicated += 1
                record.deduplicated = True
                log.info(
                    "nonce %r reused in channel %s: returning message %s",
                    nonce,
                    channel.id,
                    earlier.id,
                )
                return json_response(earlier.payload(self.world))
        message = create_message(self.world, channel.id, body, record.files)
        self.emu._message_created(message)
        return json_response(message.payload(self.world))

    def _find_by_nonce(self, channel_id: int, nonce: Any) -> EmuMessage | None:
        cutoff = datetime.now(UTC) - NONCE_WINDOW
        for message in reversed(list(self.world.messages.values())):
            if message.created_at < cutoff:
                break
            if (
                message.channel_id == channel_id
                and message.kind == "channel"
                and message.author_id == self.world.bot_user.id
                and str(message.nonce) == str(nonce)
            ):
                return message
        return None

    def _channel_message(self, request: web.Request) -> EmuMessage:
        channel = self._channel(request)
        message = self.world.messages.get(_snowflake(request, "message_id"))
        if message is None or message.deleted or message.channel_id != channel.id:
            raise Refused(not_found("Message", 10008))
        if message.ephemeral:
            raise Refused(not_found("Message", 10008))
        return message

    async def get_message(self, request: web.Request) -> web.Response:
        message = self._channel_message(request)
        return json_response(message.payload(self.world))

    async def edit_message(self, request: web.Request) -> web.Response:
        message = self._channel_message(request)
        edit_message(self.world, message, _body(request), _record(request).files)
        self.emu._message_updated(message)
        return json_response(message.payload(self.world))

    async def delete_message(self, request: web.Request) -> web.Response:
        message = self._channel_message(request)
        self.emu._message_deleted(message)
        return no_content()
