"""Onset-timed stretches: `/stretch remind time:auto [before:<minutes>]`.

The daily time is `before` minutes (default 60) before the median symptom start of the person's
last 14 nights that have one, needing at least 5, kept within 12:00–22:00 and rounded to 5
minutes (a reminder at 19:35 reads better than 19:37). With too little data it is 17:00, the
project's usual stretch time, and says why.

The median is taken on the evening scale (:mod:`.nights`), and the bounds are applied there, so
symptoms starting at 00:30 give 22:00 (the latest), not 12:00 as clock minutes that wrapped past
midnight would.

This only *proposes* a time. Whether today's reminder may still move is the reminder engine's
rule (a change never gives a local date a second reminder, and a reminder already due today is
kept): the wiring passes the proposal to the engine as a change of time, like a time typed by the
person.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time

from bot.clinical.nights import SymptomNightLike, clock_text, onset_minutes
from bot.errors import UserError
from bot.i18n import N_, Speaker
from bot.i18n.speech import ENGLISH_SPEAKER

AUTO_NIGHTS = 14
AUTO_MIN_NIGHTS = 5
DEFAULT_BEFORE = 60
MAX_BEFORE = 240
EARLIEST = 12 * 60
LATEST = 22 * 60
FALLBACK = time(17, 0)
ROUND_TO = 5


@dataclass(frozen=True)
class AutoTime:
    local_time: time
    before: int
    nights: int  # nights the median is over (0..14)
    median_onset: float | None  # evening-scale minutes; None with too little data
    clamped: bool
    wanted: int | None = None  # evening-scale minutes before clamping; None with too little data

    @property
    def from_onset(self) -> bool:
        return self.median_onset is not None

    @property
    def explanation(self) -> str:
        """What was chosen and why, in English (:meth:`explained` says it in any language)."""
        return self.explained(ENGLISH_SPEAKER)

    def explained(self, tr: Speaker) -> str:
        chosen = f"{self.local_time:%H:%M}"
        if self.median_onset is None:
            if not self.nights:
                return tr(
                    "None of your nights has a time when symptoms started, and I need {need}, so "
                    "your stretch reminder is at {time} for now. Add the start time when you log "
                    "a night (`rls_start` in `/sleep log`, or **Add a note…** in "
                    "`/sleep check-in`) and it will follow your symptoms.",
                    need=AUTO_MIN_NIGHTS,
                    time=chosen,
                )
            return tr.plural(
                self.nights,
                "Only {count} of your nights has a time when symptoms started, and I need {need}, "
                "so your stretch reminder is at {time} for now. Add the start time when you log a "
                "night (`rls_start` in `/sleep log`, or **Add a note…** in `/sleep check-in`) and "
                "it will follow your symptoms.",
                "Only {count} of your nights have a time when symptoms started, and I need "
                "{need}, so your stretch reminder is at {time} for now. Add the start time when "
                "you log a night (`rls_start` in `/sleep log`, or **Add a note…** in "
                "`/sleep check-in`) and it will follow your symptoms.",
                need=AUTO_MIN_NIGHTS,
                time=chosen,
            )
        median = clock_text(self.median_onset)
        if self.clamped:
            assert self.wanted is not None
            return tr.plural(
                self.nights,
                "Your symptoms started at a median {median} over your last night with a start "
                "time; {before} minutes before would be {wanted}, and stretch reminders stay "
                "between {earliest} and {latest}, so it is at {time}.",
                "Your symptoms started at a median {median} over your last {count} nights with a "
                "start time; {before} minutes before would be {wanted}, and stretch reminders "
                "stay between {earliest} and {latest}, so it is at {time}.",
                median=median,
                before=self.before,
                wanted=clock_text(self.wanted),
                earliest=clock_text(EARLIEST),
                latest=clock_text(LATEST),
                time=chosen,
            )
        return tr.plural(
            self.nights,
            "Your symptoms started at a median {median} over your last night with a start time, "
            "so your stretch reminder is at {time}, {before} minutes before.",
            "Your symptoms started at a median {median} over your last {count} nights with a "
            "start time, so your stretch reminder is at {time}, {before} minutes before.",
            median=median,
            before=self.before,
            time=chosen,
        )


def is_auto(text: str | None) -> bool:
    """`time:auto` (any case, spaces around it) asks for an onset-timed reminder."""
    return text is not None and text.strip().lower() == "auto"


def parse_before(value: int | None) -> int:
    if value is None:
        return DEFAULT_BEFORE
    if isinstance(value, bool) or not 0 <= value <= MAX_BEFORE:
        raise UserError(
            N_(
                "`before` is how many minutes before your symptoms usually start: 0 to {most}, "
                "not {value}."
            ),
            most=MAX_BEFORE,
            value=value,
        )
    return value


def recent_onsets(nights: Iterable[SymptomNightLike], today: date) -> list[int]:
    """Evening-scale onsets of the last 14 nights up to `today` that have one, newest first."""
    dated = sorted(
        ((n.night, m) for n in nights if n.night <= today and (m := onset_minutes(n)) is not None),
        key=lambda pair: pair[0],
        reverse=True,
    )
    return [m for _, m in dated[:AUTO_NIGHTS]]


def auto_stretch_time(
    nights: Iterable[SymptomNightLike], today: date, before: int | None = None
) -> AutoTime:
    """The proposed daily stretch time and the words that explain it."""
    minutes_before = parse_before(before)
    onsets = recent_onsets(nights, today)
    if len(onsets) < AUTO_MIN_NIGHTS:
        return AutoTime(FALLBACK, minutes_before, len(onsets), None, False)
    median = statistics.median(onsets)
    wanted = ROUND_TO * round((median - minutes_before) / ROUND_TO)
    chosen = min(max(wanted, EARLIEST), LATEST)
    clamped = chosen != wanted
    return AutoTime(_time_of(chosen), minutes_before, len(onsets), median, clamped, wanted)


def _time_of(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)
