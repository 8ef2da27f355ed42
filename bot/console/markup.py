"""Discord's message markup (markdown subset, mentions, timestamps) as rich ``Text``.

Only what a terminal can show: bold, italics, code, headings, quotes and subtext; mentions become
names and ``<t:…>`` timestamps are shown in the reader's timezone, the way Discord shows them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from rich.text import Text

from bot.i18n.formatting import format_date, format_datetime, format_time
from bot.i18n.locales import ENGLISH, GERMAN, pick_locale

_TOKENS = re.compile(
    r"<t:(?P<stamp>-?\d+)(?::(?P<style>[tTdDfFR]))?>"
    r"|<@!?(?P<user>\d+)>"
    r"|<@&(?P<role>\d+)>"
    r"|<#(?P<channel>\d+)>"
    r"|</(?P<command>[^:>]+):\d+>"
    r"|<a?:(?P<emoji>\w+):\d+>"
    r"|<(?P<link>https?://[^>\s]+)>"
)
_INLINE = re.compile(
    r"\*\*(?P<bold>.+?)\*\*"
    r"|__(?P<underline>.+?)__"
    r"|\*(?P<italic>[^*\s](?:.*?[^*\s])?)\*"
    r"|(?<![\w])_(?P<italic2>[^_\s](?:.*?[^_\s])?)_(?![\w])"
    r"|~~(?P<strike>.+?)~~"
    r"|\|\|(?P<spoiler>.+?)\|\|"
    r"|`(?P<code>[^`]+)`"
    r"|\[(?P<label>[^\]]+)\]\((?P<url>[^)\s]+)\)"
)
_STYLES = {
    "bold": "bold",
    "underline": "underline",
    "italic": "italic",
    "italic2": "italic",
    "strike": "strike",
    "spoiler": "reverse",
}


@dataclass(frozen=True)
class Reader:
    """Who is reading: names for mentions, and the zone, "now" and Discord language for
    timestamps."""

    user_name: Callable[[int], str]
    channel_name: Callable[[int], str]
    zone: ZoneInfo
    now: datetime
    locale: str = ENGLISH


def _ordinal_free_date(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


# How a German Discord client words a relative timestamp: "in 2 Tagen", "vor 1 Stunde".
_GERMAN_UNITS = {
    "day": ("Tag", "Tagen"),
    "hour": ("Stunde", "Stunden"),
    "minute": ("Minute", "Minuten"),
}


def relative(moment: datetime, now: datetime, locale: str = ENGLISH) -> str:
    german = pick_locale(locale) == GERMAN
    seconds = (moment - now).total_seconds()
    for unit, length in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if abs(seconds) >= length:
            amount = round(abs(seconds) / length)
            if german:
                one, many = _GERMAN_UNITS[unit]
                words = f"{amount} {one if amount == 1 else many}"
                return f"in {words}" if seconds > 0 else f"vor {words}"
            words = f"{amount} {unit}{'s' if amount != 1 else ''}"
            return f"in {words}" if seconds > 0 else f"{words} ago"
    if abs(seconds) < 1:
        return "jetzt" if german else "now"
    if german:
        return "in wenigen Sekunden" if seconds > 0 else "vor wenigen Sekunden"
    return "in a few seconds" if seconds > 0 else "a few seconds ago"


def timestamp(stamp: int, style: str | None, reader: Reader) -> str:
    moment = datetime.fromtimestamp(stamp, UTC).astimezone(reader.zone)
    if style == "R":
        return relative(moment, reader.now, reader.locale)
    if pick_locale(reader.locale) == GERMAN:
        return _german_timestamp(moment, style)
    formats = {
        "t": lambda m: f"{m:%H:%M}",
        "T": lambda m: f"{m:%H:%M:%S}",
        "d": lambda m: f"{m:%d/%m/%Y}",
        "D": _ordinal_free_date,
        "f": lambda m: f"{_ordinal_free_date(m)} {m:%H:%M}",
        "F": lambda m: f"{m:%A}, {_ordinal_free_date(m)} {m:%H:%M}",
    }
    return formats.get(style or "f", formats["f"])(moment)


def _german_timestamp(moment: datetime, style: str | None) -> str:
    """The styles as a German Discord client shows them: "Montag, 2. März 2026 17:30"."""
    if style == "t":
        return format_time(moment, GERMAN)
    if style == "T":
        return f"{moment:%H:%M:%S}"
    if style == "d":
        return format_date(moment, GERMAN, "compact")
    if style == "D":
        return format_date(moment, GERMAN, "long")
    if style == "F":
        return format_datetime(moment, GERMAN, "full")
    return format_datetime(moment, GERMAN, "long")


def _replace_token(match: re.Match[str], reader: Reader) -> tuple[str, str]:
    """(text, style) for one mention-like token."""
    if match.group("stamp") is not None:
        return timestamp(int(match.group("stamp")), match.group("style"), reader), "cyan"
    if match.group("user"):
        return "@" + reader.user_name(int(match.group("user"))), "bold magenta"
    if match.group("role"):
        return "@role", "bold magenta"
    if match.group("channel"):
        return "#" + reader.channel_name(int(match.group("channel"))), "bold blue"
    if match.group("command"):
        return "/" + match.group("command"), "bold cyan"
    if match.group("emoji"):
        return f":{match.group('emoji')}:", ""
    return match.group("link"), "underline"


def _inline(text: str, reader: Reader, base: str = "") -> Text:
    out = Text(style=base)
    pos = 0
    for match in _INLINE.finditer(text):
        out.append_text(_tokens(text[pos : match.start()], reader))
        kind = match.lastgroup
        if kind == "code":
            out.append(match.group("code"), style="bold")
        elif kind in ("label", "url"):
            out.append_text(_inline(match.group("label"), reader, "underline"))
            out.append(f" ({match.group('url')})", style="dim")
        elif kind is not None:
            out.append_text(_inline(match.group(kind), reader, _STYLES[kind]))
        pos = match.end()
    out.append_text(_tokens(text[pos:], reader))
    return out


def _tokens(text: str, reader: Reader) -> Text:
    out = Text()
    pos = 0
    for match in _TOKENS.finditer(text):
        out.append(text[pos : match.start()])
        shown, style = _replace_token(match, reader)
        out.append(shown, style=style)
        pos = match.end()
    out.append(text[pos:])
    return out


def discord_text(content: str, reader: Reader) -> Text:
    """``content`` as a rich Text, line by line (block markup first, then inline)."""
    out = Text()
    in_code_block = False
    for index, line in enumerate(content.split("\n")):
        if index:
            out.append("\n")
        if line.strip().startswith("```"):
            in_code_block = not in_code_block
            continue
        if in_code_block:
            out.append(line, style="bold")
            continue
        heading = re.match(r"(#{1,3}) (.*)", line)
        if heading:
            out.append_text(_inline(heading.group(2), reader, "bold underline"))
        elif line.startswith("-# "):
            out.append_text(_inline(line[3:], reader, "dim"))
        elif line.startswith("> "):
            out.append("│ ", style="dim")
            out.append_text(_inline(line[2:], reader, "italic"))
        else:
            out.append_text(_inline(line, reader))
    return out
