"""Onset-timed stretch time: `before` minutes before the median onset of the last 14 nights that
have one (at least 5), within 12:00-22:00; 17:00 and the reason otherwise."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.clinical.autotime import (
    AUTO_MIN_NIGHTS,
    FALLBACK,
    auto_stretch_time,
    is_auto,
    parse_before,
)
from bot.clinical.nights import SymptomNight
from bot.errors import UserError
from bot.i18n import speaker
from tests.clinical.history import night

TODAY = date(2026, 6, 20)


def nights_with(
    onsets: Sequence[str | None], zone: str = "Europe/Berlin", today: date = TODAY
) -> list[SymptomNight]:
    """Newest last: the last entry is today's night."""
    count = len(onsets)
    return [
        night(today - timedelta(days=count - 1 - i), zone, onset=o) for i, o in enumerate(onsets)
    ]


def test_an_hour_before_the_median_onset() -> None:
    result = auto_stretch_time(nights_with(["21:00", "21:30", "21:10", "20:50", "21:20"]), TODAY)
    assert result.local_time == time(20, 10)
    assert (result.nights, result.before, result.clamped, result.from_onset) == (5, 60, False, True)
    assert result.explanation == (
        "Your symptoms started at a median 21:10 over your last 5 nights with a start time, so "
        "your stretch reminder is at 20:10, 60 minutes before."
    )


def test_only_the_last_14_nights_with_an_onset_count() -> None:
    # 20 old nights at 23:00, then 14 recent ones at 19:00 with gaps (no onset) between them.
    onsets: list[str | None] = ["23:00"] * 20
    for _ in range(14):
        onsets += ["19:00", None]
    result = auto_stretch_time(nights_with(onsets), TODAY)
    assert (result.nights, result.local_time) == (14, time(18, 0))


def test_nights_after_today_do_not_count() -> None:
    future = [night(TODAY + timedelta(days=k), onset="13:00") for k in range(1, 10)]
    result = auto_stretch_time(nights_with(["21:00"] * 5) + future, TODAY)
    assert result.local_time == time(20, 0)


@pytest.mark.parametrize(
    ("count", "have"),
    [
        (0, "None of your nights has"),
        (1, "Only 1 of your nights has"),
        (4, "Only 4 of your nights have"),
    ],
)
def test_too_little_data_is_five_pm_and_says_why(count: int, have: str) -> None:
    result = auto_stretch_time(nights_with(["21:00"] * count + [None] * 10), TODAY)
    assert (result.local_time, result.median_onset, result.nights) == (FALLBACK, None, count)
    assert result.explanation == (
        f"{have} a time when symptoms started, and I need {AUTO_MIN_NIGHTS}, so your stretch "
        "reminder is at 17:00 for now. Add the start time when you log a night (`rls_start` in "
        "`/sleep log`, or **Add a note…** in `/sleep check-in`) and it will follow your symptoms."
    )
    german = result.explained(speaker("de"))
    assert "(`rls_beginn` in `/schlaf eintragen` oder **Notiz hinzufügen …** in " in german
    assert "`/schlaf check-in`)" in german


def test_late_onsets_after_midnight_clamp_to_ten_pm_not_noon() -> None:
    result = auto_stretch_time(nights_with(["00:30", "01:00", "00:45", "01:15", "00:30"]), TODAY)
    assert result.local_time == time(22, 0) and result.clamped
    assert result.explanation == (
        "Your symptoms started at a median 00:45 over your last 5 nights with a start time; 60 "
        "minutes before would be 23:45, and stretch reminders stay between 12:00 and 22:00, so it "
        "is at 22:00."
    )


def test_early_onsets_clamp_to_noon() -> None:
    result = auto_stretch_time(nights_with(["12:30"] * 6), TODAY, before=90)
    assert result.local_time == time(12, 0) and result.clamped
    assert "would be 11:00" in result.explanation


def test_rounded_to_five_minutes() -> None:
    result = auto_stretch_time(nights_with(["21:07"] * 5), TODAY, before=45)
    assert result.local_time == time(20, 20)  # 20:22 -> 20:20


def test_dst_night_in_the_fourteen_reads_the_clock() -> None:
    # Berlin's clocks go forward on 29 March 2026; 21:30 every evening stays 21:30.
    result = auto_stretch_time(
        nights_with(["21:30"] * 14, today=date(2026, 4, 5)), date(2026, 4, 5)
    )
    assert result.local_time == time(20, 30)
    ny = auto_stretch_time(
        nights_with(["21:30"] * 14, "America/New_York", today=date(2026, 11, 8)), date(2026, 11, 8)
    )
    assert ny.local_time == time(20, 30)


def test_auto_and_before_parsing() -> None:
    assert is_auto(" AUTO ") and not is_auto("17:00") and not is_auto(None)
    assert parse_before(None) == 60 and parse_before(0) == 0 and parse_before(240) == 240
    for bad in (-1, 241, True):
        with pytest.raises(UserError, match="0 to 240"):
            parse_before(bad)


ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC", "Asia/Kolkata"]
clock = st.times().map(lambda t: f"{t:%H:%M}")


@given(
    st.lists(st.one_of(st.none(), clock), max_size=30),
    st.sampled_from(ZONES),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    st.one_of(st.none(), st.integers(min_value=0, max_value=240)),
)
def test_bounds_always_kept(
    onsets: list[str | None], zone: str, today: date, before: int | None
) -> None:
    nights = [
        night(today - timedelta(days=len(onsets) - 1 - i), zone, onset=o, wake="11:00")
        for i, o in enumerate(onsets)
    ]
    result = auto_stretch_time(nights, today, before)
    assert time(12, 0) <= result.local_time <= time(22, 0)
    assert result.local_time.minute % 5 == 0
    with_onset = sum(o is not None for o in onsets)
    if with_onset < AUTO_MIN_NIGHTS:
        assert result.local_time == FALLBACK and result.median_onset is None
    else:
        assert result.nights == min(14, with_onset)
    assert result.explanation and result.explanation[0].isupper()


@given(
    st.lists(st.integers(min_value=12 * 60, max_value=27 * 60), min_size=5, max_size=14),
    st.integers(min_value=1, max_value=180),
    st.integers(min_value=0, max_value=240),
)
def test_later_symptoms_never_give_an_earlier_reminder(
    minutes: list[int], shift: int, before: int
) -> None:
    def at(values: list[int]) -> time:
        onsets = [f"{(m // 60) % 24:02d}:{m % 60:02d}" for m in values]
        return auto_stretch_time(nights_with(onsets, "UTC"), TODAY, before).local_time

    later = [min(m + shift, 27 * 60) for m in minutes]
    assert at(later) >= at(minutes)
