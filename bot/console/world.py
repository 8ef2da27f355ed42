"""The demo server and the people being played, with ids that are the same on every run.

The emulator hands out fresh time-based ids, but the bot stores everything by user, server and
channel id: with ``--database`` a second run must meet the same alice in the same server, so the
console pins each id to a hash of the name, and remembers who was played in a file beside the
database so that their reminders still have somewhere to go.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from bot.console.catalog import ConsoleError, did_you_mean, nearest
from bot.emulator import DiscordEmulator, EmuChannel, EmuGuild, EmuUser

SERVER_NAME = "RLS Friends"
CHANNELS = ["general", "reminders"]
# A server that never added the bot: reached only by people who added it to their accounts.
OTHER_SERVER_NAME = "Night Owls"
OTHER_CHANNELS = ["lounge"]
GROUP_DM_NAME = "legs club"
DEFAULT_USER = "alice"
_USER_NAME = re.compile(r"[a-z0-9_.]{2,32}")
# 2022-01-01 in Discord's epoch (milliseconds since 2015): pinned ids look like real snowflakes.
_BASE_MS = 220_838_400_000


def stable_id(kind: str, name: str) -> int:
    """A snowflake-shaped id that only depends on ``kind`` and ``name``."""
    digest = int.from_bytes(hashlib.sha256(f"{kind}:{name}".encode()).digest()[:8], "big")
    return ((_BASE_MS + digest % 10**10) << 22) | (digest >> 42)


class DemoWorld:
    """What the console adds to the emulator: one server with a few channels, and people."""

    def __init__(self, emu: DiscordEmulator, roster: Path | None = None) -> None:
        self.emu = emu
        self.guild = self._server(SERVER_NAME, CHANNELS)
        self.other_guild = self._server(OTHER_SERVER_NAME, OTHER_CHANNELS, installed=False)
        self._group_dm: EmuChannel | None = None
        self.users: dict[str, EmuUser] = {}
        self._roster = roster
        if roster is not None and roster.exists():
            for name in roster.read_text(encoding="utf-8").split():
                self.person(name)

    def _server(self, name: str, channels: list[str], *, installed: bool = True) -> EmuGuild:
        world = self.emu.world
        guild = self.emu.add_guild(name, channels, installed=installed)
        world.guilds.pop(guild.id)
        guild.id = stable_id("guild", name)
        world.guilds[guild.id] = guild
        for channel in guild.channels:
            world.channels.pop(channel.id)
            channel.id = stable_id("channel", channel.name)
            channel.guild_id = guild.id
            world.channels[channel.id] = channel
        return guild

    def person(self, name: str) -> EmuUser:
        """The user called ``name``, created (and remembered) on first use."""
        key = name.lower().lstrip("@")
        if not _USER_NAME.fullmatch(key):
            raise ConsoleError("User names are 2–32 lowercase letters, digits, _ or . (e.g. bob).")
        user = self.users.get(key)
        if user is None:
            user = self.emu.add_user(key)
            self.emu.world.users.pop(user.id)
            user.id = stable_id("user", key)
            self.emu.world.users[user.id] = user
            self.users[key] = user
            if self._roster is not None:
                self._roster.write_text("\n".join(sorted(self.users)) + "\n", encoding="utf-8")
        return user

    def find_person(self, text: str) -> EmuUser:
        name = text.lower().lstrip("@")
        user = self.users.get(name)
        if user is None:
            suggestion = nearest(name, self.users)
            raise ConsoleError(
                f"No user named {name}{did_you_mean(suggestion)} "
                f"(known: {', '.join(sorted(self.users))}; :as {name} creates one)"
            )
        return user

    def group_dm(self, members: list[EmuUser]) -> EmuChannel:
        """The group DM the people played share (the bot is never a member of one)."""
        if self._group_dm is None:
            channel = self.emu.add_group_dm(GROUP_DM_NAME, members)
            self.emu.world.channels.pop(channel.id)
            channel.id = stable_id("channel", GROUP_DM_NAME)
            self.emu.world.channels[channel.id] = channel
            self._group_dm = channel
        for member in members:
            if member.id not in self._group_dm.recipient_ids:
                self._group_dm.recipient_ids.append(member.id)
        return self._group_dm

    def channels(self) -> list[EmuChannel]:
        return [
            c for guild in (self.guild, self.other_guild) for c in guild.channels if not c.deleted
        ]

    def channel(self, text: str) -> EmuChannel:
        name = text.lower().lstrip("#")
        for channel in self.channels():
            if channel.name == name:
                return channel
        suggestion = nearest(name, [c.name for c in self.channels()])
        listed = ", ".join(f"#{c.name}" for c in self.channels())
        raise ConsoleError(
            f"No channel #{name}{did_you_mean(suggestion and '#' + suggestion)} (there is {listed})"
        )

    def user_name(self, user_id: int) -> str:
        user = self.emu.world.users.get(user_id)
        return user.name if user is not None else "unknown-user"

    def channel_name(self, channel_id: int) -> str:
        channel = self.emu.world.channels.get(channel_id)
        return channel.name if channel is not None and channel.name else "unknown-channel"
