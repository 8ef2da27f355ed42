"""/meds: the person's medicines, daily reminders with Taken / Skipped / Snooze, and doses.

The name is the person's own free text, shown back as typed; the bot never comments on a
medicine, never names a dose and never suggests changing anything. Parsing and limits live in
bot/clinical/meds.py, the actions in bot/usecases/meds.py; this cog parses options, calls them
and words the replies (all ephemeral: they are about the person's health).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, Literal

import discord
from discord import app_commands

from bot import usecases
from bot.client import RlsBot
from bot.db.meds import MED_KIND_PREFIX, DoseRecord, Medicine, medicine_of_kind
from bot.db.reminders import format_local_time
from bot.discord_delivery import RenderedMessage
from bot.formatting import discord_timestamp
from bot.i18n import N_, Speaker, speaker
from bot.i18n.speech import ENGLISH_SPEAKER
from bot.interactions import send_reply, translator_for
from bot.reminders.engine import PAUSE_DM_CLOSED, ReminderKind
from bot.reminders.transport import Outgoing
from bot.scheduling.recurrence import load_zone
from bot.usecases import AskWhenTaken, MedicineOverview
from bot.usecases.meds import TakenAt
from cogs._cog import BotCog
from cogs._reminder_message import ReminderAnswerButton, add_delivery_notes
from cogs._zone import Reply, asking_zone

COLOUR = discord.Colour.blurple()
# A message holds 2000 characters: the list keeps to the medicines that fit.
_LIST_BUDGET = 1800

BUTTONS: dict[str, tuple[str, discord.ButtonStyle]] = {
    "taken": (N_("Taken"), discord.ButtonStyle.success),
    "skipped": (N_("Skipped"), discord.ButtonStyle.secondary),
    "snooze": (N_("Snooze 15 min"), discord.ButtonStyle.secondary),
}
# Asked after Taken tapped more than an hour after its reminder: when was it taken?
WHEN_TAKEN: dict[str, tuple[str, discord.ButtonStyle]] = {
    "then": (N_("At the reminder's time"), discord.ButtonStyle.success),
    "now": (N_("Just now"), discord.ButtonStyle.primary),
}
# When each button notes a dose taken (Taken itself asks first when it comes late).
TAKEN_AT: dict[str, TakenAt] = {"taken": "ask_if_late", "then": "reminder", "now": "now"}


def times_text(medicine: Medicine) -> str:
    return ", ".join(format_local_time(t) for t in medicine.times)


def dose_clock(record: DoseRecord, tr: Speaker = ENGLISH_SPEAKER) -> str:
    """ "Tue 3 Mar 08:02" / "Di., 3. März 08:02", in the zone the dose was taken in."""
    assert record.taken_at is not None
    return tr.date_time(record.taken_at.astimezone(load_zone(record.timezone)), "short_day")


class MedReminderButton(
    ReminderAnswerButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=(
        r"rls:meds:(?P<action>taken|skipped|snooze|then|now):(?P<delivery>\d{1,20}):"
        r"(?P<owner>\d{1,20})"
    ),
):
    """Taken / Skipped / Snooze on a medicine reminder: the state is in the custom_id, so the
    buttons work after a restart, and only the reminder's owner may press them."""

    not_yours = N_("This reminder belongs to someone else, so I changed nothing.")

    prefix = "rls:meds"
    labels = BUTTONS
    later_labels = WHEN_TAKEN

    async def on_answer(self, interaction: discord.Interaction[Any]) -> None:
        bot: RlsBot = interaction.client
        tr = translator_for(interaction)
        answer: Literal["taken", "skipped"] = "skipped" if self.action == "skipped" else "taken"
        result = await usecases.answer_medicine_reminder(
            bot.usecases,
            interaction.user.id,
            self.delivery_id,
            answer,
            taken_at=TAKEN_AT.get(self.action, "now"),
        )
        if isinstance(result, AskWhenTaken):
            await self.ask_when_taken(interaction, result.due, tr)
            return
        if not result.new:
            said = answered(result.record, md, tr)
            await send_reply(
                interaction, tr("Already noted: {answer} Nothing changed.", answer=said)
            )
            return
        embed = _shown_embed(interaction)
        embed.set_footer(text=answered(result.record, tr=tr))
        if self.action in WHEN_TAKEN and embed.fields:
            embed.remove_field(len(embed.fields) - 1)  # the question, answered now
        await interaction.response.edit_message(embed=embed, view=None)

    async def ask_when_taken(
        self, interaction: discord.Interaction[Any], due: datetime, tr: Speaker
    ) -> None:
        """Taken, tapped long after the reminder: the tap's own time may be hours after the
        tablet. The reminder asks (in place) which time to note; nothing is recorded yet."""
        now = interaction.client.clock.now().astimezone(due.tzinfo)
        embed = _shown_embed(interaction)
        embed.add_field(
            name=tr("When did you take it?"),
            value=tr(
                "The reminder was for {due}; it's {now} now. Which time should I note?",
                due=tr.date_time(due, "short_day"),
                now=tr.date_time(now, "short_day"),
            ),
            inline=False,
        )
        view = discord.ui.View(timeout=None)
        for action in WHEN_TAKEN:
            view.add_item(MedReminderButton(action, self.delivery_id, self.owner_id, tr))
        await interaction.response.edit_message(embed=embed, view=view)


def _shown_embed(interaction: discord.Interaction[Any]) -> discord.Embed:
    """The reminder's embed as the pressed message shows it, to edit in place."""
    message = interaction.message
    return (
        message.embeds[0]
        if message is not None and message.embeds
        else discord.Embed(colour=COLOUR)
    )


def md(name: str) -> str:
    """The person's name for a medicine, shown as typed in a message (not read as formatting)."""
    return discord.utils.escape_markdown(name)


def answered(
    record: DoseRecord, shown: Callable[[str], str] = str, tr: Speaker = ENGLISH_SPEAKER
) -> str:
    """What was recorded; `shown=md` in message text, plain in an embed footer."""
    name = shown(record.medicine)
    if record.skipped:
        return tr("Skipped {name} this time.", name=name)
    assert record.taken_at is not None
    return tr(
        "Taken: {name}, {when} ({timezone}).",
        name=name,
        when=dose_clock(record, tr),
        timezone=record.timezone,
    )


def reminder_view(
    delivery_id: int, owner_id: int, tr: Speaker = ENGLISH_SPEAKER
) -> discord.ui.View:
    return MedReminderButton.reminder_view(delivery_id, owner_id, tr)


class MedRenderer:
    """A medicine reminder's DM: the person's own name for it, the time, three buttons, in the
    language of the person's latest interaction."""

    def __init__(self, bot: RlsBot) -> None:
        self.bot = bot

    async def __call__(self, outgoing: Outgoing) -> RenderedMessage:
        schedule = outgoing.schedule
        tr = speaker(await self.bot.repos.users.locale(schedule.user_id))
        medicine_id = medicine_of_kind(schedule.kind)
        medicine = (
            None
            if medicine_id is None
            else await self.bot.repos.meds.get(schedule.user_id, medicine_id)
        )
        name = medicine.name if medicine is not None else tr("your medicine")
        embed = discord.Embed(
            title=tr("Reminder: {name}", name=name)[:256],
            description=tr(
                "Your {time} reminder. Tap **Taken** once you've taken it, **Skipped** if not "
                "this time.",
                time=format_local_time(schedule.local_time),
            ),
            colour=COLOUR,
        )
        noted = await usecases.doses_noted_for(self.bot.usecases, outgoing.delivery, schedule)
        if noted:
            # Shown, never decided for them: a dose typed early may be this one or another.
            embed.add_field(
                name=tr("Already noted"),
                value=tr(
                    "With `/meds taken`: {doses}. Tap **Taken** only for a dose not noted yet.",
                    doses=", ".join(dose_clock(dose, tr) for dose in noted),
                ),
                inline=False,
            )
        add_delivery_notes(embed, outgoing, schedule, tr)
        embed.set_footer(text=tr("/meds stop ends these reminders; /meds list shows your doses."))
        return RenderedMessage(
            embed=embed, view=reminder_view(outgoing.delivery.id, schedule.user_id, tr)
        )


def overview_lines(item: MedicineOverview, tr: Speaker = ENGLISH_SPEAKER) -> str:
    m = item.medicine
    head = f"**{md(m.name)}** · {times_text(m)} · {m.days.said_by(tr)}"
    if item.paused == PAUSE_DM_CLOSED:
        next_text = tr("paused: I couldn't send you a DM. Allow DMs, then `/meds add` it again")
    elif item.paused is not None:
        next_text = tr("paused: set your timezone again with `/timezone set`")
    elif item.next_due is not None:
        next_text = tr("next {when}", when=discord_timestamp(item.next_due, "f"))
    else:
        next_text = tr("no reminder due")
    parts = [next_text]
    last7 = tr("last 7 days: {count} taken", count=tr.number(len(item.taken)))
    if item.skipped:
        last7 += tr(", {count} skipped", count=tr.number(item.skipped))
    parts.append(last7)
    if item.taken:
        parts.append(tr("last taken {when}", when=dose_clock(item.taken[-1], tr)))
    return f"{head}\n  " + " · ".join(parts)


def listing(overview: list[MedicineOverview], tr: Speaker = ENGLISH_SPEAKER) -> str:
    lines: list[str] = []
    used = 0
    for item in overview:
        text = overview_lines(item, tr)
        used += len(text) + 1
        if used > _LIST_BUDGET:
            lines.append(
                tr(
                    "…and {count} more (all in `/mydata export`).",
                    count=tr.number(len(overview) - len(lines)),
                )
            )
            break
        lines.append(text)
    return "\n".join(lines)


async def medicine_autocomplete(
    interaction: discord.Interaction[RlsBot], current: str
) -> list[app_commands.Choice[str]]:
    medicines = await interaction.client.repos.meds.medicines(interaction.user.id)
    typed = " ".join(current.split()).casefold()
    return [
        app_commands.Choice(name=m.name[:100], value=m.name[:100])
        for m in medicines
        if typed in m.name.casefold()
    ][:25]


class MedsCog(BotCog):
    help_title = N_("Medicines")
    # Every "med:<id>:<n>" schedule: how the engine's pause heads-up names them.
    reminder_kinds: ClassVar[dict[str, ReminderKind]] = {
        MED_KIND_PREFIX: ReminderKind(N_("medicine reminders"), "/meds list", "/meds add")
    }

    group = app_commands.Group(
        name="meds", description="Your medicines: reminders with Taken/Skipped, and doses."
    )

    async def cog_load(self) -> None:
        self.bot.engine.register_renderer(MED_KIND_PREFIX, MedRenderer(self.bot))

    @group.command(name="add", description="Add a medicine with daily reminders.")
    @app_commands.describe(
        name="The medicine, as you call it (up to 60 characters)",
        times="When, in your time: 08:00 or 08:00, 20:00 (up to 4)",
        days="every day (default), weekdays, weekends, or a list like mon,wed,fri",
    )
    async def add(
        self,
        interaction: discord.Interaction[RlsBot],
        name: app_commands.Range[str, 1, 200],
        times: app_commands.Range[str, 1, 100],
        days: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        async def add(interaction: discord.Interaction[RlsBot], reply: Reply) -> None:
            tr = translator_for(interaction)
            added = await usecases.add_medicine(
                self.bot.usecases, interaction.user.id, name, times, days
            )
            m = added.medicine
            zone = added.schedules[0].timezone
            text = tr(
                "Added **{name}**: reminders at {times}, {days} ({timezone}), by DM, with Taken, "
                "Skipped and Snooze buttons.",
                name=md(m.name),
                times=times_text(m),
                days=m.days.said_by(tr),
                timezone=zone,
            )
            if added.next_due is not None:
                text += "\n" + tr("Next: {when}.", when=discord_timestamp(added.next_due, "F"))
            await reply.answer(interaction, reply.first + text)

        await asking_zone(interaction, f"rls:meds:addzone:{interaction.user.id}", add)

    @group.command(name="taken", description="Log a dose you took, without a reminder.")
    @app_commands.describe(
        name="Which of your medicines", time="When, e.g. 08:15 or last night's 23:30 (default: now)"
    )
    @app_commands.autocomplete(name=medicine_autocomplete)
    async def taken(
        self,
        interaction: discord.Interaction[RlsBot],
        name: app_commands.Range[str, 1, 200],
        time: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        record = await usecases.log_typed_dose(self.bot.usecases, interaction.user.id, name, time)
        tr = translator_for(interaction)
        await send_reply(interaction, tr("Noted. {answer}", answer=answered(record, md, tr)))

    @group.command(name="list", description="Your medicines, their reminders and recent doses.")
    async def list_(self, interaction: discord.Interaction[RlsBot]) -> None:
        tr = translator_for(interaction)
        overview = await usecases.medicines_overview(self.bot.usecases, interaction.user.id)
        if not overview:
            await send_reply(
                interaction,
                tr(
                    "No medicines in your list. `/meds add name:… times:08:00` adds one with "
                    "daily reminders."
                ),
            )
            return
        await send_reply(interaction, listing(overview, tr))

    @group.command(name="stop", description="Stop a medicine's reminders (its doses are kept).")
    @app_commands.describe(name="Which of your medicines")
    @app_commands.autocomplete(name=medicine_autocomplete)
    async def stop(
        self,
        interaction: discord.Interaction[RlsBot],
        name: app_commands.Range[str, 1, 200],
    ) -> None:
        tr = translator_for(interaction)
        medicine = await usecases.stop_medicine(self.bot.usecases, interaction.user.id, name)
        await send_reply(
            interaction,
            tr(
                "Stopped the reminders for **{name}** and took it off your list. Its doses stay "
                "in your history (`/mydata export`).",
                name=md(medicine.name),
            ),
        )


async def setup(bot: RlsBot) -> None:
    bot.add_dynamic_items(MedReminderButton)
    await bot.add_cog(MedsCog(bot))
