"""The emulator's little world: users, guilds, channels and the messages the bot sent.

Each model knows how to render itself as the JSON discord.py expects to parse.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.emulator.permissions import Permissions, resolve_channel_permissions
from bot.emulator.snowflake import SnowflakeFactory

log = logging.getLogger(__name__)

FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
CHANNEL_TEXT = 0
CHANNEL_DM = 1
CHANNEL_VOICE = 2
CHANNEL_GROUP_DM = 3
CHANNEL_CATEGORY = 4
CHANNEL_PUBLIC_THREAD = 11
CHANNEL_FORUM = 15

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


def iso(moment: datetime) -> str:
    return moment.isoformat()


@dataclass
class EmuUser:
    id: int
    name: str
    bot: bool = False
    dms_closed: bool = False
    # The code Discord answers a DM with while they are closed: 50007, or the 50001 that DMs to
    # people who only added the app to their account are reported to get at times.
    dm_refusal_code: int = 50007
    # Added the app to their own account ("Add to my apps", integration type USER_INSTALL).
    app_installed: bool = False
    # Member of a server that added the bot: the server install reaches their DM with the bot.
    in_bot_server: bool = True
    # Their Discord client's language, sent as every interaction's `locale`.
    locale: str = "en-US"

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": None if self.bot else self.name.capitalize(),
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
            "flags": 0,
        }


@dataclass
class EmuChannel:
    id: int
    name: str
    type: int = CHANNEL_TEXT
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    # (target id, allow, deny, target type 0=role 1=member)
    overwrites: list[tuple[int, int, int, int]] = field(default_factory=list)
    recipient_id: int | None = None
    # A group DM's members (besides the bot, which is never in one).
    recipient_ids: list[int] = field(default_factory=list)
    owner_id: int | None = None
    deleted: bool = False

    def payload(self, world: World) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "flags": 0,
            "last_message_id": None,
        }
        if self.type == CHANNEL_DM:
            recipient = world.users[self.recipient_id] if self.recipient_id else None
            data["recipients"] = [recipient.payload()] if recipient else []
            return data
        if self.type == CHANNEL_GROUP_DM:
            data.update(
                name=self.name or None,
                icon=None,
                owner_id=str(self.owner_id or (self.recipient_ids or [0])[0]),
                recipients=[world.users[u].payload() for u in self.recipient_ids],
            )
            return data
        data.update(
            guild_id=str(self.guild_id),
            name=self.name,
            position=self.position,
            parent_id=str(self.parent_id) if self.parent_id else None,
            nsfw=False,
            topic=None,
            rate_limit_per_user=0,
            permission_overwrites=[
                {"id": str(target), "type": kind, "allow": str(allow), "deny": str(deny)}
                for target, allow, deny, kind in self.overwrites
            ],
        )
        if self.type == CHANNEL_VOICE:
            data.update(bitrate=64000, user_limit=0, rtc_region=None)
        if self.type == CHANNEL_FORUM:
            data.update(available_tags=[], default_reaction_emoji=None, default_sort_order=None)
        if self.type in (10, 11, 12):
            data.update(
                owner_id=str(world.bot_user.id),
                message_count=0,
                member_count=1,
                thread_metadata={
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": iso(datetime.now(UTC)),
                    "locked": False,
                },
            )
        return data


@dataclass
class EmuGuild:
    id: int
    name: str
    channels: list[EmuChannel] = field(default_factory=list)
    bot_role_id: int = 0
    everyone_permissions: int = int(Permissions.default_member)
    bot_permissions: int = int(Permissions.default_bot)
    owner_id: int | None = None
    removed: bool = False
    # False: the server never added the bot (no bot member, no GUILD_CREATE); its members may
    # still use the commands of an app they added to their own accounts.
    installed: bool = True
    # The server's preferred language (`guild_locale` on interactions, `preferred_locale`).
    locale: str = "en-US"

    def channel(self, name: str) -> EmuChannel:
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise KeyError(name)

    def roles_payload(self) -> list[dict[str, Any]]:
        def role(role_id: int, name: str, perms: int, position: int, managed: bool) -> Any:
            return {
                "id": str(role_id),
                "name": name,
                "color": 0,
                "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
                "hoist": False,
                "icon": None,
                "unicode_emoji": None,
                "position": position,
                "permissions": str(perms),
                "managed": managed,
                "mentionable": False,
                "flags": 0,
            }

        return [
            role(self.id, "@everyone", self.everyone_permissions, 0, False),
            role(self.bot_role_id, "RLS Companion", self.bot_permissions, 1, True),
        ]


@dataclass
class EmuAttachment:
    id: int
    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None

    def payload(self, base_url: str, channel_id: int) -> dict[str, Any]:
        url = f"{base_url}/attachments/{channel_id}/{self.id}/{self.filename}"
        data: dict[str, Any] = {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": url,
            "proxy_url": url,
        }
        if self.content_type:
            data["content_type"] = self.content_type
        if self.description:
            data["description"] = self.description
        return data


@dataclass
class EmuMessage:
    """A message the bot created (channel post, DM, interaction response or follow-up)."""

    id: int
    channel_id: int
    author_id: int
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    attachments: list[EmuAttachment] = field(default_factory=list)
    tts: bool = False
    nonce: str | int | None = None
    allowed_mentions: dict[str, Any] | None = None
    message_reference: dict[str, Any] | None = None
    guild_id: int | None = None
    # Set for interaction responses and follow-ups.
    interaction_id: int | None = None
    webhook_id: int | None = None
    kind: str = "channel"  # "channel", "response" or "followup"
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    edited_at: datetime | None = None
    deleted: bool = False
    body: dict[str, Any] = field(default_factory=dict)
    # Earlier bodies, oldest first, one per edit.
    history: list[dict[str, Any]] = field(default_factory=list)
    deduplicated: int = 0

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & FLAG_EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.flags & FLAG_LOADING)

    def file(self, filename: str) -> bytes:
        for attachment in self.attachments:
            if attachment.filename == filename:
                return attachment.data
        raise KeyError(filename)

    # What would ping, following Discord's allowed_mentions rules.
    @property
    def pinged_user_ids(self) -> list[int]:
        mentioned = [int(x) for x in _USER_MENTION.findall(self.content)]
        rules = self.allowed_mentions
        if rules is None:
            return mentioned
        if "users" in (rules.get("parse") or []):
            return mentioned
        allowed = {int(x) for x in rules.get("users") or []}
        return [uid for uid in mentioned if uid in allowed]

    @property
    def pinged_role_ids(self) -> list[int]:
        mentioned = [int(x) for x in _ROLE_MENTION.findall(self.content)]
        rules = self.allowed_mentions
        if rules is None or "roles" in (rules.get("parse") or []):
            return mentioned
        allowed = {int(x) for x in rules.get("roles") or []}
        return [rid for rid in mentioned if rid in allowed]

    @property
    def pings_everyone(self) -> bool:
        if "@everyone" not in self.content and "@here" not in self.content:
            return False
        rules = self.allowed_mentions
        return rules is None or "everyone" in (rules.get("parse") or [])

    def payload(self, world: World) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "type": 20 if self.kind == "response" and self.interaction_id else 0,
            "content": self.content,
            "embeds": self.embeds,
            "attachments": [a.payload(world.http_base, self.channel_id) for a in self.attachments],
            "timestamp": iso(self.created_at),
            "edited_timestamp": iso(self.edited_at) if self.edited_at else None,
            "author": world.bot_user.payload(),
            "mentions": [
                world.users[uid].payload() for uid in self.pinged_user_ids if uid in world.users
            ],
            "mention_roles": [str(rid) for rid in self.pinged_role_ids],
            "mention_everyone": self.pings_everyone,
            "pinned": False,
            "tts": self.tts,
            "flags": self.flags,
            "components": self.components,
        }
        if self.kind == "followup":
            data["type"] = 0
        if self.nonce is not None:
            data["nonce"] = self.nonce
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
            data["application_id"] = str(self.webhook_id)
        interaction = world.interactions.get(self.interaction_id or 0)
        if interaction is not None:
            data["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": interaction.user.payload(),
                "authorizing_integration_owners": dict(getattr(interaction, "owners", {})),
            }
        if self.message_reference:
            data["message_reference"] = self.message_reference
        return data


class World:
    """All emulated entities, indexed by id."""

    def __init__(self, http_base: str = "") -> None:
        self.ids = SnowflakeFactory()
        self.http_base = http_base
        self.application_id = self.ids.next()
        self.bot_user = EmuUser(self.application_id, "rls-companion", bot=True)
        self.owner = EmuUser(self.ids.next(), "owner")
        self.users: dict[int, EmuUser] = {
            self.bot_user.id: self.bot_user,
            self.owner.id: self.owner,
        }
        self.guilds: dict[int, EmuGuild] = {}
        self.channels: dict[int, EmuChannel] = {}
        self.messages: dict[int, EmuMessage] = {}
        self.dm_channels: dict[int, EmuChannel] = {}  # by recipient id
        # Installation contexts the application supports (Developer Portal → Installation):
        # 0 servers, 1 people's own accounts.
        self.integration_types: set[int] = {0, 1}
        # Filled by the interaction layer; typed loosely to keep this module standalone.
        self.interactions: dict[int, Any] = {}

    def add_user(self, name: str) -> EmuUser:
        user = EmuUser(self.ids.next(), name)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, channels: list[str]) -> EmuGuild:
        guild = EmuGuild(self.ids.next(), name, bot_role_id=0, owner_id=self.owner.id)
        guild.bot_role_id = self.ids.next()
        self.guilds[guild.id] = guild
        for channel_name in channels:
            self.add_channel(guild, channel_name)
        return guild

    def add_channel(
        self,
        guild: EmuGuild,
        name: str,
        type: int = CHANNEL_TEXT,
        *,
        parent: EmuChannel | None = None,
    ) -> EmuChannel:
        channel = EmuChannel(
            self.ids.next(),
            name,
            type,
            guild_id=guild.id,
            position=len(guild.channels),
            parent_id=parent.id if parent else None,
        )
        guild.channels.append(channel)
        self.channels[channel.id] = channel
        return channel

    def dm_channel(self, user: EmuUser) -> EmuChannel:
        """The bot's DM channel with ``user``; Discord hands out the same one every time."""
        channel = self.dm_channels.get(user.id)
        if channel is None:
            channel = EmuChannel(self.ids.next(), "", CHANNEL_DM, recipient_id=user.id)
            self.dm_channels[user.id] = channel
            self.channels[channel.id] = channel
        return channel

    def add_group_dm(self, name: str, members: list[EmuUser]) -> EmuChannel:
        """A group DM between people (the bot is never a member of one)."""
        channel = EmuChannel(
            self.ids.next(),
            name,
            CHANNEL_GROUP_DM,
            recipient_ids=[u.id for u in members],
            owner_id=members[0].id if members else None,
        )
        self.channels[channel.id] = channel
        return channel

    def everyone_permissions_in(self, channel: EmuChannel) -> int:
        """What @everyone may do in a server channel, its overwrites applied."""
        assert channel.guild_id is not None
        guild = self.guilds[channel.guild_id]
        overwrites = [(t, allow, deny) for t, allow, deny, _ in channel.overwrites]
        return resolve_channel_permissions(guild.everyone_permissions, overwrites, guild.id, set())

    def bot_permissions_in(self, channel: EmuChannel) -> int:
        if channel.guild_id is None:
            return int(Permissions.all())
        guild = self.guilds[channel.guild_id]
        base = guild.everyone_permissions | guild.bot_permissions
        target = channel
        # Threads inherit their parent channel's overwrites.
        if channel.parent_id and channel.type in (10, 11, 12):
            target = self.channels.get(channel.parent_id, channel)
        overwrites = [(t, allow, deny) for t, allow, deny, _ in target.overwrites]
        return resolve_channel_permissions(
            base, overwrites, guild.id, {self.bot_user.id, guild.bot_role_id}
        )

    def member_payload(
        self, guild: EmuGuild, user: EmuUser, permissions: int | None = None
    ) -> dict[str, Any]:
        roles = [str(guild.bot_role_id)] if user.id == self.bot_user.id else []
        data: dict[str, Any] = {
            "user": user.payload(),
            "roles": roles,
            "nick": None,
            "avatar": None,
            "joined_at": iso(datetime(2025, 1, 1, tzinfo=UTC)),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data

    def guild_create_payload(self, guild: EmuGuild, *, joined: bool = False) -> dict[str, Any]:
        """GUILD_CREATE data; ``joined`` for a server added after READY.

        discord.py tells the two apart by ``unavailable``: ``false`` (an initially unavailable
        guild becoming available) versus absent (the bot just joined).
        """
        data = self._guild_data(guild)
        if joined:
            del data["unavailable"]
        return data

    def _guild_data(self, guild: EmuGuild) -> dict[str, Any]:
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "owner_id": str(guild.owner_id),
            "unavailable": False,
            "large": False,
            "member_count": 2,
            "joined_at": iso(datetime(2025, 1, 1, tzinfo=UTC)),
            "features": [],
            "preferred_locale": guild.locale,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "system_channel_id": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "roles": guild.roles_payload(),
            "emojis": [],
            "stickers": [],
            "channels": [
                c.payload(self)
                for c in guild.channels
                if not c.deleted and c.type not in (10, 11, 12)
            ],
            "threads": [
                c.payload(self) for c in guild.channels if not c.deleted and c.type in (10, 11, 12)
            ],
            "members": [self.member_payload(guild, self.bot_user)],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }
