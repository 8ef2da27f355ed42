"""Counts read right for one and for many, wherever the bot says how many."""

from __future__ import annotations

import pytest

from bot.formatting import plural
from bot.i18n import speaker
from bot.sleep.stats import Measure, summarise
from bot.sleep.text import format_change, summary_text
from tests.sleep.test_unknowns import build


@pytest.mark.parametrize(
    ("count", "one", "many", "text"),
    [
        (0, "night", None, "0 nights"),
        (1, "night", None, "1 night"),
        (2, "day", None, "2 days"),
        (1, "entry", "entries", "1 entry"),
        (3, "entry", "entries", "3 entries"),
    ],
)
def test_plural(count: int, one: str, many: str | None, text: str) -> None:
    assert plural(count, one, many) == text


def test_stats_for_one_day_say_day() -> None:
    night = build()
    lines = summary_text(summarise([night], night.night, night.night), 1)
    assert lines[0].startswith("Nights logged: **1** of the last 1 day (")


@pytest.mark.parametrize(
    ("locale", "later", "text"),
    [
        ("en-US", 86.0, "up 1 point"),
        ("en-US", 83.0, "down 2 points"),
        ("de", 86.0, "1 Punkt mehr"),
        ("de", 84.2, "1 Punkt weniger"),
        ("de", 83.0, "2 Punkte weniger"),
    ],
)
def test_an_efficiency_change_of_one_point_is_one_point(
    locale: str, later: float, text: str
) -> None:
    efficiency = Measure("efficiency", "%", 85.0, 14, earlier=85.0, later=later)
    assert format_change(efficiency, speaker(locale)) == text
