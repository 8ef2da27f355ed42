"""Stretch routines: real content limits, daily rotation, rendering, and loader error messages."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.routines import (
    MAX_RENDERED,
    MAX_TOTAL_SECONDS,
    MIN_TOTAL_SECONDS,
    SAFETY_LINE,
    Routine,
    RoutineError,
    day_number,
    format_duration,
    load_routines,
    render_routine,
    render_steps,
    routine_for,
)

FIXTURES = Path(__file__).parent / "fixtures"
ROUTINES = load_routines()


def test_real_routines_load_with_enough_variety() -> None:
    assert len(ROUTINES) >= 6
    assert len({routine.id for routine in ROUTINES}) == len(ROUTINES)


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda routine: routine.id)
def test_each_routine_is_about_five_minutes_and_fits_an_embed(routine: Routine) -> None:
    assert MIN_TOTAL_SECONDS <= routine.total_seconds <= MAX_TOTAL_SECONDS
    assert 4 <= len(routine.steps) <= 7
    assert len(routine.title) <= 80
    steps = render_steps(routine)
    assert len(steps) <= MAX_RENDERED
    assert len(render_routine(routine)) <= 1500
    for number, step in enumerate(routine.steps, start=1):
        assert f"**{number}. {step.name}** ({step.seconds} s)" in steps
        assert len(step.name) <= 60
        assert len(step.how) <= 200


# --- Safety cues (issue 17) --------------------------------------------------------------------------


def test_every_routine_ends_with_the_dizziness_and_clot_cues() -> None:
    line = SAFETY_LINE.casefold()
    for cue in (
        "never pain",
        "stop if you feel dizzy",
        "never rub or stretch a calf",
        "blood clot",
    ):
        assert cue in line, cue
    for sign in ("swollen", "red", "warm", "painful"):
        assert sign in line, sign
    for routine in ROUTINES:
        assert render_routine(routine).endswith(SAFETY_LINE)


def lies_on_the_back(routine: Routine) -> bool:
    return any(
        "on your back" in step.how or "lie back" in step.how or step.name.startswith("Reclined")
        for step in routine.steps
    )


def test_routines_on_the_back_say_what_to_do_when_pregnant() -> None:
    floor = [routine for routine in ROUTINES if lies_on_the_back(routine)]
    assert {routine.id for routine in floor} >= {"floor-yoga", "mat-wind-down"}
    for routine in floor:
        assert "Pregnant? Do these on your side, or use the chair routine." in routine.intro
    assert any(routine.id == "chair-only" for routine in ROUTINES)  # the routine the cue names


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda routine: routine.id)
def test_step_cues_for_new_joints_balance_and_slow_circles(routine: Routine) -> None:
    for step in routine.steps:
        name = step.name.casefold()
        if any(move in name for move in ("figure-four", "knee hug", "child's pose")):
            assert "New hip or knee?" in step.how and "physio" in step.how, step.name
        if name.startswith("standing") and "hamstring" in name:
            assert "chair" in step.how.casefold(), step.name
        if "ankle circles" in name:
            # Five slow circles each way on each foot: 20 circles, 3 s each, so "slow" is possible.
            assert "five" in step.how and step.seconds >= 60, step.name


@given(st.integers(min_value=-(10**6), max_value=10**6))
def test_consecutive_days_get_different_routines(day: int) -> None:
    assert routine_for(day, ROUTINES) != routine_for(day + 1, ROUTINES)


def test_a_week_of_dates_uses_distinct_routines_deterministically() -> None:
    start = date(2026, 3, 1)
    week = [routine_for(day_number(start + timedelta(days=n)), ROUTINES) for n in range(7)]
    assert len({routine.id for routine in week}) == min(7, len(ROUTINES))
    assert week[0] == routine_for(day_number(date(2026, 3, 1)), ROUTINES)


def test_routine_for_needs_routines() -> None:
    with pytest.raises(ValueError, match="no routines"):
        routine_for(0, [])


@pytest.mark.parametrize(
    ("seconds", "text"), [(45, "45 s"), (60, "1 min"), (270, "4 min 30 s"), (300, "5 min")]
)
def test_format_duration(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text


def test_broken_fixture_names_file_routine_and_field() -> None:
    with pytest.raises(RoutineError) as caught:
        load_routines(FIXTURES / "broken_routines.toml")
    label = "tests/fixtures/broken_routines.toml"
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert lines[0] == (
        f"{label}: routine #2 ('too-long'): steps: durations add up to 400 s; "
        "keep the total between 240 and 360 s"
    )
    assert lines[1].startswith(f"{label}: routine #3 ('wordy'): steps[3].how: too long (")
    assert lines[1].endswith(" > 200)")


def routine_toml(routine_id: str, seconds: int = 60, steps: int = 4) -> str:
    step = f'{{ name = "Calf stretch", how = "Hold gently.", seconds = {seconds} }}'
    return f"""
[[routines]]
id = "{routine_id}"
title = "Title"
intro = "Intro."
steps = [{", ".join([step] * steps)}]
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (routine_toml("a") + routine_toml("a"), "routine #2 ('a'): id: duplicate of routine #1"),
        (
            routine_toml("a", steps=3, seconds=90),
            "routine #1 ('a'): steps: needs at least 4 items, has 3",
        ),
        (routine_toml("a", seconds=5), "routine #1 ('a'): steps[1].seconds: "),
        (routine_toml("a", seconds=50), "routine #1 ('a'): steps: durations add up to 200 s"),
        ("[extra]\n" + routine_toml("a"), "extra: unknown top-level key"),
        ("", "routines: missing"),
    ],
    ids=["duplicate", "too-few-steps", "short-step", "too-short", "unknown-key", "empty"],
)
def test_single_problem_is_named(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "routines.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RoutineError) as caught:
        load_routines(path)
    assert f"{path}: {expected}" in str(caught.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RoutineError, match=r"absent\.toml: file not found"):
        load_routines(tmp_path / "absent.toml")
