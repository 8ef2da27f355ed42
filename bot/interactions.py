"""Replying to interactions and reporting errors: the one place that knows Discord's reply rules.

Every reply goes through :func:`send_reply`, which picks the initial response or a follow-up depending on
whether the interaction was already answered or deferred, and defaults to ephemeral because most of what
this bot says is about the person asking.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import secrets
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Protocol, Self

import discord
from discord import app_commands

from bot.cooldowns import give_back
from bot.errors import UserError
from bot.i18n import N_, Speaker, speaker
from bot.i18n.speech import Phrase

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
# Discord's error code for an interaction that can no longer be answered.
UNKNOWN_INTERACTION = 10062


def translator_for(interaction: discord.Interaction[Any]) -> Speaker:
    """What to say to the person who sent ``interaction``, in their Discord client's language:
    ``tr = translator_for(interaction)``, then ``tr("Saved {count} nights.", count=...)``."""
    return speaker(interaction.locale)


def server_translator_for(interaction: discord.Interaction[Any]) -> Speaker:
    """For what a server's members read (/config, its posts): the server's preferred language."""
    return speaker(interaction.guild_locale or interaction.locale)


def said(interaction: discord.Interaction[Any], error: UserError) -> str:
    """A UserError's message in the person's language (English when it was not marked)."""
    return translator_for(interaction)(error.text, **error.params)


NOT_ADDED_HERE = N_(
    "This server hasn't added me (you use me through your own account), so this one is just "
    "for you: I can't post for everyone here."
)


def server_without_bot(interaction: discord.Interaction[Any]) -> bool:
    """In a server that never added the bot, reached through the person's own install: the bot
    is no member there, so it can post nothing in its channels and answers only the person."""
    return interaction.guild_id is not None and not interaction.is_guild_integration()


async def send_reply(
    interaction: discord.Interaction[Any],
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    files: list[discord.File] | None = None,
    ephemeral: bool = True,
) -> None:
    # Where the server did not add the bot, nothing it says is for the whole channel.
    ephemeral = ephemeral or server_without_bot(interaction)
    kwargs: dict[str, Any] = {"ephemeral": ephemeral, "allowed_mentions": NO_MENTIONS}
    if content is not None:
        kwargs["content"] = content
    if embed is not None:
        kwargs["embed"] = embed
    if view is not None:
        kwargs["view"] = view
    if files:
        kwargs["files"] = files
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)


class Answer(Protocol):
    """How an answer is given: a new reply (:func:`send_reply`), or, from a reopened form, in
    place of the message it was reopened from (:meth:`FormModal.answer`)."""

    def __call__(
        self,
        interaction: discord.Interaction[Any],
        content: str,
        *,
        view: discord.ui.View | None = None,
    ) -> Awaitable[None]: ...


def _typed_value(value: object) -> str:
    """An option's value as it was typed: a number option's 45 arrives as 45.0."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def command_as_typed(interaction: discord.Interaction[Any]) -> str:
    """The slash command as it was sent (`/labs add ferritin:45 note:Praxis`), for the person to
    copy when it cannot carry on: its options are gone from Discord's box once sent."""
    data: dict[str, Any] = dict(interaction.data or {})
    options: list[dict[str, Any]] = list(data.get("options") or [])
    names = [str(data.get("name", ""))]
    while len(options) == 1 and "value" not in options[0]:  # a group or subcommand
        names.append(str(options[0].get("name", "")))
        options = list(options[0].get("options") or [])
    typed = (
        f"{option['name']}:{_typed_value(option['value'])}"
        for option in options
        if "value" in option
    )
    return " ".join(["/" + " ".join(names), *typed])


def new_error_id() -> str:
    return secrets.token_hex(4)


def _friendly_check_failure(error: app_commands.AppCommandError, tr: Speaker) -> str | None:
    if isinstance(error, app_commands.CommandOnCooldown):
        seconds = max(1, math.ceil(error.retry_after))
        wait = tr.plural(seconds, "{count} second", "{count} seconds")
        return tr("Slow down a little: try again in {wait}.", wait=wait)
    if isinstance(error, app_commands.NoPrivateMessage):
        return tr("This command only works inside a server.")
    if isinstance(error, app_commands.MissingPermissions):
        needed = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return tr("You need the {needed} permission to do that.", needed=needed)
    if isinstance(error, app_commands.BotMissingPermissions):
        needed = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return tr(
            "I am missing the {needed} permission here; a moderator can grant it.", needed=needed
        )
    if isinstance(error, app_commands.CheckFailure):
        return tr("You can't use this command here.")
    if isinstance(error, app_commands.TransformerError):
        return tr("I couldn't understand {value} for that option.", value=repr(error.value))
    return None


async def report_error(
    interaction: discord.Interaction[Any], error: BaseException, *, where: str | None = None
) -> None:
    """Tell the user what went wrong: their message for expected errors, an apology with an error
    id (also in the log line) for bugs."""
    original: BaseException = error
    if isinstance(error, app_commands.CommandInvokeError):
        original = error.original
    if isinstance(original, discord.NotFound) and original.code == UNKNOWN_INTERACTION:
        # Discord stopped waiting for the first answer (3 s): the bot was too slow, typically
        # under a burst. Not a bug to apologise for, and an apology would fail the same way.
        waited = (discord.utils.utcnow() - interaction.created_at).total_seconds()
        log.warning(
            "interaction %s expired before it was answered (%.1f s after it was sent; is the bot "
            "overloaded?)",
            interaction.id,
            waited,
        )
        metrics = getattr(interaction.client, "metrics", None)
        if metrics is not None:
            metrics.interaction_expired()
        return
    tr = translator_for(interaction)
    if isinstance(original, UserError):
        await _answer(interaction, said(interaction, original))
        return
    if isinstance(original, app_commands.AppCommandError):
        friendly = _friendly_check_failure(original, tr)
        if friendly is not None:
            await _answer(interaction, friendly)
            return
    error_id = new_error_id()
    command = where or (interaction.command.qualified_name if interaction.command else None)
    log.error(
        "error_id=%s unexpected error in %s (user=%s guild=%s channel=%s interaction=%s)",
        error_id,
        command or "component",
        interaction.user.id if interaction.user else None,
        interaction.guild_id,
        interaction.channel_id,
        interaction.id,
        exc_info=(type(original), original, original.__traceback__),
    )
    await _answer(
        interaction,
        tr(
            "Sorry, something went wrong on our side. If it keeps happening, tell a moderator "
            "the error id `{error_id}`.",
            error_id=error_id,
        ),
    )


async def _answer(interaction: discord.Interaction[Any], message: str) -> None:
    try:
        await send_reply(interaction, message, ephemeral=True)
    except discord.HTTPException:
        # The interaction may have expired (15 minutes) or been deleted; nothing more to do.
        log.warning("could not deliver an error message for interaction %s", interaction.id)


# Set in `Interaction.extras` by every handler of ours that takes a component click or a form.
_CLAIMED = "rls_claimed"
EXPIRED_BUTTONS = N_("These buttons have expired. Run the command again to get fresh ones.")
BUTTON_GONE = N_(
    "That button isn't on the message any more (it changed as you pressed it), so I did "
    "nothing. Have another look at the message."
)
FORM_EXPIRED = N_("This form expired before it reached me, so nothing was saved.")


def claim(interaction: discord.Interaction[Any]) -> None:
    """Mark a click or form as taken by one of our handlers (see :func:`answer_unclaimed`).

    Handlers call this before their first await: discord.py starts them before it dispatches
    the "interaction" event, so by the time :func:`answer_unclaimed` looks, the mark is there.
    """
    interaction.extras[_CLAIMED] = True


async def answer_unclaimed(interaction: discord.Interaction[Any]) -> bool:
    """Answer a click or form nothing of ours took, instead of leaving Discord to say "This
    interaction failed". Returns whether it answered.

    Runs from the bot's `on_interaction`: discord.py schedules the view item, dynamic item or
    modal for an interaction before the event, and each of ours claims it in its first step. So
    an interaction still unclaimed after one turn of the loop has nobody to answer it: a view
    that timed out or belonged to an earlier run of the bot, a form submitted after a restart,
    or a button pressed while its message was being changed (a double tap of Done and Snooze).
    Only discord.py's public API is used, so a discord.py upgrade cannot silently break it.
    """
    if interaction.type not in (
        discord.InteractionType.component,
        discord.InteractionType.modal_submit,
    ):
        return False
    await asyncio.sleep(0)  # one turn of the loop: no waiting on time, just let handlers start
    if interaction.extras.get(_CLAIMED) or interaction.response.is_done():
        return False
    tr = translator_for(interaction)
    if interaction.type is discord.InteractionType.modal_submit:
        message = tr(FORM_EXPIRED) + _typed_text(interaction, tr)
    elif interaction.message is not None and not _carries(interaction.message, interaction):
        message = tr(BUTTON_GONE)
    else:
        message = tr(EXPIRED_BUTTONS)
    try:
        await send_reply(interaction, message)
    except discord.HTTPException:
        log.warning("could not answer the unhandled interaction %s", interaction.id)
        return False
    return True


def _carries(message: discord.Message, interaction: discord.Interaction[Any]) -> bool:
    data: dict[str, Any] = dict(interaction.data or {})
    custom_id = data.get("custom_id")

    def walk(components: list[Any]) -> Iterator[Any]:
        for component in components:
            yield component
            yield from walk(list(getattr(component, "children", None) or []))
            for key in ("accessory", "component"):
                child = getattr(component, key, None)
                if child is not None:
                    yield from walk([child])

    return any(getattr(c, "custom_id", None) == custom_id for c in walk(list(message.components)))


def _typed_text(interaction: discord.Interaction[Any], tr: Speaker) -> str:
    """What was typed into a form nobody can take any more, so it is not lost: the person can
    copy it into a fresh one."""
    values: list[str] = []

    def walk(components: list[Any]) -> None:
        for component in components:
            if not isinstance(component, dict):
                continue
            walk(list(component.get("components") or []))
            if isinstance(component.get("component"), dict):
                walk([component["component"]])
            value = component.get("value")
            if isinstance(value, str) and value.strip():
                values.append(value.strip())

    data: dict[str, Any] = dict(interaction.data or {})
    walk(list(data.get("components") or []))
    if not values:
        return ""
    typed = "\n".join(f"> {line}" for value in values for line in value.splitlines())
    return tr(" Here is what you typed, to copy into a new one:\n{typed}", typed=typed)[:1900]


SERVERS_ONLY = app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)
SERVER_INSTALL_ONLY = app_commands.AppInstallationType(guild=True, user=False)


class RlsCommandTree(app_commands.CommandTree[Any]):
    """The command tree with our single error handler."""

    def add_command(self, command: Any, /, **kwargs: Any) -> None:
        # discord.py's `guild_only()` only sets guild=True and leaves the other contexts unset,
        # so the tree-wide defaults (everywhere, both installs: see RlsBot) would open such a
        # command in DMs and group DMs too. Pin it to servers that added the bot, as it meant
        # before user installs existed.
        if getattr(command, "guild_only", False):
            command.allowed_contexts = SERVERS_ONLY
            command.allowed_installs = SERVER_INSTALL_ONLY
        super().add_command(command, **kwargs)

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        give_back(interaction)  # a command that failed does not cost its cooldown
        await report_error(interaction, error)


class OwnerOnlyItem:
    """Mixin for `discord.ui.DynamicItem`s (buttons and menus that survive restarts).

    discord.py does not route a dynamic item's errors to the tree's handler, and ignores an
    interaction_check that says no without answering; this gives every such item an owner check
    that answers, and sends its errors to :func:`report_error`. Subclasses set `owner_id` (0:
    anyone may use it), may set `not_yours`, and implement `on_press`.
    """

    owner_id: int
    not_yours = N_("These buttons belong to someone else.")

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        # Before any await (see claim). discord.py calls from_custom_id first: it must not
        # await anything either (parse the custom_id; do the work in on_press).
        claim(interaction)
        if not self.owner_id or interaction.user.id == self.owner_id:
            return True
        await send_reply(interaction, translator_for(interaction)(self.not_yours))
        return False

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self.on_press(interaction)
        except Exception as exc:
            await report_error(interaction, exc, where=type(self).__name__)

    async def on_press(self, interaction: discord.Interaction[Any]) -> None:
        raise NotImplementedError

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        # discord.py's hook for a press after a restart. It must not await (see
        # interaction_check), so subclasses only parse, in the plain function below.
        return cls.from_match(match, item)

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Item[Any]) -> Self:
        """The item again from its template's match on the custom_id (and, for a menu, the
        item Discord sent, whose options are kept)."""
        raise NotImplementedError


class OwnedView(discord.ui.View):
    """A view whose buttons only its owner may use; errors go to the shared handler."""

    def __init__(self, owner_id: int | None, *, timeout: float | None = 600) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        claim(interaction)  # before any await (see claim)
        if self.owner_id is None or interaction.user.id == self.owner_id:
            return True
        tr = translator_for(interaction)
        await send_reply(interaction, tr("These buttons belong to someone else."), ephemeral=True)
        return False

    async def on_error(
        self,
        interaction: discord.Interaction[Any],
        error: Exception,
        item: discord.ui.Item[Any],
        /,
    ) -> None:
        await report_error(interaction, error, where=f"view {type(self).__name__}")

    async def leave(
        self,
        interaction: discord.Interaction[Any],
        *,
        view: discord.ui.View | None = None,
        **edit: Any,
    ) -> None:
        """Answer by editing the message the interaction came from, showing `view` (or no
        components) instead of this view, which stops listening.

        Always this way round: discord.py files a message's components by custom_id, and
        stopping a view removes its ids from the message's file, even ids that the view put
        on the message next has registered meanwhile (pages of one flow share Save, a retry
        reuses its button). Stopped after the edit, the check-in's second page lost its Save.
        """
        self.stop()
        await interaction.response.edit_message(view=view, **edit)


class OnePress:
    """Lets the first press of a button through; a press that arrives while it is being handled
    (presses are handled concurrently: a double click) is told `busy` and changes nothing. It is
    released only when the action fails, so it may be tried again."""

    def __init__(self, busy: str) -> None:
        self.busy = busy
        self._taken = False

    @contextlib.contextmanager
    def taken(self) -> Iterator[None]:
        if self._taken:
            raise UserError(self.busy)
        self._taken = True
        try:
            yield
        except BaseException:
            self._taken = False
            raise


ALREADY_ANSWERED = N_("That question is already being answered.")
# What a confirmation's Confirm button does; returns the text that replaces the question.
ConfirmAction = Callable[[discord.Interaction[Any]], Awaitable[str]]


class ConfirmView(OwnedView):
    """Confirm / Cancel under a question that only its owner may answer; send it with
    :func:`send_reply` (ephemeral).

    `labels` and `custom_ids` are the (Confirm, Cancel) buttons'; without `custom_ids` discord.py
    picks random ids. Confirm runs `on_confirm` and shows the text it returns, Cancel shows
    `cancelled`; either way the buttons go and the view stops. If `on_confirm` raises (a
    `UserError`, say), the question stays and the error goes to the shared handler. After
    `timeout` seconds the view stops listening, and a late press gets the bot's "these buttons have
    expired" reply. A second press while the first is still being handled (a double click) is
    told so and does nothing: "Delete everything" runs once.
    """

    def __init__(
        self,
        owner_id: int,
        *,
        labels: tuple[str, str],
        on_confirm: ConfirmAction,
        cancelled: str,
        confirm_style: discord.ButtonStyle = discord.ButtonStyle.danger,
        custom_ids: tuple[str, str] | None = None,
        timeout: float = 300,
    ) -> None:
        super().__init__(owner_id, timeout=timeout)
        self.on_confirm = on_confirm
        self.cancelled = cancelled
        self.confirm.label, self.cancel.label = labels
        self.confirm.style = confirm_style
        if custom_ids is not None:
            self.confirm.custom_id, self.cancel.custom_id = custom_ids
        # Without it a double click on Confirm would run the action twice (and the second reply
        # would say, e.g., "deleted 0 records"). A failed action leaves the question standing.
        self._answer = OnePress(ALREADY_ANSWERED)

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        with self._answer.taken():
            text = await self.on_confirm(interaction)
        await self._close(interaction, text)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        with self._answer.taken():
            await self._close(interaction, self.cancelled)

    async def _close(self, interaction: discord.Interaction[Any], content: str) -> None:
        await self.leave(interaction, content=content)


def delete_one_view(
    owner_id: int,
    custom_ids: tuple[str, str],
    delete: Callable[[int], Awaitable[bool]],
    *,
    label: str,
    deleted: Phrase,
    gone: str,
    tr: Speaker,
) -> ConfirmView:
    """`label` / Keep it under "Delete this …?" for one item of a person's own data (a night, a
    lab value). Confirm runs `delete(user_id)` and says `deleted`, or `gone` when it was deleted
    meanwhile (from another device, or an earlier question), in the language of the press."""

    async def confirm(interaction: discord.Interaction[Any]) -> str:
        said_by = translator_for(interaction)
        if await delete(interaction.user.id):
            return deleted.said_by(said_by)
        return said_by(gone)

    return ConfirmView(
        owner_id,
        labels=(label, tr("Keep it")),
        on_confirm=confirm,
        cancelled=tr("Kept."),
        custom_ids=custom_ids,
    )


FIX_IT = N_("Fix it")


class FormModal(discord.ui.Modal):
    """A form only its owner may submit, that never loses what was typed.

    When `on_submit` raises a :class:`UserError` (validation), the answer is the problem and a
    "Fix it" button that opens this same form again holding the values the person typed; a
    submit from that reopened form answers by editing that message (use :meth:`answer`), so
    the chat keeps one message per attempt at most. Other errors go to the shared handler.
    Subclasses implement `on_submit` and may override :meth:`on_invalid`.
    """

    def __init__(
        self, owner_id: int, *, title: str, custom_id: str, timeout: float | None = 1800
    ) -> None:
        # The timeout only frees an abandoned form; one sent later still gets an answer, with
        # what was typed (answer_unclaimed).
        super().__init__(title=title[:45], custom_id=custom_id, timeout=timeout)
        self.owner_id = owner_id
        # The "Fix it" message this form was last reopened from, if any.
        self.retry: RetryView | None = None

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        claim(interaction)  # before any await (see claim)
        if interaction.user.id == self.owner_id:
            return True
        tr = translator_for(interaction)
        await send_reply(interaction, tr("This form belongs to someone else."))
        return False

    async def answer(
        self,
        interaction: discord.Interaction[Any],
        content: str,
        *,
        view: discord.ui.View | None = None,
    ) -> None:
        """Reply to a submit: in place of the "Fix it" message when reopened from one."""
        retry, self.retry = self.retry, None
        if retry is not None and interaction.message is not None:
            await retry.leave(interaction, content=content, view=view)
        else:
            await send_reply(interaction, content, view=view)

    def keep_typed(self) -> None:
        """Make what was typed the form's values, for when it opens again."""
        for item in self.walk_children():
            if isinstance(item, discord.ui.TextInput):
                item.default = item.value

    async def on_invalid(self, interaction: discord.Interaction[Any], problem: str) -> None:
        self.keep_typed()
        tr = translator_for(interaction)
        await self.answer(
            interaction,
            problem
            + "\n-# "
            + tr(
                "Nothing is saved yet. **{fix_it}** opens the form again with what you typed.",
                fix_it=tr(FIX_IT),
            ),
            view=RetryView(self, tr),
        )

    async def on_error(  # type: ignore[override]  # a Modal's handler has no item argument
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        if isinstance(error, UserError):
            try:
                await self.on_invalid(interaction, said(interaction, error))
                return
            except Exception as exc:  # answering failed too: report that instead
                error = exc
        await report_error(interaction, error, where=f"form {type(self).__name__}")


class RetryView(OwnedView):
    """The "Fix it" button under a form's validation problem: reopens the form as typed."""

    def __init__(self, form: FormModal, tr: Speaker | None = None) -> None:
        super().__init__(form.owner_id, timeout=900)
        self.form = form
        button: discord.ui.Button[RetryView] = discord.ui.Button(
            label=(tr or speaker(None))(FIX_IT),
            style=discord.ButtonStyle.primary,
            custom_id=f"{form.custom_id}:retry"[:100],
        )
        button.callback = self.reopen  # type: ignore[method-assign]
        self.add_item(button)

    async def reopen(self, interaction: discord.Interaction[Any]) -> None:
        self.form.retry = self
        await interaction.response.send_modal(self.form)
