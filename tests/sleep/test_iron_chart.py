"""The iron chart's date axis: every tick says a different date. Labs weeks apart got several
ticks within one month, all labelled "Jan 2026", so a value could not be told by its date; and
values two or three years apart made matplotlib warn (no tick step fitted) on every report."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.axes import Axes

from bot.i18n import speaker
from bot.sleep.charts import draw_iron, new_figure

pytestmark = pytest.mark.filterwarnings("error::UserWarning")


def tick_labels(days: list[date], locale: str = "en") -> list[str]:
    figure = new_figure(4, 2, dpi=80)
    ax: Axes = figure.add_subplot()
    draw_iron(ax, [(day, 40.0) for day in days], 75, "ng/mL", "75", speaker(locale))
    figure.canvas.draw()
    return [label.get_text() for label in ax.get_xticklabels()]


@pytest.mark.parametrize(
    ("days", "labels"),
    [
        (
            [date(2026, 1, 10), date(2026, 2, 20)],
            ["01 Jan", "15 Jan", "01 Feb", "15 Feb", "01 Mar"],
        ),
        ([date(2026, 3, 1)], ["15 Feb", "01 Mar", "15 Mar"]),
        ([date(2025, 6, 1), date(2026, 3, 1)], ["Jul 2025", "Oct 2025", "Jan 2026"]),
        ([date(1999, 1, 1), date(2001, 1, 1)], ["Jan 1999", "Jan 2000", "Jan 2001"]),
    ],
)
def test_ticks_are_days_when_months_would_repeat(days: list[date], labels: list[str]) -> None:
    assert tick_labels(days) == labels


def test_german_ticks_too() -> None:
    assert tick_labels([date(2026, 1, 10), date(2026, 2, 20)], "de")[:2] == ["1. Jan.", "15. Jan."]


@settings(max_examples=25)
@given(
    st.lists(
        st.dates(min_value=date(1990, 1, 1), max_value=date(2026, 12, 31)), min_size=1, max_size=6
    ),
    st.sampled_from(["en", "de"]),
)
def test_no_two_ticks_say_the_same_date(days: list[date], locale: str) -> None:
    labels = tick_labels(sorted(days), locale)
    assert labels and all(labels)
    assert len(set(labels)) == len(labels), labels


def test_values_a_day_apart() -> None:
    first = date(2026, 3, 1)
    labels = tick_labels([first, first + timedelta(days=1)])
    assert len(set(labels)) == len(labels)
