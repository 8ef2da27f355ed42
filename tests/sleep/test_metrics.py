"""Metrics on worked examples computed by hand, including midnight and both DST nights."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.scheduling.parsing import parse_time
from bot.scheduling.recurrence import load_zone
from bot.sleep.entry import SleepEntry
from bot.sleep.metrics import efficiency, hours_minutes, night_metrics, time_in_bed, total_sleep
from bot.sleep.times import evening_instant, local_instant, morning_instant

BERLIN = load_zone("Europe/Berlin")


def night(
    night_date: date, bed: str, tried: str, wake: str, up: str, latency: int, awake: int
) -> SleepEntry:
    clock = parse_time
    return SleepEntry(
        user_id=1,
        night=night_date,
        timezone="Europe/Berlin",
        into_bed=evening_instant(night_date, clock(bed), BERLIN),
        tried_sleep=evening_instant(night_date, clock(tried), BERLIN),
        sleep_latency_min=latency,
        awakenings=2,
        awake_min=awake,
        final_wake=morning_instant(night_date, clock(wake), BERLIN),
        out_of_bed=morning_instant(night_date, clock(up), BERLIN),
    )


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


# Each night worked out by hand: its instants in UTC, then TIB, TST and SE.
WORKED_NIGHTS = [
    pytest.param(
        # Mon 2 Mar 22:45 into bed, 23:00 tried, 20 min to fall asleep, 30 min awake,
        # Tue 06:30 final wake, 06:45 up.
        # TIB = 22:45 -> 06:45 = 8h00 = 480 min
        # TST = (23:00 -> 06:30 = 7h30 = 450) - 20 - 30 = 400 min
        # SE  = 400 / 480 = 83.33 %
        night(date(2026, 3, 3), "22:45", "23:00", "6:30", "6:45", 20, 30),
        (utc(3, 2, 21, 45), utc(3, 3, 5, 30), utc(3, 3, 5, 45)),
        (480, 400, 83.333),
        id="ordinary_night_crossing_midnight",
    ),
    pytest.param(
        # 00:30 -> 08:00 on Tue: TIB 7h30 = 450; TST = 450 - 10 - 0 = 440; SE 97.78 %
        night(date(2026, 3, 3), "00:30", "00:30", "8:00", "8:00", 10, 0),
        (utc(3, 2, 23, 30), utc(3, 3, 7), utc(3, 3, 7)),
        (450, 440, 97.778),
        id="bed_after_midnight_is_on_the_night_date",
    ),
    pytest.param(
        # Europe/Berlin 2026-03-29: 02:00 CET -> 03:00 CEST. 23:00 (CET, 22:00 UTC) to 07:00
        # (CEST, 05:00 UTC) reads 8 h on the wall but is 7 h = 420 min.
        # TST = 420 - 15 - 15 = 390; SE = 390 / 420 = 92.857 %
        night(date(2026, 3, 29), "23:00", "23:00", "7:00", "7:00", 15, 15),
        (utc(3, 28, 22), utc(3, 29, 5), utc(3, 29, 5)),
        (420, 390, 92.857),
        id="spring_forward_night_is_23_hours_long",
    ),
    pytest.param(
        # Europe/Berlin 2026-10-25: 03:00 CEST -> 02:00 CET. 23:00 (CEST, 21:00 UTC) to 07:00
        # (CET, 06:00 UTC) is 9 h = 540 min. TST = 540 - 30 - 60 = 450; SE = 83.33 %
        night(date(2026, 10, 25), "23:00", "23:00", "7:00", "7:00", 30, 60),
        (utc(10, 24, 21), utc(10, 25, 6), utc(10, 25, 6)),
        (540, 450, 83.333),
        id="fall_back_night_is_25_hours_long",
    ),
]


@pytest.mark.parametrize(("entry", "instants", "expected"), WORKED_NIGHTS)
def test_worked_night(
    entry: SleepEntry,
    instants: tuple[datetime, datetime, datetime],
    expected: tuple[int, int, float],
) -> None:
    assert (entry.into_bed, entry.final_wake, entry.out_of_bed) == instants
    in_bed_min, asleep_min, efficiency_pct = expected
    m = night_metrics(entry)
    assert m.time_in_bed_min == in_bed_min
    assert m.total_sleep_min == asleep_min
    assert m.efficiency == pytest.approx(efficiency_pct, abs=0.001)
    assert time_in_bed(entry) == timedelta(minutes=in_bed_min)
    assert total_sleep(entry) == timedelta(minutes=asleep_min)
    assert efficiency(entry) == pytest.approx(efficiency_pct, abs=0.001)


def test_wall_clock_subtraction_would_be_wrong_and_we_do_not_use_it() -> None:
    # Two datetimes sharing a ZoneInfo subtract as wall clocks: 8 h, not the real 7 h.
    bed = datetime(2026, 3, 28, 23, 0, tzinfo=BERLIN)
    wake = datetime(2026, 3, 29, 7, 0, tzinfo=BERLIN)
    assert (wake - bed).total_seconds() == 8 * 3600
    e = night(date(2026, 3, 29), "23:00", "23:00", "7:00", "7:00", 0, 0)
    assert time_in_bed(e) == timedelta(hours=7)


def test_gap_and_fold_times_resolve_with_fold_0() -> None:
    # 02:30 never happens on 2026-03-29: read with the old offset (+01:00) = 01:30 UTC = 03:30 CEST.
    gap = local_instant(date(2026, 3, 29), time(2, 30), BERLIN)
    assert gap == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    # 02:30 happens twice on 2026-10-25: the first, still summer time (+02:00) = 00:30 UTC.
    fold = local_instant(date(2026, 10, 25), time(2, 30), BERLIN)
    assert fold == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_zero_time_in_bed_has_no_efficiency() -> None:
    e = night(date(2026, 3, 3), "6:00", "6:00", "6:00", "6:00", 0, 0)
    assert efficiency(e) is None


@pytest.mark.parametrize(
    ("value", "text"), [(0, "0h 00m"), (59.6, "1h 00m"), (490, "8h 10m"), (-75, "-1h 15m")]
)
def test_hours_minutes(value: float, text: str) -> None:
    assert hours_minutes(value) == text


def test_naive_instants_are_refused() -> None:
    e = night(date(2026, 3, 3), "23:00", "23:00", "7:00", "7:00", 0, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        SleepEntry(**{**e.__dict__, "into_bed": datetime(2026, 3, 2, 23, 0)})
