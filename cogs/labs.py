"""/labs: iron lab values (ferritin, transferrin saturation) with their dates and the 2024 AASM
guideline's context in plain words.

The checking, dating and wording live in bot/clinical/labs.py; this cog parses options, calls
the repository and replies. Every reply is about the person's own health, so every reply is
ephemeral. Never a diagnosis and never advice to take iron: the bot records and shows the values
next to what the guideline says, for a talk with a doctor.
"""

from __future__ import annotations

from datetime import date

import discord
from discord import app_commands

from bot.client import RlsBot
from bot.clinical.labs import (
    FERRITIN_MAX,
    FERRITIN_MIN,
    MAX_LAB_NOTE,
    TSAT_MAX,
    TSAT_MIN,
    LabResult,
    build_lab,
    lab_line,
    lab_values,
    labs_text,
    parse_lab_date,
)
from bot.db.reminders import Schedule
from bot.discord_delivery import RenderedMessage
from bot.errors import UserError
from bot.formatting import discord_timestamp
from bot.i18n import N_, Speaker
from bot.i18n.speech import ENGLISH_SPEAKER, Day, Phrase
from bot.interactions import ConfirmView, delete_one_view, send_reply, translator_for
from bot.reminders.transport import Outgoing
from bot.scheduling.recurrence import local_date_of
from bot.usecases import RETEST_KIND, pending_retest, save_lab
from cogs._autocomplete import date_choices
from cogs._cog import BotCog
from cogs._reminder_message import InOwnersLanguage, add_delivery_notes
from cogs._zone import Reply, asking_zone, profile_zone

NEED_ZONE = N_(
    "I need your timezone first, so “today” is your own day: use `/timezone set` with your "
    "city (e.g. Berlin), then try again."
)
WHY_ZONE = N_("I need your timezone first, so “today” is your own day.")

RETEST_MIN_WEEKS, RETEST_MAX_WEEKS = 1, 52
COLOUR = discord.Colour.dark_red()
# A message holds 2000 characters; the list keeps to the newest values that fit, with room for
# the guideline lines below them.
_LIST_BUDGET = 1400


class LabsService:
    def __init__(self, bot: RlsBot) -> None:
        self.bot = bot

    async def today(self, user_id: int) -> date:
        """Today in the person's zone, as /sleep dates nights."""
        zone = await profile_zone(self.bot, user_id, NEED_ZONE, WHY_ZONE)
        return local_date_of(self.bot.clock.now(), zone)

    async def listing(self, user_id: int, today: date, tr: Speaker = ENGLISH_SPEAKER) -> str:
        labs = await self.bot.repos.labs.all(user_id)
        shown, used = [], 0
        for lab in labs:  # newest first
            used += len(lab_line(lab, today, tr)) + 4
            if used > _LIST_BUDGET:
                break
            shown.append(lab)
        lines = labs_text(shown, today, tr)
        if len(shown) < len(labs):
            older = len(labs) - len(shown)
            lines.insert(
                len(shown),
                tr(
                    "…and {count} older (all of them in `/mydata export`).",
                    count=tr.number(older),
                ),
            )
        retest = await pending_retest(self.bot.usecases, user_id)
        if retest is not None:
            lines.append(retest_line(retest, tr))
        return "\n".join(lines)


def retest_line(schedule: Schedule, tr: Speaker = ENGLISH_SPEAKER) -> str:
    assert schedule.next_due is not None
    return tr(
        "Retest reminder: {when} ({relative}). `/labs add` with `retest_in:` again moves it.",
        when=discord_timestamp(schedule.next_due, "F"),
        relative=discord_timestamp(schedule.next_due, "R"),
    )


def render_retest(outgoing: Outgoing, tr: Speaker = ENGLISH_SPEAKER) -> RenderedMessage:
    """The one-off reminder set with /labs add retest_in: a reminder to ask, never advice."""
    asked = local_date_of(outgoing.schedule.created_at, outgoing.schedule.timezone)
    embed = discord.Embed(
        title=tr("Time to ask about a ferritin retest"),
        description=tr(
            "On {day} you asked me to remind you today. If you'd like your iron values "
            "(ferritin, transferrin saturation) checked again, this is a good moment to ask your "
            "doctor. `/labs list` shows the values you have.",
            day=tr.date(asked, "compact"),
        ),
        colour=COLOUR,
    )
    add_delivery_notes(embed, outgoing, outgoing.schedule, tr)
    embed.set_footer(text=tr("A reminder you set, not medical advice."))
    return RenderedMessage(embed=embed)


def delete_lab_view(
    service: LabsService, owner_id: int, lab: LabResult, tr: Speaker = ENGLISH_SPEAKER
) -> ConfirmView:
    day = lab.taken_on
    suffix = f"{owner_id}:{day:%Y%m%d}"
    return delete_one_view(
        owner_id,
        (f"rls:labs:delete:{suffix}", f"rls:labs:keep:{suffix}"),
        lambda user_id: service.bot.repos.labs.delete(user_id, day),
        label=tr("Delete this value"),
        deleted=Phrase(N_("Deleted the value of {day}."), day=Day(day)),
        gone=N_("That value was already gone."),
        tr=tr,
    )


async def lab_date_autocomplete(
    interaction: discord.Interaction[RlsBot], current: str
) -> list[app_commands.Choice[str]]:
    tr = translator_for(interaction)
    labs = await interaction.client.repos.labs.all(interaction.user.id)
    # The label (searched too, so typing the value finds it) in the reader's language.
    return date_choices(
        current,
        (
            (
                lab.taken_on,
                tr(
                    "{day} · ferritin {value}",
                    day=tr.date(lab.taken_on, "compact"),
                    value=f"{lab.ferritin:g}",
                ),
                "",
            )
            for lab in labs
        ),
    )


class LabsCog(BotCog):
    help_title = N_("Iron labs")

    group = app_commands.Group(
        name="labs", description="Your iron lab values (ferritin, saturation) with their dates."
    )

    def __init__(self, bot: RlsBot) -> None:
        super().__init__(bot)
        self.service = LabsService(bot)

    async def cog_load(self) -> None:
        self.bot.engine.register_renderer(
            RETEST_KIND, InOwnersLanguage(render_retest, self.bot.repos.users.locale)
        )

    @group.command(
        name="add", description="Keep a ferritin value (ng/mL = µg/L) from a blood test."
    )
    @app_commands.describe(
        ferritin="Ferritin in ng/mL or µg/L (the same number), e.g. 45",
        tsat="Transferrin saturation in %, e.g. 18",
        date="Day of the blood test: today, yesterday or YYYY-MM-DD (default today)",
        fasting="Were you fasting for the test?",
        note="A word about the test, e.g. the lab",
        retest_in="Remind me to ask about a retest in this many weeks (1–52)",
    )
    @app_commands.choices(
        fasting=[
            app_commands.Choice(name="yes", value="yes"),
            app_commands.Choice(name="no", value="no"),
        ]
    )
    async def add(
        self,
        interaction: discord.Interaction[RlsBot],
        ferritin: app_commands.Range[float, FERRITIN_MIN, FERRITIN_MAX],
        tsat: app_commands.Range[float, TSAT_MIN, TSAT_MAX] | None = None,
        date: app_commands.Range[str, 1, 40] | None = None,
        fasting: str | None = None,
        note: app_commands.Range[str, 1, MAX_LAB_NOTE] | None = None,
        retest_in: app_commands.Range[int, RETEST_MIN_WEEKS, RETEST_MAX_WEEKS] | None = None,
    ) -> None:
        async def save(interaction: discord.Interaction[RlsBot], reply: Reply) -> None:
            user_id = interaction.user.id
            tr = translator_for(interaction)
            today = await self.service.today(user_id)
            # Checked again here: Discord's client enforces the ranges, but a request need not
            # come from the client, and one bad field must keep the whole value out.
            lab = build_lab(
                ferritin=ferritin, today=today, tsat=tsat, taken_on=date, fasting=fasting, note=note
            )
            if retest_in is not None and not RETEST_MIN_WEEKS <= retest_in <= RETEST_MAX_WEEKS:
                raise UserError(
                    N_("`retest_in` is in weeks, from {least} to {most}. Nothing was saved."),
                    least=RETEST_MIN_WEEKS,
                    most=RETEST_MAX_WEEKS,
                )
            saved = await save_lab(self.bot.usecases, user_id, lab, today, retest_in)
            head = (
                tr(
                    "Updated your value of {day} (it was {before}).",
                    day=tr.date(lab.taken_on, "compact"),
                    before=lab_values(saved.replaced, tr),
                )
                if saved.replaced is not None
                else tr("Saved.")
            )
            listing = await self.service.listing(user_id, today, tr)
            await reply.answer(interaction, f"{reply.first}{head}\n{listing}")

        await asking_zone(interaction, f"rls:labs:addzone:{interaction.user.id}", save)

    @group.command(name="list", description="Your iron lab values, their dates and the guideline.")
    async def list_(self, interaction: discord.Interaction[RlsBot]) -> None:
        user_id = interaction.user.id
        tr = translator_for(interaction)
        today = await self.service.today(user_id)
        if not await self.bot.repos.labs.all(user_id):
            await send_reply(
                interaction,
                tr(
                    "No lab values yet. Add one with `/labs add ferritin:45` (and `tsat:`, "
                    "`date:` if you have them)."
                ),
            )
            return
        await send_reply(interaction, await self.service.listing(user_id, today, tr))

    @group.command(name="delete", description="Delete one lab value.")
    @app_commands.describe(date="Day of the blood test (YYYY-MM-DD, today or yesterday)")
    @app_commands.autocomplete(date=lab_date_autocomplete)
    async def delete(
        self,
        interaction: discord.Interaction[RlsBot],
        date: app_commands.Range[str, 1, 40],
    ) -> None:
        user_id = interaction.user.id
        tr = translator_for(interaction)
        today = await self.service.today(user_id)
        day = parse_lab_date(date, today)
        lab = await self.bot.repos.labs.get(user_id, day)
        if lab is None:
            raise UserError(
                N_("You have no lab value from {day}; `/labs list` shows the ones you have."),
                day=Day(day),
            )
        await send_reply(
            interaction,
            tr("Delete this value?") + "\n" + lab_line(lab, today, tr),
            view=delete_lab_view(self.service, user_id, lab, tr),
        )


async def setup(bot: RlsBot) -> None:
    await bot.add_cog(LabsCog(bot))
