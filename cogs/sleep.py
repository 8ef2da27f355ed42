"""/sleep: a private nightly sleep and RLS diary, its statistics, charts and a doctor's report.

Everything here is about one person's health, so every reply is ephemeral, every custom_id
carries its owner's id and every handler checks it against the person pressing. The guided
check-in's modals and menus live in ``cogs/_sleep_checkin.py``.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from typing import Any, ClassVar

import discord
from discord import app_commands

from bot.client import RlsBot
from bot.clinical.meds import DoseEvent
from bot.clinical.nights import MAX_REST_MIN, NONE_WORD, REGIONS, region_suggestions
from bot.clinical.watch import watch_lines
from bot.cooldowns import SLEEP_REPORT_SECONDS, cooldown, per_user
from bot.db.reminders import Schedule, ScheduleSpec, format_local_time
from bot.discord_delivery import RenderedMessage
from bot.errors import UserError, ZoneNeeded
from bot.formatting import when
from bot.i18n import N_, Speaker
from bot.i18n.speech import ENGLISH_SPEAKER, Day, Phrase, Said
from bot.interactions import (
    FIX_IT,
    Answer,
    ConfirmView,
    OwnedView,
    OwnerOnlyItem,
    RetryView,
    delete_one_view,
    said,
    send_reply,
    translator_for,
)
from bot.reminders.engine import (
    DM_CLOSED_FIX,
    PAUSE_DM_CLOSED,
    PAUSE_STOPPED,
    PAUSE_UNREADABLE,
    ReminderKind,
)
from bot.reminders.transport import Outgoing
from bot.routines import STRETCH_KIND
from bot.scheduling.parsing import parse_time
from bot.scheduling.recurrence import Weekdays, local_date_of
from bot.sleep.charts import history_png
from bot.sleep.drawing import draw
from bot.sleep.entry import SleepEntry, unchanged
from bot.sleep.form import (
    MAX_COUNT,
    MAX_MINUTES,
    MAX_NAPS,
    MAX_NOTE,
    NightForm,
    build_entry,
    check_night,
    implausible,
    parse_night,
)
from bot.sleep.report import MAX_REPORT_NIGHTS, render_report
from bot.sleep.stats import NOT_PROOF, add_stretched, summarise, window
from bot.sleep.text import (
    answers_a_replace_deletes,
    comparison_line,
    entry_line,
    missing_for_sleep,
    summary_text,
    too_few_to_compare,
)
from bot.usecases import save_night, save_night_as_asked, sleep_report, watch_for
from bot.usecases.actions import WATCH_NIGHTS, doses_around
from cogs._autocomplete import date_choices
from cogs._cog import BotCog
from cogs._reminder_message import InOwnersLanguage, add_delivery_notes
from cogs._sleep_checkin import CheckinFlow, NightModal, TimesModal, night_id
from cogs._zone import Reply, asking_zone, profile_zone

log = logging.getLogger(__name__)

KIND = "sleep"  # the reminder engine's schedule kind for the morning prompt
DEFAULT_PROMPT_TIME = dt_time(8, 0)
COLOUR = discord.Colour.dark_blue()
DEFAULT_DAYS = 14
MAX_DAYS = 365
NEED_ZONE = N_(
    "I need your timezone first, so your nights are dated by your own mornings: use "
    "`/timezone set` with your city (e.g. Berlin), then try again."
)
WHY_ZONE = N_("I need your timezone first, so your nights are dated by your own mornings.")
OFF_WORDS = frozenset({"off", "stop", "none", "aus", "stopp", "keine"})


def _days(days: int) -> Phrase:
    return Phrase(N_("{count} day") if days == 1 else N_("{count} days"), count=days)


def field_values(lines: list[str], limit: int = 1024) -> list[str]:
    """Lines packed into embed field values of at most `limit` characters, none split."""
    values: list[str] = []
    for line in lines:
        line = line[:limit]
        if values and len(values[-1]) + 1 + len(line) <= limit:
            values[-1] += "\n" + line
        else:
            values.append(line)
    return values


def check_days(days: int) -> int:
    if not 1 <= days <= MAX_DAYS:
        raise UserError(
            N_("Pick between 1 and {limit} days, not {days}."), limit=MAX_DAYS, days=days
        )
    return days


class SleepService:
    """What the commands and buttons share: the user's zone, their nights, saving."""

    def __init__(self, bot: RlsBot) -> None:
        self.bot = bot

    async def zone(self, user_id: int) -> str:
        return await profile_zone(self.bot, user_id, NEED_ZONE, WHY_ZONE)

    def today(self, zone: str) -> date:
        return local_date_of(self.bot.clock.now(), zone)

    async def nights(
        self, user_id: int, zone: str, days: int
    ) -> tuple[list[SleepEntry], date, date]:
        """The window's entries with "stretched" added from Done stretch reminders."""
        start, end = window(days, self.today(zone))
        entries = await self.bot.repos.diary.between(user_id, start, end)
        since = self.bot.clock.now() - timedelta(days=days + 2)
        done = await self.bot.repos.reminders.done_due_times(user_id, STRETCH_KIND, since)
        return add_stretched(entries, done), start, end

    async def zone_and_nights(
        self, user_id: int, days: int
    ) -> tuple[list[SleepEntry], date, date, list[DoseEvent]]:
        """`zone` then `nights` (and the doses the watch needs) in one database trip: the window
        is read a day wider on each side of the UTC date (every zone's today is within it), and
        only the nights inside the user's own window become entries."""
        now = self.bot.clock.now()
        utc_today = now.astimezone(UTC).date()
        first, _ = window(days, utc_today)
        read = await self.bot.repos.diary.nights_with_done(
            user_id,
            first - timedelta(days=1),
            utc_today + timedelta(days=1),
            "stretch",
            now - timedelta(days=days + 2),
            doses=doses_around(utc_today),
        )
        if read is None or read.timezone is None:
            raise ZoneNeeded(NEED_ZONE, why=WHY_ZONE)
        start, end = window(days, self.today(read.timezone))
        entries = [read.entry(row) for night, row in read.nights if start <= night <= end]
        return add_stretched(entries, read.done), start, end, read.doses

    def build(self, user_id: int, zone: str, night: date, form: NightForm) -> SleepEntry:
        return build_entry(
            form, user_id=user_id, night=night, zone_name=zone, now=self.bot.clock.now()
        )

    async def open_checkin(
        self,
        interaction: discord.Interaction[Any],
        user_id: int,
        zone: str,
        night: date,
        *,
        editing: bool,
    ) -> None:
        """The first step of the guided check-in, in the person's language, pre-filled when the
        night is already logged."""
        existing = await self.bot.repos.diary.get(user_id, night)
        form = NightForm() if existing is None else NightForm.from_entry(existing)
        tr = translator_for(interaction)
        flow = CheckinFlow(self, user_id, zone, night, form, editing=editing, tr=tr)
        await interaction.response.send_modal(TimesModal(flow))

    async def offer_checkin(
        self,
        interaction: discord.Interaction[Any],
        zone: str,
        night: date,
        form: NightForm,
        problem: UserError,
        *,
        answer: Answer = send_reply,
        first: str = "",
    ) -> None:
        """/sleep log's answer to a problem in what was typed: the problem, and **Fix it**, which
        opens the check-in holding every answer typed (a slash command's options are gone once
        sent, and a long note typed on a phone at 3 am must not be typed twice). `answer`
        replies (a form reopened from a Fix it message answers in its place)."""
        tr = translator_for(interaction)
        flow = CheckinFlow(self, interaction.user.id, zone, night, form, editing=False, tr=tr)
        hint = tr(
            "Nothing is saved yet. **{fix_it}** opens the check-in holding everything you typed.",
            fix_it=tr(FIX_IT),
        )
        await answer(
            interaction,
            f"{first}{said(interaction, problem)}\n-# {hint}",
            view=RetryView(TimesModal(flow), tr),
        )

    async def offer_night(
        self,
        interaction: discord.Interaction[Any],
        zone: str,
        form: NightForm,
        typed: str | None,
        problem: UserError,
        *,
        answer: Answer = send_reply,
        first: str = "",
    ) -> None:
        """/sleep log's answer to a night it cannot date, or one still ahead: the problem, and
        **Fix it**, which asks for the night again holding everything else typed (the check-in
        belongs to one night, so it cannot open before the night is known)."""
        tr = translator_for(interaction)
        modal = NightModal(self, interaction.user.id, zone, form, typed, tr)
        hint = tr(
            "Nothing is saved yet. **{fix_it}** asks for the night again and keeps everything "
            "else you typed.",
            fix_it=tr(FIX_IT),
        )
        await answer(
            interaction,
            f"{first}{said(interaction, problem)}\n-# {hint}",
            view=RetryView(modal, tr),
        )

    async def log_typed(
        self,
        interaction: discord.Interaction[Any],
        zone: str,
        form: NightForm,
        night: str | None,
        *,
        answer: Answer = send_reply,
        leaving: OwnedView | None = None,
        first: str = "",
    ) -> None:
        """/sleep log's night as typed: saved (or asked about), or its problem with **Fix it**.
        A form reopened from a Fix it message passes how to answer in its place."""
        today = self.today(zone)
        try:
            the_night = check_night(parse_night(night, today), today)
        except UserError as problem:
            await self.offer_night(
                interaction, zone, form, night, problem, answer=answer, first=first
            )
            return
        try:
            entry = self.build(interaction.user.id, zone, the_night, form)
        except UserError as problem:
            await self.offer_checkin(
                interaction, zone, the_night, form, problem, answer=answer, first=first
            )
            return
        await self.save_or_ask(interaction, entry, leaving=leaving, first=first)

    async def logged_entry(self, user_id: int, zone: str, text: str) -> SleepEntry:
        """The entry of the night that `text` names (today, yesterday, a date)."""
        night = parse_night(text, self.today(zone))
        entry = await self.bot.repos.diary.get(user_id, night)
        if entry is None:
            raise UserError(
                N_("You haven't logged the night ending {night}."),
                night=Day(night, "full", "%a %d %b %Y"),
            )
        return entry

    async def save_or_ask(
        self,
        interaction: discord.Interaction[Any],
        entry: SleepEntry,
        *,
        replace: bool = False,
        leaving: OwnedView | None = None,
        first: str = "",
    ) -> None:
        """Save, or ask first: before saving a night that is possible but unusual (16 hours or
        more in bed, or none), or replacing one that is already logged (unless `replace`).

        With `leaving` (a check-in page) the answer edits the message in its place and that
        view stops; otherwise it is a new message.
        """
        tr = translator_for(interaction)
        existing = await self.bot.repos.diary.get(entry.user_id, entry.night)
        view: discord.ui.View | None = None
        question = implausible(entry, tr)
        if existing is not None and unchanged(existing, entry):
            # Asking "Replace it?" over two identical lines leaves a person hunting the change.
            content = tr(
                "Nothing to change: this is the night as you logged it.\n{entry}",
                entry=entry_line(existing, tr),
            )
        elif question is not None:
            content = f"{question}\n{entry_line(entry, tr)}"
            if existing is not None:
                content += "\n" + tr(
                    "This replaces the night you logged:\n{entry}", entry=entry_line(existing, tr)
                )
                content += _deleted_by_replacing(existing, entry, tr)
            view = confirm_unusual_view(self, entry, asked_over=existing, tr=tr)
        elif existing is not None and not replace:
            night = (
                tr("this night")
                if leaving is not None
                else tr("the night ending {night}", night=Day(entry.night, "short_day", "%a %d %b"))
            )
            content = tr(
                "You already logged {night}:\n{old}\nReplace it with this?\n{new}",
                night=night,
                old=entry_line(existing, tr),
                new=entry_line(entry, tr),
            )
            content += _deleted_by_replacing(existing, entry, tr)
            view = replace_view(self, entry, existing, tr)
        else:
            saved = await save_night(self.bot.usecases, entry)
            content = saved_text(saved, replaced=existing is not None, tr=tr)
        content = first + content
        if leaving is not None:
            await leaving.leave(interaction, content=content, view=view)
        else:
            await send_reply(interaction, content, view=view)


def _deleted_by_replacing(old: SleepEntry, new: SleepEntry, tr: Speaker) -> str:
    lost = answers_a_replace_deletes(old, new, tr)
    return "" if lost is None else f"\n{lost}"


def saved_text(entry: SleepEntry, *, replaced: bool, tr: Speaker = ENGLISH_SPEAKER) -> str:
    verb = tr("Updated.") if replaced else tr("Saved.")
    missing = missing_for_sleep(entry, tr)
    hint = f"\n-# {missing}" if missing else ""
    return f"{verb} {entry_line(entry, tr)}{hint}\n-# " + tr(
        "Only you can see this. `/sleep stats` shows your trends."
    )


def _save_on_confirm(
    service: SleepService,
    entry: SleepEntry,
    *,
    asked_over: SleepEntry | None,
    parts: tuple[str, str],
    labels: tuple[str, str],
    cancelled: str,
    confirm_style: discord.ButtonStyle = discord.ButtonStyle.danger,
) -> ConfirmView:
    """A question about saving `entry` over `asked_over` (the night as the question shows it,
    None: not logged), which waits here until answered: Confirm saves it, unless the night has
    changed since. `parts` name the two buttons in their custom_ids."""

    async def save(interaction: discord.Interaction[Any]) -> str:
        tr = translator_for(interaction)
        usecases = service.bot.usecases
        saved = await save_night_as_asked(usecases, entry, asked_over)
        if saved is not None:
            return saved_text(saved, replaced=asked_over is not None, tr=tr)
        now = await usecases.repos.diary.get(entry.user_id, entry.night)
        if now is None:
            return tr(
                "Not saved: this night was deleted since I asked. Log it again if you want it."
            )
        return tr(
            "Not saved: this night changed since I asked, and this would undo that. It is now:\n"
            "{entry}\n-# `/sleep edit` changes it.",
            entry=entry_line(now, tr),
        )

    suffix = f"{entry.user_id}:{night_id(entry.night)}"
    return ConfirmView(
        entry.user_id,
        labels=labels,
        on_confirm=save,
        cancelled=cancelled,
        confirm_style=confirm_style,
        custom_ids=(f"rls:sleep:{parts[0]}:{suffix}", f"rls:sleep:{parts[1]}:{suffix}"),
        timeout=600,
    )


def confirm_unusual_view(
    service: SleepService,
    entry: SleepEntry,
    *,
    asked_over: SleepEntry | None,
    tr: Speaker = ENGLISH_SPEAKER,
) -> ConfirmView:
    """Save / don't for a night of 16 hours or more in bed, or none: often a typo (10:00 for
    22:00), sometimes true (a day in bed when ill)."""
    return _save_on_confirm(
        service,
        entry,
        asked_over=asked_over,
        parts=("unusual", "notsaved"),
        labels=(tr("Yes, save it"), tr("No, nothing saved")),
        cancelled=tr(
            "Not saved; nothing changed. Log the night again with the right times "
            "(`/sleep log` or `/sleep checkin`)."
        ),
        confirm_style=discord.ButtonStyle.primary,
    )


def replace_view(
    service: SleepService, entry: SleepEntry, logged: SleepEntry, tr: Speaker = ENGLISH_SPEAKER
) -> ConfirmView:
    """Replace / Keep when a night is logged twice (`logged`: the night as the question shows
    it)."""
    return _save_on_confirm(
        service,
        entry,
        asked_over=logged,
        parts=("replace", "keep"),
        labels=(tr("Replace"), tr("Keep the old one")),
        cancelled=tr("Kept your earlier entry."),
    )


def delete_night_view(
    service: SleepService, owner_id: int, night: date, tr: Speaker = ENGLISH_SPEAKER
) -> ConfirmView:
    suffix = f"{owner_id}:{night_id(night)}"
    return delete_one_view(
        owner_id,
        (f"rls:sleep:delete:{suffix}", f"rls:sleep:keepnight:{suffix}"),
        lambda user_id: service.bot.repos.diary.delete(user_id, night),
        label=tr("Delete this night"),
        deleted=Phrase(
            N_("Deleted the night ending {night}."), night=Day(night, "short_day", "%a %d %b")
        ),
        gone=N_("That night was already gone."),
        tr=tr,
    )


async def night_autocomplete(
    interaction: discord.Interaction[RlsBot], current: str
) -> list[app_commands.Choice[str]]:
    tr = translator_for(interaction)
    nights = await interaction.client.repos.diary.recent_nights(interaction.user.id, 25)
    return date_choices(
        current, ((n, Day(n, "full", "%a %d %b %Y").said_by(tr), "") for n in nights)
    )


async def regions_autocomplete(
    interaction: discord.Interaction[RlsBot], current: str
) -> list[app_commands.Choice[str]]:
    tr = translator_for(interaction)
    words = tuple(tr(label) for label in REGIONS.values())
    return [
        app_commands.Choice(name=s, value=s)
        for s in region_suggestions(current, words=words, none_word=tr(NONE_WORD))
    ]


def prompt_custom_id(owner_id: int, night: date) -> str:
    return f"rls:sleep:log:{owner_id}:{night_id(night)}"


class LogNightButton(
    OwnerOnlyItem,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rls:sleep:log:(?P<owner>\d{1,20}):(?P<night>\d{8})",
):
    """ "Log last night" on the morning prompt: opens the check-in for that night. State lives in
    the custom_id so the button works after a restart; only its owner may press it."""

    not_yours = N_("This check-in belongs to someone else.")

    def __init__(self, owner_id: int, night: date, tr: Speaker = ENGLISH_SPEAKER) -> None:
        super().__init__(
            discord.ui.Button(
                label=tr("Log last night"),
                style=discord.ButtonStyle.primary,
                custom_id=prompt_custom_id(owner_id, night),
            )
        )
        self.owner_id = owner_id
        self.night = night

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Item[Any]) -> LogNightButton:
        try:
            night = datetime.strptime(match["night"], "%Y%m%d").date()
        except ValueError:
            night = date.min  # a forged id; refused in the callback
        return cls(int(match["owner"]), night)

    async def on_press(self, interaction: discord.Interaction[Any]) -> None:
        if self.night == date.min:
            raise UserError(N_("That button is broken; use `/sleep checkin` instead."))
        service = SleepService(interaction.client)
        zone = await service.zone(self.owner_id)
        check_night(self.night, service.today(zone))
        await service.open_checkin(interaction, self.owner_id, zone, self.night, editing=False)


def render_prompt(outgoing: Outgoing, tr: Speaker = ENGLISH_SPEAKER) -> RenderedMessage:
    """The morning DM: one button that opens the check-in for the night that just ended."""
    schedule = outgoing.schedule
    night = local_date_of(outgoing.delivery.due_at, schedule.timezone)
    embed = discord.Embed(
        title=tr("Good morning! How did you sleep?"),
        description=tr(
            "Tap below to log the night ending {night}: a few taps, about a minute. "
            "Only you will see your answers.",
            night=Day(night, "short_day", "%a %d %b"),
        ),
        colour=COLOUR,
    )
    add_delivery_notes(embed, outgoing, schedule, tr)
    embed.set_footer(text=tr("/sleep remind time:off stops these messages."))
    view = discord.ui.View(timeout=None)
    view.add_item(LogNightButton(schedule.user_id, night, tr))
    return RenderedMessage(embed=embed, view=view)


def prompt_status(schedule: Schedule, tr: Speaker = ENGLISH_SPEAKER) -> str:
    """`/sleep remind` without a time when a prompt is set: when it comes, or why it doesn't."""
    at = format_local_time(schedule.local_time)
    lines = [
        tr(
            "**Morning check-in prompt:** {at} every day ({zone}), by DM.",
            at=at,
            zone=schedule.timezone,
        )
    ]
    if schedule.pause_reason == PAUSE_DM_CLOSED:
        lines.append(
            tr(
                "**Paused:** I couldn't send you a DM. {fix}, then use `/sleep remind time:{at}`.",
                fix=Said(DM_CLOSED_FIX),
                at=at,
            )
        )
    elif schedule.pause_reason == PAUSE_UNREADABLE:
        lines.append(
            tr(
                "**Paused:** I can no longer work out times in your saved timezone ({zone}), so "
                "these reminders are paused. Set your timezone again with `/timezone set` and "
                "they start again.",
                zone=schedule.timezone,
            )
        )
    elif schedule.next_due is not None:
        lines.append(
            tr(
                "**Next:** {when}. `/sleep remind time:off` stops it.",
                when=when(schedule.next_due),
            )
        )
    return "\n".join(lines)


class SleepCog(BotCog):
    help_title = N_("Sleep diary")
    reminder_kinds: ClassVar[dict[str, ReminderKind]] = {
        KIND: ReminderKind(
            N_("morning check-in prompts"), "/sleep remind", "/sleep remind time:8:00"
        )
    }

    group = app_commands.Group(
        name="sleep", description="Your private sleep and RLS diary, stats and charts."
    )

    def __init__(self, bot: RlsBot) -> None:
        super().__init__(bot)
        self.service = SleepService(bot)

    async def cog_load(self) -> None:
        # The morning DM in the language of the person's latest interaction.
        self.bot.engine.register_renderer(
            KIND, InOwnersLanguage(render_prompt, self.bot.repos.users.locale)
        )

    @group.command(name="log", description="Log last night in one go (times like 23:15 or 7am).")
    @app_commands.describe(
        bed="When you got into bed, e.g. 23:15",
        wake="When you finally woke up, e.g. 7am",
        severity="RLS symptoms last evening/night, 0 (none) to 10 (worst)",
        quality="Sleep quality, 1 (very poor) to 5 (very good)",
        tried="When you tried to sleep (default: bed time)",
        asleep_after="Minutes it took to fall asleep (leave out if unsure)",
        awakenings="Awakenings, not counting your final awakening",
        awake_minutes=(
            "Minutes awake between first falling asleep and your final awakening, incl. time up"
        ),
        up="When you got out of bed for the day",
        rls_start="When RLS symptoms started, e.g. 20:30",
        rls_got_up="Times RLS got you out of bed",
        naps="Naps yesterday: how many",
        nap_minutes="Minutes napping yesterday, all together",
        tags="Comma-separated: caffeine, alcohol, late meal, exercise, stretched, massage…",
        note="Anything worth remembering (up to 500 characters)",
        night="The morning the night ended: today (default), yesterday or 2026-03-03",
        regions="Where you felt RLS symptoms: legs, arms, trunk, other (comma-separated) or none",
        rest="Minutes at rest (sitting or lying) before symptoms started",
    )
    @app_commands.autocomplete(regions=regions_autocomplete)
    async def log_night(
        self,
        interaction: discord.Interaction[RlsBot],
        bed: str,
        wake: str,
        severity: app_commands.Range[int, 0, 10] | None = None,
        quality: app_commands.Range[int, 1, 5] | None = None,
        tried: str | None = None,
        asleep_after: app_commands.Range[int, 0, MAX_MINUTES] | None = None,
        awakenings: app_commands.Range[int, 0, MAX_COUNT] | None = None,
        awake_minutes: app_commands.Range[int, 0, MAX_MINUTES] | None = None,
        up: str | None = None,
        rls_start: str | None = None,
        rls_got_up: app_commands.Range[int, 0, MAX_COUNT] | None = None,
        naps: app_commands.Range[int, 0, MAX_NAPS] | None = None,
        nap_minutes: app_commands.Range[int, 0, MAX_MINUTES] | None = None,
        tags: str | None = None,
        note: app_commands.Range[str, 1, MAX_NOTE] | None = None,
        night: str | None = None,
        regions: app_commands.Range[str, 1, 60] | None = None,
        rest: app_commands.Range[int, 0, MAX_REST_MIN] | None = None,
    ) -> None:
        form = NightForm(
            into_bed=bed,
            tried_sleep=tried,
            sleep_latency_min=asleep_after,
            awakenings=awakenings,
            awake_min=awake_minutes,
            final_wake=wake,
            out_of_bed=up,
            quality=quality,
            severity=severity,
            rls_onset=rls_start,
            rls_out_of_bed=rls_got_up,
            naps=naps,
            nap_min=nap_minutes,
            tag_text=tags,
            note=note,
            region_text=regions,
            rest_min=rest,
        )

        async def log(interaction: discord.Interaction[Any], reply: Reply) -> None:
            zone = await self.service.zone(interaction.user.id)
            await self.service.log_typed(
                interaction,
                zone,
                form,
                night,
                answer=reply.answer,
                leaving=reply.leaving,
                first=reply.first,
            )

        await asking_zone(interaction, f"rls:sleep:logzone:{interaction.user.id}", log)

    @group.command(name="stats", description="Your averages, trends and tagged-night comparisons.")
    @app_commands.describe(days="How many recent nights to look at (default 14)")
    async def stats(
        self,
        interaction: discord.Interaction[RlsBot],
        days: app_commands.Range[int, 1, MAX_DAYS] = DEFAULT_DAYS,
    ) -> None:
        tr = translator_for(interaction)
        check_days(days)
        # The watch compares two 4-week windows: read them with the stats' own nights (one trip).
        read, _, end, doses = await self.service.zone_and_nights(
            interaction.user.id, max(days, WATCH_NIGHTS)
        )
        start, end = window(days, end)
        entries = [e for e in read if e.night >= start]
        if not entries:
            raise UserError(
                N_(
                    "No nights logged in the last {days} yet. `/sleep log` or "
                    "`/sleep checkin` adds one."
                ),
                days=_days(days),
            )
        summary = summarise(entries, start, end)
        embed = discord.Embed(
            title=tr("Your sleep"),
            description="\n".join(summary_text(summary, days, tr)),
            colour=COLOUR,
        )
        if summary.comparisons:
            lines = [comparison_line(c, tr) for c in summary.comparisons[:10]]
            embed.add_field(
                name=tr("Tagged vs untagged nights"),
                value="\n".join(lines)[:1024],
                inline=False,
            )
            embed.add_field(name=tr("Please note"), value=tr(NOT_PROOF), inline=False)
        elif summary.too_few:
            embed.add_field(
                name=tr("Tagged vs untagged nights"),
                value=too_few_to_compare(summary.too_few, tr)[:1024],
                inline=False,
            )
        # Owner only, like the whole reply (ephemeral): never shown to anyone else.
        result = await watch_for(
            self.bot.usecases, interaction.user.id, end, nights=read, doses=doses
        )
        for number, value in enumerate(field_values(watch_lines(result, tr))):
            embed.add_field(
                name=tr("Augmentation watch") if number == 0 else "\u200b",
                value=value,
                inline=False,
            )
        await send_reply(interaction, embed=embed)

    @group.command(
        name="history", description="A chart of your sleep, efficiency and RLS per night."
    )
    @app_commands.describe(days="How many recent nights to draw (default 14)")
    async def history(
        self,
        interaction: discord.Interaction[RlsBot],
        days: app_commands.Range[int, 1, MAX_DAYS] = DEFAULT_DAYS,
    ) -> None:
        tr = translator_for(interaction)
        check_days(days)
        # Acknowledge first: the database read and the drawing may take longer than Discord waits.
        await interaction.response.defer(ephemeral=True, thinking=True)
        zone = await self.service.zone(interaction.user.id)
        entries, start, end = await self.service.nights(interaction.user.id, zone, days)
        if not entries:
            raise UserError(
                N_("No nights logged in the last {days} yet, so nothing to draw."),
                days=_days(days),
            )
        png = await draw(history_png, entries, start, end, tr.locale)
        await send_reply(
            interaction,
            tr(
                "{nights} from {start} to {end}. Dashed line: the usual 85% efficiency target.",
                nights=tr.plural(len(entries), "{count} night", "{count} nights"),
                start=Day(start, "short_day", "%d %b"),
                end=Day(end, "short_day", "%d %b"),
            ),
            files=[discord.File(io.BytesIO(png), "sleep-history.png")],
        )

    @group.command(
        name="report", description="A one-page report for your doctor (PNG, PDF and CSV)."
    )
    @app_commands.describe(days=f"How many recent nights (default 14, up to {MAX_REPORT_NIGHTS})")
    @cooldown(per_user("sleep report", SLEEP_REPORT_SECONDS))
    async def report(
        self,
        interaction: discord.Interaction[RlsBot],
        days: app_commands.Range[int, 1, MAX_REPORT_NIGHTS] = DEFAULT_DAYS,
    ) -> None:
        if not 1 <= days <= MAX_REPORT_NIGHTS:
            raise UserError(
                N_("The report covers 1 to {limit} nights, not {days}."),
                limit=MAX_REPORT_NIGHTS,
                days=days,
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        zone = await self.service.zone(interaction.user.id)
        tr = translator_for(interaction)
        data = await sleep_report(self.bot.usecases, interaction.user.id, zone, days, tr.locale)
        if not data.nights and not data.labs:
            raise UserError(
                N_("No nights logged in the last {days} yet, so no report."), days=_days(days)
            )
        files = await draw(render_report, data)
        stem = f"sleep-report-{data.end.isoformat()}"
        await send_reply(
            interaction,
            tr(
                "Your report for {start} – {end}: the page as PNG and PDF (print or show it to "
                "your doctor), and the raw data as CSV: nights, iron values and medicine doses. "
                "Only you can see this.",
                start=Day(data.start, "short_day", "%d %b"),
                end=Day(data.end, "long", "%d %b %Y"),
            ),
            files=[
                discord.File(io.BytesIO(files.png), f"{stem}.png"),
                discord.File(io.BytesIO(files.pdf), f"{stem}.pdf"),
                discord.File(io.BytesIO(files.csv), f"{stem}.csv"),
                discord.File(io.BytesIO(files.labs_csv), f"{stem}-labs.csv"),
                discord.File(io.BytesIO(files.doses_csv), f"{stem}-doses.csv"),
            ],
        )

    @group.command(name="remind", description="A morning DM asking how you slept (or 'off').")
    @app_commands.describe(time="When, in your time: 8:00 or 7:30 am (default 08:00), or off")
    async def remind(
        self, interaction: discord.Interaction[RlsBot], time: str | None = None
    ) -> None:
        tr = translator_for(interaction)
        if time is not None and time.strip().lower() in OFF_WORDS:
            stopped = await self.bot.engine.stop(interaction.user.id, KIND)
            await send_reply(
                interaction,
                tr("Morning check-in prompts are off.")
                if stopped
                else tr("You had no morning prompt set."),
            )
            return
        if time is None:
            # Nothing to change: show the prompt's status (a pause the engine made included).
            current = await self.bot.repos.reminders.get_schedule(interaction.user.id, KIND)
            if current is not None and current.pause_reason != PAUSE_STOPPED:
                await send_reply(interaction, prompt_status(current, tr))
                return
        local_time = parse_time(time) if time is not None else DEFAULT_PROMPT_TIME

        async def remind(interaction: discord.Interaction[RlsBot], reply: Reply) -> None:
            zone = await self.service.zone(interaction.user.id)
            spec = ScheduleSpec(
                interaction.user.id, KIND, local_time, Weekdays.EVERY_DAY.to_mask(), zone
            )
            schedule = await self.bot.engine.subscribe(spec)
            text = tr(
                "Every morning at {at} ({zone}) I'll DM you a button to log last night. First one "
                "{first}. `/sleep remind time:off` stops it.",
                at=format_local_time(local_time),
                zone=zone,
                first=when(self.bot.engine.upcoming(schedule, 1)[0]),
            )
            await reply.answer(interaction, reply.first + text)

        await asking_zone(interaction, f"rls:sleep:remindzone:{interaction.user.id}", remind)

    @group.command(name="checkin", description="Log a night step by step, a few taps at a time.")
    @app_commands.describe(
        night="The morning the night ended: today (default), yesterday or 2026-03-03"
    )
    async def checkin(
        self, interaction: discord.Interaction[RlsBot], night: str | None = None
    ) -> None:
        zone = await self.service.zone(interaction.user.id)
        the_night = check_night(
            parse_night(night, self.service.today(zone)), self.service.today(zone)
        )
        await self.service.open_checkin(
            interaction, interaction.user.id, zone, the_night, editing=False
        )

    @group.command(name="edit", description="Change a night you logged.")
    @app_commands.describe(night="Which night (the morning it ended)")
    @app_commands.autocomplete(night=night_autocomplete)
    async def edit(self, interaction: discord.Interaction[RlsBot], night: str) -> None:
        zone = await self.service.zone(interaction.user.id)
        entry = await self.service.logged_entry(interaction.user.id, zone, night)
        await self.service.open_checkin(
            interaction, interaction.user.id, zone, entry.night, editing=True
        )

    @group.command(name="delete", description="Delete one night from your diary.")
    @app_commands.describe(night="Which night (the morning it ended)")
    @app_commands.autocomplete(night=night_autocomplete)
    async def delete(self, interaction: discord.Interaction[RlsBot], night: str) -> None:
        zone = await self.service.zone(interaction.user.id)
        entry = await self.service.logged_entry(interaction.user.id, zone, night)
        tr = translator_for(interaction)
        await send_reply(
            interaction,
            tr("Delete this night?\n{entry}", entry=entry_line(entry, tr)),
            view=delete_night_view(self.service, interaction.user.id, entry.night, tr),
        )


async def setup(bot: RlsBot) -> None:
    bot.add_dynamic_items(LogNightButton)
    await bot.add_cog(SleepCog(bot))
