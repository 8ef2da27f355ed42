"""The date autocomplete shared by /labs delete and /sleep edit|delete."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cogs._autocomplete import date_choices

DAYS = [
    (date(2026, 2, 27), "Fri 27 Feb 2026", " · ferritin 45"),
    (date(2026, 3, 2), "Mo., 2. März 2026", ""),
]


def test_typed_text_matches_the_shown_date_or_the_iso_date() -> None:
    assert [(c.name, c.value) for c in date_choices(" FEB ", DAYS)] == [
        ("Fri 27 Feb 2026 · ferritin 45", "2026-02-27")
    ]
    assert [c.value for c in date_choices("03-02", DAYS)] == ["2026-03-02"]
    assert [c.name for c in date_choices("märz", DAYS)] == ["Mo., 2. März 2026"]
    # The note is shown, not searched.
    assert date_choices("ferritin", DAYS) == []


FIRST = date(2026, 1, 1)


@given(st.integers(0, 60), st.text(max_size=5))
def test_at_most_25_choices_each_an_iso_date(count: int, typed: str) -> None:
    days = [
        (day, f"{day:%d %b %Y}", "") for i in range(count) if (day := FIRST + timedelta(days=i))
    ]
    choices = date_choices(typed, days)
    assert len(choices) <= 25
    assert all(date.fromisoformat(c.value) for c in choices)
    if typed == "":
        assert len(choices) == min(count, 25)
