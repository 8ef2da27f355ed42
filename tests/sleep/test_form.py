"""Turning typed answers into an entry: the resolution rule and every friendly refusal."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.errors import UserError
from bot.i18n import speaker
from bot.sleep.entry import SleepEntry
from bot.sleep.form import MAX_NOTE, NightForm, build_entry, parse_night, parse_tags
from tests.sleep.forms import berlin_entry

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # Tue 10:00 in Berlin
NIGHT = date(2026, 3, 3)


def build(**fields: object) -> SleepEntry:
    return berlin_entry(NIGHT, NOW, **{"into_bed": "23:15", "final_wake": "7am", **fields})


def test_fast_path_defaults() -> None:
    e = build()
    assert e.into_bed == datetime(2026, 3, 2, 22, 15, tzinfo=UTC)
    assert e.tried_sleep == e.into_bed
    assert e.final_wake == datetime(2026, 3, 3, 6, 0, tzinfo=UTC)
    # Unanswered is unknown, never 0 (nor "up at the wake time").
    assert e.out_of_bed is None
    assert (e.sleep_latency_min, e.awake_min, e.awakenings, e.rls_out_of_bed) == (None,) * 4
    assert (e.naps, e.nap_min) == (None, None)
    assert e.quality is None and e.severity is None and e.note is None
    assert e.timezone == "Europe/Berlin"


def test_everything_given() -> None:
    e = build(
        tried_sleep="23:40",
        sleep_latency_min=25,
        awakenings=3,
        awake_min=40,
        out_of_bed="7:20",
        quality=2,
        severity=7,
        rls_onset="8 pm",
        rls_out_of_bed=2,
        tags={"stretched", "caffeine"},
        note="  legs bad after 2am  ",
    )
    assert e.rls_onset == datetime(2026, 3, 2, 19, 0, tzinfo=UTC)
    assert e.tags == frozenset({"stretched", "caffeine"})
    assert e.note == "legs bad after 2am"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"into_bed": "25:99"}, "Into bed: "),
        ({"final_wake": "soon"}, "Final wake: I couldn't read"),
        ({"tried_sleep": "22:00"}, "before getting into bed"),
        ({"out_of_bed": "6:30"}, "before your final wake"),
        ({"sleep_latency_min": 300, "awake_min": 300}, "longer than the night itself"),
        ({"severity": 11}, "RLS severity goes from 0 to 10; 11 is off the scale"),
        ({"quality": 0}, "Sleep quality goes from 1 to 5"),
        ({"awakenings": -1}, "Awakenings should be between 0 and 50"),
        ({"note": "x" * (MAX_NOTE + 1)}, f"keep it to {MAX_NOTE}"),
        ({"final_wake": "11:30"}, "still in the future"),
        ({"into_bed": "9:00", "final_wake": "8:00", "out_of_bed": "9:30"}, "more than a day"),
        ({"naps": 2, "nap_min": 0}, "2 naps of 0 minutes?"),
        ({"naps": 0, "nap_min": 20}, "No naps, but 20 minutes"),
        ({"naps": 11}, "Naps should be between 0 and 10"),
        ({"into_bed": None}, "at least when you got into bed"),
    ],
)
def test_bad_input_gets_a_specific_message(fields: dict[str, object], message: str) -> None:
    with pytest.raises(UserError) as caught:
        build(**fields)
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("locale", "hint"),
    [
        ("en-US", "for the night that ended yesterday morning, add `night:yesterday`."),
        ("de", "für die Nacht bis gestern früh gib `nacht:gestern` an."),
    ],
)
def test_a_wake_still_ahead_at_night_points_to_last_night(locale: str, hint: str) -> None:
    # Awake with RLS at 02:00, logging the night that ended yesterday morning: "log the night
    # once you're up" alone read as "not now", and the night went unlogged.
    at_two = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)
    with pytest.raises(UserError) as caught:
        berlin_entry(NIGHT, at_two, into_bed="23:00", final_wake="7:00")
    assert hint in speaker(locale)(caught.value.text, **caught.value.params)


def test_future_night_is_refused() -> None:
    with pytest.raises(UserError, match="hasn't happened yet"):
        build_entry(
            NightForm("23:00", final_wake="7:00"),
            user_id=1,
            night=date(2026, 3, 4),
            zone_name="Europe/Berlin",
            now=NOW,
        )


def test_night_parsing() -> None:
    assert parse_night(None, NIGHT) == NIGHT
    assert parse_night("yesterday", NIGHT) == date(2026, 3, 2)
    assert parse_night("2026-02-28", NIGHT) == date(2026, 2, 28)
    with pytest.raises(UserError, match="couldn't read"):
        parse_night("last tuesday", NIGHT)


def test_usual_tags_joined_by_and_are_each_counted() -> None:
    # "caffeine and alcohol" became one own tag, so neither night count saw it.
    assert parse_tags(set(), "caffeine and alcohol") == {"caffeine", "alcohol"}
    assert parse_tags(set(), "Koffein und Alkohol, hot bath") == {"caffeine", "alcohol", "hot bath"}
    assert parse_tags(set(), "coffee & late meal") == {"caffeine", "late_meal"}
    # An own tag with "and" in it stays as typed.
    assert parse_tags(set(), "salt and vinegar") == {"salt and vinegar"}
    assert parse_tags(set(), "caffeine and cake") == {"caffeine and cake"}


@pytest.mark.parametrize(
    "typed",
    ["Tue 03 Mar", "Tue 03 Mar 2026", "03 Mar", "3 march", "Mar 3", "March 3, 2026",
     "Tuesday, 3 March 2026", "tue 3 mar"],
)  # fmt: skip
def test_a_night_typed_as_the_replies_show_it(typed: str) -> None:
    # The replies say "Tue 03 Mar": typed back into night:, it was refused.
    assert parse_night(typed, NIGHT) == date(2026, 3, 3)


def test_a_day_and_month_without_a_year_is_the_last_one_so_far() -> None:
    assert parse_night("31 Dec", date(2026, 1, 2)) == date(2025, 12, 31)
    assert parse_night("31.12.", date(2026, 1, 2)) == date(2025, 12, 31)
    with pytest.raises(UserError, match="couldn't read"):
        parse_night("Wed 03 Mar", NIGHT)  # 3 March 2026 is a Tuesday: which one is meant?


def test_custom_tags() -> None:
    assert parse_tags({"iron"}, "Magnesium, hot bath") == {"iron", "magnesium", "hot bath"}
    assert parse_tags(set(), "late meal, Coffee, Stressful day") == {
        "late_meal",
        "caffeine",
        "stress",
    }
    with pytest.raises(UserError, match="Up to 3"):
        parse_tags(set(), "a,b,c,d")
    with pytest.raises(UserError, match="can't be a tag"):
        parse_tags(set(), "<@123>")
