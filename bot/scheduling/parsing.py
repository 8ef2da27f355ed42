"""Parsers for what users type: a time of day, a set of weekdays, a pause length.

Every rejection is a :class:`~bot.errors.UserError` whose message quotes (a shortened copy of) the
input and shows an example that would work. Inputs are length-checked before any regex runs.

Decisions:

* ``24:00`` is rejected with a hint to use ``00:00``: a daily reminder time is a time of day, and
  "24:00 on Monday" would really be Tuesday 00:00, which is the opposite of what people expect.
* Bare numbers such as ``7`` are rejected (07:00 or 19:00?), but four digits such as ``0730`` and
  ``1730`` are read as 24-hour times. ``noon`` and ``midnight`` are accepted.
* Day ranges may wrap around the week: ``fri-mon`` means Fri, Sat, Sun, Mon. People with
  weekend routines write it that way, and there is no other sensible reading.
"""

from __future__ import annotations

import re
from datetime import time

from bot.errors import UserError
from bot.scheduling.recurrence import Weekdays

__all__ = ["MAX_PAUSE_DAYS", "MIN_PAUSE_DAYS", "parse_days", "parse_pause_days", "parse_time"]

MIN_PAUSE_DAYS = 1
MAX_PAUSE_DAYS = 30

# Longer than any sensible answer ("monday, wednesday, friday and saturday" is ~40); checking the
# length first keeps pathological inputs from reaching the regexes at all.
_MAX_TIME_LENGTH = 20
_MAX_DAYS_LENGTH = 120
_QUOTE_LENGTH = 24

_TIME_EXAMPLES = "Try 17:30 or 5:30 pm."
_DAYS_EXAMPLES = 'Try "every day", "weekdays", "weekends", "mon, wed, fri" or "mon-fri".'

# re.ASCII so that \d and \s don't accept look-alike digits from other scripts.
_TWENTY_FOUR_HOUR = re.compile(r"(\d{1,2})[:.h](\d{2})", re.ASCII)
_FOUR_DIGITS = re.compile(r"(\d{2})(\d{2})", re.ASCII)
_TWELVE_HOUR = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?\s*(?:m\.?)?", re.ASCII)
_WORDS = {"noon": time(12, 0), "midday": time(12, 0), "midnight": time(0, 0)}

_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EXTRA_DAY_ALIASES = {"weds": 2}  # the other common short forms are prefixes
_GROUPS = {
    "daily": Weekdays.EVERY_DAY,
    "everyday": Weekdays.EVERY_DAY,
    "all": Weekdays.EVERY_DAY,
    "weekday": Weekdays.WEEKDAYS,
    "weekdays": Weekdays.WEEKDAYS,
    "weekend": Weekdays.WEEKENDS,
    "weekends": Weekdays.WEEKENDS,
}
# Words that make a sentence read naturally but select nothing ("every monday and friday").
_FILLER = {"and", "on", "every", "each", "day", "days"}
_RANGE_WORDS = re.compile(r"\s*(?:-|–|—|\bto\b|\bthrough\b|\bthru\b|\btill\b|\buntil\b)\s*")
_SEPARATORS = re.compile(r"[\s,;/&+]+")


def parse_time(text: str) -> time:
    """Read a time of day such as "17:30", "5pm", "5:30 PM", "0730" or "17.30"."""
    cleaned = text.strip().lower()
    if not cleaned:
        raise UserError(f"Please give a time of day. {_TIME_EXAMPLES}")
    if len(cleaned) > _MAX_TIME_LENGTH:
        raise UserError(f"{_quote(text)} is too long to be a time. {_TIME_EXAMPLES}")
    if cleaned in _WORDS:
        return _WORDS[cleaned]
    if cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= 2 and int(cleaned) <= 23:
        # A bare hour is ambiguous for 1-12 and merely incomplete otherwise; say so either way.
        hour = int(cleaned)
        options = f"{hour:02d}:00" + (f" or {hour + 12:02d}:00" if 1 <= hour <= 11 else "")
        raise UserError(f"Please include the minutes or am/pm: for {_quote(text)} try {options}.")
    if match := _TWELVE_HOUR.fullmatch(cleaned):
        hour, minute = int(match[1]), int(match[2] or 0)
        if not 1 <= hour <= 12:
            raise UserError(
                f"{_quote(text)} isn't a valid time: with am/pm the hour goes from 1 to 12. "
                f"{_TIME_EXAMPLES}"
            )
        if minute > 59:
            raise UserError(f"{_quote(text)} isn't a valid time: minutes go up to 59.")
        # 12 am is midnight and 12 pm is noon; otherwise pm adds twelve hours.
        return time(hour % 12 + (12 if match[3] == "p" else 0), minute)
    match = _TWENTY_FOUR_HOUR.fullmatch(cleaned) or _FOUR_DIGITS.fullmatch(cleaned)
    if match is None:
        raise UserError(f"I couldn't read {_quote(text)} as a time. {_TIME_EXAMPLES}")
    hour, minute = int(match[1]), int(match[2])
    if (hour, minute) == (24, 0):
        raise UserError(f"{_quote(text)} is the end of the day: use 00:00 for midnight.")
    if hour > 23 or minute > 59:
        raise UserError(
            f"{_quote(text)} isn't a valid time: hours go up to 23 and minutes up to 59. "
            f"{_TIME_EXAMPLES}"
        )
    return time(hour, minute)


def parse_days(text: str) -> Weekdays:
    """Read a set of weekdays such as "every day", "weekdays", "mon, wed, fri" or "fri-mon"."""
    cleaned = text.strip().lower()
    if not cleaned:
        raise UserError(f"Please say which days. {_DAYS_EXAMPLES}")
    if len(cleaned) > _MAX_DAYS_LENGTH:
        raise UserError(f"That list of days is too long. {_DAYS_EXAMPLES}")
    if cleaned in {"every day", "each day", "all days", "every single day"}:
        return Weekdays.EVERY_DAY
    # Glue ranges into single tokens ("mon to fri" -> "mon-fri") before splitting on separators.
    tokens = _SEPARATORS.split(_RANGE_WORDS.sub("-", cleaned).strip("-"))
    selected = Weekdays(0)
    for token in tokens:
        if token in _FILLER or not token:
            continue
        selected |= _parse_day_token(token, original=text)
    if not selected:
        raise UserError(f"{_quote(text)} doesn't name any days. {_DAYS_EXAMPLES}")
    return selected


def parse_pause_days(n: int) -> int:
    """Validate how many days to pause reminders for."""
    if isinstance(n, bool) or not MIN_PAUSE_DAYS <= n <= MAX_PAUSE_DAYS:
        raise UserError(
            f"Reminders can be paused for {MIN_PAUSE_DAYS} to {MAX_PAUSE_DAYS} days, not {n}."
        )
    return n


def _parse_day_token(token: str, *, original: str) -> Weekdays:
    if token in _GROUPS:
        return _GROUPS[token]
    if "-" in token:
        start_text, _, end_text = token.partition("-")
        start, end = _day_index(start_text), _day_index(end_text)
        if start is None or end is None:
            bad = start_text if start is None else end_text
            raise UserError(f"{_quote(bad or token)} isn't a day name. {_DAYS_EXAMPLES}")
        # Wrap-around ranges are intended: "fri-mon" is Fri, Sat, Sun, Mon.
        length = (end - start) % 7 + 1
        return Weekdays.of(*((start + step) % 7 for step in range(length)))
    index = _day_index(token)
    if index is None:
        raise UserError(f"{_quote(token)} isn't a day name. {_DAYS_EXAMPLES}")
    return Weekdays.of(index)


def _day_index(word: str) -> int | None:
    """Monday=0 for "mo", "mon", "monday", "mondays", "mon." etc.; None if not a day."""
    word = word.strip(".")
    if word in _EXTRA_DAY_ALIASES:
        return _EXTRA_DAY_ALIASES[word]
    if word.endswith("s") and word[:-1] in _DAY_NAMES:
        word = word[:-1]
    # Any prefix of two letters or more is unambiguous ("tu" vs "th", "sa" vs "su").
    if len(word) < 2:
        return None
    for index, name in enumerate(_DAY_NAMES):
        if name.startswith(word):
            return index
    return None


def _quote(text: str) -> str:
    """A short, single-line, markdown-safe rendering of user input for an error message."""
    flat = " ".join(text.split()).replace("`", "'")
    if len(flat) > _QUOTE_LENGTH:
        flat = flat[: _QUOTE_LENGTH - 1] + "…"
    return f"“{flat}”"
