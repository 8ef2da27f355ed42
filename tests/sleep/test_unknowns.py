"""The diary never invents data: Consensus Sleep Diary examples worked by hand, with unanswered
questions, naps, a main sleep by day, the "is that right?" nights, and the averages over them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserError
from bot.scheduling.recurrence import local_date_of
from bot.sleep.entry import SleepEntry, ordered_tags
from bot.sleep.form import NightForm, build_entry, implausible, parse_tags
from bot.sleep.metrics import efficiency, night_metrics, time_in_bed, total_sleep
from bot.sleep.stats import summarise
from bot.sleep.text import (
    comparison_line,
    entry_line,
    measure_line,
    missing_for_sleep,
    summary_text,
    too_few_to_compare,
)
from tests.sleep.forms import berlin_entry

NIGHT = date(2026, 3, 3)  # Tue; Berlin is UTC+1
EVENING = datetime(2026, 3, 3, 22, 30, tzinfo=UTC)  # Tue 23:30 in Berlin: the day is over


def build(**fields: object) -> SleepEntry:
    """Night NIGHT (or `night=`), logged at EVENING, with 23:00 -> 07:00 unless given."""
    night = fields.pop("night", NIGHT)
    assert isinstance(night, date)
    return berlin_entry(night, EVENING, **{"into_bed": "23:00", "final_wake": "7:00", **fields})


def test_bed_and_wake_alone_give_no_sleep_and_no_efficiency() -> None:
    # Mon 23:00 -> Tue 07:00, nothing else answered. Before: TST 8h 00m and SE 100 %.
    e = build()
    m = night_metrics(e)
    assert (m.time_in_bed_min, m.total_sleep_min, m.efficiency) == (None, None, None)
    line = entry_line(e)
    assert "bed 23:00, woke 07:00, up –" in line
    assert "slept –" in line and "efficiency –" in line and "100%" not in line
    assert "RLS" not in line  # no severity given: not "RLS 0"
    assert missing_for_sleep(e) == (
        "Add minutes to fall asleep, minutes awake in the night and when you got out of bed "
        "(`/sleep edit`) for total sleep and efficiency."
    )


# Into bed 22:30, tried 23:00, 30 min to fall asleep, final wake 06:30, up 07:00;
# awakenings and minutes awake not answered.
AWAKE_MINUTES_UNANSWERED: dict[str, object] = {
    "into_bed": "22:30",
    "tried_sleep": "23:00",
    "sleep_latency_min": 30,
    "final_wake": "6:30",
    "out_of_bed": "7:00",
}


def test_some_answers_known() -> None:
    # TIB = 22:30 -> 07:00 = 8h30 = 510 min; TST unknown (minutes awake unknown); SE unknown.
    e = build(**AWAKE_MINUTES_UNANSWERED)
    assert time_in_bed(e) == timedelta(minutes=510)
    assert total_sleep(e) is None and efficiency(e) is None
    assert missing_for_sleep(e) == (
        "Add minutes awake in the night (`/sleep edit`) for total sleep and efficiency."
    )


def test_zero_awakenings_means_zero_minutes_awake() -> None:
    # As above but "woke 0 times" (not counting the final awakening): awake 0 min.
    # TST = (23:00 -> 06:30 = 450) - 30 - 0 = 420; SE = 420 / 510 = 82.35 %
    e = build(**AWAKE_MINUTES_UNANSWERED, awakenings=0)
    assert e.awake_min is None  # stored as answered: unknown
    assert total_sleep(e) == timedelta(minutes=420)
    assert efficiency(e) == pytest.approx(82.353, abs=0.001)


def test_a_typed_zero_is_kept_as_zero() -> None:
    # 23:00 -> 07:00, typed 0 to fall asleep and 0 awake, up at 07:00: TST 480, SE 100 %.
    e = build(sleep_latency_min=0, awake_min=0, out_of_bed="7:00")
    assert (e.sleep_latency_min, e.awake_min) == (0, 0)
    assert efficiency(e) == 100


def test_naps_are_outside_total_sleep() -> None:
    # 23:00 tried, 15 to fall asleep, 2 awakenings, 40 awake, 06:45 wake, 07:00 up; 2 naps, 50 min.
    # TIB = 480; TST = (23:00 -> 06:45 = 465) - 15 - 40 = 410; SE = 410 / 480 = 85.42 %
    e = build(
        sleep_latency_min=15,
        awakenings=2,
        awake_min=40,
        final_wake="6:45",
        out_of_bed="7:00",
        naps=2,
        nap_min=50,
    )
    assert total_sleep(e) == timedelta(minutes=410)
    assert efficiency(e) == pytest.approx(85.417, abs=0.001)
    assert "2 naps, 50 min" in entry_line(e)


def test_an_afternoon_main_sleep_is_a_night() -> None:
    # A night shift: into bed Tue 14:00, tried 14:15, 15 min to fall asleep, woke once for 20 min,
    # final wake 21:30, up 21:45 (Tue 3 Mar, Berlin, UTC+1).
    # TIB = 14:00 -> 21:45 = 465; TST = (14:15 -> 21:30 = 435) - 15 - 20 = 400; SE = 86.02 %
    # Before: 14:00 was read as Monday afternoon, 31 h 45 in bed, refused as "more than a day".
    e = build(
        into_bed="14:00",
        tried_sleep="14:15",
        sleep_latency_min=15,
        awakenings=1,
        awake_min=20,
        final_wake="21:30",
        out_of_bed="21:45",
    )
    assert e.into_bed == datetime(2026, 3, 3, 13, 0, tzinfo=UTC)
    assert e.final_wake == datetime(2026, 3, 3, 20, 30, tzinfo=UTC)
    assert time_in_bed(e) == timedelta(minutes=465)
    assert total_sleep(e) == timedelta(minutes=400)
    assert efficiency(e) == pytest.approx(86.022, abs=0.001)
    assert implausible(e) is None


def test_a_morning_main_sleep_is_a_night() -> None:
    # After a night shift: 08:00 -> 15:00 the same day, 7 h in bed.
    e = build(into_bed="8:00", final_wake="15:00", out_of_bed="15:00", rls_onset="7:30")
    assert e.into_bed == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    assert e.rls_onset == datetime(2026, 3, 3, 6, 30, tzinfo=UTC)
    assert time_in_bed(e) == timedelta(hours=7)


def test_symptoms_after_midnight_are_in_the_night() -> None:
    e = build(rls_onset="1:30", tried_sleep="23:30")
    assert e.rls_onset == datetime(2026, 3, 3, 0, 30, tzinfo=UTC)
    assert e.tried_sleep == datetime(2026, 3, 2, 22, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "question"),
    [
        # Before: stored as "slept 24h 00m · 100 %" without a word.
        ({"into_bed": "22:00", "final_wake": "22:00"}, "no time in bed at all"),
        ({"into_bed": "7:00", "final_wake": "7:00"}, "no time in bed at all"),
        (
            {"into_bed": "14:00", "final_wake": "7:00"},
            "17h 00m in bed, from Mon 14:00 to Tue 07:00",
        ),
        ({"into_bed": "9:00", "final_wake": "8:00"}, "23h 00m in bed"),
        ({"into_bed": "15:00", "final_wake": "7:00"}, "16h 00m in bed"),
    ],
)
def test_unusual_nights_are_asked_about(fields: dict[str, object], question: str) -> None:
    message = implausible(build(**fields))
    assert message is not None and question in message and "Is that right?" in message


def test_just_under_sixteen_hours_is_not_asked_about() -> None:
    assert implausible(build(into_bed="15:01", final_wake="7:00")) is None


def _night(back: int, **fields: object) -> SleepEntry:
    return build(night=NIGHT - timedelta(days=back), **fields)


def test_averages_use_only_the_nights_that_have_the_value() -> None:
    nights = [
        # TST 480 - 10 - 20 = 450, TIB 480, SE 93.75 %; severity 4
        _night(0, sleep_latency_min=10, awake_min=20, out_of_bed="7:00", severity=4),
        # TST unknown; severity 0 (a real 0)
        _night(1, severity=0),
        # TST 480 - 30 - 0 (woke 0 times) = 450... up unknown, so SE unknown; severity unknown
        _night(2, sleep_latency_min=30, awakenings=0),
    ]
    s = summarise(nights, NIGHT - timedelta(days=6), NIGHT)
    sev = s.measure("RLS severity")
    assert (sev.mean, sev.count) == (2.0, 2)  # (4 + 0) / 2, not / 3
    tst = s.measure("Total sleep")
    assert (tst.mean, tst.count) == (pytest.approx(450.0), 2)
    eff = s.measure("Sleep efficiency")
    assert (eff.mean, eff.count) == (pytest.approx(93.75), 1)
    latency = s.measure("Time to fall asleep")
    assert (latency.mean, latency.count) == (20.0, 2)  # (10 + 30) / 2; unanswered isn't 0
    assert "(n = 1" in measure_line(eff)
    quality = s.measure("Sleep quality")
    assert measure_line(quality) == "**Sleep quality:** – (not answered on any night)"
    text = summary_text(s, 7)
    assert "Not answered on any of these nights: naps the day before, sleep quality." in text
    assert not any(line.startswith("**Sleep quality") for line in text)


def test_tags_are_compared_only_with_three_nights_each_side() -> None:
    def nights(tagged: int, untagged: int):
        return [_night(i, severity=5, tags={"caffeine"}) for i in range(tagged)] + [
            _night(tagged + i, severity=2) for i in range(untagged)
        ]

    start = NIGHT - timedelta(days=30)
    assert summarise(nights(1, 1), start, NIGHT).comparisons == []
    assert summarise(nights(3, 2), start, NIGHT).comparisons == []
    # Not left out unsaid: the tags with too few nights and their counts so far.
    [few] = summarise(nights(3, 2), start, NIGHT).too_few
    assert too_few_to_compare([few]) == (
        "A comparison needs 3 nights with a tag and 3 without. So far: Caffeine: 3 with, 2 without."
    )
    assert summarise(nights(3, 3), start, NIGHT).too_few == []
    [c] = summarise(nights(3, 3), start, NIGHT).comparisons
    assert (c.tagged_nights, c.untagged_nights) == (3, 3)
    # Total sleep is unknown on every night (no minutes to fall asleep): not compared.
    assert comparison_line(c) == "**Caffeine** (3 vs 3 nights): RLS severity 5.0 vs 2.0"
    # With a value missing on some nights, n says how many each side has.
    four = [*nights(3, 3), _night(6, severity=None, tags={"caffeine"})]
    [c] = summarise(four, start, NIGHT).comparisons
    assert comparison_line(c) == (
        "**Caffeine** (4 vs 3 nights): RLS severity 5.0 vs 2.0 (n = 3 vs 3)"
    )


def test_tag_typos_get_a_suggestion_and_custom_tags_come_last() -> None:
    with pytest.raises(UserError, match=r"did you mean Caffeine\?"):
        parse_tags(set(), "caffiene")
    with pytest.raises(UserError, match=r"did you mean Late meal\?"):
        parse_tags(set(), "late meals")
    with pytest.raises(UserError, match=r"did you mean Massage\?"):
        parse_tags(set(), "masage")
    # Real custom tags that merely look alike stay.
    assert parse_tags(set(), "no caffeine, magnesium, hot bath") == {
        "no caffeine",
        "magnesium",
        "hot bath",
    }
    assert ordered_tags({"hot bath", "stretched", "caffeine", "alcohol"}) == [
        "caffeine",
        "alcohol",
        "stretched",
        "hot bath",
    ]
    line = entry_line(build(tags={"stretched", "caffeine"}, tag_text="apple, zinc"))
    assert line.endswith("Caffeine, Stretched, apple, zinc")


ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]


@given(
    zone=st.sampled_from(ZONES),
    night=st.dates(date(2026, 1, 1), date(2026, 12, 31)),
    bed=st.times(),
    wake=st.times(),
)
def test_any_bed_and_wake_time_is_a_night_or_a_clear_refusal(
    zone: str, night: date, bed: time, wake: time
) -> None:
    """Whatever two clock times a person types, in any zone and on any date (DST nights
    included): the night is into bed at most a day before the final wake, never after it, and
    the only question asked is the one for 16 hours or more, or none."""
    now = datetime.combine(night + timedelta(days=2), time(12), tzinfo=UTC)
    entry = build_entry(
        NightForm(into_bed=f"{bed:%H:%M}", final_wake=f"{wake:%H:%M}"),
        user_id=1,
        night=night,
        zone_name=zone,
        now=now,
    )
    span = entry.final_wake - entry.into_bed
    # 24 h, plus the hour a DST change can add to a wall-clock day.
    assert timedelta(0) <= span <= timedelta(hours=25)
    assert local_date_of(entry.final_wake, zone) == night
    question = implausible(entry)
    assert (question is not None) == (span == timedelta(0) or span >= timedelta(hours=16))
    assert total_sleep(entry) is None and efficiency(entry) is None  # nothing else answered


def test_unanswered_measures_keep_their_acronyms() -> None:
    # Seen in the console: "…, sleep quality, rls severity." An acronym stays upper case mid-line.
    s = summarise([_night(1)], NIGHT - timedelta(days=6), NIGHT)
    line = next(x for x in summary_text(s, 7) if x.startswith("Not answered"))
    assert "RLS severity" in line
    assert "rls severity" not in line


def test_a_day_in_bed_on_the_night_the_clocks_go_back_is_not_refused() -> None:
    # Found by the property above: 07:00 to 06:01 is 23h 01m on the wall clock but 24h 01m
    # elapsed when New York's clocks go back; it is asked about (16 h or more), not refused.
    entry = build_entry(
        NightForm(into_bed="07:00", final_wake="06:01"),
        user_id=1,
        night=date(2026, 11, 1),
        zone_name="America/New_York",
        now=datetime(2026, 11, 3, 12, tzinfo=UTC),
    )
    assert entry.final_wake - entry.into_bed == timedelta(hours=24, minutes=1)
    assert implausible(entry) is not None
