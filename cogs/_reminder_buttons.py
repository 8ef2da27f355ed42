"""The buttons under a delivered reminder (stretch, medicines).

Each button carries its action, the delivery and the reminder's owner in its custom_id, so it
works after a restart and only for its owner. Snooze is the same for every reminder; the other
actions are the feature's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar, Self

import discord

from bot.client import RlsBot
from bot.errors import UserError
from bot.formatting import discord_timestamp
from bot.interactions import OwnerOnlyItem, send_reply

MAX_ID = 2**63 - 1  # the largest delivery id the database holds


def delivery_template(feature: str, actions: Iterable[str]) -> str:
    """The custom_id pattern of a feature's delivery buttons (what `DeliveryButton` writes)."""
    choices = "|".join(actions)
    return rf"rls:{feature}:(?P<action>{choices}):(?P<delivery>\d{{1,20}}):(?P<owner>\d{{1,20}})"


class DeliveryButton(
    OwnerOnlyItem,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=delivery_template("[a-z]+", ["[a-z]+"]),
):
    """A button on one delivery. A feature subclasses it with its name (the custom_id's second
    part) and its buttons (action: label and style, in the order shown), e.g.
    `class MedReminderButton(DeliveryButton, feature="meds", buttons=BUTTONS)`, and implements
    `answer` for every action but "snooze"."""

    feature: ClassVar[str]
    buttons: ClassVar[dict[str, tuple[str, discord.ButtonStyle]]]

    def __init_subclass__(
        cls, *, feature: str, buttons: dict[str, tuple[str, discord.ButtonStyle]]
    ) -> None:
        cls.feature = feature
        cls.buttons = buttons
        super().__init_subclass__(template=delivery_template(feature, buttons))

    def __init__(self, action: str, delivery_id: int, owner_id: int) -> None:
        label, style = self.buttons[action]
        custom_id = f"rls:{self.feature}:{action}:{delivery_id}:{owner_id}"
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id))
        self.action = action
        self.delivery_id = delivery_id
        self.owner_id = owner_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Item[Any]) -> Self:
        return cls(match["action"], int(match["delivery"]), int(match["owner"]))

    @classmethod
    def reminder_view(cls, delivery_id: int, owner_id: int) -> discord.ui.View:
        """All of the feature's buttons for one delivery (they never time out)."""
        view = discord.ui.View(timeout=None)
        for action in cls.buttons:
            view.add_item(cls(action, delivery_id, owner_id))
        return view

    async def on_press(self, interaction: discord.Interaction[Any]) -> None:
        if self.delivery_id > MAX_ID:
            raise UserError("That reminder no longer exists.")
        if self.action != "snooze":
            await self.answer(interaction)
            return
        bot: RlsBot = interaction.client
        snoozed = await bot.engine.snooze(self.delivery_id, interaction.user.id)
        await send_reply(
            interaction,
            f"Snoozed. I'll remind you again {discord_timestamp(snoozed.due_at, 'R')}.",
        )

    async def answer(self, interaction: discord.Interaction[Any]) -> None:
        raise NotImplementedError


def reminder_embed(message: discord.Message | None, colour: discord.Colour) -> discord.Embed:
    """The reminder's embed as the person sees it (to mark it answered), or a fresh one."""
    if message is not None and message.embeds:
        return message.embeds[0]
    return discord.Embed(colour=colour)
