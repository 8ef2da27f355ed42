"""What moderators do with /config, and what happens when a configured channel or the whole server
goes away: each one transaction (see the package's docstring)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.db.guild_settings import BOT_ITSELF, SettingsUpdate
from bot.db.reminders import Schedule
from bot.guild_config import change_settings, defaults, forget_channel, uses_channel
from bot.i18n import N_
from bot.usecases.actions import Context

REMINDER_CHANNEL_OFF_NOTICE = N_(
    "This server's moderators turned off its reminder channel, so your reminders come by DM now."
)
REMINDER_CHANNEL_MOVED_NOTICE = N_("This server's moderators moved its reminder channel to here.")


@dataclass(frozen=True)
class ReminderChannelChange:
    update: SettingsUpdate
    moved: int  # members' reminders moved with it: to DM (turned off) or to the new channel


async def set_reminder_channel(
    ctx: Context, guild_id: int, moderator_id: int, channel_id: int | None
) -> ReminderChannelChange:
    """/config reminder-channel: the setting, audited, and the members' reminders that were posted
    in the old channel (to the new one, or to DM when it is turned off)."""
    reminders = ctx.engine.reminders
    async with reminders.atomic():
        now = ctx.engine.now()
        update = await ctx.repos.guild_settings.update(
            guild_id, lambda s: replace(s, reminder_channel_id=channel_id), moderator_id, now
        )
        old = update.before.reminder_channel_id
        moved = 0
        if update.changed and channel_id is None:
            moved = await reminders.clear_guild_targets(guild_id, REMINDER_CHANNEL_OFF_NOTICE, now)
        elif update.changed and old is not None and channel_id is not None:
            moved = await reminders.move_channel_targets(
                old, channel_id, REMINDER_CHANNEL_MOVED_NOTICE, now
            )
    return ReminderChannelChange(update, moved)


async def set_server_timezone(
    ctx: Context, guild_id: int, moderator_id: int, zone: str
) -> tuple[SettingsUpdate, Schedule | None]:
    """/config timezone: the daily tip keeps its local time (17:00 stays 17:00) in the new zone."""
    return await change_settings(
        ctx.repos.guild_settings,
        ctx.engine,
        guild_id,
        lambda s: replace(s, timezone=zone),
        moderator_id,
    )


async def turn_off_daily_tip(ctx: Context, guild_id: int, moderator_id: int) -> bool:
    """/config tips-off: the tip's schedule is removed; False when it was already off."""
    update, _ = await change_settings(
        ctx.repos.guild_settings,
        ctx.engine,
        guild_id,
        lambda s: replace(s, tips_channel_id=None, tips_time=None),
        moderator_id,
    )
    return update.changed


async def reset_server_settings(ctx: Context, guild_id: int, moderator_id: int) -> int:
    """/config reset: every setting back to its default, the daily tip off, and members whose
    reminders were posted in the reminder channel moved to DM; returns how many were moved."""
    reminders = ctx.engine.reminders
    async with reminders.atomic():
        update, _ = await change_settings(
            ctx.repos.guild_settings, ctx.engine, guild_id, defaults, moderator_id
        )
        if update.before.reminder_channel_id is None:
            return 0
        return await reminders.clear_guild_targets(
            guild_id, REMINDER_CHANNEL_OFF_NOTICE, ctx.engine.now()
        )


async def forget_deleted_channel(
    ctx: Context, guild_id: int, channel_id: int
) -> SettingsUpdate | None:
    """A channel was deleted: the settings that named it are cleared (audited as the bot's own
    change, the daily tip stopped with them); None when no setting named it."""
    async with ctx.engine.reminders.atomic():
        if not uses_channel(await ctx.repos.guild_settings.get(guild_id), channel_id):
            return None
        update, _ = await change_settings(
            ctx.repos.guild_settings,
            ctx.engine,
            guild_id,
            lambda s: forget_channel(s, channel_id),
            BOT_ITSELF,
        )
        return update


@dataclass(frozen=True)
class ServerForgotten:
    had_settings: bool
    server_schedules: int  # its own schedules removed (the daily tip), with their deliveries


async def leave_server(ctx: Context, guild_id: int) -> ServerForgotten:
    """The bot was removed from a server: its settings, audit, tip history and own schedules go
    together (members' reminders posted there are moved to DM by the reminder feature)."""
    reminders = ctx.engine.reminders
    async with reminders.atomic():
        had_settings = await ctx.repos.guild_settings.delete(guild_id)
        posts = await reminders.delete_server_schedules(guild_id)
    return ServerForgotten(had_settings, posts)
