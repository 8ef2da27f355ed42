"""Permission bits used by the emulator (values match Discord's and ``discord.Permissions``)."""

from __future__ import annotations

import enum


class Permissions(enum.IntFlag):
    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    SEND_MESSAGES_IN_THREADS = 1 << 38
    # Lets members use apps added to their own accounts here; without it Discord makes those
    # apps' replies ephemeral.
    USE_EXTERNAL_APPS = 1 << 50

    # What an ordinary member of a fresh server can do.
    default_member = (
        CREATE_INSTANT_INVITE
        | ADD_REACTIONS
        | VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | USE_EXTERNAL_EMOJIS
        | CHANGE_NICKNAME
        | USE_APPLICATION_COMMANDS
        | CREATE_PUBLIC_THREADS
        | SEND_MESSAGES_IN_THREADS
        | USE_EXTERNAL_APPS
    )
    # What Discord grants an app in a DM or group DM (its docs: app_permissions); the DM with
    # the app's own bot user adds external emojis.
    private_channel_app = ATTACH_FILES | EMBED_LINKS | MENTION_EVERYONE
    bot_dm_app = private_channel_app | USE_EXTERNAL_EMOJIS
    # A server manager (passes default_member_permissions="32").
    manager = default_member | MANAGE_GUILD | MANAGE_CHANNELS | MANAGE_MESSAGES | MANAGE_ROLES
    # What the bot's managed role gets unless a test says otherwise.
    default_bot = default_member | MANAGE_MESSAGES

    @classmethod
    def all(cls) -> int:
        return (1 << 53) - 1


def resolve_channel_permissions(
    base: int, overwrites: list[tuple[int, int, int]], everyone_id: int, member_ids: set[int]
) -> int:
    """Apply overwrites like Discord does: @everyone first, then roles, then the member.

    ``overwrites`` are ``(target_id, allow, deny)``; ``member_ids`` holds the member's own id and
    role ids (role and member overwrites are merged, which is enough for the emulator).
    """
    if base & Permissions.ADMINISTRATOR:
        return Permissions.all()
    perms = base
    for target, allow, deny in overwrites:
        if target == everyone_id:
            perms = (perms & ~deny) | allow
    for target, allow, deny in overwrites:
        if target != everyone_id and target in member_ids:
            perms = (perms & ~deny) | allow
    return perms
