"""German input where a person types it: times, days, "heute"/"gestern" (issue 22)."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserError
from bot.scheduling.parsing import (
    _DAY_NAMES,
    _GERMAN_DAY_NAMES,
    _day_index,
    parse_day_word,
    parse_days,
    parse_time,
)
from bot.scheduling.recurrence import Weekdays
from bot.sleep.form import parse_night

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17 Uhr", time(17, 0)),
        ("17 uhr", time(17, 0)),
        ("17Uhr", time(17, 0)),
        ("17:30 Uhr", time(17, 30)),
        ("17.30 Uhr", time(17, 30)),
        ("17.30", time(17, 30)),
        ("17h", time(17, 0)),
        ("8 Uhr", time(8, 0)),
        ("0 Uhr", time(0, 0)),
        ("5 Uhr nachmittags", time(17, 0)),
        ("7:30 Uhr abends", time(19, 30)),
        ("8 Uhr morgens", time(8, 0)),
        ("6 Uhr früh", time(6, 0)),
        ("11:30 Uhr vormittags", time(11, 30)),
        ("4:30 Uhr nachmittags", time(16, 30)),
        ("11:30 Uhr abends", time(23, 30)),
        ("mittags", time(12, 0)),
        ("Mitternacht", time(0, 0)),
    ],
)
def test_german_times(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "mentioned"),
    [
        ("24 Uhr", "00:00"),
        ("25 Uhr", "hours go up to 23"),
        ("17:75 Uhr", "minutes go up to 59"),
        ("13 Uhr abends", "1 to 12"),
        ("12 Uhr morgens", "unclear"),
        ("12 Uhr abends", "unclear"),
        ("2 Uhr nachts", "couldn't read"),  # 02:00 or, for some, 14:00? Not guessed.
        ("halb sechs", "couldn't read"),
    ],
)
def test_german_times_rejected_with_a_reason(text: str, mentioned: str) -> None:
    with pytest.raises(UserError, match=mentioned):
        parse_time(text)


@given(st.integers(0, 23), st.integers(0, 59), st.sampled_from(["Uhr", "uhr", " Uhr", "h"]))
def test_any_24_hour_time_with_uhr(hour: int, minute: int, suffix: str) -> None:
    assert parse_time(f"{hour}:{minute:02d} {suffix}") == time(hour, minute)
    assert parse_time(f"{hour}.{minute:02d}{suffix}") == time(hour, minute)
    assert parse_time(f"{hour:02d} {suffix}") == time(hour, 0)


@given(st.integers(1, 11), st.integers(0, 59), st.sampled_from(["nachmittags", "abends"]))
def test_afternoon_and_evening_add_twelve_hours(hour: int, minute: int, part: str) -> None:
    assert parse_time(f"{hour}:{minute:02d} Uhr {part}") == time(hour + 12, minute)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mo, Mi, Fr", Weekdays.of(MON, WED, FRI)),
        ("Mo. Mi. Fr.", Weekdays.of(MON, WED, FRI)),
        ("Di und Do", Weekdays.of(TUE, THU)),
        ("montags und donnerstags", Weekdays.of(MON, THU)),
        ("Montag bis Freitag", Weekdays.WEEKDAYS),
        ("Mo-Fr", Weekdays.WEEKDAYS),
        ("Fr bis Mo", Weekdays.of(FRI, SAT, SUN, MON)),
        ("werktags", Weekdays.WEEKDAYS),
        ("Werktage", Weekdays.WEEKDAYS),
        ("täglich", Weekdays.EVERY_DAY),
        ("Täglich", Weekdays.EVERY_DAY),
        ("jeden Tag", Weekdays.EVERY_DAY),
        ("Wochenende", Weekdays.WEEKENDS),
        ("am Wochenende", Weekdays.WEEKENDS),
        ("Sa, So", Weekdays.WEEKENDS),
        ("Sonnabend", Weekdays.of(SAT)),
        ("sonntags", Weekdays.of(SUN)),
        ("jeden Mittwoch", Weekdays.of(WED)),
        ("Mo, wed, Fr", Weekdays.of(MON, WED, FRI)),  # mixed languages are fine
    ],
)
def test_german_days(text: str, expected: Weekdays) -> None:
    assert parse_days(text) == expected


@pytest.mark.parametrize("text", ["Mittwochs Kaffee", "Feiertag", "jeden"])
def test_german_non_days_are_rejected(text: str) -> None:
    with pytest.raises(UserError):
        parse_days(text)


def test_no_prefix_means_different_days_in_english_and_german() -> None:
    # The reason German is accepted for everyone: no input reads differently in the two languages.
    for names in (_DAY_NAMES, _GERMAN_DAY_NAMES):
        for name in names:
            for end in range(2, len(name) + 1):
                prefix = name[:end]
                meanings = {
                    i for both in (_DAY_NAMES, _GERMAN_DAY_NAMES)
                    for i, other in enumerate(both) if other.startswith(prefix)
                }  # fmt: skip
                assert len(meanings) == 1, prefix
                assert _day_index(prefix) in meanings


def _german_form(index: int, style: int) -> str:
    name = _GERMAN_DAY_NAMES[index]
    return [name[:2].title(), name[:2] + ".", name.title(), name + "s", name[:3].upper()][style]


@given(
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 4)), min_size=1, max_size=7),
    st.sampled_from([", ", " ", " und ", "; ", "/", ",  "]),
)
def test_any_list_of_german_day_names_reads_back(
    days: list[tuple[int, int]], separator: str
) -> None:
    text = separator.join(_german_form(index, style) for index, style in days)
    assert parse_days(text) == Weekdays.of(*(index for index, _ in days))


@given(st.integers(0, 6), st.integers(0, 6))
def test_any_german_range_reads_as_the_english_one(start: int, end: int) -> None:
    german = f"{_GERMAN_DAY_NAMES[start].title()} bis {_GERMAN_DAY_NAMES[end][:2].title()}"
    english = f"{_DAY_NAMES[start]}-{_DAY_NAMES[end]}"
    assert parse_days(german) == parse_days(english)


TODAY = date(2026, 3, 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("heute", TODAY),
        ("Heute", TODAY),
        ("letzte Nacht", TODAY),
        ("gestern", date(2026, 3, 3)),
        ("Gestern ", date(2026, 3, 3)),
        ("vorgestern", date(2026, 3, 2)),
        ("3.3.2026", date(2026, 3, 3)),
        ("03.03.2026", date(2026, 3, 3)),
        ("3.3.26", date(2026, 3, 3)),
        ("1.3.", date(2026, 3, 1)),
        ("2026-03-03", None),  # ISO is the caller's own format
        ("Dienstag", None),
    ],
)
def test_day_words(text: str, expected: date | None) -> None:
    assert parse_day_word(text, TODAY) == expected


def test_a_german_date_that_does_not_exist_is_a_clear_error() -> None:
    with pytest.raises(UserError, match="isn't a date"):
        parse_day_word("31.2.2026", TODAY)


@given(st.dates(date(2000, 1, 1), date(2099, 12, 31)))
def test_any_german_date_reads_back(day: date) -> None:
    assert parse_day_word(f"{day.day}.{day.month}.{day.year}", TODAY) == day
    assert parse_day_word(f"{day:%d.%m.%Y}", TODAY) == day


def test_the_sleep_diary_takes_gestern_and_german_dates() -> None:
    assert parse_night("gestern", TODAY) == date(2026, 3, 3)
    assert parse_night("heute", TODAY) == TODAY
    assert parse_night("2.3.2026", TODAY) == date(2026, 3, 2)
    assert parse_night("2026-03-02", TODAY) == date(2026, 3, 2)
