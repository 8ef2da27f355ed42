"""What the bot says, in one person's language: ``tr = speaker(locale)``, then ``tr("...")``.

The one API for replies (cogs get theirs with ``bot.interactions.translator_for(interaction)``;
reminders and server posts with the stored locale). A message is its English text, with named
placeholders filled from keywords::

    tr("Your timezone is now **{zone}**.", zone=zone)
    tr.plural(count, "{count} tip", "{count} tips")
    tr.date(day), tr.time(instant), tr.weekday(0), tr.number(1234), tr.decimal(7.5)

How a message gets into the catalog: ``python -m bot.command_translator`` walks the source of
``bot/`` and ``cogs/`` (:func:`marked_messages`) and writes every string literal passed to
``tr(...)``, ``tr.plural(n, ...)`` or ``N_(...)`` into ``messages.pot``; tests/i18n fails while the
German catalog misses one. ``N_`` marks a text kept in a constant (or raised in a UserError) that is
translated later, where the locale is known: ``tr(CONSTANT)``.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from bot.i18n import formatting
from bot.i18n.catalog import Message, MessageCatalog, load_catalog
from bot.i18n.locales import ENGLISH, GERMAN, pick_locale


def N_(text: str) -> str:
    """Marks ``text`` for the catalog without translating it (gettext's ``gettext_noop``)."""
    return text


@dataclass(frozen=True, slots=True)
class Speaker:
    """Messages and formatting bound to one locale."""

    locale: str
    catalog: MessageCatalog

    def __call__(self, text: str, /, **params: object) -> str:
        said = {
            name: value.said_by(self) if isinstance(value, _SPOKEN) else value
            for name, value in params.items()
        }
        return self.catalog.gettext(text, None, **said)

    def plural(self, count: int, one: str, other: str, /, **params: object) -> str:
        """``one`` or ``other`` by the locale's plural rule; ``{count}`` is the number, formatted."""
        form = _plural_form(self.locale, count)
        return self(one if form == "one" else other, count=self.number(count), **params)

    def date(self, value: date, style: str = "full") -> str:
        return formatting.format_date(value, self.locale, style)

    def time(self, value: time | datetime) -> str:
        return formatting.format_time(value, self.locale)

    def date_time(self, value: datetime, style: str = "full") -> str:
        return formatting.format_datetime(value, self.locale, style)

    def weekday(self, index: int, width: str = "wide") -> str:
        return formatting.format_weekday(index, self.locale, width)

    def number(self, value: int) -> str:
        return formatting.format_number(value, self.locale)

    def decimal(self, value: float, places: int = 1) -> str:
        return formatting.format_decimal(value, self.locale, places)

    def hours_minutes(self, total_minutes: float) -> str:
        """490 -> "8h 10m" / "8 Std. 10 Min."; negative values keep their sign."""
        sign = "-" if total_minutes < 0 else ""
        whole = round(abs(total_minutes))
        return sign + self(HOURS_MINUTES, hours=whole // 60, minutes=f"{whole % 60:02d}")


# A duration in hours and minutes, e.g. time asleep (Babel's format_timedelta rounds to one unit).
HOURS_MINUTES = N_("{hours}h {minutes}m")


class MessageValue:
    """A value inside a message, said in the reader's language by said_by(tr); formatted or
    str()'d without a speaker (a log line, an exception's text) it reads as the English."""

    __slots__ = ()

    def said_by(self, tr: Speaker) -> str:
        raise NotImplementedError

    def __format__(self, spec: str) -> str:
        return format(self.said_by(ENGLISH_SPEAKER), spec)

    def __str__(self) -> str:
        return self.said_by(ENGLISH_SPEAKER)


class OneOf(MessageValue, tuple[str, ...]):
    """Choices a message offers, joined in the reader's language: "A, B or C" / "A, B oder C"."""

    def said_by(self, tr: Speaker) -> str:
        if len(self) <= 1:
            return "".join(self)
        return tr("{some} or {last}", some=", ".join(self[:-1]), last=self[-1])


class Quoted(MessageValue):
    """What a person typed, quoted inside a message in the reader's way: “müde” in English,
    „müde“ in German; several are listed with commas ("“Iron”, “Ropinirole”")."""

    __slots__ = ("texts",)

    def __init__(self, *texts: str) -> None:
        self.texts = texts

    def said_by(self, tr: Speaker) -> str:
        opening, closing = ("„", "“") if tr.locale == GERMAN else ("“", "”")
        return ", ".join(f"{opening}{text}{closing}" for text in self.texts)


class Said(str):
    """A message (marked ``N_``) inside another message, translated with it; "" stays ""."""

    __slots__ = ()

    def said_by(self, tr: Speaker) -> str:
        return tr(str(self)) if self else ""


@dataclass(frozen=True, slots=True)
class Moment(MessageValue):
    """A clock time with its weekday inside a message: "Tue 23:15" / "Di. 23:15"."""

    value: datetime

    def said_by(self, tr: Speaker) -> str:
        if tr.locale == ENGLISH:
            return self.value.strftime("%a %H:%M")
        return f"{tr.weekday(self.value.weekday(), 'abbreviated')} {tr.time(self.value)}"


class Phrase(MessageValue):
    """A message with its own values inside another message (an error quoted in an error):
    ``UserError(N_("Time {index}: {problem}"), index=2, problem=Phrase(error.text, **error.params))``."""

    __slots__ = ("params", "text")

    def __init__(self, text: str, /, **params: object) -> None:
        self.text = text
        self.params = params

    def said_by(self, tr: Speaker) -> str:
        return tr(self.text, **self.params)


@dataclass(frozen=True, slots=True)
class Duration(MessageValue):
    """Minutes inside a message (a UserError's value), said as hours and minutes: "8h 10m" /
    "8 Std. 10 Min."."""

    minutes: float

    def said_by(self, tr: Speaker) -> str:
        return tr.hours_minutes(self.minutes)


@dataclass(frozen=True, slots=True)
class Day(MessageValue):
    """A date inside a message (a UserError's value), written the reader's way when said:
    ``style`` as :func:`format_date` takes it; ``english``, a strftime pattern, keeps English
    exactly as the bot wrote it before ("Tue 03 Mar" for the diary's nights)."""

    value: date
    style: str = "compact"
    english: str | None = None

    def said_by(self, tr: Speaker) -> str:
        if self.english is not None and tr.locale == ENGLISH:
            return self.value.strftime(self.english)
        return tr.date(self.value, self.style)


# What a speaker says in its own words when it fills a placeholder (a tuple, built once: `A | B`
# in isinstance would build a union object on every call).
_SPOKEN = (OneOf, Said, Day, Moment, Phrase, Duration, Quoted)


@functools.cache
def _plural_form(locale: str, count: int) -> str:
    return str(formatting._babel(locale).plural_form(abs(count)))


@functools.cache
def speaker(locale: object) -> Speaker:
    """The speaker for a Discord locale (``de``, ``en-US``, discord.py's ``Locale``, None)."""
    language = pick_locale(locale)
    return Speaker(language, load_catalog(language))


ENGLISH_SPEAKER = speaker(ENGLISH)

# --- Finding the marked messages in the source ---------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("bot", "cogs")


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _marked(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in {"tr", "N_"} and node.args:
            args = node.args[:1]
        elif (
            isinstance(func, ast.Attribute)
            and func.attr == "plural"
            and isinstance(func.value, ast.Name)
            and func.value.id == "tr"
        ):
            args = node.args[1:3]
        else:
            continue
        for arg in args:
            text = _literal(arg)
            if text:
                yield text


def marked_messages(files: Iterable[Path] | None = None) -> list[Message]:
    """Every message marked in the source, once each (no context: replies, not command names)."""
    if files is None:
        files = (path for folder in SOURCE_DIRS for path in sorted((ROOT / folder).rglob("*.py")))
    found: set[str] = set()
    for path in files:
        found.update(_marked(ast.parse(path.read_text(encoding="utf-8"), str(path))))
    return sorted(Message(None, text) for text in found)
