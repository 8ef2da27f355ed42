"""/stretch: daily late-afternoon stretch reminders, and the buttons on each reminder."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from datetime import time as dt_time
from typing import Any, ClassVar, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import RlsBot
from bot.clinical.autotime import MAX_BEFORE, is_auto
from bot.cooldowns import cooldown, stretch_now_limits
from bot.db.reminders import Delivery, Schedule, format_local_time
from bot.discord_delivery import RenderedMessage
from bot.errors import UserError, ZoneNeeded
from bot.formatting import discord_timestamp, human_duration, when
from bot.i18n import ENGLISH, N_, Speaker
from bot.i18n.content import localized_routines, routine_safety_line
from bot.i18n.speech import ENGLISH_SPEAKER, Said
from bot.interactions import (
    ConfirmView,
    said,
    send_reply,
    server_without_bot,
    translator_for,
)
from bot.reminders.engine import (
    PAUSE_BY_USER,
    PAUSE_DM_CLOSED,
    PAUSE_STOPPED,
    PAUSE_UNREADABLE,
    Reminded,
    ReminderKind,
    ScheduleStatus,
    not_set_up,
    recurrence_of,
    unreadable_help,
)
from bot.reminders.transport import Outgoing
from bot.routines import (
    STRETCH_KIND,
    Routine,
    day_number,
    load_routines,
    render_steps,
    routine_for,
)
from bot.scheduling.parsing import (
    MAX_PAUSE_DAYS,
    MIN_PAUSE_DAYS,
    parse_days,
    parse_pause_days,
    parse_time,
)
from bot.scheduling.recurrence import Weekdays, local_date_of, scheduled_date_of
from bot.scheduling.zones import resolve_zone
from bot.usecases import StretchReminded, set_stretch_reminder
from bot.usecases.actions import AUTO
from cogs._autocomplete import zone_autocomplete
from cogs._cog import BotCog
from cogs._reminder_message import (
    LocaleOf,
    ReminderAnswerButton,
    add_delivery_notes,
    owner_speaker,
)
from cogs._zone import Reply, asking_zone

KIND = STRETCH_KIND
WHAT = N_("stretch reminders")
COLOUR = discord.Colour.green()
# When DMs are refused, a server that added the bot can post them in its reminder channel.
CHANNEL_INSTEAD = N_(
    "Or get them in a server's reminder channel: `/stretch remind where:channel` in a server "
    "that added me."
)
DM_CLOSED_HELP = N_(
    "I couldn't send you a DM, so your reminders are paused. Allow direct messages from this "
    "server's members (server name → Privacy Settings), then use `/stretch resume`. {instead}"
)


NO_CHANNEL_POSTS_HERE = N_(
    "This server hasn't added me (you use me through your own account), so I can't post in "
    "its channels. Your reminders can come by DM instead: pick `where: dm`. Nothing was changed."
)


BUTTONS: dict[str, tuple[str, discord.ButtonStyle]] = {
    "done": (N_("Done"), discord.ButtonStyle.success),
    "snooze": (N_("Snooze 15 min"), discord.ButtonStyle.secondary),
    "stop": (N_("Stop reminders"), discord.ButtonStyle.danger),
}


class ReminderButton(
    ReminderAnswerButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rls:stretch:(?P<action>done|snooze|stop):(?P<delivery>\d{1,20}):(?P<owner>\d{1,20})",
):
    """Done / Snooze / Stop on a reminder. The state lives in the custom_id, so the buttons keep
    working after a restart, and only the reminder's owner may press them."""

    not_yours = N_("This reminder belongs to someone else.")

    prefix = "rls:stretch"
    labels = BUTTONS

    async def on_answer(self, interaction: discord.Interaction[Any]) -> None:
        if self.action == "stop":
            await ask_to_stop(interaction)
            return
        bot: RlsBot = interaction.client
        delivery = await bot.engine.done(self.delivery_id, interaction.user.id)
        await interaction.response.edit_message(
            embed=_marked_done(interaction.message, delivery, translator_for(interaction)),
            view=None,
        )


def _marked_done(
    message: discord.Message | None, delivery: Delivery, tr: Speaker = ENGLISH_SPEAKER
) -> discord.Embed:
    embed = (
        message.embeds[0]
        if message is not None and message.embeds
        else discord.Embed(colour=COLOUR)
    )
    assert delivery.done_at is not None
    embed.set_footer(text=tr("Done. Well stretched!"))
    embed.timestamp = delivery.done_at
    return embed


def reminder_view(
    delivery_id: int, owner_id: int, tr: Speaker = ENGLISH_SPEAKER
) -> discord.ui.View:
    return ReminderButton.reminder_view(delivery_id, owner_id, tr)


async def ask_to_stop(interaction: discord.Interaction[Any]) -> None:
    """The question behind /stretch stop and a reminder's Stop button."""
    tr = translator_for(interaction)
    await send_reply(
        interaction,
        tr("Stop your daily stretch reminders? You can start again any time."),
        view=ConfirmView(
            interaction.user.id,
            labels=(tr("Yes, stop"), tr("Keep them")),
            on_confirm=_stop_reminders,
            cancelled=tr("Kept: your reminders carry on."),
        ),
    )


async def _stop_reminders(interaction: discord.Interaction[Any]) -> str:
    bot: RlsBot = interaction.client
    tr = translator_for(interaction)
    stopped = await bot.engine.stop(interaction.user.id, KIND)
    return (
        tr("Stopped. No more stretch reminders.")
        if stopped
        else tr("You had no stretch reminders.")
    )


STOPPED = N_(
    "You stopped your stretch reminders {when}. `/stretch remind` starts them again whenever you "
    "like."
)


@contextlib.asynccontextmanager
async def unless_stopped(bot: RlsBot, user_id: int) -> AsyncIterator[None]:
    """With no schedule because the person stopped it, say so and how to start again, not that
    reminders were never set up."""
    try:
        yield
    except UserError as error:
        if error.message != not_set_up(WHAT).message:
            raise
        # A stopped schedule is kept (so starting again the same day knows what was sent); its
        # last change is the stop.
        schedule = await bot.repos.reminders.get_schedule(user_id, KIND)
        if schedule is None or schedule.pause_reason != PAUSE_STOPPED:
            raise
        raise UserError(STOPPED, when=discord_timestamp(schedule.updated_at, "R")) from None


def is_paused(schedule: Schedule, now: datetime) -> bool:
    return schedule.next_due is None or (
        schedule.paused_until is not None and schedule.paused_until > now
    )


class StretchRenderer:
    """Turns an outbox delivery into the reminder message, in the language of the person's
    latest interaction (stored by the bot; English when not known)."""

    def __init__(self, routines: list[Routine], locale_of: LocaleOf | None = None) -> None:
        self.routines = routines
        self.locale_of = locale_of

    async def __call__(self, outgoing: Outgoing) -> RenderedMessage:
        schedule = outgoing.schedule
        tr = await owner_speaker(outgoing, self.locale_of)
        local_day = scheduled_date_of(recurrence_of(schedule), outgoing.delivery.due_at)
        routine = routine_of_the_day(local_day, self.routines, tr)
        embed = routine_embed(routine, tr, tr("Time to stretch: {title}", title=routine.title))
        add_delivery_notes(embed, outgoing, schedule, tr)
        return RenderedMessage(
            embed=embed, view=reminder_view(outgoing.delivery.id, schedule.user_id, tr)
        )


def routine_of_the_day(day: date, routines: list[Routine], tr: Speaker) -> Routine:
    """The routine for a local date, in the reader's language; the same rotation in every
    language (the translated list keeps the English order)."""
    return routine_for(
        day_number(day), routines if tr.locale == ENGLISH else localized_routines(tr.locale)
    )


def routine_embed(routine: Routine, tr: Speaker, title: str) -> discord.Embed:
    """A routine as the reminder shows it: intro, numbered steps, the safety line."""
    embed = discord.Embed(title=title, description=routine.intro, colour=COLOUR)
    embed.add_field(name=tr("Steps"), value=render_steps(routine, tr), inline=False)
    embed.set_footer(text=routine_safety_line(tr.locale)[:2048])
    return embed


def human_duration_seconds(seconds: int, tr: Speaker = ENGLISH_SPEAKER) -> str:
    return human_duration(timedelta(seconds=seconds), tr)


def _where(channel_id: int | None, tr: Speaker) -> str:
    return tr("in <#{channel}>", channel=channel_id) if channel_id else tr("by DM")


def describe_schedule(
    local_time: time,
    days_mask: int,
    zone: str,
    channel_id: int | None,
    tr: Speaker = ENGLISH_SPEAKER,
) -> str:
    return tr(
        "{time} on {days} ({timezone}), {where}",
        time=format_local_time(local_time),
        days=Weekdays.from_mask(days_mask).said_by(tr),
        timezone=zone,
        where=_where(channel_id, tr),
    )


# The names of what a change can touch, as the reply lists them ("time 18:00 (was 17:00)").
_PART_NAMES = {
    "time": N_("time"),
    "days": N_("days"),
    "timezone": N_("timezone"),
    "where": N_("where"),
}


def _parts(s: Schedule, tr: Speaker) -> dict[str, str]:
    return {
        "time": format_local_time(s.local_time),
        "days": Weekdays.from_mask(s.days_mask).said_by(tr),
        "timezone": s.timezone,
        "where": _where(s.channel_id, tr),
    }


def remind_summary(result: Reminded, tr: Speaker = ENGLISH_SPEAKER) -> str:
    """What /stretch remind did: the schedule when new; otherwise what changed and what stayed."""
    s = result.schedule
    if result.previous is None:
        return tr(
            "Stretch reminders set: {schedule}.",
            schedule=describe_schedule(s.local_time, s.days_mask, s.timezone, s.channel_id, tr),
        )
    now, before = _parts(s, tr), _parts(result.previous, tr)
    kept = ", ".join(now[name] for name in now if name not in result.changed)
    if not result.changed:
        return tr("Nothing to change: your stretch reminders stay at {kept}.", kept=kept)
    changed = ", ".join(
        tr(
            "{part} {now} (was {before})",
            part=tr(_PART_NAMES.get(name, name)),
            now=now[name],
            before=before[name],
        )
        for name in result.changed
    )
    text = tr(
        "Stretch reminders changed: {changed}. Unchanged: {kept}.", changed=changed, kept=kept
    )
    if s.pause_reason == PAUSE_BY_USER and s.paused_until is not None:
        text += " " + tr(
            "Still paused until {when}: `/stretch resume` ends it now.", when=when(s.paused_until)
        )
    return text


def auto_text(result: StretchReminded, tr: Speaker = ENGLISH_SPEAKER) -> str:
    """What `time:auto` chose and why, or that a typed time turned it off."""
    if result.auto is not None:
        return "\n" + tr(
            "{explanation} It follows each night you log; today's reminder only moves while both "
            "times are still ahead, never twice in a day. A typed time turns this off.",
            explanation=result.auto.explained(tr),
        )
    if result.auto_turned_off:
        return "\n" + tr(
            "Your reminder no longer follows your symptom start time (`time:auto` turns that "
            "back on)."
        )
    return ""


def status_text(status: ScheduleStatus, tr: Speaker = ENGLISH_SPEAKER) -> str:
    s = status.schedule
    lines = [
        tr(
            "**Schedule:** {schedule}",
            schedule=describe_schedule(s.local_time, s.days_mask, s.timezone, s.channel_id, tr),
        )
    ]
    if status.pause_reason == PAUSE_DM_CLOSED:
        lines.append(tr("**Paused:** {why}", why=tr(DM_CLOSED_HELP, instead=Said(CHANNEL_INSTEAD))))
    elif status.pause_reason == PAUSE_UNREADABLE:
        lines.append(tr("**Paused:** {why}", why=unreadable_help(s.timezone, tr)))
    elif status.paused_until is not None:
        lines.append(
            tr(
                "**Paused** until {when} (you asked). `/stretch resume` ends it now.",
                when=when(status.paused_until),
            )
        )
    if status.next_reminders:
        lines.append(tr("**Next reminder:** {when}", when=when(status.next_reminders[0])))
    last = status.last_delivery
    if last is None:
        lines.append(tr("**Last reminder:** none yet"))
    elif last.status == "sent" and last.sent_at is not None:
        lines.append(
            tr("**Last reminder:** sent {when}", when=discord_timestamp(last.sent_at, "R"))
        )
    elif last.status == "skipped":
        lines.append(
            tr(
                "**Last reminder:** skipped, because I was offline for over {late} when it was due",
                late=human_duration_seconds(last.late_seconds or 0, tr),
            )
        )
    elif last.status == "failed":
        lines.append(tr("**Last reminder:** could not be delivered"))
    lines.append(
        tr.plural(status.streak, "**Done streak:** {count} day", "**Done streak:** {count} days")
    )
    if status.skipped_recently:
        lines.append(
            tr(
                "Skipped in the last 7 days because I was offline: {count}",
                count=tr.number(status.skipped_recently),
            )
        )
    return "\n".join(lines)


def typed_zone(timezone: str | None) -> str | None:
    """`timezone:` as typed into /stretch remind; one that cannot be read is asked for again
    with the rest of the command kept (cogs/_zone.py)."""
    if timezone is None:
        return None
    try:
        return resolve_zone(timezone).key
    except UserError as problem:
        raise ZoneNeeded(
            problem.text, why=problem.text, typed_zone=timezone, **problem.params
        ) from problem


class StretchCog(BotCog):
    help_title = N_("Stretch reminders")
    reminder_kinds: ClassVar[dict[str, ReminderKind]] = {
        KIND: ReminderKind(WHAT, "/stretch status", "/stretch resume", CHANNEL_INSTEAD)
    }

    group = app_commands.Group(
        name="stretch", description="Daily late-afternoon stretch reminders."
    )

    def __init__(self, bot: RlsBot, routines: list[Routine]) -> None:
        super().__init__(bot)
        self.routines = routines

    async def cog_load(self) -> None:
        self.bot.engine.register_renderer(
            KIND, StretchRenderer(self.routines, self.bot.repos.users.locale)
        )

    @group.command(name="remind", description="Start or change your daily stretch reminder.")
    @app_commands.describe(
        time="When, in your time: 17:30 or 5:30 pm (default 17:00), or auto: before your symptoms",
        timezone="Your city or zone, e.g. Europe/Berlin (needed once)",
        days="every day, weekdays, weekends, or a list like mon,wed,fri",
        where="By DM (default) or in this server's reminder channel",
        before="With time:auto: minutes before your usual symptom start (default 60)",
    )
    @app_commands.autocomplete(timezone=zone_autocomplete)
    async def remind(
        self,
        interaction: discord.Interaction[RlsBot],
        time: str | None = None,
        timezone: str | None = None,
        days: str | None = None,
        where: Literal["dm", "channel"] | None = None,
        before: app_commands.Range[int, 0, MAX_BEFORE] | None = None,
    ) -> None:
        async def remind(interaction: discord.Interaction[RlsBot], reply: Reply) -> None:
            # Only what was given changes: a later `/stretch remind days:weekends` keeps the time.
            local_time: dt_time | Literal["auto"] | None = None
            if is_auto(time):
                local_time = AUTO
            elif time is not None:
                local_time = parse_time(time)
            weekdays = parse_days(days) if days is not None else None
            zone = reply.zone or typed_zone(timezone)
            # Only Discord knows whether the bot is in the server (a user install).
            in_server = where == "channel" and interaction.guild_id is not None
            if in_server and server_without_bot(interaction):
                raise UserError(NO_CHANNEL_POSTS_HERE)
            result = await set_stretch_reminder(
                self.bot.usecases,
                interaction.user.id,
                local_time=local_time,
                days_mask=weekdays.to_mask() if weekdays else None,
                zone=zone,
                where=where,
                guild_id=interaction.guild_id,
                before=before,
            )
            tr = translator_for(interaction)
            next_three = "\n".join(
                f"• {when(t)}" for t in self.bot.engine.upcoming(result.schedule, 3)
            )
            await reply.answer(
                interaction,
                reply.first
                + remind_summary(result.reminded, tr)
                + auto_text(result, tr)
                + "\n"
                + tr("Next three:")
                + "\n"
                + next_three,
            )

        await asking_zone(interaction, f"rls:stretch:remindzone:{interaction.user.id}", remind)

    @group.command(name="status", description="Your stretch schedule, next reminder and streak.")
    async def status(self, interaction: discord.Interaction[RlsBot]) -> None:
        async with unless_stopped(self.bot, interaction.user.id):
            status = await self.bot.engine.status(interaction.user.id, KIND, WHAT)
        tr = translator_for(interaction)
        text = status_text(status, tr)
        before = status.auto_before  # read with the status: one trip
        if before is not None:
            text += "\n" + tr(
                "**Time:** follows your symptom start, {before} min before (`time:auto`); it "
                "moves as you log nights.",
                before=before,
            )
        await send_reply(interaction, text)

    @group.command(name="pause", description="Pause your stretch reminders for a few days.")
    @app_commands.describe(days="How many days (1–30)")
    async def pause(
        self,
        interaction: discord.Interaction[RlsBot],
        days: app_commands.Range[int, MIN_PAUSE_DAYS, MAX_PAUSE_DAYS] = 1,
    ) -> None:
        async with unless_stopped(self.bot, interaction.user.id):
            schedule = await self.bot.engine.pause(
                interaction.user.id, KIND, parse_pause_days(days), WHAT
            )
        assert schedule.paused_until is not None
        tr = translator_for(interaction)
        await send_reply(
            interaction,
            tr(
                "Paused until {when}. `/stretch resume` ends it early.",
                when=when(schedule.paused_until),
            ),
        )

    @group.command(name="resume", description="Resume paused stretch reminders.")
    async def resume(self, interaction: discord.Interaction[RlsBot]) -> None:
        async with unless_stopped(self.bot, interaction.user.id):
            current = await self.bot.engine.require(interaction.user.id, KIND, WHAT)
        tr = translator_for(interaction)
        if not is_paused(current, self.bot.engine.now()):
            assert current.next_due is not None
            await send_reply(
                interaction,
                tr(
                    "Your stretch reminders aren't paused. Next one {when}.",
                    when=when(current.next_due),
                ),
            )
            return
        schedule = await self.bot.engine.resume(interaction.user.id, KIND, WHAT)
        assert schedule.next_due is not None
        await send_reply(
            interaction, tr("Resumed. Next reminder {when}.", when=when(schedule.next_due))
        )

    @group.command(name="stop", description="Stop your stretch reminders.")
    async def stop(self, interaction: discord.Interaction[RlsBot]) -> None:
        async with unless_stopped(self.bot, interaction.user.id):
            await self.bot.engine.require(interaction.user.id, KIND, WHAT)
        await ask_to_stop(interaction)

    @group.command(name="now", description="Send me today's stretch routine right now.")
    @cooldown(stretch_now_limits)
    async def now(self, interaction: discord.Interaction[RlsBot]) -> None:
        tr = translator_for(interaction)
        try:
            async with unless_stopped(self.bot, interaction.user.id):
                await self.bot.engine.send_now(interaction.user.id, KIND, WHAT)
        except UserError as error:
            if error.message != not_set_up(WHAT).message and error.text != STOPPED:
                raise
            # No reminders to send it by (never set up, or stopped): the person asked for a
            # routine now, so it comes here, only for them.
            routine = routine_of_the_day(await self._today(interaction.user.id), self.routines, tr)
            never = tr(
                "Today's routine. `/stretch remind` sends one every day at a time you choose."
            )
            await send_reply(
                interaction,
                said(interaction, error) if error.text == STOPPED else never,
                embed=routine_embed(routine, tr, routine.title),
            )
            return
        await send_reply(interaction, tr("On its way: check where your reminders usually arrive."))

    async def _today(self, user_id: int) -> date:
        """The person's local date (UTC's when they have not told their zone)."""
        profile = await self.bot.repos.users.get(user_id)
        zone = profile.timezone if profile is not None and profile.timezone else "UTC"
        return local_date_of(self.bot.engine.now(), zone)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await self.bot.repos.reminders.clear_guild_targets(
            guild.id,
            N_(
                "I'm no longer in the server where your reminders were posted, so they come by "
                "DM now."
            ),
            self.bot.engine.now(),
        )

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        await self.bot.repos.reminders.clear_channel_targets(
            channel.id,
            N_("Your reminder channel was deleted, so your reminders come by DM now."),
            self.bot.engine.now(),
        )


async def setup(bot: RlsBot) -> None:
    bot.add_dynamic_items(ReminderButton)
    await bot.add_cog(StretchCog(bot, load_routines()))
