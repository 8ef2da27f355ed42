"""The evening scale, body regions and minutes at rest."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.clinical.nights import (
    SymptomNight,
    SymptomNightLike,
    check_rest_minutes,
    clock_of,
    evening_minutes,
    onset_minutes,
    parse_regions,
)
from bot.clinical.watch import watch
from bot.errors import UserError
from bot.sleep.form import NightForm, build_entry
from tests.clinical.history import at, night


@pytest.mark.parametrize(
    ("clock", "minutes"),
    [
        ("18:00", 1080),
        ("21:30", 1290),
        ("23:59", 1439),
        ("00:00", 1440),
        ("00:30", 1470),
        ("05:00", 1740),
    ],
)
def test_evening_scale_runs_on_past_midnight(clock: str, minutes: int) -> None:
    n = night(date(2026, 6, 10), onset=clock, wake="07:00")
    assert onset_minutes(n) == minutes
    assert clock_of(minutes) == time.fromisoformat(clock)


def test_the_scale_is_the_wall_clock_on_the_night_the_clocks_go_back() -> None:
    # Berlin, 25 Oct 2026: 04:00 CET is five elapsed hours after midnight, but reads 04:00.
    zone = "Europe/Berlin"
    assert evening_minutes(date(2026, 10, 25), at(date(2026, 10, 25), "04:00", zone), zone) == 1680
    # And 04:00 CEST on the night they go forward (three elapsed hours).
    assert evening_minutes(date(2026, 3, 29), at(date(2026, 3, 29), "04:00", zone), zone) == 1680


def test_no_onset_is_unknown() -> None:
    assert onset_minutes(SymptomNight(date(2026, 6, 10), "UTC")) is None


def test_regions_from_a_select_and_typed_words() -> None:
    assert parse_regions({"legs", "arms"}) == frozenset({"legs", "arms"})
    assert parse_regions(set(), "Arms; back , feet") == frozenset({"arms", "trunk", "legs"})
    assert parse_regions(set()) == frozenset()


def test_an_unknown_region_is_refused_kindly() -> None:
    with pytest.raises(UserError, match="“elbow” isn't one of the body regions: pick from legs"):
        parse_regions(set(), "legs, elbow")


@pytest.mark.parametrize("value", [-1, 1441, True])
def test_rest_minutes_bounds(value: int) -> None:
    with pytest.raises(UserError, match="between 0 and 1440"):
        check_rest_minutes(value)


def test_rest_minutes_unknown_stays_unknown() -> None:
    assert check_rest_minutes(None) is None
    assert check_rest_minutes(0) == 0


def test_a_diary_entry_with_the_new_fields_goes_straight_into_the_watch() -> None:
    # mypy checks that such an entry is a SymptomNightLike; the watch reads it as it is.
    today = date(2026, 6, 20)
    entries: list[SymptomNightLike] = []
    for back in range(56):
        base = build_entry(
            NightForm(
                into_bed="23:00",
                final_wake="07:00",
                rls_onset="19:00" if back < 28 else "22:00",
                severity=5,
            ),
            user_id=1,
            night=today - timedelta(days=back),
            zone_name="Europe/Berlin",
            now=datetime(2026, 6, 21, tzinfo=UTC),
        )
        entries.append(dataclasses.replace(base, body_regions=frozenset({"legs"}), rest_min=30))
    result = watch(entries, today)
    assert [(c.sign, c.holds) for c in result.checks] == [
        ("onset", True),
        ("spread", False),
        ("rest", False),
        ("severity", False),
    ]
