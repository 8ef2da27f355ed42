"""What the augmentation watch and onset-timed stretches read from a night of the diary.

A night is the diary's :class:`~bot.sleep.entry.SleepEntry` plus two answers the diary gains with
issue 20: where symptoms were felt (body regions) and how many minutes at rest passed before they
started. Both follow the diary's rule that unanswered is unknown (None), never 0 or "legs".

Onset is read on the *evening scale*: wall-clock minutes since midnight at the start of the day
before the night's date. 21:30 on the evening is 1290 and 00:30 after midnight is 1470, so a
median over a run of late onsets never breaks at midnight (where plain clock minutes would jump
from 1439 to 0). It is wall-clock time, not elapsed time, so a night with a DST change reads the
same as any other: 22:00 is 22:00 whether the clocks went back at 03:00 or not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol

from bot.errors import UserError
from bot.i18n.speech import N_
from bot.scheduling.recurrence import load_zone
from bot.sleep.entry import SleepEntry

# Stored values, in the order shown; labels for replies.
REGIONS: dict[str, str] = {
    "legs": N_("legs"),
    "arms": N_("arms"),
    "trunk": N_("trunk"),
    "other": N_("other"),
}
# Arms and trunk are the spread the RLS Foundation names as a warning sign.
SPREAD_REGIONS = ("arms", "trunk")
MAX_REST_MIN = 24 * 60
_REGION_WORDS = {
    "leg": "legs",
    "legs": "legs",
    "feet": "legs",
    "foot": "legs",
    "arm": "arms",
    "arms": "arms",
    "hands": "arms",
    "hand": "arms",
    "trunk": "trunk",
    "torso": "trunk",
    "body": "trunk",
    "chest": "trunk",
    "back": "trunk",
    "belly": "trunk",
    "other": "other",
    "somewhere else": "other",
    # German, as a person types them.
    "bein": "legs",
    "beine": "legs",
    "füße": "legs",
    "fuesse": "legs",
    "arme": "arms",
    "hände": "arms",
    "rumpf": "trunk",
    "rücken": "trunk",
    "bauch": "trunk",
    "brust": "trunk",
    "körper": "trunk",
    "anderswo": "other",
    "andere": "other",
    "sonstige": "other",
}
_REGION_SEPARATORS = re.compile(r"[,;&]|\b(?:and|und)\b", re.IGNORECASE)
MINUTES_PER_DAY = 24 * 60
# Typed for "no symptoms anywhere" (stored as an empty set, which is not "not answered").
NO_REGION_WORDS = frozenset(
    {"none", "no", "nowhere", "no symptoms", "keine", "nirgends", "keine beschwerden"}
)


class SymptomNightLike(Protocol):
    """What the watch reads from a night. A :class:`SymptomNight` is one; a SleepEntry that gains
    `body_regions` and `rest_min` fields will be one too, and can then be passed directly."""

    @property
    def night(self) -> date: ...
    @property
    def timezone(self) -> str: ...
    @property
    def rls_onset(self) -> datetime | None: ...
    @property
    def severity(self) -> int | None: ...
    @property
    def body_regions(self) -> frozenset[str] | None: ...
    @property
    def rest_min(self) -> int | None: ...


@dataclass(frozen=True)
class SymptomNight:
    night: date  # the morning the night ends, as in the diary
    timezone: str
    rls_onset: datetime | None = None  # UTC instant, as the diary stores it
    severity: int | None = None  # 0..10
    body_regions: frozenset[str] | None = None  # None: not answered; empty: no symptoms
    rest_min: int | None = None  # minutes at rest before symptoms started

    @classmethod
    def from_entry(
        cls,
        entry: SleepEntry,
        *,
        body_regions: frozenset[str] | None = None,
        rest_min: int | None = None,
    ) -> SymptomNight:
        return cls(
            entry.night, entry.timezone, entry.rls_onset, entry.severity, body_regions, rest_min
        )


def evening_minutes(night: date, instant: datetime, zone_name: str) -> int:
    """Wall-clock minutes since midnight of the evening before `night` (see the module doc)."""
    local = instant.astimezone(load_zone(zone_name))
    days = (local.date() - (night - timedelta(days=1))).days
    return days * MINUTES_PER_DAY + local.hour * 60 + local.minute


def onset_minutes(night: SymptomNightLike) -> int | None:
    if night.rls_onset is None:
        return None
    return evening_minutes(night.night, night.rls_onset, night.timezone)


def clock_of(minutes: float) -> time:
    """A point on the evening scale (or any minutes count) as a clock time, rounded to the
    minute: 1470 -> 00:30."""
    whole = round(minutes) % MINUTES_PER_DAY
    return time(whole // 60, whole % 60)


def clock_text(minutes: float) -> str:
    return f"{clock_of(minutes):%H:%M}"


def parse_regions(chosen: set[str] | frozenset[str], typed: str | None = None) -> frozenset[str]:
    """Regions picked from a select (stored values) plus typed words ("arms, back"). Nothing
    picked and nothing typed is for the caller to store as None (not answered)."""
    regions = {r for r in chosen if r in REGIONS}
    unknown = set(chosen) - regions
    # "legs and arms" as a list too: the way a tired person types it.
    words = [w.strip().lower() for w in _REGION_SEPARATORS.split(typed or "") if w.strip()]
    for word in [*words, *sorted(unknown)]:
        region = _REGION_WORDS.get(word)
        if region is None:
            raise UserError(
                N_("“{word}” isn't one of the body regions: pick from legs, arms, trunk or other."),
                word=word[:24],
            )
        regions.add(region)
    return frozenset(regions)


def check_rest_minutes(value: int | None) -> int | None:
    """Minutes at rest before symptoms started; None stays unknown."""
    if value is None:
        return None
    if isinstance(value, bool) or not 0 <= value <= MAX_REST_MIN:
        raise UserError(
            N_("Minutes at rest before symptoms should be between 0 and {limit}, not {value}."),
            limit=MAX_REST_MIN,
            value=value,
        )
    return value


def region_label(region: str) -> str:
    return REGIONS.get(region, region)


NONE_WORD = N_("none")


def region_suggestions(
    current: str,
    limit: int = 25,
    words: tuple[str, ...] = tuple(REGIONS),
    none_word: str = "none",
) -> list[str]:
    """Autocomplete for a typed region list: what is typed before the last comma stays, the
    last word is completed with the regions not named yet ("legs, a" -> "legs, arms").
    `words` are the regions as the person's language writes them ("beine", "arme", ...), each
    one that parse_regions reads."""
    *done, last = current.split(",")
    named = [w.strip().lower() for w in done if w.strip()]
    prefix = ", ".join(named)
    fragment = last.strip().lower()
    found: list[str] = []
    if not named and none_word.startswith(fragment):
        found.append(none_word)
    for region in (w.lower() for w in words):
        if region not in named and region.startswith(fragment):
            found.append(f"{prefix}, {region}" if prefix else region)
    if not fragment and prefix and prefix not in found:
        found.insert(0, prefix)
    return found[:limit]
