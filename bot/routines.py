"""Five-minute stretch routines for the daily late-afternoon reminder: load, rotate, render.

Plain Python, no Discord. Content problems in ``data/routines.toml`` raise :class:`RoutineError`
naming the file, the routine and the field, in the same style as the tip catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator

from bot.i18n.speech import ENGLISH_SPEAKER, Speaker
from bot.tips import (
    DATA_DIR,
    ContentError,
    ContentModel,
    Slug,
    display_path,
    parse_entries,
    read_toml,
)

DEFAULT_ROUTINES_PATH = DATA_DIR / "routines.toml"

# "About five minutes": long enough to help, short enough to do every day.
# The stretch reminder's schedule kind on the reminder engine: owned by the stretch feature, read by
# others (the sleep diary's "stretched" column, the stretch cooldown) through this name only.
STRETCH_KIND = "stretch"
MIN_TOTAL_SECONDS = 240
MAX_TOTAL_SECONDS = 360
# Discord embed fields hold at most 1024 characters; a rendered routine must fit in one.
MAX_RENDERED = 1024

# Shown under every routine. The clot cue matters because a stretch or a rub is the last thing a
# calf with a clot needs, and people with RLS rub and stretch their legs by habit.
SAFETY_LINE = (
    "Go gently: stretch to mild tension, never pain, skip any step that doesn't suit you, and stop "
    "if you feel dizzy. Never rub or stretch a calf that is newly swollen, red, warm or painful: it "
    "could be a blood clot, so get medical advice today."
)


class RoutineError(ContentError):
    """``routines.toml`` is not usable."""


# A step's name and its limits, the same for the English step and its translations.
StepName = Annotated[str, Field(min_length=1, max_length=60)]


class Step(ContentModel):
    name: StepName
    how: str = Field(min_length=1, max_length=200)
    seconds: int = Field(ge=10, le=180)


class RoutineWords(ContentModel):
    """What a routine says before its steps, with the same limits in English and translated."""

    id: Slug
    title: str = Field(min_length=1, max_length=80)
    intro: str = Field(min_length=1, max_length=150, pattern=r"^[^\n]*$")


class Routine(RoutineWords):
    steps: tuple[Step, ...] = Field(min_length=4, max_length=7)

    @property
    def total_seconds(self) -> int:
        return _total(self.steps)

    # A field validator (not a model one) so errors are reported against "steps", the thing to edit.
    @field_validator("steps")
    @classmethod
    def _fits(cls, steps: tuple[Step, ...]) -> tuple[Step, ...]:
        total = _total(steps)
        if not MIN_TOTAL_SECONDS <= total <= MAX_TOTAL_SECONDS:
            raise ValueError(
                f"durations add up to {total} s; keep the total between "
                f"{MIN_TOTAL_SECONDS} and {MAX_TOTAL_SECONDS} s"
            )
        rendered = len(_render(steps))
        if rendered > MAX_RENDERED:
            raise ValueError(f"render to {rendered} characters (> {MAX_RENDERED}); shorten them")
        return steps


def _total(steps: Sequence[Step]) -> int:
    return sum(step.seconds for step in steps)


def load_routines(path: Path | None = None) -> list[Routine]:
    """Read and check the routines (default ``data/routines.toml``); RoutineError lists every fault."""
    path = path if path is not None else DEFAULT_ROUTINES_PATH
    label = display_path(path)
    raw = read_toml(path, RoutineError)
    problems: list[str] = []
    raw_routines: Any = raw.pop("routines", None)
    problems.extend(f"{key}: unknown top-level key (misspelt?)" for key in raw)
    if not isinstance(raw_routines, list) or not raw_routines:
        problems.append("routines: missing; add [[routines]] entries")
        raw_routines = []
    routines = parse_entries(Routine, raw_routines, "routine", problems)
    seen: dict[str, int] = {}
    for index, routine in enumerate(routines, start=1):
        if routine.id in seen:
            problems.append(
                f"routine #{index} ({routine.id!r}): id: duplicate of routine #{seen[routine.id]}"
            )
        seen.setdefault(routine.id, index)
    if problems:
        raise RoutineError(label, problems)
    return routines


def day_number(day: date) -> int:
    """A number that goes up by one each calendar day; pass the user's local date."""
    return day.toordinal()


def routine_for(day_index: int, routines: Sequence[Routine]) -> Routine:
    """The routine for a day. Cycling in file order means consecutive days always differ (given two
    or more routines) and every routine comes round equally often."""
    if not routines:
        raise ValueError("no routines to choose from")
    return routines[day_index % len(routines)]


def format_duration(seconds: int) -> str:
    """'45 s', '5 min', '4 min 30 s': for totals; steps stay in seconds to match the "30 s" cues."""
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min" + (f" {rest} s" if rest else "")


def render_steps(routine: Routine, tr: Speaker = ENGLISH_SPEAKER) -> str:
    """Numbered Markdown steps with durations, sized for one embed field (at most 1024 chars)."""
    return _render(routine.steps, tr)


def _render(steps: Sequence[Step], tr: Speaker = ENGLISH_SPEAKER) -> str:
    lines = [
        f"**{number}. {step.name}** ({step.seconds} s)\n{step.how}"
        for number, step in enumerate(steps, start=1)
    ]
    lines.append(tr("*Total: {duration}*", duration=format_duration(_total(steps))))
    return "\n".join(lines)


def render_routine(routine: Routine) -> str:
    """The whole routine as plain text (title, intro, steps, safety line) for a message body."""
    return f"**{routine.title}**\n{routine.intro}\n\n{render_steps(routine)}\n\n{SAFETY_LINE}"
