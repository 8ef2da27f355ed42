"""What moderators can configure per server, as plain data and text (no Discord import).

The cog in ``cogs/config.py`` checks permissions, talks to Discord and the repositories; the decisions
live here so they can be tested directly: which channel types can hold the bot's posts, what each
setting is called, how a change reads in ``/config show``, and when the daily tip is next due.
"""

from __future__ import annotations

from dataclasses import replace

from bot.db.guild_settings import (
    BOT_ITSELF,
    DEFAULT_TIP_TIME,
    FORMER_MEMBER,
    REMINDER_CHANNEL,
    TIMEZONE,
    TIP_KIND,
    TIPS_CHANNEL,
    TIPS_TIME,
    AuditEntry,
    Edit,
    GuildSettings,
    GuildSettingsRepository,
    SettingsUpdate,
)
from bot.db.reminders import Schedule, ServerScheduleSpec, format_local_time
from bot.errors import UserError
from bot.formatting import discord_timestamp, when
from bot.i18n.speech import ENGLISH_SPEAKER, N_, Said, Speaker
from bot.reminders.engine import PAUSE_CHANNEL_UNAVAILABLE, ReminderEngine
from bot.scheduling.recurrence import Weekdays

RECENT_CHANGES = 5

LABELS = {
    REMINDER_CHANNEL: N_("reminder channel"),
    TIPS_CHANNEL: N_("daily tip channel"),
    TIPS_TIME: N_("daily tip time"),
    TIMEZONE: N_("server timezone"),
}
_CHANNEL_SETTINGS = {REMINDER_CHANNEL, TIPS_CHANNEL}

# Discord channel type numbers. Announcement channels behave like text channels for posting.
TEXT, ANNOUNCEMENT = 0, 5
POSTABLE_TYPES = (TEXT, ANNOUNCEMENT)
_PICK_TEXT = N_("Please pick a normal text channel.")
_THREAD = N_(
    "That's a thread: threads get archived when they go quiet, and then my posts would stop."
)
_TYPE_PROBLEMS = {
    2: N_("That's a voice channel, and I only post in text channels."),
    13: N_("That's a stage channel, and I only post in text channels."),
    4: N_("That's a category, not a channel."),
    15: N_("That's a forum channel: each of my posts would have to start its own thread there."),
    16: N_("That's a media channel: each of my posts would have to start its own thread there."),
    10: _THREAD,
    11: _THREAD,
    12: N_("That's a private thread: most members couldn't see my posts there."),
}

# The bot's own permissions a channel needs for its posts (attribute names of discord.Permissions)
# with the names Discord's settings screens use.
REQUIRED_PERMISSIONS = {
    "view_channel": N_("View Channel"),
    "send_messages": N_("Send Messages"),
    "embed_links": N_("Embed Links"),
    "attach_files": N_("Attach Files"),
}


def channel_type_problem(channel_type: int) -> UserError | None:
    """Why the bot cannot use a channel of this type for its posts, or None when it can."""
    if channel_type in POSTABLE_TYPES:
        return None
    problem = _TYPE_PROBLEMS.get(channel_type, N_("I can only post in text channels."))
    return UserError(N_("{problem} {pick}"), problem=Said(problem), pick=Said(_PICK_TEXT))


def missing_permissions_error(channel_id: int, missing: list[str]) -> UserError:
    return UserError(
        N_(
            "I can't use <#{channel}> yet: I'm missing {names} there. Give my role those "
            "permissions in that channel (Edit Channel → Permissions), then try again."
        ),
        channel=channel_id,
        names=_Bold(tuple(REQUIRED_PERMISSIONS.get(name, name) for name in missing)),
    )


class _Bold(tuple[str, ...]):
    """Permission names, each said in the reader's language and in bold: "**A**, **B**"."""

    def said_by(self, tr: Speaker) -> str:
        return ", ".join(f"**{tr(name)}**" for name in self)

    def __format__(self, spec: str) -> str:
        return format(self.said_by(ENGLISH_SPEAKER), spec)


def forget_channel(settings: GuildSettings, channel_id: int) -> GuildSettings:
    """The settings without any reference to a channel that no longer exists."""
    if settings.reminder_channel_id == channel_id:
        settings = replace(settings, reminder_channel_id=None)
    if settings.tips_channel_id == channel_id:
        settings = replace(settings, tips_channel_id=None, tips_time=None)
    return settings


def uses_channel(settings: GuildSettings, channel_id: int) -> bool:
    return channel_id in (settings.reminder_channel_id, settings.tips_channel_id)


def defaults(settings: GuildSettings) -> GuildSettings:
    return GuildSettings(settings.guild_id)


def tip_spec(settings: GuildSettings) -> ServerScheduleSpec | None:
    """The daily tip's schedule these settings ask for; None when it is off (or has no zone)."""
    if settings.tips_channel_id is None or settings.timezone is None:
        return None
    return ServerScheduleSpec(
        guild_id=settings.guild_id,
        channel_id=settings.tips_channel_id,
        kind=TIP_KIND,
        local_time=settings.tips_time or DEFAULT_TIP_TIME,
        days_mask=Weekdays.EVERY_DAY.to_mask(),
        timezone=settings.timezone,
    )


async def apply_tip_schedule(engine: ReminderEngine, settings: GuildSettings) -> Schedule | None:
    """Make the daily tip's schedule match the settings: saved, moved, or removed."""
    spec = tip_spec(settings)
    if spec is None:
        await engine.reminders.delete_server_schedules(settings.guild_id, TIP_KIND)
        return None
    return await engine.save_server_schedule(spec)


async def change_settings(
    guild_settings: GuildSettingsRepository,
    engine: ReminderEngine,
    guild_id: int,
    edit: Edit,
    moderator_id: int,
) -> tuple[SettingsUpdate, Schedule | None]:
    """One moderator change and the daily tip schedule that follows from it, in one transaction:
    a failure between the two leaves neither. The schedule row is the one place the daily tip's
    channel and time are stored (the settings read them from it); its zone is the server's."""
    async with engine.reminders.atomic():
        update = await guild_settings.update(guild_id, edit, moderator_id, engine.now())
        return update, await apply_tip_schedule(engine, update.after)


def show_value(setting: str, value: str | None, tr: Speaker = ENGLISH_SPEAKER) -> str:
    """A stored setting value as /config show prints it."""
    if value is None:
        return tr("default (17:00)") if setting == TIPS_TIME else tr("not set")
    if setting in _CHANNEL_SETTINGS:
        return f"<#{value}>"
    return f"`{value}`"


def change_line(entry: AuditEntry, tr: Speaker = ENGLISH_SPEAKER) -> str:
    """One audit entry as a line: when, who, what. Mentions are only rendered, never pinged:
    the reply that carries them allows no mentions."""
    if entry.moderator_id == BOT_ITSELF:
        who = tr("automatically")
    elif entry.moderator_id == FORMER_MEMBER:
        who = tr("by a member who has since deleted their data")
    else:
        who = tr("by <@{member}>", member=entry.moderator_id)
    label = tr(LABELS[entry.setting]) if entry.setting in LABELS else entry.setting
    old, new = (
        show_value(entry.setting, entry.old_value, tr),
        show_value(entry.setting, entry.new_value, tr),
    )
    return f"{discord_timestamp(entry.changed_at, 'f')} {who}: {label} {old} → {new}"


def settings_overview(
    settings: GuildSettings,
    tip_schedule: Schedule | None,
    changes: list[AuditEntry],
    tr: Speaker = ENGLISH_SPEAKER,
) -> str:
    """The body of /config show: every setting with its value, then the latest changes."""
    reminder = (
        tr(
            "<#{channel}> (members choose it with `/stretch remind where:channel`)",
            channel=settings.reminder_channel_id,
        )
        if settings.reminder_channel_id is not None
        else tr("not set (stretch reminders come by DM only)")
    )
    lines = [tr("**Server settings**"), tr("**Reminder channel:** {value}", value=reminder)]
    if settings.tips_channel_id is None:
        lines.append(tr("**Daily tip:** off"))
    else:
        at = format_local_time(settings.tips_time or DEFAULT_TIP_TIME)
        lines.append(
            tr("**Daily tip:** <#{channel}> at {time}", channel=settings.tips_channel_id, time=at)
        )
        if tip_schedule is not None and tip_schedule.pause_reason == PAUSE_CHANNEL_UNAVAILABLE:
            lines.append(
                tr(
                    "⚠️ Paused: I couldn't post in <#{channel}>. Check my permissions there, then "
                    "run `/config tips-channel` again.",
                    channel=settings.tips_channel_id,
                )
            )
        elif tip_schedule is not None and tip_schedule.next_due is not None:
            lines.append(tr("Next tip: {when}", when=when(tip_schedule.next_due)))
    lines.append(
        tr("**Server timezone:** {value}", value=show_value(TIMEZONE, settings.timezone, tr))
    )
    lines.append("")
    lines.append(tr("**Recent changes**"))
    lines.extend(f"• {change_line(entry, tr)}" for entry in changes)
    if not changes:
        lines.append(tr("none yet"))
    return "\n".join(lines)
