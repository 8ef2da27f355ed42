"""Named DST cases and the small API contracts of bot.scheduling.recurrence."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from _pytest.mark import ParameterSet

from bot.scheduling import recurrence
from bot.scheduling.recurrence import DailySchedule, Weekdays


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def daily(hour: int, minute: int, zone: str, days: Weekdays = Weekdays.EVERY_DAY) -> DailySchedule:
    return DailySchedule(time(hour, minute), days, zone)


def local(zone: str, year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


def case(case_id: str, wall_time: str, zone: str, day: str, expected_utc: str) -> ParameterSet:
    """One row of the table: a daily schedule, a local date, the UTC instant it fires at."""
    schedule = DailySchedule(time.fromisoformat(wall_time), Weekdays.EVERY_DAY, zone)
    expected = datetime.fromisoformat(expected_utc).replace(tzinfo=UTC)
    return pytest.param(schedule, date.fromisoformat(day), expected, id=case_id)


# (id, wall time, zone, local date, expected UTC instant)
NAMED_CASES = [
    case("berlin-gap", "02:30", "Europe/Berlin", "2026-03-29", "2026-03-29 01:00"),
    case("berlin-fold", "02:30", "Europe/Berlin", "2026-10-25", "2026-10-25 00:30"),
    case("ny-gap", "02:15", "America/New_York", "2026-03-08", "2026-03-08 07:00"),
    case("ny-fold", "01:30", "America/New_York", "2026-11-01", "2026-11-01 05:30"),
    # Lord Howe shifts by 30 minutes: +10:30 <-> +11:00.
    case("lord-howe-gap", "02:15", "Australia/Lord_Howe", "2026-10-04", "2026-10-03 15:30"),
    case("lord-howe-fold", "01:45", "Australia/Lord_Howe", "2026-04-05", "2026-04-04 14:45"),
    # Transitions at local midnight (verified against tzdata): the gap is 00:00-01:00 ...
    case("santiago-gap", "00:30", "America/Santiago", "2026-09-06", "2026-09-06 04:00"),
    case("santiago-midnight", "00:00", "America/Santiago", "2026-09-06", "2026-09-06 04:00"),
    case("beirut-gap", "00:00", "Asia/Beirut", "2026-03-29", "2026-03-28 22:00"),
    case("havana-gap", "00:30", "America/Havana", "2026-03-08", "2026-03-08 05:00"),
    # ... and falling back from 24:00 to 23:00 repeats the last hour of the *previous* date.
    case("santiago-fold", "23:30", "America/Santiago", "2026-04-04", "2026-04-05 02:30"),
    case("beirut-fold", "23:15", "Asia/Beirut", "2026-10-24", "2026-10-24 20:15"),
    # Troll jumps two hours (+00 -> +02).
    case("troll-2h-gap", "01:30", "Antarctica/Troll", "2026-03-29", "2026-03-29 01:00"),
    # Nuuk jumps from 23:00 on the 28th to 00:00 on the 29th: the 28th's reminder fires at the
    # gap end, which is already the 29th locally, and the 29th still gets its own.
    case("nuuk-gap-to-midnight", "23:30", "America/Nuuk", "2026-03-28", "2026-03-29 01:00"),
    case("nuuk-next-day", "23:30", "America/Nuuk", "2026-03-29", "2026-03-30 00:30"),
    # Morocco leaves +01 for +00 during Ramadan: a fold in February, a gap in March.
    case("casablanca-fold", "02:30", "Africa/Casablanca", "2026-02-15", "2026-02-15 01:30"),
    case("casablanca-gap", "02:30", "Africa/Casablanca", "2026-03-22", "2026-03-22 02:00"),
    # Historical: Goose Bay fell back from 00:01 to 23:01, repeating the end of the previous date.
    case("goose-bay-fold", "23:30", "America/Goose_Bay", "2010-11-06", "2010-11-07 02:30"),
    case("goose-bay-midnight", "00:00", "America/Goose_Bay", "2010-11-07", "2010-11-07 03:00"),
]


@pytest.mark.parametrize(("schedule", "day", "expected"), NAMED_CASES)
def test_named_occurrences(schedule: DailySchedule, day: date, expected: datetime) -> None:
    assert recurrence.occurrence_on(schedule, day) == expected
    # next_occurrence finds the same instant from a day before, and never repeats it.
    found = recurrence.next_occurrence(schedule, expected - timedelta(hours=20))
    assert found == expected
    assert found.tzinfo is UTC
    assert recurrence.next_occurrence(schedule, found) > found + timedelta(hours=20)


def test_berlin_fold_does_not_fire_twice() -> None:
    schedule = daily(2, 30, "Europe/Berlin")
    first = recurrence.next_occurrence(schedule, utc(2026, 10, 24, 12))
    assert first == utc(2026, 10, 25, 0, 30)
    # The second 02:30 (CET, 01:30Z) is not an occurrence, whether we ask from the first one or
    # from between the two.
    assert recurrence.next_occurrence(schedule, first) == utc(2026, 10, 26, 1, 30)
    assert recurrence.next_occurrence(schedule, utc(2026, 10, 25, 1)) == utc(2026, 10, 26, 1, 30)


def test_berlin_gap_fires_once_that_day() -> None:
    schedule = daily(2, 30, "Europe/Berlin")
    instants = recurrence.upcoming(schedule, utc(2026, 3, 27, 12), 3)
    assert instants == [utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1), utc(2026, 3, 30, 0, 30)]


def test_engine_style_refire_with_max_now_due() -> None:
    schedule = daily(1, 30, "America/New_York")
    due = recurrence.next_occurrence(schedule, utc(2026, 10, 31, 12))
    assert due == utc(2026, 11, 1, 5, 30)
    # The bot was busy and "now" is already in the repeated hour (01:10 EST).
    now = utc(2026, 11, 1, 6, 10)
    assert recurrence.next_occurrence(schedule, max(now, due)) == utc(2026, 11, 2, 6, 30)


def test_apia_skipped_date_has_no_occurrence_and_schedule_continues() -> None:
    schedule = daily(9, 0, "Pacific/Apia")
    assert recurrence.occurrence_on(schedule, date(2011, 12, 30)) is None
    instants = recurrence.upcoming(schedule, utc(2011, 12, 28), 4)
    assert [recurrence.local_date_of(i, "Pacific/Apia") for i in instants] == [
        date(2011, 12, 28),
        date(2011, 12, 29),
        date(2011, 12, 31),
        date(2012, 1, 1),
    ]
    assert all(i.astimezone(ZoneInfo("Pacific/Apia")).time() == time(9) for i in instants)


def test_apia_skipped_date_even_at_midnight() -> None:
    schedule = daily(0, 0, "Pacific/Apia")
    assert recurrence.occurrence_on(schedule, date(2011, 12, 30)) is None
    assert recurrence.occurrence_on(schedule, date(2011, 12, 31)) == utc(2011, 12, 30, 10)


def test_toronto_1919_gap_across_midnight_serves_two_dates_once() -> None:
    # 1919-03-30 23:30 jumped to 03-31 00:30: 23:45 and 00:15 both vanished (policy rule 5).
    late = daily(23, 45, "America/Toronto")
    early = daily(0, 15, "America/Toronto")
    gap_end = utc(1919, 3, 31, 4, 30)
    assert recurrence.occurrence_on(late, date(1919, 3, 30)) == gap_end
    assert recurrence.occurrence_on(early, date(1919, 3, 31)) == gap_end
    assert recurrence.upcoming(late, utc(1919, 3, 30, 12), 2) == [gap_end, utc(1919, 4, 1, 3, 45)]


def test_nuuk_gap_to_midnight_keeps_one_reminder_per_scheduled_date() -> None:
    schedule = daily(23, 30, "America/Nuuk")
    instants = recurrence.upcoming(schedule, utc(2026, 3, 27, 12), 3)
    assert instants == [utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1), utc(2026, 3, 30, 0, 30)]
    assert [recurrence.scheduled_date_of(schedule, i) for i in instants] == [
        date(2026, 3, 27),
        date(2026, 3, 28),
        date(2026, 3, 29),
    ]
    # The wall clock already shows the 29th for the 28th's reminder.
    assert recurrence.local_date_of(instants[1], "America/Nuuk") == date(2026, 3, 29)


def test_scheduled_date_is_the_local_date_normally() -> None:
    schedule = daily(0, 0, "America/Santiago")
    instant = recurrence.occurrence_on(schedule, date(2026, 9, 6))  # gap 00:00-01:00, same date
    assert instant is not None
    assert recurrence.scheduled_date_of(schedule, instant) == date(2026, 9, 6)
    apia = daily(0, 0, "Pacific/Apia")
    new_years_eve = utc(2011, 12, 30, 10)  # 2011-12-31 00:00 after the skipped 30th
    assert recurrence.scheduled_date_of(apia, new_years_eve) == date(2011, 12, 31)


def test_weekday_selection_is_respected() -> None:
    schedule = daily(21, 0, "Europe/London", Weekdays.of(0, 2, 4))
    instants = recurrence.upcoming(schedule, utc(2026, 6, 1), 6)  # 2026-06-01 is a Monday
    assert [i.astimezone(ZoneInfo("Europe/London")).strftime("%a %d") for i in instants] == [
        "Mon 01",
        "Wed 03",
        "Fri 05",
        "Mon 08",
        "Wed 10",
        "Fri 12",
    ]
    assert recurrence.occurrence_on(schedule, date(2026, 6, 2)) is None


def test_days_are_local_dates_not_utc_dates() -> None:
    # 08:00 on Mondays in Auckland is Sunday evening in UTC.
    schedule = daily(8, 0, "Pacific/Auckland", Weekdays.of(0))
    instant = recurrence.next_occurrence(schedule, utc(2026, 6, 1))
    assert instant == utc(2026, 6, 7, 20)
    assert recurrence.local_date_of(instant, "Pacific/Auckland") == date(2026, 6, 8)


def test_after_is_strict_and_any_aware_zone_is_accepted() -> None:
    schedule = daily(7, 0, "Europe/Berlin")
    at_occurrence = local("Europe/Berlin", 2026, 7, 1, 7, 0)
    assert recurrence.next_occurrence(schedule, at_occurrence) == utc(2026, 7, 2, 5)
    just_before = at_occurrence.astimezone(timezone(timedelta(hours=-3))) - timedelta(seconds=1)
    assert recurrence.next_occurrence(schedule, just_before) == utc(2026, 7, 1, 5)


def test_after_in_the_schedule_zone_during_the_fold_is_compared_by_instant() -> None:
    # Same-tzinfo comparisons in Python ignore fold; the second 02:10 must still count as later.
    schedule = daily(2, 30, "Europe/Berlin")
    second_0210 = datetime(2026, 10, 25, 2, 10, fold=1, tzinfo=ZoneInfo("Europe/Berlin"))
    assert recurrence.next_occurrence(schedule, second_0210) == utc(2026, 10, 26, 1, 30)


def test_naive_after_is_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        recurrence.next_occurrence(daily(7, 0, "UTC"), datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="aware"):
        recurrence.local_date_of(datetime(2026, 1, 1), "UTC")


def test_upcoming_counts() -> None:
    schedule = daily(7, 0, "UTC")
    assert recurrence.upcoming(schedule, utc(2026, 1, 1), 0) == []
    assert recurrence.upcoming(schedule, utc(2026, 1, 1), 2) == [
        utc(2026, 1, 1, 7),
        utc(2026, 1, 2, 7),
    ]
    with pytest.raises(ValueError):
        recurrence.upcoming(schedule, utc(2026, 1, 1), -1)


def test_upcoming_is_computed_once_per_schedule_and_instant(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every /stretch status shows the next three; people sharing a recurrence share the work."""
    calls: list[datetime] = []
    real = recurrence.next_occurrence

    def counting(schedule: DailySchedule, after: datetime) -> datetime:
        calls.append(after)
        return real(schedule, after)

    monkeypatch.setattr(recurrence, "next_occurrence", counting)
    schedule = DailySchedule(time(17, 30), Weekdays.EVERY_DAY, "Europe/Berlin")
    first = recurrence.upcoming(schedule, utc(2031, 3, 29, 17, 0), 2)  # across the spring change
    assert first == [utc(2031, 3, 30, 15, 30), utc(2031, 3, 31, 15, 30)]
    assert len(calls) == 2
    first.append(utc(2040, 1, 1))  # a caller changing its list changes nobody else's
    again = recurrence.upcoming(
        DailySchedule(time(17, 30), Weekdays.EVERY_DAY, "Europe/Berlin"),
        utc(2031, 3, 29, 17, 0),
        2,
    )
    assert again == [utc(2031, 3, 30, 15, 30), utc(2031, 3, 31, 15, 30)]
    assert len(calls) == 2
    assert (
        recurrence.upcoming(schedule, utc(2031, 3, 29, 17, 0), 1) == again[:1] and len(calls) == 3
    )


def test_time_with_fold_one_is_treated_as_the_wall_time() -> None:
    schedule = DailySchedule(time(2, 30, fold=1), Weekdays.EVERY_DAY, "Europe/Berlin")
    assert recurrence.occurrence_on(schedule, date(2026, 10, 25)) == utc(2026, 10, 25, 0, 30)


@pytest.mark.parametrize(
    ("local_time", "days", "zone"),
    [
        (time(7, tzinfo=UTC), Weekdays.EVERY_DAY, "UTC"),
        (time(7), Weekdays(0), "UTC"),
        (time(7), Weekdays.EVERY_DAY, "Mars/Olympus_Mons"),
        (time(7), Weekdays.EVERY_DAY, "../etc/passwd"),
    ],
)
def test_schedule_validation(local_time: time, days: Weekdays, zone: str) -> None:
    with pytest.raises(ValueError):
        DailySchedule(local_time, days, zone)


def test_local_date_of_accepts_name_or_zoneinfo() -> None:
    instant = utc(2026, 1, 1, 23, 30)
    assert recurrence.local_date_of(instant, "Asia/Tokyo") == date(2026, 1, 2)
    assert recurrence.local_date_of(instant, ZoneInfo("America/Los_Angeles")) == date(2026, 1, 1)
