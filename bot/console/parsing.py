"""Reading a command typed the way Discord shows it: ``/rls search query:burning legs``.

Discord's client knows where each option's value ends because the person tabs between options.
Here a value runs until the next ``name:`` that names an option of the command (or a near miss of
one, so typos are reported rather than swallowed), which lets values contain spaces without
quotes; quotes are still accepted, and needed only for text that itself looks like ``name:``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, NoReturn

from bot.console.catalog import (
    ATTACHMENT,
    BOOLEAN,
    INTEGER,
    NUMBER,
    ROLE,
    STRING,
    CommandCatalog,
    CommandSpec,
    ConsoleError,
    OptionSpec,
    did_you_mean,
    nearest,
)

_NAME = re.compile(r"([\w-]+):")  # \w: German option names have umlauts (qualität:)
_BOUNDARY = re.compile(r"\s+([\w-]+):")
_WORD = re.compile(r"\S+")
_QUOTES = "\"'"
_TRUE = {"true", "yes", "y", "on", "1"}
_FALSE = {"false", "no", "n", "off", "0"}


@dataclass(frozen=True)
class RawOption:
    name: str
    text: str
    name_start: int  # offsets into the options text, used by completion
    value_start: int
    quoted: bool = False


@dataclass
class Scan:
    options: list[RawOption] = field(default_factory=list)
    # How the text ends, for completion: "space" (ready for a new option), "name" (a word with
    # no colon yet, kept in ``word``) or "value" (still inside the last option's value).
    tail: str = "space"
    word: str = ""


def _looks_like_option(name: str, known: Collection[str]) -> bool:
    if name in known:
        return True
    guess = nearest(name, known)
    # Only a close miss counts, so prose such as "note:see you at 5: ok" stays in the value.
    return guess is not None and guess.lower().startswith(name.lower()[:2])


def _value_end(text: str, start: int, known: Collection[str]) -> int:
    for match in _BOUNDARY.finditer(text, start):
        if _looks_like_option(match.group(1), known):
            return match.start()
    return len(text)


def _read_quoted(text: str, start: int) -> tuple[str, int, bool]:
    """The unescaped text inside the quote at ``start``, the offset after it, and if it closed."""
    quote = text[start]
    chars: list[str] = []
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in (quote, "\\"):
            chars.append(text[index + 1])
            index += 2
            continue
        if char == quote:
            return "".join(chars), index + 1, True
        chars.append(char)
        index += 1
    return "".join(chars), index, False


def scan_options(text: str, known: Collection[str], *, partial: bool = False) -> Scan:
    """Split ``name:value`` pairs. With ``partial`` (completion) an unfinished tail is allowed."""
    scan = Scan()
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
            scan.tail = "space"
        if pos >= len(text):
            return scan
        match = _NAME.match(text, pos)
        if match is None:
            word = _WORD.match(text, pos)
            assert word is not None
            if partial and word.end() == len(text):
                scan.tail, scan.word = "name", word.group()
                return scan
            raise ConsoleError(_not_an_option(word.group(), known))
        name, value_start = match.group(1), match.end()
        if value_start < len(text) and text[value_start] in _QUOTES:
            value, pos, closed = _read_quoted(text, value_start)
            if not closed and not partial:
                raise ConsoleError(f"The quote after {name}: is never closed.")
            if pos < len(text) and not text[pos].isspace():
                raise ConsoleError(f"Put a space after the closing quote of {name}:.")
            scan.options.append(RawOption(name, value, match.start(), value_start, quoted=True))
        else:
            raw = text[value_start : _value_end(text, value_start, known)].rstrip()
            # Stop before trailing spaces so a finished value leaves the tail at "space".
            pos = value_start + len(raw)
            scan.options.append(RawOption(name, raw.strip(), match.start(), value_start))
        scan.tail = "value"


def _not_an_option(word: str, known: Collection[str]) -> str:
    if not known:
        return f"This command takes no options (found {word!r})."
    example = sorted(known)[0]
    return f"Options are written name:value, e.g. {example}:… (found {word!r})."


@dataclass(frozen=True)
class Invocation:
    command: CommandSpec
    options: dict[str, Any]


# Looks up users and channels by the name typed; raises ConsoleError when there is none.
Resolver = Callable[[OptionSpec, str], Any]


def command_words(line: str) -> tuple[list[str], list[int]]:
    """The leading words that can name a command (before any ``name:`` or quote), with ends."""
    words: list[str] = []
    ends: list[int] = []
    for match in _WORD.finditer(line):
        word = match.group()
        if ":" in word or word[0] in _QUOTES:
            break
        words.append(word)
        ends.append(match.end())
    return words, ends


def parse_command(line: str, catalog: CommandCatalog, resolve: Resolver) -> Invocation:
    """``/name sub option:value ...`` -> the command and its options converted to their types."""
    body = line.strip()
    if not body.startswith("/"):
        raise ConsoleError("Commands start with / (see :help).")
    body = body[1:]
    words, ends = command_words(body)
    command, used = catalog.resolve(words)
    rest = body[ends[used - 1] :]
    known = command.typed_names
    values: dict[str, Any] = {}
    for raw in scan_options(rest, known).options:
        option = command.option(raw.name)
        if option is None:
            raise ConsoleError(_unknown_option(command, raw.name))
        if option.name in values:
            raise ConsoleError(f"{option.shown_name}: is given twice.")
        # Keyed by the English name: the interaction carries the default names, as Discord's does.
        values[option.name] = convert(option, raw.text, resolve)
    missing = [o.shown_name for o in command.options if o.required and o.name not in values]
    if missing:
        needed = ", ".join(f"{name}:" for name in missing)
        raise ConsoleError(f"{command.display} needs {needed} (usage: {command.usage()})")
    return Invocation(command, values)


def _unknown_option(command: CommandSpec, name: str) -> str:
    if not command.options:
        return f"{command.display} takes no options."
    # The names the person's client shows: a German client never shows the English ones.
    suggestion = nearest(name, command.shown_option_names)
    listed = ", ".join(f"{n}:" for n in command.shown_option_names)
    return (
        f"{command.display} has no option {name}:{did_you_mean(suggestion and suggestion + ':')}"
        f" (options: {listed})"
    )


def convert(option: OptionSpec, text: str, resolve: Resolver) -> Any:
    """The typed value for ``option``, checked the way Discord's client checks it."""
    if text == "":
        raise ConsoleError(
            f"{option.shown_name}: needs a value ({option.shown_description or option.type_name})."
        )
    if option.type == STRING:
        value: Any = _choice(option, text) if option.choices else text
        _check_length(option, str(value))
        return value
    if option.type in (INTEGER, NUMBER):
        return _number(option, text)
    if option.type == BOOLEAN:
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ConsoleError(f"{option.shown_name}: takes true or false, not {text!r}.")
    if option.names_person or option.names_channel:
        return resolve(option, text)
    if option.type in (ROLE, ATTACHMENT):
        raise ConsoleError(
            f"{option.shown_name}: is a {option.type_name} option; the console can't send those yet."
        )
    raise ConsoleError(
        f"{option.shown_name}: has an option type ({option.type}) the console doesn't know."
    )


def _choice(option: OptionSpec, text: str) -> str | int | float:
    for _, value in option.choices:
        if str(value) == text:
            return value
    lowered = text.lower()
    for name, value in (*option.choices, *option.local_choices):
        if lowered in (name.lower(), str(value).lower()):
            return value
    _reject_choice(option, text, option.shown_choices)


def _reject_choice(option: OptionSpec, text: str, names: list[str]) -> NoReturn:
    suggestion = nearest(text, names)
    raise ConsoleError(
        f"{option.shown_name}: must be one of {', '.join(names)}, not {text!r}{did_you_mean(suggestion)}"
    )


def _number(option: OptionSpec, text: str) -> int | float:
    try:
        number: int | float = int(text) if option.type == INTEGER else float(text)
    except ValueError:
        kind = "a whole number" if option.type == INTEGER else "a number"
        raise ConsoleError(f"{option.shown_name}: takes {kind}, not {text!r}.") from None
    if isinstance(number, float) and not math.isfinite(number):
        raise ConsoleError(f"{option.shown_name}: takes a finite number.")
    if option.choices:
        allowed = [value for _, value in option.choices]
        if number not in allowed:
            _reject_choice(option, text, [str(v) for v in allowed])
    if option.min_value is not None and number < option.min_value:
        raise ConsoleError(f"{option.shown_name}: must be at least {option.min_value:g}.")
    if option.max_value is not None and number > option.max_value:
        raise ConsoleError(f"{option.shown_name}: must be at most {option.max_value:g}.")
    return number


def _check_length(option: OptionSpec, text: str) -> None:
    if option.min_length is not None and len(text) < option.min_length:
        raise ConsoleError(f"{option.shown_name}: needs at least {option.min_length} characters.")
    if option.max_length is not None and len(text) > option.max_length:
        raise ConsoleError(f"{option.shown_name}: takes at most {option.max_length} characters.")


def quote_value(value: str) -> str:
    """How to write ``value`` so the parser reads it back unchanged."""
    if value and not any(c.isspace() for c in value) and value[0] not in _QUOTES:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
