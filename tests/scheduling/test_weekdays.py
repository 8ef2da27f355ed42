from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.scheduling.recurrence import Weekdays


def test_named_sets() -> None:
    assert list(Weekdays.EVERY_DAY) == [0, 1, 2, 3, 4, 5, 6]
    assert list(Weekdays.WEEKDAYS) == [0, 1, 2, 3, 4]
    assert list(Weekdays.WEEKENDS) == [5, 6]
    assert Weekdays.WEEKDAYS | Weekdays.WEEKENDS == Weekdays.EVERY_DAY


@pytest.mark.parametrize(
    ("days", "label"),
    [
        (Weekdays.EVERY_DAY, "every day"),
        (Weekdays.WEEKDAYS, "weekdays"),
        (Weekdays.WEEKENDS, "weekends"),
        (Weekdays.of(0, 2, 4), "Mon, Wed, Fri"),
        (Weekdays.of(6), "Sun"),
        (Weekdays.of(6, 0), "Mon, Sun"),
        (Weekdays(0), "no days"),
    ],
)
def test_labels(days: Weekdays, label: str) -> None:
    assert days.label() == label
    assert str(days) == label


@given(st.integers(0, 127))
def test_mask_round_trip(mask: int) -> None:
    days = Weekdays.from_mask(mask)
    assert days.to_mask() == mask
    assert Weekdays.of(*days) == days
    assert len(days) == bin(mask).count("1")
    assert all(days.contains(d) == (d in list(days)) for d in range(7))


@pytest.mark.parametrize("mask", [-1, 128, 1 << 40])
def test_bad_masks_rejected(mask: int) -> None:
    with pytest.raises(ValueError):
        Weekdays.from_mask(mask)


def test_bad_weekday_rejected() -> None:
    with pytest.raises(ValueError):
        Weekdays.of(7)
    with pytest.raises(ValueError):
        Weekdays.EVERY_DAY.contains(-1)
    assert 7 not in Weekdays.EVERY_DAY
    assert "Mon" not in Weekdays.EVERY_DAY


def test_immutable_and_hashable() -> None:
    days = Weekdays.of(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        days.mask = 3  # type: ignore[misc]
    assert {Weekdays.of(1, 2), Weekdays.of(2, 1)} == {Weekdays(0b110)}
