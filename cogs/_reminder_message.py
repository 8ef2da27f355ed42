"""What every reminder message shares (a stretch: Done / Snooze / Stop; a medicine: Taken /
Skipped / Snooze): its buttons, the notes about its delivery, and its owner's language.

The action, the delivery and its owner live in the custom_id (`<prefix>:<action>:<delivery>:
<owner>`), so the buttons keep working after a restart and only the owner may press them
(:class:`~bot.interactions.OwnerOnlyItem`). Each cog subclasses :class:`ReminderAnswerButton`
together with `discord.ui.DynamicItem` and its own template, and implements `on_answer` for its
actions other than Snooze.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any, ClassVar, Self

import discord

from bot.db.reminders import Schedule
from bot.discord_delivery import RenderedMessage
from bot.errors import UserError
from bot.formatting import discord_timestamp, human_duration
from bot.i18n import N_, Speaker, speaker
from bot.i18n.speech import ENGLISH_SPEAKER
from bot.interactions import OwnerOnlyItem, send_reply, translator_for
from bot.reminders.transport import Outgoing

# The database's id range: a larger delivery id in a custom_id is forged or stale.
MAX_ID = 2**63 - 1

# The person's stored locale (bot.repos.users.locale).
LocaleOf = Callable[[int], Awaitable[str | None]]


async def owner_speaker(outgoing: Outgoing, locale_of: LocaleOf | None) -> Speaker:
    """The language of the reminder owner's latest interaction (English when not known)."""
    user_id = outgoing.schedule.user_id
    locale = None
    if locale_of is not None and user_id is not None:
        locale = await locale_of(user_id)
    return speaker(locale)


class InOwnersLanguage:
    """The engine's renderer for a message that `render` words, in the owner's language."""

    def __init__(
        self,
        render: Callable[[Outgoing, Speaker], RenderedMessage],
        locale_of: LocaleOf | None = None,
    ) -> None:
        self.render = render
        self.locale_of = locale_of

    async def __call__(self, outgoing: Outgoing) -> RenderedMessage:
        return self.render(outgoing, await owner_speaker(outgoing, self.locale_of))


class ReminderAnswerButton(OwnerOnlyItem):
    prefix: ClassVar[str]  # "rls:stretch", "rls:meds"
    labels: ClassVar[Mapping[str, tuple[str, discord.ButtonStyle]]]  # action -> label, style
    # Actions of buttons that follow an answer (not on the reminder itself), label and style.
    later_labels: ClassVar[Mapping[str, tuple[str, discord.ButtonStyle]]] = {}

    def __init__(
        self, action: str, delivery_id: int, owner_id: int, tr: Speaker = ENGLISH_SPEAKER
    ) -> None:
        label, style = self.labels.get(action) or self.later_labels[action]
        button = discord.ui.Button[Any](
            label=tr(label),
            style=style,
            custom_id=f"{self.prefix}:{action}:{delivery_id}:{owner_id}",
        )
        # The DynamicItem that follows this mixin in each subclass's bases takes the button.
        super().__init__(button)  # type: ignore[call-arg]
        self.action = action
        self.delivery_id = delivery_id
        self.owner_id = owner_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Item[Any]) -> Self:
        return cls(match["action"], int(match["delivery"]), int(match["owner"]))

    @classmethod
    def reminder_view(
        cls, delivery_id: int, owner_id: int, tr: Speaker = ENGLISH_SPEAKER
    ) -> discord.ui.View:
        """The reminder's buttons, one per action, in the order of `labels`."""
        view = discord.ui.View(timeout=None)
        for action in cls.labels:
            view.add_item(cls(action, delivery_id, owner_id, tr))  # type: ignore[arg-type]
        return view

    async def on_press(self, interaction: discord.Interaction[Any]) -> None:
        if self.delivery_id > MAX_ID:
            raise UserError(N_("That reminder no longer exists."))
        if self.action == "snooze":
            await self.snooze(interaction)
        else:
            await self.on_answer(interaction)

    async def on_answer(self, interaction: discord.Interaction[Any]) -> None:
        """A press of any button but Snooze, on a delivery id that can exist."""
        raise NotImplementedError

    async def snooze(self, interaction: discord.Interaction[Any]) -> None:
        """Snooze: the engine queues the reminder again (once); the owner is told when."""
        tr = translator_for(interaction)
        snoozed = await interaction.client.engine.snooze(self.delivery_id, interaction.user.id)
        await send_reply(
            interaction,
            tr(
                "Snoozed. I'll remind you again {when}.",
                when=discord_timestamp(snoozed.due_at, "R"),
            ),
        )


def add_delivery_notes(
    embed: discord.Embed, outgoing: Outgoing, schedule: Schedule, tr: Speaker
) -> None:
    """A "Note" field when the reminder is late, a snooze, or carries a notice for its owner."""
    notes: list[str] = []
    if outgoing.is_late:
        late = human_duration(timedelta(seconds=outgoing.late_seconds), tr)
        notes.append(tr("Sorry, this is {late} late: I was offline when it was due.", late=late))
    if outgoing.delivery.reason == "snooze":
        notes.append(tr("Here's the snoozed reminder."))
    if schedule.notice:
        notes.append(tr(schedule.notice))
    if notes:
        embed.add_field(name=tr("Note"), value="\n".join(notes), inline=False)
