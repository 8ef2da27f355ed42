"""Counts read right for one and for many, wherever the bot says how many."""

from __future__ import annotations

import pytest

from bot.formatting import plural
from bot.sleep.stats import summarise
from bot.sleep.text import summary_text
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
