"""The user actions (see the package's docstring)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from typing import Literal

from bot.clinical.watch import WINDOW_DAYS, watch, watch_lines
from bot.db import Repositories
from bot.db.guild_settings import GuildSettings
from bot.db.reminders import Schedule
from bot.errors import UserError
from bot.guild_config import change_settings
from bot.reminders.engine import Reminded, ReminderChange, ReminderEngine
from bot.routines import STRETCH_KIND
from bot.scheduling.recurrence import Weekdays, local_date_of
from bot.sleep.entry import SleepEntry
from bot.sleep.report import ReportInput
from bot.sleep.stats import add_stretched, window

STRETCH_DEFAULT_TIME = time(17, 0)
NEEDS_TIMEZONE = (
    "This server has no timezone yet, so I don't know when the tip should go out. Add "
    "`timezone:` with a city near most of your members (e.g. Europe/Berlin), or set it with "
    "`/config timezone`; I'll remember it."
)
NO_REMINDER_CHANNEL = (
    "This server has no reminder channel yet. Ask a moderator to choose one "
    "with `/config reminder-channel`, or pick `where: dm`."
)


@dataclass(frozen=True)
class Context:
    """What every use case works with: the repositories and the reminder engine on them."""

    repos: Repositories
    engine: ReminderEngine


async def set_stretch_reminder(
    ctx: Context,
    user_id: int,
    *,
    local_time: time | None,
    days_mask: int | None,
    zone: str | None,
    where: Literal["dm", "channel"] | None,
    guild_id: int | None,
) -> Reminded:
    """/stretch remind: only what was given changes. The server's reminder channel, the profile's
    zone and the schedule (with a zone change) are read and written in one transaction."""
    async with ctx.engine.reminders.atomic():
        target: tuple[int | None, int | None] | None = None
        if where == "dm":
            target = (None, None)
        elif where == "channel":
            if guild_id is None:
                raise UserError("Reminders in a channel need to be set up from inside a server.")
            settings = await ctx.repos.guild_settings.get(guild_id)
            if settings.reminder_channel_id is None:
                raise UserError(NO_REMINDER_CHANNEL)
            target = (guild_id, settings.reminder_channel_id)
        profile = await ctx.repos.users.get(user_id)
        return await ctx.engine.remind(
            user_id,
            STRETCH_KIND,
            ReminderChange(local_time, days_mask, zone, target),
            default_time=STRETCH_DEFAULT_TIME,
            default_days=Weekdays.EVERY_DAY.to_mask(),
            profile_zone=profile.timezone if profile is not None else None,
        )


async def change_zone(ctx: Context, user_id: int, zone: str) -> list[Schedule]:
    """/timezone set: the profile's zone, and every schedule of the user moved with it."""
    return await ctx.engine.change_zone(user_id, zone)


async def configure_daily_tip(
    ctx: Context,
    guild_id: int,
    moderator_id: int,
    channel_id: int,
    local_time: time | None,
    zone: str | None,
) -> Schedule:
    """/config tips-channel: the channel, time and (once) zone, audited, and the tip's schedule
    (the one place its channel and time are kept) in one transaction. The schedule is saved even
    when nothing changed: running the command again resumes a paused post."""
    async with ctx.engine.reminders.atomic():
        if zone is None and (await ctx.repos.guild_settings.get(guild_id)).timezone is None:
            raise UserError(NEEDS_TIMEZONE)

        def edit(settings: GuildSettings) -> GuildSettings:
            return replace(
                settings,
                tips_channel_id=channel_id,
                tips_time=local_time if local_time is not None else settings.tips_time,
                timezone=zone or settings.timezone,
            )

        _, schedule = await change_settings(
            ctx.repos.guild_settings, ctx.engine, guild_id, edit, moderator_id
        )
    # A channel and a zone are both set by now, so there is a schedule.
    assert schedule is not None
    return schedule


async def save_night(ctx: Context, entry: SleepEntry) -> SleepEntry:
    """A night of the sleep diary: inserted, or replacing the user's entry for that night."""
    return await ctx.repos.diary.save(entry, ctx.engine.clock.now())


async def delete_my_data(ctx: Context, user_id: int) -> dict[str, int]:
    """/mydata delete: every row about the user, in one transaction; table -> rows."""
    return await ctx.repos.user_data.delete_all(user_id)


async def sleep_report(ctx: Context, user_id: int, zone: str, days: int) -> ReportInput:
    """/sleep report: the last `days` nights (a Done stretch reminder adds "stretched" to the
    night after it), every iron value, the medicines and their doses, and the augmentation watch
    over its own 56 days (which may reach further back than the report), all read in one
    transaction."""
    now = ctx.engine.clock.now()
    today = local_date_of(now, zone)
    start, end = window(days, today)
    first = min(start, today - timedelta(days=2 * WINDOW_DAYS - 1))
    async with ctx.engine.reminders.atomic():
        entries = await ctx.repos.diary.between(user_id, first, end)
        done = await ctx.repos.reminders.done_due_times(
            user_id, STRETCH_KIND, now - timedelta(days=days + 2)
        )
        labs = await ctx.repos.labs.all(user_id)
        # Two days of slack on each side cover every zone's offset and the 04:00 dose day.
        doses = await ctx.repos.meds.doses_between(
            user_id,
            datetime.combine(first - timedelta(days=2), time(0), UTC),
            now + timedelta(days=2),
        )
        medicines = [m.name for m in await ctx.repos.meds.medicines(user_id)]
    nights = add_stretched([e for e in entries if e.night >= start], done)
    return ReportInput(
        nights=tuple(nights),
        start=start,
        end=end,
        labs=tuple(labs),
        # The window's doses by the local day they were taken (the evening before its first
        # night included); the watch reads all of them.
        doses=tuple(
            d
            for d in doses
            if start - timedelta(days=1) <= local_date_of(d.taken_at, d.timezone) <= end
        ),
        medicines=tuple(medicines),
        watch=tuple(watch_lines(watch(entries, today, doses))),
        timezone=zone,
    )
