"""Medicines: names, times through the project's one time parser, the list's limits, doses as
instants with their zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.clinical.meds import (
    LAST_EVENING,
    MAX_MEDICINES,
    DoseEvent,
    build_medicine,
    check_room_for,
    find_medicine,
    log_dose,
    medicine_key,
    noted_since,
    parse_medicine_name,
    parse_medicine_times,
    typed_dose_at,
)
from bot.errors import UserError
from bot.scheduling.recurrence import Weekdays, load_zone, local_date_of
from bot.sleep.times import local_instant
from tests.friendly import parsed_or_refused

NOW = datetime(2026, 6, 10, 22, 10, tzinfo=UTC)  # 00:10 on 11 June in Berlin


def test_name_is_trimmed_and_kept_as_typed() -> None:
    assert parse_medicine_name("  My  evening\ntablet ") == "My evening tablet"
    assert parse_medicine_name("x" * 60) == "x" * 60


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "Please give the medicine a name"), ("x" * 61, "61 characters; please keep it to 60")],
)
def test_bad_names(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_medicine_name(text)


def test_times_use_the_projects_parser_sorted() -> None:
    assert parse_medicine_times("20:00, 8am") == (time(8, 0), time(20, 0))
    assert parse_medicine_times("08:00,12:00,16:00,22:30") == (
        time(8),
        time(12),
        time(16),
        time(22, 30),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("25:99", "“25:99” isn't a valid time: hours go up to 23"),
        ("08:00, 25:99", "Time 2 of 2: “25:99” isn't a valid time"),
        ("8:00,9:00,10:00,11:00,12:00", "Up to 4 times a day per medicine, please; you gave 5"),
        ("08:00, 8am", "08:00 is in the list twice"),
        ("08:00,,20:00", "Time 2 is empty"),
        ("", "Please give at least one time"),
        ("abc", "I couldn't read “abc” as a time"),
    ],
)
def test_bad_times(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_medicine_times(text)


def test_build_medicine_every_day_by_default_or_the_days_given() -> None:
    spec = build_medicine("Evening tablet", "21:00", None, [])
    assert (spec.name, spec.times, spec.days) == ("Evening tablet", (time(21),), Weekdays.EVERY_DAY)
    assert build_medicine("Iron", "8am", "mon, wed, fri", ["Evening tablet"]).days == Weekdays.of(
        0, 2, 4
    )


def test_the_eleventh_medicine_is_refused() -> None:
    ten = [f"Medicine {n}" for n in range(MAX_MEDICINES)]
    with pytest.raises(UserError, match="You have 10 medicines in your list, the most I keep"):
        build_medicine("Another", "09:00", None, ten)
    check_room_for("Another", ten[:-1])  # the tenth is fine


def test_the_same_name_twice_is_refused_whatever_the_case() -> None:
    with pytest.raises(UserError, match="You already have “Evening Tablet” in your list"):
        check_room_for("evening   tablet", ["Evening Tablet"])


def test_find_medicine() -> None:
    assert find_medicine(" IRON ", ["Evening tablet", "Iron"]) == "Iron"
    with pytest.raises(UserError, match="“Irn” isn't in your list \\(“Evening tablet”, “Iron”\\)"):
        find_medicine("Irn", ["Evening tablet", "Iron"])
    with pytest.raises(UserError, match="no medicines in your list yet"):
        find_medicine("Iron", [])


def test_the_start_of_a_name_finds_it_when_only_one_name_starts_so() -> None:
    # What a tired person types for "Pramipexol 0.18": the name without its strength.
    assert find_medicine("pramipexol", ["Pramipexol 0.18", "Iron"]) == "Pramipexol 0.18"
    assert find_medicine("  PRAMI ", ["Pramipexol 0.18"]) == "Pramipexol 0.18"
    # The whole name wins over a longer one it begins.
    assert find_medicine("Iron", ["Iron", "Iron tablet"]) == "Iron"
    # Two names start so: neither is guessed.
    with pytest.raises(UserError) as ambiguous:
        find_medicine("Pramipexol", ["Pramipexol 0.18", "Pramipexol 0.25"])
    assert str(ambiguous.value) == (
        "“Pramipexol” could be any of “Pramipexol 0.18”, “Pramipexol 0.25”: type more of its name."
    )
    # Inside a name is not its start.
    with pytest.raises(UserError, match="isn't in your list"):
        find_medicine("0.18", ["Pramipexol 0.18"])


def test_a_typed_dose_is_today_last_evening_or_refused_when_ahead() -> None:
    zone = "Europe/Berlin"  # NOW is 00:10 there on 11 June
    assert typed_dose_at(None, NOW, zone) == NOW
    assert typed_dose_at(" ", NOW, zone) == NOW
    assert typed_dose_at("00:05", NOW, zone) == datetime(2026, 6, 10, 22, 5, tzinfo=UTC)
    assert typed_dose_at("00:10", NOW, zone) == NOW
    # Last evening's dose, logged after midnight: the same time yesterday.
    assert typed_dose_at("22:30", NOW, zone) == datetime(2026, 6, 10, 20, 30, tzinfo=UTC)
    assert typed_dose_at("12:10", NOW, zone) == datetime(2026, 6, 10, 10, 10, tzinfo=UTC)
    # More than 12 hours back is not "last evening": still ahead today, refused.
    with pytest.raises(UserError, match=r"12:05 today is still ahead \(it's 00:10 where you"):
        typed_dose_at("12:05", NOW, zone)
    with pytest.raises(UserError, match="Time taken: "):
        typed_dose_at("25:99", NOW, zone)
    with pytest.raises(
        UserError,
        match="Time taken: Please include the minutes or am/pm: for “7” try 07:00 or 19:00",
    ):
        typed_dose_at("7", NOW, zone)


def test_log_dose_keeps_the_persons_name_and_the_zone() -> None:
    event = log_dose("iron", "21:00", now=NOW, zone_name="Europe/Berlin", existing=["Iron"])
    assert event == DoseEvent("Iron", datetime(2026, 6, 10, 19, 0, tzinfo=UTC), "Europe/Berlin")
    with pytest.raises(ValueError, match="timezone-aware"):
        DoseEvent("Iron", datetime(2026, 6, 10, 19, 0), "UTC")


@given(st.text(max_size=80))
def test_any_times_text_is_times_or_a_friendly_error(text: str) -> None:
    times = parsed_or_refused(parse_medicine_times, text)
    if times is None:
        return
    assert 1 <= len(times) <= 4
    assert list(times) == sorted(set(times))


@given(
    st.lists(
        st.times().map(lambda t: t.replace(second=0, microsecond=0)),
        min_size=1,
        max_size=4,
        unique=True,
    )
)
def test_any_up_to_four_distinct_times_round_trip(times: list[time]) -> None:
    text = ", ".join(f"{t:%H:%M}" for t in times)
    assert parse_medicine_times(text) == tuple(sorted(times))


@given(st.text(max_size=100))
def test_any_name_is_a_name_or_a_friendly_error(text: str) -> None:
    name = parsed_or_refused(parse_medicine_name, text)
    if name is None:
        return
    assert 1 <= len(name) <= 60 and name == name.strip() and "\n" not in name
    assert medicine_key(name) == medicine_key(f"  {name.upper()} ") or not name.isascii()


# --- Doses noted early: what a reminder shows as already noted -------------------------------


def test_noted_since_the_medicines_previous_time() -> None:
    morning = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
    # Twice a day: since last evening's 20:00.
    assert noted_since([time(8), time(20)], morning, "Europe/Berlin") == datetime(
        2026, 3, 2, 19, 0, tzinfo=UTC
    )
    # Once a day: the day before is too long ago; at most LAST_EVENING (12 h) back.
    assert noted_since([time(8)], morning, "Europe/Berlin") == morning - LAST_EVENING
    # Three times a day: since 12:00 for the 18:00 reminder.
    evening = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
    assert noted_since([time(8), time(12), time(18)], evening, "Europe/Berlin") == datetime(
        2026, 3, 3, 11, 0, tzinfo=UTC
    )


def test_noted_since_across_the_spring_change() -> None:
    # 29 March 2026, Berlin: the night is an hour shorter; last evening's 20:00 is 11 h back.
    slot = datetime(2026, 3, 29, 6, 0, tzinfo=UTC)  # 08:00 CEST
    since = noted_since([time(8), time(20)], slot, "Europe/Berlin")
    assert since == datetime(2026, 3, 28, 19, 0, tzinfo=UTC)  # 20:00 CET


@given(
    st.lists(st.times().map(lambda t: t.replace(second=0, microsecond=0)), min_size=1, max_size=4),
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"]),
)
def test_noted_since_is_before_the_slot_and_no_other_time_lies_between(
    times: list[time], naive_slot: datetime, zone_name: str
) -> None:
    slot = naive_slot.replace(tzinfo=UTC)
    since = noted_since(times, slot, zone_name)
    assert slot - LAST_EVENING <= since < slot
    zone = load_zone(zone_name)
    for clock in times:
        for back in range(3):
            day = local_date_of(slot, zone) - timedelta(days=back)
            at = local_instant(day, clock, zone)
            assert not since < at < slot
