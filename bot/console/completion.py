"""Tab completion: command and option names, choices, and the bot's own autocomplete answers.

Kept free of prompt_toolkit so it can be tested with plain strings; :mod:`bot.console.inputs`
adapts it to the prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.console.catalog import (
    BOOLEAN,
    CommandCatalog,
    CommandSpec,
    ConsoleError,
    OptionSpec,
)
from bot.console.parsing import RawOption, command_words, convert, quote_value, scan_options
from bot.console.render import Action


@dataclass(frozen=True)
class Suggestion:
    text: str  # what replaces the typed part
    start: int  # where the typed part begins, counted back from the cursor (<= 0)
    display: str
    meta: str = ""


class Completable(Protocol):
    """What completion needs from the session."""

    @property
    def users(self) -> dict[str, Any]: ...

    def catalog(self) -> CommandCatalog: ...

    def channel_names(self) -> list[str]: ...

    def resolve(self, option: OptionSpec, text: str) -> Any: ...

    def clickable_actions(self) -> list[Action]: ...

    async def autocomplete(
        self, command_name: str, options: dict[str, Any], focused: str
    ) -> list[dict[str, Any]]: ...


async def complete(
    text: str, ctx: Completable, meta: Sequence[tuple[str, str]]
) -> list[Suggestion]:
    """Suggestions for ``text`` (everything before the cursor)."""
    if text.startswith(":"):
        return _meta(text, ctx, meta)
    if text.startswith("/"):
        try:
            return await _slash(text[1:], ctx)
        except ConsoleError:
            return []
    return []


async def _slash(body: str, ctx: Completable) -> list[Suggestion]:
    catalog = ctx.catalog()
    words, ends = command_words(body)
    typing = bool(words) and ends[-1] == len(body)
    path: list[str] = []
    for word in words[:-1] if typing else words:
        if word not in catalog.names_after(path):
            return []
        path.append(word)
        if not catalog.children(path):
            break
    children = catalog.children(path)
    if children:
        partial = words[-1] if typing else ""
        return [
            Suggestion(name + " ", -len(partial), "/" + " ".join([*path, name]), description)
            for name, description in children
            if name.startswith(partial)
        ]
    command, _ = catalog.resolve(path)
    return await _options(body[ends[len(path) - 1] :], command, ctx)


def _names(options: Sequence[OptionSpec], prefix: str) -> list[Suggestion]:
    """The option names as the person's client shows them (German for a German client)."""
    return [
        Suggestion(
            f"{o.shown_name}:",
            -len(prefix),
            f"{o.shown_name}:",
            ("required · " if o.required else "") + o.shown_description,
        )
        for o in options
        if o.shown_name.startswith(prefix)
    ]


async def _options(rest: str, command: CommandSpec, ctx: Completable) -> list[Suggestion]:
    scan = scan_options(rest, command.typed_names, partial=True)
    used = {raw.name for raw in scan.options}
    unused = [o for o in command.options if not {o.name, o.local_name} & used]
    if scan.tail == "space":
        return _names(unused, "")
    if scan.tail == "name":
        return _names(unused, scan.word)
    raw = scan.options[-1]
    option = command.option(raw.name)
    if option is None:
        return []
    typed = len(rest) - raw.value_start
    found = [
        Suggestion(quote_value(value) + " ", -typed, label)
        for value, label in await _values(option, raw.text, command, scan.options[:-1], ctx)
    ]
    last_word = raw.text.split()[-1] if not raw.quoted and " " in raw.text else ""
    if last_word:
        # A multi-word value may really be the start of the next option: offer both.
        found += _names([o for o in unused if o is not option], last_word)
    return found


async def _values(
    option: OptionSpec,
    partial: str,
    command: CommandSpec,
    others: Sequence[RawOption],
    ctx: Completable,
) -> list[tuple[str, str]]:
    lowered = partial.lower()
    if option.local_choices:
        # A German client lists the choices by their German names, which the console takes.
        return [(name, name) for name, _ in option.local_choices if lowered in name.lower()]
    if option.choices:
        return [
            (str(value), name)
            for name, value in option.choices
            if lowered in name.lower() or str(value).lower().startswith(lowered)
        ]
    if option.autocomplete:
        given: dict[str, Any] = {}
        for raw in others:
            spec = command.option(raw.name)
            if spec is not None:
                try:
                    given[raw.name] = convert(spec, raw.text, ctx.resolve)
                except ConsoleError:
                    continue  # a half-typed neighbour must not stop the suggestions
        given[option.name] = partial
        try:
            choices = await ctx.autocomplete(command.name, given, option.name)
        except (TimeoutError, LookupError, RuntimeError, AssertionError):
            return []
        return [(str(c.get("value", "")), str(c.get("name", ""))) for c in choices]
    if option.type == BOOLEAN:
        return [(v, v) for v in ("true", "false") if v.startswith(lowered)]
    if option.names_person:
        return [(name, "@" + name) for name in sorted(ctx.users) if name.startswith(lowered)]
    if option.names_channel:
        return [
            ("#" + name, "#" + name)
            for name in ctx.channel_names()
            if name.startswith(lowered.lstrip("#"))
        ]
    return []


_META_ARGUMENTS = {
    "mod": ["on", "off"],
    "install": ["user", "server"],
    "time": ["next", "+15m", "+1h", "+1d", "17:00", "07:00"],
}


def _meta(text: str, ctx: Completable, meta: Sequence[tuple[str, str]]) -> list[Suggestion]:
    name, space, arg = text[1:].partition(" ")
    if not space:
        return [
            Suggestion(f":{command} ", -len(text), f":{command}", description)
            for command, description in meta
            if command.startswith(name)
        ]
    candidates: list[tuple[str, str]]
    if name == "as":
        candidates = [(user, "") for user in sorted(ctx.users)]
    elif name == "where":
        candidates = [("dm", ""), ("private", ""), ("server", "")] + [
            ("#" + c, "") for c in ctx.channel_names()
        ]
    elif name in ("click", "select"):
        kind = "button" if name == "click" else "option"
        candidates = [(str(a.number), a.label) for a in ctx.clickable_actions() if a.kind == kind]
    else:
        candidates = [(value, "") for value in _META_ARGUMENTS.get(name, [])]
    return [
        Suggestion(value, -len(arg), f"{value} {label}".strip())
        for value, label in candidates
        if value.startswith(arg) or (label and label.lower().startswith(arg.lower()) and arg)
    ]
