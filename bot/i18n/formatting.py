"""Dates, times, weekdays and numbers the way each locale writes them (Babel, CLDR data).

"Wednesday, 25 November 2026" in English is "Mittwoch, 25. November 2026" in German; 17:30 stays
17:30 in both (the bot uses the 24-hour clock in English too, as it always has); 7.5 is "7,5".
The English patterns match what bot/formatting.py has always shown, so switching the English
replies onto these functions later changes no English text.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from bot.i18n.locales import ENGLISH, GERMAN, pick_locale

# The formatters below are pure (CLDR data never changes while running) and Babel's pattern
# formatting costs tens of microseconds a call: each answer is kept (LRU), since replies repeat
# the same few dates, times and counts (the next reminders of a shared schedule, a streak).

# Babel locale per language: British English for the day-month order the bot already uses.
_BABEL_LOCALE = {ENGLISH: "en_GB", GERMAN: "de_DE"}

# Explicit CLDR patterns where the locale's "long"/"full" default is not what we show.
_DATE_PATTERNS = {
    "full": {ENGLISH: "EEEE, d MMMM y", GERMAN: "EEEE, d. MMMM y"},
    "long": {ENGLISH: "d MMMM y", GERMAN: "d. MMMM y"},
    "short_day": {ENGLISH: "EEE d MMM", GERMAN: "EEE, d. MMM"},
    # A day in a list of dated values (lab results): "02 Mar 2026" / "02.03.2026".
    "compact": {ENGLISH: "dd MMM y", GERMAN: "dd.MM.y"},
    # The report's nightly table (a 10-character column) and its chart's date ticks.
    "table": {ENGLISH: "EEE dd MMM", GERMAN: "EEEEEE dd.MM."},
    "tick": {ENGLISH: "dd MMM", GERMAN: "d. MMM"},
    "month": {ENGLISH: "MMM y", GERMAN: "MMM y"},
}


@functools.cache
def _babel(locale: str) -> Locale:
    """One Babel Locale per locale string, built once (Locale.parse makes a new one per call)."""
    language = pick_locale(locale)
    return Locale.parse(_BABEL_LOCALE.get(language, language))


def format_date(value: date, locale: str, style: str = "full") -> str:
    """``full``: "Wednesday, 25 November 2026" / "Mittwoch, 25. November 2026"; also ``long``,
    ``short_day`` ("Wed 25 Nov" / "Mi., 25. Nov."), ``compact`` ("25 Nov 2026" / "25.11.2026")."""
    # Keyed by the plain date: a datetime (a date too) equals any other of the same instant in
    # another zone, whose calendar date may differ.
    return _format_date(date(value.year, value.month, value.day), locale, style)


@functools.lru_cache(maxsize=4096)
def _format_date(value: date, locale: str, style: str) -> str:
    lang = pick_locale(locale)
    if style == "compact" and lang == ENGLISH:
        return f"{value:%d %b %Y}"  # CLDR's en_GB writes "Sept"; the bot always wrote "Sep"
    # A language added later without its own pattern gets CLDR's (short_day: CLDR's "medium").
    pattern = _DATE_PATTERNS[style].get(lang, style if style in ("full", "long") else "medium")
    return babel_dates.format_date(value, pattern, locale=_babel(lang))


def format_time(value: time | datetime, locale: str) -> str:
    """24-hour "17:30" in both languages (German readers expect it; English replies always used it)."""
    # Keyed by the wall clock shown: equal datetimes in two zones show different times.
    return _format_time(value.hour, value.minute, locale)


@functools.lru_cache(maxsize=4096)
def _format_time(hour: int, minute: int, locale: str) -> str:
    return babel_dates.format_time(time(hour, minute), "HH:mm", locale=_babel(locale))


def format_datetime(value: datetime, locale: str, style: str = "full") -> str:
    """A date in ``style`` then the time: "Mittwoch, 25. November 2026 17:30"."""
    return f"{format_date(value.date(), locale, style)} {format_time(value, locale)}"


def format_weekday(index: int, locale: str, width: str = "wide") -> str:
    """Monday=0: "Monday"/"Montag" (``wide``), "Mon"/"Mo." (``abbreviated``)."""
    if not 0 <= index <= 6:
        raise ValueError(f"weekday index {index} is not 0 (Monday) to 6 (Sunday)")
    names = _babel(locale).days["format"][width]
    return str(names[index])


@functools.lru_cache(maxsize=4096)
def format_number(value: int, locale: str) -> str:
    """Whole numbers with the locale's grouping: 12,345 / 12.345."""
    return babel_numbers.format_decimal(value, locale=_babel(locale))


def format_decimal(value: float, locale: str, places: int = 1) -> str:
    """A fixed number of decimals with the locale's separator: 7.5 / 7,5."""
    pattern = "#,##0" + ("." + "0" * places if places > 0 else "")
    return babel_numbers.format_decimal(value, pattern, locale=_babel(locale))
