"""Iron labs: every friendly refusal, the units, the guideline's context with dates and how long
ago, and the retest date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.clinical.labs import (
    GUIDELINE_LINE,
    LabResult,
    ago,
    build_lab,
    context_lines,
    lab_line,
    labs_text,
    parse_fasting,
    parse_ferritin,
    parse_lab_date,
    parse_lab_note,
    parse_retest_weeks,
    parse_tsat,
    retest_date,
    retest_due,
    retest_line,
)
from bot.errors import UserError
from tests.friendly import parsed_or_refused

TODAY = date(2026, 12, 4)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("45", 45.0),
        (" 45 ng/mL ", 45.0),
        ("45µg/L", 45.0),  # micro sign
        ("45 μg/l", 45.0),  # Greek mu
        ("45 ug/l", 45.0),
        ("45,5", 45.5),
        ("1", 1.0),
        ("3000", 3000.0),
        (120, 120.0),
        (75.25, 75.2),
    ],
)
def test_ferritin_accepted(text: str | float, value: float) -> None:
    assert parse_ferritin(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "I couldn't read “abc” as ferritin. Type the number from your lab report, e.g. 45"),
        ("0", "Ferritin 0 is outside 1–3000 ng/mL. Check the number on your lab report "),
        ("99999", "Ferritin 99999 is outside 1–3000 ng/mL"),
        (0, "Ferritin 0 is outside"),
        ("45 pmol/L", "Please give ferritin in ng/mL or µg/L"),
        ("-5", "I couldn't read “-5” as ferritin"),
        ("  ", "Please give ferritin from your lab report, e.g. 45."),
        (float("nan"), "Please give ferritin as a number"),
    ],
)
def test_ferritin_refused(text: str | float, message: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_ferritin(text)
    assert caught.value.message.startswith(message)


def test_ferritin_errors_say_the_two_units_are_the_same_number() -> None:
    with pytest.raises(UserError, match="ng/mL and µg/L are the same number"):
        parse_ferritin("0")


@pytest.mark.parametrize(
    ("text", "value"),
    [("18", 18.0), ("18 %", 18.0), ("18%", 18.0), ("100", 100.0), (None, None), ("", None)],
)
def test_tsat_accepted(text: str | None, value: float | None) -> None:
    assert parse_tsat(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("150", "Transferrin saturation is a percentage from 1 to 100; 150 is outside that."),
        ("0", "Transferrin saturation is a percentage from 1 to 100; 0 is outside that."),
        (
            "0.18",
            "Transferrin saturation is a percentage from 1 to 100; 0.18 is outside that. If your "
            "report shows 0.18, that is 18 %.",
        ),
        ("18 mmol", "Please give transferrin saturation as a percentage"),
        ("lots", "I couldn't read “lots” as transferrin saturation"),
    ],
)
def test_tsat_refused(text: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_tsat(text)
    assert caught.value.message == message or caught.value.message.startswith(message)


def test_dates() -> None:
    assert parse_lab_date(None, TODAY) == TODAY
    assert parse_lab_date("Today", TODAY) == TODAY
    assert parse_lab_date("yesterday", TODAY) == date(2026, 12, 3)
    assert parse_lab_date("2026-11-13", TODAY) == date(2026, 11, 13)
    assert parse_lab_date("1990-01-01", TODAY) == date(1990, 1, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-12-05", "05 Dec 2026 is in the future: give the day the blood was taken."),
        ("1989-12-31", "31 Dec 1989 is before 1990; I keep lab values from 1990 on."),
        (
            "13/11/2026",
            "I couldn't read “13/11/2026” as a date. Use today, yesterday or a date like",
        ),
        ("tomorrow", "I couldn't read “tomorrow” as a date."),
    ],
)
def test_bad_dates(text: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_lab_date(text, TODAY)
    assert caught.value.message.startswith(message)


def test_fasting_and_note() -> None:
    assert [parse_fasting(v) for v in ("yes", "No", " y ", True, None, "")] == [
        True,
        False,
        True,
        True,
        None,
        None,
    ]
    with pytest.raises(UserError, match="Fasting: please answer yes or no, not “maybe”"):
        parse_fasting("maybe")
    assert parse_lab_note("  Lab  Nord\n") == "Lab Nord"
    assert parse_lab_note("   ") is None
    with pytest.raises(UserError, match="201 characters; please keep it to 200"):
        parse_lab_note("x" * 201)


def test_build_lab_checks_every_field_before_anything() -> None:
    lab = build_lab(
        ferritin="45", tsat="18 %", taken_on="2026-11-13", fasting="yes", note=" Lab ", today=TODAY
    )
    assert lab == LabResult(date(2026, 11, 13), 45.0, 18.0, True, "Lab")
    with pytest.raises(UserError, match="saturation"):
        build_lab(ferritin="45", tsat="150", today=TODAY)


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (0, "today"),
        (1, "yesterday"),
        (5, "5 days ago"),
        (13, "13 days ago"),
        (14, "2 weeks ago"),
        (21, "3 weeks ago"),
        (62, "8 weeks ago"),
        (63, "2 months ago"),
        (200, "7 months ago"),
        (729, "24 months ago"),
        (730, "2 years ago"),
        (365 * 11, "11 years ago"),
    ],
)
def test_ago(days: int, text: str) -> None:
    assert ago(TODAY - timedelta(days=days), TODAY) == text


def test_the_guideline_line_in_plain_words() -> None:
    assert GUIDELINE_LINE == (
        "The 2024 AASM guideline suggests discussing iron treatment with your doctor when "
        "ferritin is 75 ng/mL or below or saturation below 20 % (doi 10.5664/jcsm.11390)."
    )


def test_a_value_line_has_its_date_and_how_long_ago() -> None:
    lab = LabResult(date(2026, 11, 13), 45.0, 18.5, True, "Lab Nord")
    assert lab_line(lab, TODAY) == (
        "Ferritin **45 ng/mL**, saturation **18.5 %** · 13 Nov 2026 (3 weeks ago) · fasting · "
        "Lab Nord"
    )
    assert (
        lab_line(LabResult(TODAY, 120.0), TODAY) == "Ferritin **120 ng/mL** · 04 Dec 2026 (today)"
    )


@pytest.mark.parametrize(
    ("ferritin", "tsat", "in_range"),
    [
        (75.0, None, True),
        (75.1, None, False),
        (120.0, 19.9, True),
        (120.0, 20.0, False),
        (30.0, 35.0, True),
    ],
)
def test_context_of_the_latest_values(ferritin: float, tsat: float | None, in_range: bool) -> None:
    old = LabResult(date(2024, 1, 5), 20.0, 10.0)
    latest = LabResult(date(2026, 11, 13), ferritin, tsat)
    lines = context_lines([old, latest], TODAY)
    assert lines[0] == GUIDELINE_LINE
    assert lines[1].startswith(f"Your latest values (ferritin {ferritin:g} ng/mL")
    assert "13 Nov 2026, 3 weeks ago" in lines[1]
    assert ("in that range: worth raising with your doctor" in lines[1]) is in_range
    assert ("outside that range" in lines[1]) is not in_range


def test_an_old_latest_value_says_it_is_old() -> None:
    lines = context_lines([LabResult(date(2025, 6, 1), 50.0)], TODAY)
    assert lines[-1] == "That test is over a year old; a newer one may read differently."


def test_the_list_newest_first_then_context() -> None:
    labs = [LabResult(date(2026, 3, 1), 30.0), LabResult(date(2026, 11, 13), 90.0, 25.0)]
    text = labs_text(labs, TODAY)
    assert text[0].startswith("• Ferritin **90 ng/mL**") and text[1].startswith("• Ferritin **30")
    assert text[2] == GUIDELINE_LINE
    assert text[-1] == "-# ng/mL and µg/L are the same number. Not medical advice."


def test_retest() -> None:
    assert retest_date(TODAY, 12) == date(2027, 2, 26)
    assert retest_line(date(2027, 2, 26), TODAY) == (
        "I'll remind you about a retest on Friday, 26 February 2027 (in 12 weeks), around 09:00."
    )
    assert retest_due(date(2027, 2, 26), "Europe/Berlin") == datetime(2027, 2, 26, 8, 0, tzinfo=UTC)
    # Summer time: 09:00 CEST.
    assert retest_due(date(2027, 6, 4), "Europe/Berlin") == datetime(2027, 6, 4, 7, 0, tzinfo=UTC)
    for bad in (0, 53, True):
        with pytest.raises(UserError, match="1 to 52 weeks"):
            parse_retest_weeks(bad)


@given(st.floats(min_value=1, max_value=3000), st.sampled_from(["", " ng/mL", "µg/L", " ug/l"]))
def test_any_ferritin_in_bounds_is_read_back(value: float, unit: str) -> None:
    text = f"{value:.1f}{unit}"
    assert parse_ferritin(text) == pytest.approx(round(float(f"{value:.1f}"), 1))


@given(st.text(max_size=40))
def test_any_text_is_a_value_in_bounds_or_a_friendly_error(text: str) -> None:
    for parse, low, high in ((parse_ferritin, 1, 3000), (parse_tsat, 1, 100)):
        value = parsed_or_refused(parse, text)
        assert value is None or low <= value <= high


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)))
def test_any_date_is_kept_only_between_1990_and_today(day: date) -> None:
    try:
        kept = parse_lab_date(day.isoformat(), TODAY)
    except UserError:
        assert not date(1990, 1, 1) <= day <= TODAY
        return
    assert kept == day and date(1990, 1, 1) <= day <= TODAY
