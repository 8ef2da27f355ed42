"""The augmentation watch on hand-built 56-night histories: each sign holds, does not hold, or
lacks data; DST nights in Europe/Berlin (end of March, end of October) and America/New_York;
onsets around midnight; and the words it never uses."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.clinical.nights import SymptomNight
from bot.clinical.watch import (
    DOSES,
    MIN_NIGHTS,
    ONSET,
    REST,
    SEVERITY,
    SOURCE_URL,
    SPREAD,
    WARNING,
    SignCheck,
    Windows,
    watch,
    watch_lines,
)
from bot.sleep.form import NightForm, build_entry
from tests.clinical.history import at, dose, doses_daily, history, night, onsets

TODAY = date(2026, 6, 20)


def check(result_checks: tuple[SignCheck, ...], sign: str, detail: str | None = None) -> SignCheck:
    return next(
        c for c in result_checks if c.sign == sign and (detail is None or c.detail == detail)
    )


def steady(i: int) -> dict[str, object]:
    return {"onset": "21:30", "severity": 4, "regions": {"legs"}, "rest": 40}


def test_windows_are_the_last_28_days_and_the_28_before() -> None:
    w = Windows.ending(TODAY)
    assert w.later == (TODAY - timedelta(days=27), TODAY)
    assert w.earlier == (TODAY - timedelta(days=55), TODAY - timedelta(days=28))
    assert w.side(TODAY - timedelta(days=56)) is None
    assert w.side(TODAY + timedelta(days=1)) is None


def test_a_steady_history_shows_no_sign_and_says_so() -> None:
    result = watch(history(TODAY, earlier=steady, later=steady), TODAY)
    assert [c.holds for c in result.checks] == [False, False, False, False]
    assert all((c.earlier_n, c.later_n) == (28, 28) for c in result.checks)
    lines = watch_lines(result)
    assert lines == [
        "Augmentation watch: no warning sign in what you logged, the last 28 days against the "
        "28 before."
    ]


# -- onset --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "holds"),
    [
        ("22:00", "20:00", True),  # exactly 2 h earlier
        ("22:00", "20:01", False),  # a minute short of 2 h
        ("00:30", "22:30", True),  # across midnight: 2 h earlier, not 22 h later
        ("23:30", "00:30", False),  # later, not earlier
        ("21:00", "17:00", True),
    ],
)
def test_onset_two_hours_earlier(before: str, after: str, holds: bool) -> None:
    result = watch(
        onsets(TODAY, before, after),
        TODAY,
    )
    assert check(result.checks, ONSET).holds is holds


def test_onset_line_has_its_numbers_n_the_warning_and_the_source() -> None:
    nights = history(
        TODAY,
        earlier=lambda i: {"onset": "22:00" if i % 2 else "22:30"},
        later=lambda i: {"onset": "19:30"},
        earlier_nights=20,
        later_nights=25,
    )
    lines = watch_lines(watch(nights, TODAY))
    assert lines[0] == (
        "**Symptoms start earlier:** median 19:30 in the last 28 days (n = 25) against 22:15 in "
        f"the 28 before (n = 20), 2h 45m earlier. {WARNING}"
    )
    assert SOURCE_URL in lines[-1]
    assert "not a diagnosis" in lines[-1]


def test_onsets_around_midnight_do_not_break_the_median() -> None:
    # Later nights half at 23:30, half at 00:30: median midnight. Read as clock minutes that
    # wrap, the median would be noon, ten hours "earlier" than the 23:00 before: a false sign.
    nights = history(
        TODAY,
        earlier=lambda i: {"onset": "23:00"},
        later=lambda i: {"onset": "23:30" if i % 2 else "00:30"},
    )
    onset = check(watch(nights, TODAY).checks, ONSET)
    assert onset.holds is False
    assert (onset.earlier_value, onset.later_value) == (23 * 60, 24 * 60)


def test_onset_lacks_data_with_six_nights_on_one_side() -> None:
    nights = history(
        TODAY,
        earlier=lambda i: {"onset": "22:00", "severity": 3},
        later=lambda i: {"onset": "18:00" if i >= 22 else None, "severity": 3},
    )
    onset = check(watch(nights, TODAY).checks, ONSET)
    assert onset.holds is None
    assert (onset.earlier_n, onset.later_n, onset.needed) == (28, 6, 1)
    lines = watch_lines(watch(nights, TODAY))
    assert not any("Symptoms start earlier" in line for line in lines)
    assert any(
        "a symptom start time: 1 more night (you have 6 in the last 28 days and 28 in the 28 before)"
        in line
        for line in lines
    )


def test_an_onset_on_a_night_outside_both_windows_does_not_count() -> None:
    nights = onsets(TODAY, "22:00", "22:00")
    old = [night(TODAY - timedelta(days=56 + k), onset="12:00") for k in range(30)]
    onset = check(watch(nights + old, TODAY).checks, ONSET)
    assert (onset.earlier_n, onset.later_n, onset.holds) == (28, 28, False)


# -- DST -------------------------------------------------------------------------------------


BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"


@pytest.mark.parametrize(
    ("today", "zone", "before", "after", "expected"),
    [
        # Earlier window all winter time (CET), later window all summer time (CEST), 22:00 every
        # night: the same clock time, though an hour apart in UTC.
        (date(2026, 4, 26), BERLIN, "22:00", "22:00", (1320, 1320, False)),
        # 22:00 summer time before, 20:00 winter time after the 25 October change: two hours
        # earlier on the clock, only one hour in UTC. The clock is what a person lives by.
        (date(2026, 11, 21), BERLIN, "22:00", "20:00", (1320, 1200, True)),
        # 02:30 happened twice on 25 October 2026 in Berlin: the first, still summer time, is read.
        (date(2026, 11, 8), BERLIN, "02:30", "02:30", (1590, 1590, False)),
        # 02:30 did not exist on 29 March 2026 in Berlin; the diary reads it as 03:30 CEST. One
        # such night among 28 moves no median.
        (date(2026, 4, 10), BERLIN, "02:30", "02:30", (1590, 1590, False)),
        # The later window includes 8 March, New York's change.
        (date(2026, 3, 28), NEW_YORK, "23:15", "21:15", (1395, 1275, True)),
        (date(2026, 3, 28), NEW_YORK, "23:15", "23:15", (1395, 1395, False)),
    ],
    ids=[
        "berlin_end_of_march_same_clock_time_is_no_change",
        "berlin_end_of_october_two_clock_hours_earlier_is_a_sign",
        "the_night_the_clocks_go_back_reads_the_first_0230",
        "berlin_spring_forward_gap_time_is_read_as_the_diary_reads_it",
        "new_york_spring_forward_and_an_earlier_onset",
        "new_york_spring_forward_at_the_same_clock_time_is_no_change",
    ],
)
def test_onsets_across_a_clock_change_are_compared_by_the_clock(
    today: date, zone: str, before: str, after: str, expected: tuple[int, int, bool]
) -> None:
    """56 nights ending `today`, symptoms starting at the clock time `before` in the earlier
    window and `after` in the later one: the medians in minutes from the start of the evening's
    date (02:30 after midnight is 1590), and whether the sign holds."""
    onset = check(watch(onsets(today, before, after, zone), today).checks, ONSET)
    assert (onset.earlier_value, onset.later_value, onset.holds) == expected


def test_onsets_at_one_clock_time_across_the_march_change_are_an_hour_apart_in_utc() -> None:
    nights = onsets(date(2026, 4, 26), "22:00", "22:00")
    assert nights[0].rls_onset is not None and nights[-1].rls_onset is not None
    assert nights[0].rls_onset.hour == 21 and nights[-1].rls_onset.hour == 20


def test_the_night_the_clocks_go_back_an_onset_at_0230_is_still_summer_time() -> None:
    n = night(date(2026, 10, 25), BERLIN, onset="02:30")
    assert n.rls_onset == at(date(2026, 10, 25), "02:30", BERLIN)  # fold=0


def test_new_york_fall_back_on_diary_entries() -> None:
    # Real SleepEntry objects from the diary's own form, around 1 November 2026.
    zone = "America/New_York"
    today = date(2026, 11, 15)
    entries = []
    for back in range(56):
        day = today - timedelta(days=back)
        form = NightForm(
            into_bed="23:00",
            final_wake="07:00",
            rls_onset="22:30" if back >= 28 else "20:00",
            severity=5,
        )
        from datetime import UTC, datetime

        entries.append(
            build_entry(
                form, user_id=1, night=day, zone_name=zone, now=datetime(2026, 11, 16, tzinfo=UTC)
            )
        )
    nights = [SymptomNight.from_entry(e) for e in entries]
    result = watch(nights, today)
    onset = check(result.checks, ONSET)
    assert (onset.earlier_value, onset.later_value, onset.holds) == (1350, 1200, True)
    assert check(result.checks, SEVERITY).holds is False


# -- spread ------------------------------------------------------------------------------------


def test_arms_newly_reported_is_a_sign() -> None:
    nights = history(
        TODAY,
        earlier=lambda i: {"regions": {"legs"}},
        later=lambda i: {"regions": {"legs", "arms"} if i % 7 == 0 else {"legs"}},
    )
    spread = check(watch(nights, TODAY).checks, SPREAD)
    assert spread.holds is True and spread.detail == "arms"
    line = watch_lines(watch(nights, TODAY))[0]
    assert line == (
        "**Symptoms in your arms, newly:** arms on 4 of 28 nights in the last 28 days, on none "
        f"of 28 nights in the 28 before. {WARNING}"
    )


def test_arms_and_trunk_together_are_one_line() -> None:
    nights = history(
        TODAY,
        earlier=lambda i: {"regions": {"legs"}},
        later=lambda i: {"regions": {"legs", "arms", "trunk"} if i < 3 else {"legs"}},
    )
    lines = watch_lines(watch(nights, TODAY))
    assert lines[0] == (
        "**Symptoms in your arms and trunk, newly:** arms on 3 and trunk on 3 of 28 nights in the "
        f"last 28 days, neither on any of 28 nights in the 28 before. {WARNING}"
    )


@pytest.mark.parametrize(
    "earlier_regions",
    [{"legs", "arms"}, {"legs", "arms", "trunk"}],
)
def test_arms_already_there_before_are_not_new(earlier_regions: set[str]) -> None:
    nights = history(
        TODAY,
        earlier=lambda i: {"regions": earlier_regions if i == 5 else {"legs"}},
        later=lambda i: {"regions": {"legs", "arms"}},
    )
    assert check(watch(nights, TODAY).checks, SPREAD).holds is False


def test_other_region_is_not_the_spread_sign() -> None:
    nights = history(
        TODAY,
        earlier=lambda i: {"regions": {"legs"}},
        later=lambda i: {"regions": {"legs", "other"}},
    )
    assert check(watch(nights, TODAY).checks, SPREAD).holds is False


def test_unanswered_regions_are_not_counted_as_legs() -> None:
    nights = history(
        TODAY,
        earlier=lambda i: {"regions": {"legs"} if i < 6 else None},
        later=lambda i: {"regions": {"arms"}},
    )
    spread = check(watch(nights, TODAY).checks, SPREAD)
    assert (spread.holds, spread.earlier_n, spread.needed) == (None, 6, 1)


# -- rest ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "holds"),
    [(40, 20, True), (40, 21, False), (30, 5, True), (0, 0, False), (20, 40, False)],
)
def test_rest_shorter_by_half(before: int, after: int, holds: bool) -> None:
    nights = history(TODAY, earlier=lambda i: {"rest": before}, later=lambda i: {"rest": after})
    assert check(watch(nights, TODAY).checks, REST).holds is holds


def test_rest_line() -> None:
    nights = history(
        TODAY,
        earlier=lambda i: {"rest": 45},
        later=lambda i: {"rest": 15},
        earlier_nights=9,
        later_nights=12,
    )
    assert watch_lines(watch(nights, TODAY))[0] == (
        "**Symptoms sooner at rest:** median 15 min at rest before they started in the last 28 "
        f"days (n = 12) against 45 min in the 28 before (n = 9). {WARNING}"
    )


# -- severity ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "holds"), [(4, 6, True), (4, 5, False), (6, 4, False), (0, 10, True)]
)
def test_severity_two_higher(before: int, after: int, holds: bool) -> None:
    nights = history(
        TODAY, earlier=lambda i: {"severity": before}, later=lambda i: {"severity": after}
    )
    assert check(watch(nights, TODAY).checks, SEVERITY).holds is holds


def test_severity_median_not_mean() -> None:
    # Two terrible nights raise the mean by 2 but not the median: one bad week is not a trend.
    nights = history(
        TODAY,
        earlier=lambda i: {"severity": 3},
        later=lambda i: {"severity": 10 if i < 8 else 3},
    )
    severity = check(watch(nights, TODAY).checks, SEVERITY)
    assert severity.holds is False and severity.later_value == 3
    line_nights = history(TODAY, earlier=lambda i: {"severity": 3}, later=lambda i: {"severity": 6})
    assert watch_lines(watch(line_nights, TODAY))[0] == (
        "**Stronger symptoms:** median RLS severity 6/10 in the last 28 days (n = 28) against "
        f"3/10 in the 28 before (n = 28). {WARNING}"
    )


# -- doses ---------------------------------------------------------------------------------------


def test_doses_taken_earlier() -> None:
    doses = doses_daily(TODAY, earlier=["21:30"], later=["20:00"])
    result = watch([], TODAY, doses)
    earlier = check(result.checks, DOSES, "earlier")
    more = check(result.checks, DOSES, "more often")
    assert (earlier.holds, more.holds) == (True, False)
    lines = watch_lines(result)
    assert lines[0] == (
        "**“Evening tablet” taken earlier:** the day's first dose at a median 20:00 in the last "
        "28 days (28 days) against 21:30 in the 28 before (28 days), 1h 30m earlier. This can "
        "follow symptoms starting earlier, which the RLS Foundation lists as a warning sign of "
        "augmentation: worth raising with your doctor."
    )


def test_late_doses_after_midnight_are_late_not_early() -> None:
    # 23:30 before, 00:30 after: an hour later, not 23 hours earlier.
    doses = doses_daily(TODAY, earlier=["23:30"], later=["00:30"])
    earlier = check(watch([], TODAY, doses).checks, DOSES, "earlier")
    assert earlier.holds is False
    assert (earlier.earlier_value, earlier.later_value) == (1410, 1470)


def test_doses_more_often() -> None:
    doses = doses_daily(TODAY, earlier=["21:00"], later=["21:00", "23:30"])
    result = watch([], TODAY, doses)
    more = check(result.checks, DOSES, "more often")
    assert (more.holds, more.earlier_value, more.later_value) == (True, 1.0, 2.0)
    assert check(result.checks, DOSES, "earlier").holds is False
    assert (
        "taken more often:** 2.0 doses a day on average in the last 28 days (28 days with a "
        "logged dose) against 1.0 in the 28 before (28 days)." in watch_lines(result)[0]
    )


def test_doses_are_compared_per_medicine_and_names_match_in_any_case() -> None:
    a = doses_daily(TODAY, earlier=["21:00"], later=[], name="Evening tablet")
    a += doses_daily(TODAY, earlier=[], later=["21:00"], name="evening  TABLET")
    b = doses_daily(TODAY, earlier=[], later=["08:00"], name="Iron")  # new: no earlier days
    result = watch([], TODAY, a + b)
    tablet = [c for c in result.checks if c.medicine == "Evening tablet"]
    assert [c.holds for c in tablet] == [False, False]
    iron = [c for c in result.checks if c.medicine == "Iron"]
    assert [(c.holds, c.earlier_n, c.later_n) for c in iron] == [(None, 0, 28)]


def test_doses_lack_data_with_six_days() -> None:
    doses = doses_daily(TODAY, earlier=["21:00"], later=["19:00"], days=6)
    result = watch([], TODAY, doses)
    assert [(c.holds, c.needed) for c in result.checks if c.sign == DOSES] == [(None, 2)]
    assert "a logged dose of “Evening tablet” (days): 2 more days" in watch_lines(result)[-1]


def test_no_medicines_no_dose_lines() -> None:
    result = watch(history(TODAY, earlier=steady, later=steady), TODAY, [])
    assert not any(c.sign == DOSES for c in result.checks)


# -- too little data, and everything at once ---------------------------------------------------


def test_nothing_logged_says_what_is_needed() -> None:
    lines = watch_lines(watch([], TODAY))
    assert lines == [
        f"Augmentation watch needs {MIN_NIGHTS} nights with each value in both 4-week windows. "
        "Still needed: a symptom start time: 14 more nights (you have 0 in the last 28 days and 0 in "
        "the 28 before); body regions: 14 more nights (you have 0 in the last 28 days and 0 in the 28 "
        "before); minutes at rest before symptoms: 14 more nights (you have 0 in the last 28 days and 0 "
        "in the 28 before); RLS severity: 14 more nights (you have 0 in the last 28 days and 0 in the "
        "28 before)."
    ]


def everything_worse() -> tuple[list[SymptomNight], list]:
    nights = history(
        TODAY,
        earlier=lambda i: {"onset": "22:00", "severity": 3, "regions": {"legs"}, "rest": 40},
        later=lambda i: {
            "onset": "17:30",
            "severity": 7,
            "regions": {"legs", "arms", "trunk"},
            "rest": 10,
        },
    )
    doses = doses_daily(TODAY, earlier=["21:00"], later=["17:00", "21:00", "01:00"])
    return nights, doses


def test_every_sign_at_once_one_line_each() -> None:
    nights, doses = everything_worse()
    result = watch(nights, TODAY, doses)
    assert len(result.signs) == 6
    lines = watch_lines(result)
    assert len(lines) == 7  # six signs and the source
    assert sum(WARNING in line for line in lines) == 4
    assert lines[-1] == (
        "-# These are patterns in what you logged, not a diagnosis. Source: RLS Foundation: "
        f"Augmentation and RLS, <{SOURCE_URL}>"
    )


FORBIDDEN = [
    r"increas",
    r"decreas",
    r"reduce your",
    r"lower your",
    r"raise your dose",
    r"stop taking",
    r"start taking",
    r"switch",
    r"\bmg\b",
    r"\bmcg\b",
    r"\bml\b",
    r"you have augmentation",
    r"you are augmenting",
    r"diagnosed",
    r"should (take|stop|start)",
    r"\bdosage\b",
]


@pytest.mark.parametrize("case", ["all signs", "no sign", "no data", "some data"])
def test_never_a_diagnosis_a_dose_or_advice_about_a_medicine(case: str) -> None:
    nights, doses = everything_worse()
    if case == "no sign":
        nights, doses = (
            history(TODAY, earlier=steady, later=steady),
            doses_daily(TODAY, ["21:00"], ["21:00"]),
        )
    elif case == "no data":
        nights, doses = [], []
    elif case == "some data":
        nights, doses = nights[20:], doses[:40]
    text = "\n".join(watch_lines(watch(nights, TODAY, doses))).lower()
    assert text
    for pattern in FORBIDDEN:
        assert re.search(pattern, text) is None, pattern


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York"])
@pytest.mark.parametrize("clock", ["04:00", "03:59", "12:00"])
def test_doses_at_the_windows_edges_count_in_every_zone(zone: str, clock: str) -> None:
    # The watch skips doses far outside the 56 days by their UTC instant before converting
    # them; the first and last dose days still count, at UTC+14 and UTC-11 alike.
    doses = doses_daily(TODAY, earlier=[clock], later=[clock], zone=zone)
    far = doses_daily(TODAY - timedelta(days=56), earlier=["12:00"], later=["12:00"], zone=zone)
    checks = [c for c in watch([], TODAY, doses + far).checks if c.sign == DOSES]
    assert [(c.earlier_n, c.later_n) for c in checks] == [(28, 28), (28, 28)]
    assert [c.holds for c in checks] == [False, False]


_clock = st.times().map(lambda t: f"{t:%H:%M}")
_night_fields = st.fixed_dictionaries(
    {
        "onset": st.one_of(st.none(), _clock),
        "severity": st.one_of(st.none(), st.integers(0, 10)),
        "regions": st.one_of(
            st.none(), st.sets(st.sampled_from(["legs", "arms", "trunk", "other"]))
        ),
        "rest": st.one_of(st.none(), st.integers(0, 300)),
    }
)


@given(
    st.lists(st.one_of(st.none(), _night_fields), min_size=56, max_size=56),
    st.lists(st.tuples(st.integers(0, 60), _clock, st.sampled_from(["A", "B"])), max_size=120),
    st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
)
def test_any_history_is_judged_only_with_enough_data_and_in_allowed_words(
    fields: list[dict[str, Any] | None],
    dose_specs: list[tuple[int, str, str]],
    zone: str,
    today: date,
) -> None:
    nights = [
        night(today - timedelta(days=55 - i), zone, wake="11:00", **f)
        for i, f in enumerate(fields)
        if f is not None
    ]
    doses = [dose(today - timedelta(days=back), c, zone, name) for back, c, name in dose_specs]
    result = watch(nights, today, doses)
    for c in result.checks:
        enough = c.earlier_n >= MIN_NIGHTS and c.later_n >= MIN_NIGHTS
        assert (c.holds is not None) is enough
        assert c.needed == 0 or not enough
    text = "\n".join(watch_lines(result)).lower()
    assert text
    for pattern in FORBIDDEN:
        assert re.search(pattern, text) is None, pattern
