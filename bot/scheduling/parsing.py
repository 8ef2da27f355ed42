"""Parsers for what users type: a time of day, a set of weekdays, a pause length, a day.

Every rejection is a :class:`~bot.errors.UserError` whose message quotes (a shortened copy of) the
input and shows an example that would work. Inputs are length-checked before any regex runs.

Decisions:

* ``24:00`` is rejected with a hint to use ``00:00``: a daily reminder time is a time of day, and
  "24:00 on Monday" would really be Tuesday 00:00, which is the opposite of what people expect.
* Bare numbers such as ``7`` are rejected (07:00 or 19:00?), but four digits such as ``0730`` and
  ``1730`` are read as 24-hour times. ``noon`` and ``midnight`` are accepted.
* Day ranges may wrap around the week: ``fri-mon`` means Fri, Sat, Sun, Mon. People with
  weekend routines write it that way, and there is no other sensible reading.

German (issue 22) is accepted everywhere, whatever the person's locale: someone with an English
client may still type "17 Uhr", and the two languages never read the same input differently.

* Times: "17 Uhr", "17:30 Uhr", "17.30", "17h", "mittags", "Mitternacht". "N Uhr" is read on the
  24-hour clock, as German writes it ("5 Uhr" is 05:00); "5 Uhr nachmittags"/"7 Uhr abends" add
  twelve hours, "8 Uhr morgens/früh/vormittags" do not. "nachts" is left out on purpose: "2 Uhr
  nachts" is 02:00 but "11 Uhr nachts" is 23:00, and guessing wrong moves a reminder by 12 hours.
  "halb sechs" (05:30 or 17:30, and 5:30 to a Swiss reader's neighbour) is not read.
* Days: "Mo, Mi, Fr", "Montag bis Freitag", "montags", "werktags", "täglich", "jeden Tag",
  "Wochenende". German two-letter day prefixes (mo di mi do fr sa so) never clash with English
  ones (mo tu we th fr sa su): where both languages match, they mean the same day.
* Days relative to today: "heute"/"today", "gestern"/"yesterday", "vorgestern", and German dates
  "3.3.2026" or "03.03." (this year), besides ISO dates.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from babel.dates import get_month_names

from bot.errors import UserError
from bot.i18n.speech import N_, OneOf, Quoted, Said
from bot.scheduling.recurrence import Weekdays

__all__ = [
    "MAX_PAUSE_DAYS",
    "MIN_PAUSE_DAYS",
    "parse_day_word",
    "parse_days",
    "parse_pause_days",
    "parse_time",
]

MIN_PAUSE_DAYS = 1
MAX_PAUSE_DAYS = 30

# Longer than any sensible answer ("monday, wednesday, friday and saturday" is ~40); checking the
# length first keeps pathological inputs from reaching the regexes at all.
_MAX_TIME_LENGTH = 24  # "11:30 Uhr nachmittags" is 21
_MAX_DAYS_LENGTH = 120
_QUOTE_LENGTH = 24

_TIME_EXAMPLES = Said(N_("Try 17:30 or 5:30 pm."))
_DAYS_EXAMPLES = Said(N_('Try "every day", "weekdays", "weekends", "mon, wed, fri" or "mon-fri".'))

# re.ASCII so that \d and \s don't accept look-alike digits from other scripts.
_TWENTY_FOUR_HOUR = re.compile(r"(\d{1,2})[:.h](\d{2})", re.ASCII)
_FOUR_DIGITS = re.compile(r"(\d{2})(\d{2})", re.ASCII)
_TWELVE_HOUR = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?\s*(?:m\.?)?", re.ASCII)
_WORDS = {
    "noon": time(12, 0),
    "midday": time(12, 0),
    "midnight": time(0, 0),
    "mittag": time(12, 0),
    "mittags": time(12, 0),
    "mitternacht": time(0, 0),
}
# German: "17 Uhr", "17:30 Uhr", "17h", "5 Uhr nachmittags". Not re.ASCII-dependent for "früh":
# \d and \s stay ASCII, the literal word is matched as written.
_GERMAN_HOUR = re.compile(
    r"(\d{1,2})(?:[:.](\d{2}))?\s*(?:uhr|h)(?:\s+(morgens|früh|vormittags|nachmittags|abends))?",
    re.ASCII,
)
_LATER_HALF = {"nachmittags", "abends"}

_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_GERMAN_DAY_NAMES = (
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonntag",
)
# The other common short forms are prefixes. "sonnabend" (Saturday in the north and east of
# Germany) is whole-word only: its prefix "sonn" is also Sonntag's.
_EXTRA_DAY_ALIASES = {"weds": 2, "sonnabend": 5, "sonnabends": 5}
_GROUPS = {
    "daily": Weekdays.EVERY_DAY,
    "everyday": Weekdays.EVERY_DAY,
    "all": Weekdays.EVERY_DAY,
    "weekday": Weekdays.WEEKDAYS,
    "weekdays": Weekdays.WEEKDAYS,
    "weekend": Weekdays.WEEKENDS,
    "weekends": Weekdays.WEEKENDS,
    "täglich": Weekdays.EVERY_DAY,
    "taeglich": Weekdays.EVERY_DAY,
    "werktags": Weekdays.WEEKDAYS,
    "werktage": Weekdays.WEEKDAYS,
    "wochentags": Weekdays.WEEKDAYS,
    "wochenende": Weekdays.WEEKENDS,
    "wochenenden": Weekdays.WEEKENDS,
}
_EVERY_DAY_PHRASES = {
    "every day",
    "each day",
    "all days",
    "every single day",
    "jeden tag",
    "alle tage",
    "an allen tagen",
}
# Words that make a sentence read naturally but select nothing ("every monday and friday",
# "jeden Montag und Freitag", "am Wochenende").
_FILLER = {"and", "on", "every", "each", "day", "days", "und", "am", "an", "jeden", "jede", "immer"}
_RANGE_WORDS = re.compile(r"\s*(?:-|–|—|\bto\b|\bthrough\b|\bthru\b|\btill\b|\buntil\b|\bbis\b)\s*")
_SEPARATORS = re.compile(r"[\s,;/&+]+")


def parse_time(text: str) -> time:
    """Read a time of day such as "17:30", "5pm", "5:30 PM", "0730", "17.30" or "17 Uhr"."""
    cleaned = text.strip().lower()
    if not cleaned:
        raise UserError(N_("Please give a time of day. {examples}"), examples=_TIME_EXAMPLES)
    if len(cleaned) > _MAX_TIME_LENGTH:
        raise UserError(
            N_("{given} is too long to be a time. {examples}"),
            given=_quote(text),
            examples=_TIME_EXAMPLES,
        )
    if cleaned in _WORDS:
        return _WORDS[cleaned]
    if match := _GERMAN_HOUR.fullmatch(cleaned):
        return _german_time(text, int(match[1]), int(match[2] or 0), match[3])
    if cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= 2 and int(cleaned) <= 23:
        # A bare hour is ambiguous for 1-12 and merely incomplete otherwise; say so either way.
        hour = int(cleaned)
        options = OneOf(
            (f"{hour:02d}:00", f"{hour + 12:02d}:00") if 1 <= hour <= 11 else (f"{hour:02d}:00",)
        )
        raise UserError(
            N_("Please include the minutes or am/pm: for {given} try {options}."),
            given=_quote(text),
            options=options,
        )
    if match := _TWELVE_HOUR.fullmatch(cleaned):
        hour, minute = int(match[1]), int(match[2] or 0)
        if not 1 <= hour <= 12:
            raise UserError(
                N_("{given} isn't a valid time: with am/pm the hour goes from 1 to 12. {examples}"),
                given=_quote(text),
                examples=_TIME_EXAMPLES,
            )
        if minute > 59:
            raise UserError(
                N_("{given} isn't a valid time: minutes go up to 59."), given=_quote(text)
            )
        # 12 am is midnight and 12 pm is noon; otherwise pm adds twelve hours.
        return time(hour % 12 + (12 if match[3] == "p" else 0), minute)
    match = _TWENTY_FOUR_HOUR.fullmatch(cleaned) or _FOUR_DIGITS.fullmatch(cleaned)
    if match is None:
        raise UserError(
            N_("I couldn't read {given} as a time. {examples}"),
            given=_quote(text),
            examples=_TIME_EXAMPLES,
        )
    hour, minute = int(match[1]), int(match[2])
    if (hour, minute) == (24, 0):
        raise UserError(
            N_("{given} is the end of the day: use 00:00 for midnight."), given=_quote(text)
        )
    if hour > 23 or minute > 59:
        raise UserError(
            N_("{given} isn't a valid time: hours go up to 23 and minutes up to 59. {examples}"),
            given=_quote(text),
            examples=_TIME_EXAMPLES,
        )
    return time(hour, minute)


def parse_days(text: str) -> Weekdays:
    """Read a set of weekdays such as "every day", "weekdays", "mon, wed, fri" or "fri-mon"."""
    cleaned = text.strip().lower()
    if not cleaned:
        raise UserError(N_("Please say which days. {examples}"), examples=_DAYS_EXAMPLES)
    if len(cleaned) > _MAX_DAYS_LENGTH:
        raise UserError(N_("That list of days is too long. {examples}"), examples=_DAYS_EXAMPLES)
    if cleaned in _EVERY_DAY_PHRASES:
        return Weekdays.EVERY_DAY
    # Glue ranges into single tokens ("mon to fri" -> "mon-fri") before splitting on separators.
    tokens = _SEPARATORS.split(_RANGE_WORDS.sub("-", cleaned).strip("-"))
    selected = Weekdays(0)
    for token in tokens:
        if token in _FILLER or not token:
            continue
        selected |= _parse_day_token(token, original=text)
    if not selected:
        raise UserError(
            N_("{given} doesn't name any days. {examples}"),
            given=_quote(text),
            examples=_DAYS_EXAMPLES,
        )
    return selected


def parse_pause_days(n: int) -> int:
    """Validate how many days to pause reminders for."""
    if isinstance(n, bool) or not MIN_PAUSE_DAYS <= n <= MAX_PAUSE_DAYS:
        raise UserError(
            N_("Reminders can be paused for {least} to {most} days, not {days}."),
            least=MIN_PAUSE_DAYS,
            most=MAX_PAUSE_DAYS,
            days=n,
        )
    return n


def parse_day_word(text: str, today: date) -> date | None:
    """A day named relative to ``today`` ("heute", "yesterday", "vorgestern") or a German date
    ("3.3.2026", "03.03.", this year when the year is left out); None when ``text`` is neither,
    so callers can go on to their own formats (ISO dates). A German date that does not exist
    ("31.2.2026") is a UserError."""
    cleaned = " ".join(text.strip().lower().split())
    if cleaned in _RELATIVE_DAYS:
        return today - timedelta(days=_RELATIVE_DAYS[cleaned])
    if len(cleaned) > _MAX_DATE_LENGTH:
        return None
    if match := _GERMAN_DATE.fullmatch(cleaned):
        day, month, year = int(match[1]), int(match[2]), match[3]
        weekday = None
    elif parts := _english_date(cleaned):
        day, month, year, weekday = parts
    else:
        return None
    if year and len(year) == 2:
        year = f"20{year}"  # "3.3.26": a diary has no nights from the 1900s
    try:
        # Without a year, the last such day so far: the diary's nights and lab values are past.
        named = date(int(year) if year else today.year, month, day)
        if not year and named > today:
            named = date(today.year - 1, month, day)
    except ValueError:
        raise UserError(N_("{given} isn't a date in the calendar."), given=_quote(text)) from None
    # "Wed 03 Mar" when 3 March is a Tuesday: which of the two is meant? Not readable.
    return named if weekday is None or named.weekday() == weekday else None


def _english_date(cleaned: str) -> tuple[int, int, str | None, int | None] | None:
    """Day, month, year as typed (or None) and weekday (0 = Monday, or None) of a date as the
    replies show it: "tue 03 mar", "tuesday, 3 march 2026", "mar 3, 2026"."""
    match = _ENGLISH_DATE.fullmatch(cleaned)
    if match is None:
        return None
    month = _MONTHS.get(match["month1"] or match["month2"])
    weekday = None if match["weekday"] is None else _WEEKDAYS.get(match["weekday"])
    if month is None or (match["weekday"] is not None and weekday is None):
        return None
    day = int(match["day1"] or match["day2"])
    return day, month, match["year"], weekday


# Days back from today.
_RELATIVE_DAYS = {
    "today": 0,
    "heute": 0,
    "last night": 0,  # nights are dated by the morning they end
    "letzte nacht": 0,
    "yesterday": 1,
    "gestern": 1,
    "vorgestern": 2,
}
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?", re.ASCII)
_MAX_DATE_LENGTH = 32  # "wednesday, 30 september 2026" is 28
# Month names as the replies write them (Babel's English), full and abbreviated, and "sept".
_MONTHS = {
    **{name.lower(): n for n, name in get_month_names("wide", locale="en").items()},
    **{name.lower(): n for n, name in get_month_names("abbreviated", locale="en").items()},
    "sept": 9,
}
# A date's weekday: the day names the days parser reads, in full or as three letters.
_WEEKDAYS = {
    **{name: number for number, name in enumerate(_DAY_NAMES)},
    **{name[:3]: number for number, name in enumerate(_DAY_NAMES)},
}
_ENGLISH_DATE = re.compile(
    r"(?:(?P<weekday>[a-z]+),?\s+)?"
    r"(?:(?P<day1>\d{1,2})\s+(?P<month1>[a-z]+)\.?|(?P<month2>[a-z]+)\.?\s+(?P<day2>\d{1,2}))"
    r"(?:,?\s+(?P<year>\d{4}))?",
    re.ASCII,
)


def _german_time(text: str, hour: int, minute: int, part_of_day: str | None) -> time:
    if minute > 59:
        raise UserError(N_("{given} isn't a valid time: minutes go up to 59."), given=_quote(text))
    if part_of_day is None:
        if (hour, minute) == (24, 0):
            raise UserError(
                N_("{given} is the end of the day: use 00:00 for midnight."), given=_quote(text)
            )
        if hour > 23:
            raise UserError(
                N_("{given} isn't a valid time: hours go up to 23. {examples}"),
                given=_quote(text),
                examples=_TIME_EXAMPLES,
            )
        return time(hour, minute)
    # With a part of the day the hour is on the 12-hour clock: "5 Uhr nachmittags" is 17:00.
    if not 1 <= hour <= 12:
        raise UserError(
            N_("{given} isn't a valid time: with {part} the hour goes from 1 to 12. {examples}"),
            given=_quote(text),
            part=part_of_day,
            examples=_TIME_EXAMPLES,
        )
    if hour == 12:
        # "12 Uhr abends" and "12 Uhr morgens" are both said for midnight and for noon.
        raise UserError(
            N_("{given} is unclear: noon or midnight? Try 12:00 or 00:00."), given=_quote(text)
        )
    return time(hour + 12 if part_of_day in _LATER_HALF else hour, minute)


def _parse_day_token(token: str, *, original: str) -> Weekdays:
    if token in _GROUPS:
        return _GROUPS[token]
    if "-" in token:
        start_text, _, end_text = token.partition("-")
        start, end = _day_index(start_text), _day_index(end_text)
        if start is None or end is None:
            bad = start_text if start is None else end_text
            raise UserError(
                N_("{given} isn't a day name. {examples}"),
                given=_quote(bad or token),
                examples=_DAYS_EXAMPLES,
            )
        # Wrap-around ranges are intended: "fri-mon" is Fri, Sat, Sun, Mon.
        length = (end - start) % 7 + 1
        return Weekdays.of(*((start + step) % 7 for step in range(length)))
    index = _day_index(token)
    if index is None:
        raise UserError(
            N_("{given} isn't a day name. {examples}"),
            given=_quote(token),
            examples=_DAYS_EXAMPLES,
        )
    return Weekdays.of(index)


def _day_index(word: str) -> int | None:
    """Monday=0 for "mo", "mon", "monday", "mondays", "mon.", "Montag", "montags" etc.; None if
    not a day."""
    word = word.strip(".")
    if word in _EXTRA_DAY_ALIASES:
        return _EXTRA_DAY_ALIASES[word]
    if word.endswith("s") and (word[:-1] in _DAY_NAMES or word[:-1] in _GERMAN_DAY_NAMES):
        word = word[:-1]
    # Any prefix of two letters or more is unambiguous ("tu" vs "th", "sa" vs "su"), in German
    # too ("di" vs "do", "sa" vs "so"); a prefix both languages share names the same day.
    if len(word) < 2:
        return None
    for names in (_DAY_NAMES, _GERMAN_DAY_NAMES):
        for index, name in enumerate(names):
            if name.startswith(word):
                return index
    return None


def _quote(text: str) -> Quoted:
    """A short, single-line, markdown-safe rendering of user input for an error message, quoted
    the reader's way when said."""
    flat = " ".join(text.split()).replace("`", "'")
    if len(flat) > _QUOTE_LENGTH:
        flat = flat[: _QUOTE_LENGTH - 1] + "…"
    return Quoted(flat)
