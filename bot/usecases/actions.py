"""The user actions (see the package's docstring)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from bot.clinical.autotime import AutoTime, auto_stretch_time, parse_before
from bot.clinical.meds import DoseEvent
from bot.clinical.nights import SymptomNightLike
from bot.clinical.watch import WINDOW_DAYS, WatchResult, watch, watch_lines
from bot.db import Repositories
from bot.db.guild_settings import GuildSettings
from bot.db.reminders import Schedule
from bot.errors import UserError
from bot.guild_config import change_settings
from bot.i18n import N_
from bot.i18n.locales import ENGLISH
from bot.i18n.speech import speaker
from bot.reminders.engine import Reminded, ReminderChange, ReminderEngine
from bot.routines import STRETCH_KIND
from bot.scheduling.recurrence import Weekdays, local_date_of
from bot.sleep.entry import SleepEntry
from bot.sleep.report import ReportInput
from bot.sleep.stats import add_stretched, window

STRETCH_DEFAULT_TIME = time(17, 0)
NEEDS_TIMEZONE = N_(
    "This server has no timezone yet, so I don't know when the tip should go out. Add "
    "`timezone:` with a city near most of your members (e.g. Europe/Berlin), or set it with "
    "`/config timezone`; I'll remember it."
)
NO_REMINDER_CHANNEL = N_(
    "This server has no reminder channel yet. Ask a moderator to choose one "
    "with `/config reminder-channel`, or pick `where: dm`."
)

BEFORE_NEEDS_AUTO = N_(
    "`before` goes with `time:auto`: how many minutes before your symptoms "
    "usually start the reminder comes. Nothing was changed."
)


@dataclass(frozen=True)
class Context:
    """What every use case works with: the repositories and the reminder engine on them."""

    repos: Repositories
    engine: ReminderEngine


AUTO: Literal["auto"] = "auto"
# How far back onset-timed reminders look for the last nights with a symptom start.
AUTO_LOOKBACK_DAYS = 366


@dataclass(frozen=True)
class StretchReminded:
    """What /stretch remind did: the engine's answer, the onset-timed time when `time:auto`
    chose it, and whether a typed time just turned auto off."""

    reminded: Reminded
    auto: AutoTime | None = None
    auto_turned_off: bool = False

    @property
    def schedule(self) -> Schedule:
        return self.reminded.schedule


async def set_stretch_reminder(
    ctx: Context,
    user_id: int,
    *,
    local_time: time | Literal["auto"] | None,
    days_mask: int | None,
    zone: str | None,
    where: Literal["dm", "channel"] | None,
    guild_id: int | None,
    before: int | None = None,
) -> StretchReminded:
    """/stretch remind: only what was given changes. The server's reminder channel, the profile's
    zone and the schedule (with a zone change) are read and written in one transaction.

    `local_time="auto"` (with `before`, minutes) follows the person's symptom onset
    (bot.clinical.autotime) and is kept as such, so each night saved moves it (save_night); a
    typed time turns that off; leaving the time out keeps either."""
    async with ctx.engine.reminders.atomic():
        if before is not None and local_time != AUTO:
            # `before` alone changes the lead of a reminder that already follows the symptoms.
            follows = await ctx.repos.auto_times.get(user_id, STRETCH_KIND) is not None
            if local_time is not None or not follows:
                raise UserError(BEFORE_NEEDS_AUTO)
            local_time = AUTO
        target: tuple[int | None, int | None] | None = None
        if where == "dm":
            target = (None, None)
        elif where == "channel":
            if guild_id is None:
                raise UserError(
                    N_("Reminders in a channel need to be set up from inside a server.")
                )
            settings = await ctx.repos.guild_settings.get(guild_id)
            if settings.reminder_channel_id is None:
                raise UserError(NO_REMINDER_CHANNEL)
            target = (guild_id, settings.reminder_channel_id)
        profile = await ctx.repos.users.get(user_id)
        profile_zone = profile.timezone if profile is not None else None
        auto: AutoTime | None = None
        typed: time | None = None
        if isinstance(local_time, str):  # AUTO
            minutes_before = parse_before(before)
            the_zone = zone or profile_zone
            if the_zone is None:
                current = await ctx.repos.reminders.get_schedule(user_id, STRETCH_KIND)
                the_zone = current.timezone if current is not None else None
            if the_zone is not None:
                auto = await _auto_time(ctx, user_id, the_zone, minutes_before)
                typed = auto.local_time
        else:
            typed = local_time
        reminded = await ctx.engine.remind(
            user_id,
            STRETCH_KIND,
            ReminderChange(typed, days_mask, zone, target),
            default_time=STRETCH_DEFAULT_TIME,
            default_days=Weekdays.EVERY_DAY.to_mask(),
            profile_zone=profile_zone,
        )
        turned_off = False
        if auto is not None:
            await ctx.repos.auto_times.set(user_id, STRETCH_KIND, auto.before, ctx.engine.now())
        elif typed is not None:
            turned_off = await ctx.repos.auto_times.clear(user_id, STRETCH_KIND)
        return StretchReminded(reminded, auto, turned_off)


async def _auto_time(ctx: Context, user_id: int, zone: str, before: int) -> AutoTime:
    today = local_date_of(ctx.engine.now(), zone)
    nights = await ctx.repos.diary.between(
        user_id, today - timedelta(days=AUTO_LOOKBACK_DAYS), today
    )
    return auto_stretch_time(nights, today, before)


async def follow_onset(ctx: Context, user_id: int) -> Schedule | None:
    """An onset-timed stretch reminder takes the time the nights logged so far give (the
    engine's retime rule: today's reminder moves only while both times are ahead). None when
    the reminder is not onset-timed or nothing moved."""
    before = await ctx.repos.auto_times.get(user_id, STRETCH_KIND)
    if before is None:
        return None
    schedule = await ctx.repos.reminders.get_schedule(user_id, STRETCH_KIND)
    if schedule is None or schedule.pause_reason is not None:
        return None
    auto = await _auto_time(ctx, user_id, schedule.timezone, before)
    return await ctx.engine.retime(user_id, STRETCH_KIND, auto.local_time)


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
    """A night of the sleep diary: inserted, or replacing the user's entry for that night; an
    onset-timed stretch reminder follows it (in the same transaction)."""
    async with ctx.engine.reminders.atomic():
        return await _write_night(ctx, entry)


async def save_night_as_asked(
    ctx: Context, entry: SleepEntry, asked_over: SleepEntry | None
) -> SleepEntry | None:
    """`save_night` once the person confirmed it over `asked_over`, the night as it was when
    they were asked (None: not logged then); None, saving nothing, when the night has changed
    since: an edit or a log saved meanwhile must not be overwritten unseen, nor a deleted night
    come back."""
    async with ctx.engine.reminders.atomic():
        if await ctx.repos.diary.get(entry.user_id, entry.night) != asked_over:
            return None
        return await _write_night(ctx, entry)


async def _write_night(ctx: Context, entry: SleepEntry) -> SleepEntry:
    saved = await ctx.repos.diary.save(entry, ctx.engine.clock.now())
    await follow_onset(ctx, entry.user_id)
    return saved


WATCH_NIGHTS = 2 * WINDOW_DAYS  # the two 4-week windows the watch compares


def watch_doses_window(today: date) -> tuple[datetime, datetime]:
    """The UTC instants the watch reads doses between for the local date `today`: its 56 days
    with slack for every zone's offset and the 04:00 dose day."""
    first_day = today - timedelta(days=WATCH_NIGHTS + 1)
    return (
        datetime.combine(first_day, time(0), UTC),
        datetime.combine(today + timedelta(days=3), time(0), UTC),
    )


def doses_around(utc_today: date) -> tuple[datetime, datetime]:
    """A window holding `watch_doses_window` of every zone's today while it is `utc_today` in
    UTC (a zone's date is at most a day either side): read it before the zone is known."""
    return (
        watch_doses_window(utc_today - timedelta(days=1))[0],
        watch_doses_window(utc_today + timedelta(days=1))[1],
    )


async def watch_for(
    ctx: Context,
    user_id: int,
    today: date,
    nights: Sequence[SymptomNightLike] | None = None,
    doses: Sequence[DoseEvent] | None = None,
) -> WatchResult:
    """The augmentation watch for the 56 days up to `today` (the person's local date): the one
    place that gathers what it reads. `nights` are the diary's nights and `doses` the doses
    of a window holding `watch_doses_window(today)` (`doses_around`), in `doses_between`'s
    order, when the caller has read them already (/sleep stats reads both with its own, in one
    trip); otherwise they are read here."""
    if nights is None:
        nights = await ctx.repos.diary.between(
            user_id, today - timedelta(days=WATCH_NIGHTS - 1), today
        )
    start, end = watch_doses_window(today)
    if doses is None:
        doses = await ctx.repos.meds.doses_between(user_id, start, end)
    else:
        doses = [d for d in doses if start <= d.taken_at < end]
    return watch(nights, today, doses=doses)


async def delete_my_data(ctx: Context, user_id: int) -> dict[str, int]:
    """/mydata delete: every row about the user, in one transaction; table -> rows."""
    return await ctx.repos.user_data.delete_all(user_id)


async def sleep_report(
    ctx: Context, user_id: int, zone: str, days: int, locale: str = ENGLISH
) -> ReportInput:
    """/sleep report: the last `days` nights (a Done stretch reminder adds "stretched" to the
    night after it), every iron value, the medicines and their doses, and the augmentation watch
    over its own 56 days (which may reach further back than the report), all read in one
    transaction. `locale`: the page's language (the watch's lines are said in it here)."""
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
    # Both already read (the report's window holds the watch's): the one place gathers them.
    watched = await watch_for(ctx, user_id, today, nights=entries, doses=doses)
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
        watch=tuple(watch_lines(watched, speaker(locale))),
        timezone=zone,
        locale=locale,
    )
