from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any

import pytest
from _pytest.mark import ParameterSet
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserError
from bot.scheduling.parsing import parse_days, parse_pause_days, parse_time
from bot.scheduling.recurrence import Weekdays
from tests.friendly import parsed_or_refused

VALID_TIMES = [
    ("17:30", time(17, 30)),
    ("5pm", time(17, 0)),
    ("5 pm", time(17, 0)),
    ("5:30 pm", time(17, 30)),
    ("5:30PM", time(17, 30)),
    ("5:30 P.M.", time(17, 30)),
    ("5p", time(17, 0)),
    ("7am", time(7, 0)),
    ("7 AM", time(7, 0)),
    ("12am", time(0, 0)),
    ("12:15am", time(0, 15)),
    ("12pm", time(12, 0)),
    ("12:45 pm", time(12, 45)),
    ("0730", time(7, 30)),
    ("1730", time(17, 30)),
    ("23:15", time(23, 15)),
    ("00:00", time(0, 0)),
    ("0:05", time(0, 5)),
    ("7:05", time(7, 5)),
    ("17.30", time(17, 30)),
    ("17h30", time(17, 30)),
    ("  21:00\n", time(21, 0)),
    ("noon", time(12, 0)),
    ("Midnight", time(0, 0)),
]

INVALID_TIMES = [
    ("25:99", "25:99"),
    ("24:00", "00:00"),  # rejected, pointing at midnight
    ("2400", "00:00"),
    ("23:60", "59"),
    ("abc", "abc"),
    ("", "17:30"),
    ("   ", "17:30"),
    ("13pm", "13pm"),
    ("0am", "0am"),
    ("5:75 pm", "59"),
    ("7", "19:00"),  # bare hour: ambiguous, both readings offered
    ("17", "17:00"),
    ("5:3", "5:3"),
    ("17:30:00", "17:30"),
    ("730", "730"),
    ("12345", "12345"),
    ("-1:00", "-1:00"),
    ("١٧:٣٠", "17:30"),  # Arabic-Indic digits: not silently accepted
    ("5 pm tomorrow", "5 pm tomorrow"),
]


def test_parse_time_errors_show_an_example() -> None:
    for text in ("25:99", "abc", "13pm", ""):
        with pytest.raises(UserError, match="Try 17:30 or 5:30 pm"):
            parse_time(text)


@pytest.mark.parametrize("size", [21, 1_000, 1_000_000])
def test_parse_time_long_input_rejected_and_quoted_briefly(size: int) -> None:
    text = "1" * size
    with pytest.raises(UserError) as caught:
        parse_time(text)
    assert len(caught.value.message) < 200


def test_error_quotes_are_single_line_and_code_safe() -> None:
    with pytest.raises(UserError) as caught:
        parse_time("`a\nb`")
    assert "\n" not in caught.value.message
    assert "`" not in caught.value.message


@given(st.integers(0, 23), st.integers(0, 59))
def test_parse_time_round_trips_24_hour(hour: int, minute: int) -> None:
    assert parse_time(f"{hour:02d}:{minute:02d}") == time(hour, minute)
    assert parse_time(f"{hour}.{minute:02d}") == time(hour, minute)


@given(st.integers(1, 12), st.integers(0, 59), st.sampled_from(["am", "pm"]))
def test_parse_time_round_trips_12_hour(hour: int, minute: int, half: str) -> None:
    expected = time(hour % 12 + (12 if half == "pm" else 0), minute)
    assert parse_time(f"{hour}:{minute:02d} {half}") == expected


@given(st.text(max_size=40))
def test_parse_time_never_crashes(text: str) -> None:
    result = parsed_or_refused(parse_time, text)
    assert result is None or isinstance(result, time)


MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

VALID_DAYS = [
    ("every day", Weekdays.EVERY_DAY),
    ("Every Day", Weekdays.EVERY_DAY),
    ("daily", Weekdays.EVERY_DAY),
    ("everyday", Weekdays.EVERY_DAY),
    ("all", Weekdays.EVERY_DAY),
    ("weekdays", Weekdays.WEEKDAYS),
    ("weekday", Weekdays.WEEKDAYS),
    ("every weekday", Weekdays.WEEKDAYS),
    ("weekends", Weekdays.WEEKENDS),
    ("weekend", Weekdays.WEEKENDS),
    ("mon,wed,fri", Weekdays.of(MON, WED, FRI)),
    ("Mon Wed Fri", Weekdays.of(MON, WED, FRI)),
    ("monday, tuesday", Weekdays.of(MON, TUE)),
    ("Mondays and Thursdays", Weekdays.of(MON, THU)),
    ("tues, thurs, weds", Weekdays.of(TUE, WED, THU)),
    ("tu th", Weekdays.of(TUE, THU)),
    ("sat/sun", Weekdays.WEEKENDS),
    ("mon-fri", Weekdays.WEEKDAYS),
    ("Mon - Fri", Weekdays.WEEKDAYS),
    ("mon–wed", Weekdays.of(MON, TUE, WED)),
    ("monday to thursday", Weekdays.of(MON, TUE, WED, THU)),
    ("fri-mon", Weekdays.of(FRI, SAT, SUN, MON)),  # wraps around the week
    ("sun-tue", Weekdays.of(SUN, MON, TUE)),
    ("wed-wed", Weekdays.of(WED)),
    ("mon, mon, monday", Weekdays.of(MON)),
    ("weekends, wed", Weekdays.of(WED, SAT, SUN)),
    ("mon-wed, sat", Weekdays.of(MON, TUE, WED, SAT)),
]

INVALID_DAYS = [
    ("", "which days"),
    ("   ", "which days"),
    ("funday", "funday"),
    ("mon, funday", "funday"),
    ("mon-xyz", "xyz"),
    ("t", "“t”"),
    ("s", "“s”"),
    ("every", "doesn't name any days"),
    ("and", "doesn't name any days"),
    ("mon-wed-fri", "wed-fri"),
    ("x" * 500, "too long"),
]


def cases(parse: Callable[[str], object], table: list[tuple[str, Any]]) -> list[ParameterSet]:
    """The rows of one parser's table, each with the parser and named by it."""
    return [pytest.param(parse, text, then, id=f"{parse.__name__}:{text}") for text, then in table]


@pytest.mark.parametrize(
    ("parse", "text", "expected"), [*cases(parse_time, VALID_TIMES), *cases(parse_days, VALID_DAYS)]
)
def test_valid_text_is_read(parse: Callable[[str], object], text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("parse", "text", "mentioned"),
    [*cases(parse_time, INVALID_TIMES), *cases(parse_days, INVALID_DAYS)],
)
def test_invalid_text_is_refused_naming_what_is_wrong(
    parse: Callable[[str], object], text: str, mentioned: str
) -> None:
    with pytest.raises(UserError) as caught:
        parse(text)
    assert mentioned in caught.value.message


@given(st.sets(st.integers(0, 6), min_size=1))
def test_parse_days_round_trips_labels(days: set[int]) -> None:
    weekdays = Weekdays.of(*days)
    assert parse_days(weekdays.label()) == weekdays


@given(st.text(max_size=60))
def test_parse_days_never_crashes(text: str) -> None:
    result = parsed_or_refused(parse_days, text)
    assert result is None or result


@pytest.mark.parametrize("days", [1, 7, 30])
def test_parse_pause_days_valid(days: int) -> None:
    assert parse_pause_days(days) == days


@pytest.mark.parametrize("days", [0, -1, 31, 365, True])
def test_parse_pause_days_invalid(days: int) -> None:
    with pytest.raises(UserError, match="1 to 30 days"):
        parse_pause_days(days)
