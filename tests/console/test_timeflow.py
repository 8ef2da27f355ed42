"""Where ``:time`` moves the clock."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.console.catalog import ConsoleError
from bot.console.timeflow import NextReminder, describe, parse_target

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # 13:00 in Berlin
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("+2h", datetime(2026, 3, 2, 14, 0, tzinfo=UTC)),
        ("+1d2h30m", datetime(2026, 3, 3, 14, 30, tzinfo=UTC)),
        ("+45s", datetime(2026, 3, 2, 12, 0, 45, tzinfo=UTC)),
        ("17:30", datetime(2026, 3, 2, 16, 30, tzinfo=UTC)),  # later today, in the person's zone
        ("12:00", datetime(2026, 3, 3, 11, 0, tzinfo=UTC)),  # already past: tomorrow
        ("13:00", datetime(2026, 3, 3, 12, 0, tzinfo=UTC)),  # exactly now: tomorrow
        ("17:30 UTC", datetime(2026, 3, 2, 17, 30, tzinfo=UTC)),
        ("9:05 America/New_York", datetime(2026, 3, 2, 14, 5, tzinfo=UTC)),
        ("2026-03-05 07:00", datetime(2026, 3, 5, 6, 0, tzinfo=UTC)),
        ("2026-03-05 07:00 UTC", datetime(2026, 3, 5, 7, 0, tzinfo=UTC)),
    ],
)
def test_targets(spec: str, expected: datetime) -> None:
    assert parse_target(spec, NOW, BERLIN) == expected


def test_next_is_left_to_the_session() -> None:
    assert parse_target("next", NOW, BERLIN) == NextReminder()


def test_a_time_skipped_by_daylight_saving_lands_after_the_gap() -> None:
    before_change = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    # 02:30 does not exist in Berlin on 29 March 2026; it is read as 03:30 summer time.
    target = parse_target("02:30", before_change, BERLIN)
    assert target == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "Where to?"),
        ("-1h", "only moves forward"),
        ("2026-03-01 07:00", "only moves forward"),
        ("+15d", "more than 14 days"),
        ("soon", "can't read 'soon'"),
        ("25:00", "25:00 is not a time of day"),
        ("17:30 Mars/Olympus", "Unknown timezone 'Mars/Olympus'"),
        ("2026-02-30 07:00", "is not a date"),
    ],
)
def test_bad_targets(spec: str, message: str) -> None:
    with pytest.raises(ConsoleError, match=message):
        parse_target(spec, NOW, BERLIN)


def test_describe() -> None:
    assert describe(NOW, BERLIN) == "Mon 02 Mar 2026 13:00 Europe/Berlin"
