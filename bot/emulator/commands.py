"""Application commands the bot registered, stored and echoed back the way Discord does."""

from __future__ import annotations

import copy
import logging
from typing import Any

from bot.emulator.state import World

log = logging.getLogger(__name__)


class CommandRegistry:
    def __init__(self, world: World) -> None:
        self._world = world
        self._by_scope: dict[int | None, list[dict[str, Any]]] = {}

    def in_scope(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        return copy.deepcopy(self._by_scope.get(guild_id, []))

    def find(self, name: str, guild_id: int | None) -> dict[str, Any] | None:
        """The chat-input command a user in ``guild_id`` would see under ``name``."""
        scopes: list[int | None] = [guild_id, None] if guild_id is not None else [None]
        for scope in scopes:
            for command in self._by_scope.get(scope, []):
                if command["name"] == name and command.get("type", 1) == 1:
                    return command
        return None

    def _stored(
        self, body: dict[str, Any], guild_id: int | None, previous: dict[str, Any] | None
    ) -> dict[str, Any]:
        world = self._world
        unchanged = previous is not None and _same(previous, body)
        permissions = body.get("default_member_permissions")
        stored: dict[str, Any] = {
            "id": previous["id"] if previous else str(world.ids.next()),
            "application_id": str(world.application_id),
            "version": previous["version"] if previous and unchanged else str(world.ids.next()),
            "default_member_permissions": None if permissions is None else str(permissions),
            "type": body.get("type", 1),
            "name": body["name"],
            "name_localizations": body.get("name_localizations"),
            "description": body.get("description") or "",
            "description_localizations": body.get("description_localizations"),
            "dm_permission": body.get("dm_permission", True),
            "contexts": body.get("contexts"),
            "integration_types": body.get("integration_types") or [0],
            "nsfw": bool(body.get("nsfw", False)),
        }
        if body.get("options"):
            stored["options"] = copy.deepcopy(body["options"])
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        return stored

    def replace(self, guild_id: int | None, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``PUT``: the new list replaces the old; unchanged commands keep id and version."""
        old = {(c.get("type", 1), c["name"]): c for c in self._by_scope.get(guild_id, [])}
        stored = [
            self._stored(body, guild_id, old.get((body.get("type", 1), body.get("name"))))
            for body in bodies
        ]
        self._by_scope[guild_id] = stored
        log.info("registered %d commands (guild %s)", len(stored), guild_id)
        return copy.deepcopy(stored)

    def upsert(self, guild_id: int | None, body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """``POST``: create, or overwrite the command with the same type and name."""
        commands = self._by_scope.setdefault(guild_id, [])
        key = (body.get("type", 1), body.get("name"))
        for index, command in enumerate(commands):
            if (command.get("type", 1), command["name"]) == key:
                commands[index] = self._stored(body, guild_id, command)
                return copy.deepcopy(commands[index]), False
        stored = self._stored(body, guild_id, None)
        commands.append(stored)
        return copy.deepcopy(stored), True


def _same(stored: dict[str, Any], body: dict[str, Any]) -> bool:
    keys = ("description", "options", "default_member_permissions", "contexts", "nsfw")
    return all(_normal(stored.get(k)) == _normal(body.get(k)) for k in keys)


def _normal(value: Any) -> Any:
    if value in (None, [], ""):
        return None
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value
