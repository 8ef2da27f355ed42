"""The slash commands as Discord's client sees them: read from what the bot registered.

The console never looks inside the bot's cogs: it works from the registered command JSON (the
same data Discord's client uses to draw its command picker), so a new command just works.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.emulator.permissions import Permissions

SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
STRING = 3
INTEGER = 4
BOOLEAN = 5
USER = 6
CHANNEL = 7
ROLE = 8
MENTIONABLE = 9
NUMBER = 10
ATTACHMENT = 11

TYPE_NAMES = {
    STRING: "text",
    INTEGER: "whole number",
    BOOLEAN: "true/false",
    USER: "user",
    CHANNEL: "channel",
    ROLE: "role",
    MENTIONABLE: "user or role",
    NUMBER: "number",
    ATTACHMENT: "file",
}

# Where Discord's own settings screens name a permission differently from the API.
_PERMISSION_LABELS = {"MANAGE_GUILD": "Manage Server"}

# Interaction context types (Discord's `contexts` field).
CONTEXT_GUILD = 0
CONTEXT_BOT_DM = 1
CONTEXT_PRIVATE_CHANNEL = 2


class ConsoleError(Exception):
    """Something the person typed cannot be done; the message says why, in one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def nearest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate the person most likely meant, if any is close enough."""
    pool = list(candidates)
    lowered = word.lower()
    # A unique prefix is the most common slip ("/stre", "topi:"): prefer it over fuzzy matches.
    prefixed = [c for c in pool if c.lower().startswith(lowered)]
    if lowered and len(prefixed) == 1:
        return prefixed[0]
    close = difflib.get_close_matches(lowered, pool, n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(suggestion: str | None) -> str:
    return f" — did you mean {suggestion}?" if suggestion else ""


@dataclass(frozen=True)
class OptionSpec:
    name: str
    type: int
    description: str = ""
    required: bool = False
    choices: tuple[tuple[str, str | int | float], ...] = ()
    autocomplete: bool = False
    min_value: float | None = None
    max_value: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    channel_types: tuple[int, ...] = ()
    # The name, description and choice names in the person's client language, when the bot
    # localized them.
    local_name: str | None = None
    local_choices: tuple[tuple[str, str | int | float], ...] = ()
    local_description: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any], locale: str | None = None) -> OptionSpec:
        return cls(
            local_name=localized(data, locale),
            local_description=localized(data, locale, "description"),
            local_choices=tuple(
                (name, c["value"])
                for c in data.get("choices") or []
                if (name := localized(c, locale)) is not None
            ),
            name=str(data["name"]),
            type=int(data["type"]),
            description=str(data.get("description") or ""),
            required=bool(data.get("required", False)),
            choices=tuple((str(c["name"]), c["value"]) for c in data.get("choices") or []),
            autocomplete=bool(data.get("autocomplete", False)),
            min_value=data.get("min_value"),
            max_value=data.get("max_value"),
            min_length=data.get("min_length"),
            max_length=data.get("max_length"),
            channel_types=tuple(int(t) for t in data.get("channel_types") or []),
        )

    @property
    def type_name(self) -> str:
        return TYPE_NAMES.get(self.type, "value")

    @property
    def shown_name(self) -> str:
        """The name as the person's client shows it (German for a German client)."""
        return self.local_name or self.name

    @property
    def shown_description(self) -> str:
        return self.local_description or self.description

    @property
    def shown_choices(self) -> list[str]:
        """The choices as the person's client lists them: their names in its language, or the
        values (which the console also takes)."""
        if self.local_choices:
            return [name for name, _ in self.local_choices]
        return [str(value) for _, value in self.choices]

    @property
    def names_person(self) -> bool:
        """The option is given as a person's name (a user, or a mentionable)."""
        return self.type in (USER, MENTIONABLE)

    @property
    def names_channel(self) -> bool:
        """The option is given as a channel's name."""
        return self.type == CHANNEL


@dataclass(frozen=True)
class CommandSpec:
    """One runnable command: a top-level command or one of its (grouped) sub-commands."""

    path: tuple[str, ...]
    description: str
    options: tuple[OptionSpec, ...]
    default_member_permissions: int | None = None
    contexts: tuple[int, ...] | None = None
    # Discord's integration_types: 0 offered through a server's install, 1 through a person's.
    integration_types: tuple[int, ...] = (0,)
    # The path and description as the person's client shows them ("/dehnen erinnern").
    local_path: tuple[str, ...] = ()
    local_description: str | None = None

    @property
    def name(self) -> str:
        """The name as emu.slash() wants it: "stretch remind"."""
        return " ".join(self.path)

    @property
    def display(self) -> str:
        """The command as the person's client shows it: "/stretch remind", "/dehnen erinnern"."""
        return "/" + " ".join(self.local_path or self.path)

    @property
    def shown_description(self) -> str:
        return self.local_description or self.description

    def option(self, name: str) -> OptionSpec | None:
        """The option typed as ``name``: its name or, like Discord's client shows it to the
        person, its name in their language."""
        return next((o for o in self.options if name in (o.name, o.local_name)), None)

    @property
    def typed_names(self) -> list[str]:
        """Every name the person may type for an option, English or their language's."""
        return [*self.option_names, *(o.local_name for o in self.options if o.local_name)]

    @property
    def option_names(self) -> list[str]:
        return [o.name for o in self.options]

    @property
    def shown_option_names(self) -> list[str]:
        """The option names as the person's client shows them."""
        return [o.shown_name for o in self.options]

    def usage(self) -> str:
        parts = [self.display]
        for option in self.options:
            name = option.shown_name
            parts.append(f"{name}:" if option.required else f"[{name}:]")
        return " ".join(parts)

    def allowed_in_dm(self) -> bool:
        return self.contexts is None or CONTEXT_BOT_DM in self.contexts

    def allowed_in_guild(self) -> bool:
        return self.contexts is None or CONTEXT_GUILD in self.contexts

    def allowed_in_private(self) -> bool:
        """Group DMs and other people's DMs: only ever through a person's own install."""
        user_install = 1 in self.integration_types
        return user_install and (self.contexts is None or CONTEXT_PRIVATE_CHANNEL in self.contexts)

    def missing_permissions(self, granted: int) -> list[str]:
        """Permission names the member lacks; Discord hides the command from such members."""
        needed = self.default_member_permissions or 0
        missing = needed & ~granted
        return [
            _PERMISSION_LABELS.get(flag.name or "", (flag.name or "").replace("_", " ").title())
            for flag in Permissions
            if flag.value & missing and (flag.value & (flag.value - 1)) == 0
        ]


@dataclass
class _Node:
    """A level of the command tree: a command or group with children, or a runnable leaf."""

    name: str
    description: str
    children: dict[str, _Node] = field(default_factory=dict)
    leaf: CommandSpec | None = None
    local_name: str | None = None
    local_description: str | None = None


def localized(data: dict[str, Any], locale: str | None, field: str = "name") -> str | None:
    """The name (or other ``field``) Discord's client shows a person whose client runs in
    ``locale``; None for English or where the bot gave none."""
    if locale is None:
        return None
    text = (data.get(f"{field}_localizations") or {}).get(locale)
    return str(text) if text and text != data.get(field) else None


def _named(level: dict[str, _Node], word: str) -> _Node | None:
    """The command typed as ``word``: its name, or its name in the person's language."""
    return level.get(word) or next((n for n in level.values() if n.local_name == word), None)


class CommandCatalog:
    def __init__(self, registered: Sequence[dict[str, Any]], locale: str | None = None) -> None:
        """``locale``: the person's client language; its command and option names (the
        ``name_localizations`` Discord shows them) are accepted beside the English ones."""
        self.locale = locale
        self._roots: dict[str, _Node] = {}
        for command in registered:
            if command.get("type", 1) != 1:  # user/message context-menu commands
                continue
            permissions = command.get("default_member_permissions")
            contexts = command.get("contexts")
            if contexts is None and command.get("dm_permission") is False:
                contexts = [CONTEXT_GUILD]
            root = self._build(
                command,
                (),
                int(permissions) if permissions not in (None, "") else None,
                tuple(contexts) if contexts is not None else None,
                tuple(command.get("integration_types") or (0,)),
            )
            self._roots[root.name] = root

    def _build(
        self,
        data: dict[str, Any],
        parent: tuple[str, ...],
        permissions: int | None,
        contexts: tuple[int, ...] | None,
        installs: tuple[int, ...] = (0,),
        local_parent: tuple[str, ...] = (),
    ) -> _Node:
        name = str(data["name"])
        node = _Node(
            name,
            str(data.get("description") or ""),
            local_name=localized(data, self.locale),
            local_description=localized(data, self.locale, "description"),
        )
        options = list(data.get("options") or [])
        nested = [o for o in options if o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)]
        path = (*parent, name)
        local_path = (*local_parent, node.local_name or name)
        if nested:
            for child in nested:
                built = self._build(child, path, permissions, contexts, installs, local_path)
                node.children[built.name] = built
        else:
            node.leaf = CommandSpec(
                path,
                node.description,
                tuple(OptionSpec.from_json(o, self.locale) for o in options),
                permissions,
                contexts,
                installs,
                local_path=local_path,
                local_description=node.local_description,
            )
        return node

    def __bool__(self) -> bool:
        return bool(self._roots)

    @property
    def commands(self) -> list[CommandSpec]:
        """Every runnable command, in name order."""
        found: list[CommandSpec] = []

        def walk(node: _Node) -> None:
            if node.leaf is not None:
                found.append(node.leaf)
            for child in sorted(node.children):
                walk(node.children[child])

        for name in sorted(self._roots):
            walk(self._roots[name])
        return found

    def _level(self, path: Sequence[str]) -> dict[str, _Node]:
        """What may follow ``path`` (typed in English or the person's language)."""
        level = self._roots
        for word in path:
            node = _named(level, word)
            if node is None:
                return {}
            level = node.children
        return level

    def children(self, path: Sequence[str]) -> list[tuple[str, str]]:
        """(name, description) of what may follow ``path`` ("" = the top-level commands), as the
        person's client shows them."""
        return sorted(
            (node.local_name or node.name, node.local_description or node.description)
            for node in self._level(path).values()
        )

    def names_after(self, path: Sequence[str]) -> set[str]:
        """Every name the person may type after ``path``: English or their language's."""
        level = self._level(path)
        return {*level, *(node.local_name for node in level.values() if node.local_name)}

    def resolve(self, words: Sequence[str]) -> tuple[CommandSpec, int]:
        """The command named by the first words, and how many words its name used.

        Raises :class:`ConsoleError` with the nearest match for unknown or incomplete names.
        """
        if not words or not words[0]:
            raise ConsoleError("Type a command after the slash, e.g. /help (see :help).")
        level = self._roots
        shown = ""
        for used, word in enumerate(words):
            node = _named(level, word)
            if node is None:
                # Suggest from the names the person may type, their language's ones too.
                typed = [*level, *(n.local_name for n in level.values() if n.local_name)]
                if not shown:
                    suggestion = nearest(word, typed)
                    raise ConsoleError(
                        f"Unknown command /{word}{did_you_mean(suggestion and '/' + suggestion)}"
                    )
                suggestion = nearest(word, typed)
                raise ConsoleError(
                    f"{shown} has no sub-command {word!r}"
                    f"{did_you_mean(suggestion and f'{shown} {suggestion}')}"
                )
            shown = f"{shown} {word}" if shown else f"/{word}"
            if node.leaf is not None:
                return node.leaf, used + 1
            level = node.children
        raise ConsoleError(f"{shown} needs a sub-command: {', '.join(sorted(level))}")
