"""The person's own timezone, by which /sleep dates nights, /labs dates values and reminders
keep their times; and, for a command used before it is set, the form that asks for it and carries
on with everything typed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import discord

from bot.client import RlsBot
from bot.errors import UserError, ZoneNeeded
from bot.i18n import Speaker
from bot.interactions import (
    FIX_IT,
    Answer,
    FormModal,
    OwnedView,
    RetryView,
    command_as_typed,
    said,
    send_reply,
    translator_for,
)
from bot.scheduling.zones import resolve_zone, said_back
from bot.usecases import change_zone


async def profile_zone(bot: RlsBot, user_id: int, missing: str, why: str) -> str:
    """The zone in the person's profile; without one, :class:`ZoneNeeded` with `missing` (a
    message marked with N_, saying what the zone is needed for and how to set it) and `why`
    (its first sentence)."""
    profile = await bot.repos.users.get(user_id)
    if profile is None or profile.timezone is None:
        raise ZoneNeeded(missing, why=why)
    return profile.timezone


@dataclass(frozen=True)
class Reply:
    """How a command's action answers: a new reply; or, run again from the zone form, in place
    of the **Fix it** message (`answer`; `leaving` is the view there, for an action that answers
    with a view of its own in that place), after `first`, the line saying `zone`, now set (the
    one to use instead of a zone typed into the command that could not be read)."""

    answer: Answer = send_reply
    leaving: OwnedView | None = None
    first: str = ""
    zone: str | None = None


# A command's action: what it does with its typed options, answering as `Reply` says.
ZoneAction = Callable[[discord.Interaction[Any], Reply], Awaitable[None]]


async def asking_zone(
    interaction: discord.Interaction[Any], custom_id: str, action: ZoneAction
) -> None:
    """Run `action`. When it needs the person's timezone and they have none yet (often their
    first command), or typed one that cannot be read, the answer says what for (or what is wrong
    with it), with **Fix it**: a form asking for their city (holding the one typed) that
    saves it as `/timezone set` would and runs `action` again, so nothing typed is typed twice
    (a slash command's options are gone once it is sent)."""
    try:
        await action(interaction, Reply())
    except ZoneNeeded as needed:
        tr = translator_for(interaction)
        form = ZoneForm(interaction.user.id, custom_id, action, command_as_typed(interaction), tr)
        form.zone.default = needed.typed_zone
        hint = tr(
            "Nothing is saved yet. **{fix_it}** asks for your city and keeps everything you typed.",
            fix_it=tr(FIX_IT),
        )
        why = tr(needed.why, **needed.params)
        await send_reply(interaction, f"{why}\n-# {hint}", view=RetryView(form, tr))


class ZoneForm(FormModal):
    """The person's timezone, asked by :func:`asking_zone`: a city that cannot be read opens
    this form again as typed; a readable one is saved as `/timezone set` would, then the
    command's action runs again with everything typed."""

    def __init__(
        self,
        owner_id: int,
        custom_id: str,
        action: ZoneAction,
        typed: str,
        tr: Speaker,
    ) -> None:
        self.action, self.typed, self.tr = action, typed, tr
        super().__init__(owner_id, title=tr("Your timezone"), custom_id=custom_id)
        self.zone: discord.ui.TextInput[ZoneForm] = discord.ui.TextInput(
            label=tr("Your city or timezone"),
            custom_id="zone",
            placeholder=tr("e.g. Berlin or Europe/Berlin"),
            max_length=64,
        )
        self.add_item(self.zone)

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        tr, bot = self.tr, interaction.client
        zone = resolve_zone(self.zone.value)  # else this form again, as typed
        await change_zone(bot.usecases, self.owner_id, zone.key)
        first = tr(
            "Your timezone is now **{zone}** (it's {time} there).",
            zone=said_back(self.zone.value, zone),
            time=tr.time(bot.clock.now().astimezone(zone)),
        )
        try:
            reply = Reply(self.answer, self.retry, first + "\n", zone.key)
            await self.action(interaction, reply)
        except UserError as problem:
            # The zone is saved, so this form has nothing left to fix: the problem is in the
            # command's own options, which the person gets back to copy, corrected, into it.
            copy = tr(
                "Nothing else was saved. What you typed, to copy into the command again:\n{typed}",
                typed=f"> {self.typed}",
            )
            await self.answer(interaction, f"{first}\n{said(interaction, problem)}\n-# {copy}")
        finally:
            self.retry = None
