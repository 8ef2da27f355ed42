"""Interactions a test user performs, and what the bot answered to each of them."""

# ruff: noqa: ASYNC109 - the public test API takes ``timeout=`` arguments by design.

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from bot.emulator.permissions import Permissions
from bot.emulator.records import UploadedFile
from bot.emulator.state import CHANNEL_DM, EmuChannel, EmuGuild, EmuMessage, EmuUser, World
from bot.emulator.waiters import Feed

log = logging.getLogger(__name__)

TYPE_APPLICATION_COMMAND = 2
TYPE_COMPONENT = 3
TYPE_AUTOCOMPLETE = 4
TYPE_MODAL_SUBMIT = 5

CALLBACK_MESSAGE = 4
CALLBACK_DEFERRED_MESSAGE = 5
CALLBACK_DEFERRED_UPDATE = 6
CALLBACK_UPDATE = 7
CALLBACK_AUTOCOMPLETE = 8
CALLBACK_MODAL = 9

OPTION_SUB_COMMAND = 1
OPTION_SUB_COMMAND_GROUP = 2
OPTION_STRING = 3
OPTION_INTEGER = 4
OPTION_BOOLEAN = 5
OPTION_USER = 6
OPTION_CHANNEL = 7
OPTION_NUMBER = 10

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

# Integration (installation) types and interaction contexts, as the keys and values Discord uses.
INSTALL_GUILD = "0"
INSTALL_USER = "1"
CONTEXT_GUILD = 0
CONTEXT_BOT_DM = 1
CONTEXT_PRIVATE_CHANNEL = 2
# Follow-ups Discord lets an interaction authorised only by a user install create.
USER_INSTALL_FOLLOWUPS_MAX = 5


def reach(
    user: EmuUser,
    guild: EmuGuild | None,
    channel: EmuChannel,
    integration_types: list[int] | None = None,
) -> dict[str, str]:
    """authorizing_integration_owners for `user` acting in `channel`, as Discord builds it: a key
    for each install that reaches them there and that the command is registered for."""
    types = [0, 1] if integration_types is None else integration_types
    owners: dict[str, str] = {}
    if 0 in types:
        if guild is not None and guild.installed and not guild.removed:
            owners[INSTALL_GUILD] = str(guild.id)
        elif guild is None and channel.type == CHANNEL_DM and user.in_bot_server:
            owners[INSTALL_GUILD] = "0"
    if 1 in types and user.app_installed:
        owners[INSTALL_USER] = str(user.id)
    return owners


def default_owners(guild: EmuGuild | None, user: EmuUser) -> dict[str, str]:
    """What an interaction built without the command's registration carries."""
    if guild is not None:
        return {INSTALL_GUILD: str(guild.id)} if guild.installed else {INSTALL_USER: str(user.id)}
    return {INSTALL_GUILD: "0"} if user.in_bot_server else {INSTALL_USER: str(user.id)}


class _DataList:
    """A list of the callback's data, under the attribute's own name (empty when absent)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = name

    def __get__(self, callback: EmuCallback, owner: type | None = None) -> list[dict[str, Any]]:
        return list(callback.data.get(self.key) or [])


@dataclass
class EmuCallback:
    """The bot's answer to an interaction (``POST /interactions/{id}/{token}/callback``)."""

    type: int
    body: dict[str, Any]
    files: list[UploadedFile] = field(default_factory=list)
    # The message this callback created or updated (types 4, 5, 6, 7).
    message: EmuMessage | None = None

    @property
    def data(self) -> dict[str, Any]:
        data = self.body.get("data")
        return data if isinstance(data, dict) else {}

    @property
    def content(self) -> str:
        return str(self.data.get("content") or "")

    # Lists in the callback's data, empty where the bot sent none.
    embeds = _DataList()
    components = _DataList()
    attachments = _DataList()
    choices = _DataList()

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)

    @property
    def title(self) -> str | None:
        return self.data.get("title")

    @property
    def custom_id(self) -> str | None:
        return self.data.get("custom_id")


class EmuInteraction:
    """An interaction sent to the bot; await its response, follow-ups and final message."""

    def __init__(
        self,
        world: World,
        *,
        type: int,
        user: EmuUser,
        channel: EmuChannel,
        guild: EmuGuild | None,
        data: dict[str, Any],
        permissions: int,
        source_message: EmuMessage | None = None,
        owners: dict[str, str] | None = None,
    ) -> None:
        self.id = world.ids.next()
        self.token = "emu." + secrets.token_urlsafe(48)
        self.type = type
        self.user = user
        self.channel = channel
        self.guild = guild
        self.data = data
        self.permissions = permissions
        self.source_message = source_message
        # authorizing_integration_owners: "0" (server install) -> the server's id, or "0" in the
        # DM with the bot; "1" (user install) -> the id of the person who added the app.
        self.owners = dict(owners) if owners is not None else default_owners(guild, user)
        self.callback: EmuCallback | None = None
        self.original: EmuMessage | None = None
        self.callbacks: Feed[EmuCallback] = Feed()
        self.followups: Feed[EmuMessage] = Feed()
        self.original_edits: Feed[EmuMessage] = Feed()
        self.payload = self._payload(world)

    def _payload(self, world: World) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": str(self.id),
            "application_id": str(world.application_id),
            "type": self.type,
            "data": self.data,
            "token": self.token,
            "version": 1,
            "locale": self.user.locale,
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "channel_id": str(self.channel.id),
            "channel": self.channel.payload(world),
        }
        payload["authorizing_integration_owners"] = dict(self.owners)
        payload["context"] = self.context
        if self.guild is not None:
            if self.guild.installed:
                app_permissions = world.bot_permissions_in(self.channel)
            else:
                # No bot member to hold permissions: an app added to a person's account gets
                # what everyone may do in the channel.
                app_permissions = world.everyone_permissions_in(self.channel)
            payload.update(
                guild_id=str(self.guild.id),
                guild={"id": str(self.guild.id), "locale": self.guild.locale, "features": []},
                guild_locale=self.guild.locale,
                member=world.member_payload(self.guild, self.user, self.permissions),
                app_permissions=str(app_permissions),
            )
        else:
            bot_dm = self.context == CONTEXT_BOT_DM
            app = Permissions.bot_dm_app if bot_dm else Permissions.private_channel_app
            payload.update(user=self.user.payload(), app_permissions=str(int(app)))
        if self.source_message is not None:
            payload["message"] = self.source_message.payload(world)
        return payload

    @property
    def context(self) -> int:
        """Where it happened: a server (0), the DM with the bot (1), another DM or group DM (2)."""
        if self.guild is not None:
            return CONTEXT_GUILD
        return CONTEXT_BOT_DM if self.channel.type == CHANNEL_DM else CONTEXT_PRIVATE_CHANNEL

    @property
    def forced_ephemeral(self) -> bool:
        """A server that did not add the app, whose member lacks Use External Apps there: Discord
        makes the app's replies ephemeral whatever it asked for."""
        return (
            self.guild is not None
            and not self.guild.installed
            and not self.permissions & Permissions.USE_EXTERNAL_APPS
        )

    @property
    def user_install_only(self) -> bool:
        """Authorised by the person's own install alone: Discord allows it 5 follow-ups."""
        return INSTALL_GUILD not in self.owners

    async def response(self, timeout: float = 5) -> EmuCallback:
        """The callback the bot sent (waits for it)."""
        return await self.callbacks.wait(lambda _: True, timeout=timeout, what="callback")

    async def followup(self, timeout: float = 5) -> EmuMessage:
        """The next follow-up message (``POST /webhooks/{app}/{token}``) not returned before."""
        return await self.followups.wait(
            lambda _: True, timeout=timeout, cursor="followup", what="follow-up"
        )

    async def final_message(self, timeout: float = 5) -> EmuMessage:
        """The original response as it ended up; waits for the edit after a defer."""
        callback = await self.response(timeout)
        if callback.type in (CALLBACK_DEFERRED_MESSAGE, CALLBACK_DEFERRED_UPDATE):
            await self.original_edits.wait(lambda _: True, timeout=timeout, what="edit")
        if self.original is None:
            raise LookupError(f"callback type {callback.type} has no message")
        return self.original


def _walk(components: list[Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for component in components:
        if not isinstance(component, dict):
            continue
        found.append(component)
        found += _walk(component.get("components") or [])
        for key in ("component", "accessory"):
            child = component.get(key)
            if isinstance(child, dict):
                found += _walk([child])
    return found


def find_component(message: EmuMessage, custom_id: str, *, earlier: bool = False) -> dict[str, Any]:
    """The component on the message; with `earlier`, also on the versions before its edits
    (newest first): what a person's screen may still show while an edit is on its way."""
    versions = [message.components]
    if earlier:
        versions += [list(b.get("components") or []) for b in reversed(message.history)]
    for components in versions:
        for component in _walk(components):
            if component.get("custom_id") == custom_id:
                return component
    ids = [c.get("custom_id") for c in _walk(message.components) if c.get("custom_id")]
    raise LookupError(f"message {message.id} has no component {custom_id!r} (has {ids})")


def _option_value(
    world: World, guild: EmuGuild | None, kind: int | None, value: Any, resolved: dict[str, Any]
) -> tuple[int, Any]:
    if isinstance(value, EmuUser):
        resolved.setdefault("users", {})[str(value.id)] = value.payload()
        if guild is not None:
            member = world.member_payload(guild, value, int(Permissions.default_member))
            member.pop("user")
            resolved.setdefault("members", {})[str(value.id)] = member
        return OPTION_USER, str(value.id)
    if isinstance(value, EmuChannel):
        channel = value.payload(world) | {"permissions": str(int(Permissions.default_member))}
        resolved.setdefault("channels", {})[str(value.id)] = channel
        return OPTION_CHANNEL, str(value.id)
    if kind is None:
        if isinstance(value, bool):
            kind = OPTION_BOOLEAN
        elif isinstance(value, int):
            kind = OPTION_INTEGER
        elif isinstance(value, float):
            kind = OPTION_NUMBER
        else:
            kind = OPTION_STRING
    if kind == OPTION_STRING:
        value = str(value)
    elif kind == OPTION_NUMBER and not isinstance(value, str):
        value = float(value)
    return kind, value


def build_command_options(
    world: World,
    guild: EmuGuild | None,
    registered: dict[str, Any] | None,
    path: list[str],
    values: dict[str, Any],
    focused: str | None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Nest ``values`` under sub-command (group) options the way Discord does.

    Types come from the registered command when there is one, else from the Python values.
    """
    resolved: dict[str, Any] = {}
    definitions: list[dict[str, Any]] = list((registered or {}).get("options") or [])
    for name in path:
        match = next((d for d in definitions if d.get("name") == name), None)
        if registered is not None and match is None:
            raise LookupError(f"registered command has no sub-command {name!r}")
        definitions = list((match or {}).get("options") or [])
    leaf: list[dict[str, Any]] = []
    for name, value in values.items():
        definition = next((d for d in definitions if d.get("name") == name), None)
        if registered is not None and definition is None:
            raise LookupError(f"registered command has no option {name!r}")
        kind, wire_value = _option_value(
            world, guild, definition.get("type") if definition else None, value, resolved
        )
        option: dict[str, Any] = {"name": name, "type": kind, "value": wire_value}
        if focused == name:
            option["focused"] = True
        leaf.append(option)
    options = leaf
    # Wrap from the innermost sub-command outwards.
    for index in range(len(path) - 1, -1, -1):
        is_group = index < len(path) - 1
        options = [
            {
                "name": path[index],
                "type": OPTION_SUB_COMMAND_GROUP if is_group else OPTION_SUB_COMMAND,
                "options": options,
            }
        ]
    return options, resolved


def modal_submit_components(modal: dict[str, Any], values: dict[str, Any]) -> list[dict[str, Any]]:
    """Mirror the modal's layout the way Discord's client submits it."""
    remaining = dict(values)

    def answer(component: dict[str, Any]) -> dict[str, Any]:
        custom_id = component.get("custom_id")
        kind = component.get("type")
        out: dict[str, Any] = {"type": kind, "custom_id": custom_id}
        if "id" in component:
            out["id"] = component["id"]
        given = remaining.pop(custom_id, None) if isinstance(custom_id, str) else None
        if kind == 4:
            out["value"] = str(given if given is not None else component.get("value") or "")
        else:
            if given is None:
                given = []
            out["values"] = [str(v) for v in (given if isinstance(given, list) else [given])]
        return out

    submitted: list[dict[str, Any]] = []
    for top in modal.get("components") or []:
        if not isinstance(top, dict):
            continue
        if top.get("type") == 1:
            children = [answer(c) for c in top.get("components") or [] if isinstance(c, dict)]
            submitted.append({"type": 1, "components": children})
        elif top.get("type") == 18 and isinstance(top.get("component"), dict):
            row: dict[str, Any] = {"type": 18, "component": answer(top["component"])}
            if "id" in top:
                row["id"] = top["id"]
            submitted.append(row)
    if remaining:
        raise LookupError(f"modal has no fields {sorted(remaining)}")
    return submitted
