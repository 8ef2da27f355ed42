"""Averages, trends and tagged-vs-untagged comparisons over a window of nights.

Every average is the mean of nightly values, over the nights where that value is known (an
unanswered question is left out, never counted as 0), and says how many nights that was (n).

Trend = the later half of the window's logged nights against the earlier half: easy to explain
("your last 7 nights against the 7 before") and robust to a missing night here and there.

Tag comparisons need at least :data:`MIN_NIGHTS_TO_COMPARE` nights with the tag and as many
without: with one night on each side any difference is noise.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.i18n.speech import N_
from bot.scheduling.recurrence import local_date_of
from bot.sleep.entry import STRETCHED, SleepEntry, ordered_tags
from bot.sleep.metrics import awake_minutes, efficiency, optional_minutes, total_sleep

NOT_PROOF = N_(
    "These are your own nights side by side, not proof of cause and effect: many things change "
    "from night to night. Worth raising with your doctor if a pattern holds."
)
MIN_NIGHTS_TO_COMPARE = 3


@dataclass(frozen=True)
class Measure:
    name: str
    unit: str  # "min", "%", "/5", "/10"
    mean: float | None
    count: int  # nights with a known value (n)
    earlier: float | None  # mean of the earlier half of the logged nights
    later: float | None

    @property
    def change(self) -> float | None:
        if self.earlier is None or self.later is None:
            return None
        return self.later - self.earlier


@dataclass(frozen=True)
class TagComparison:
    tag: str
    tagged_nights: int
    untagged_nights: int
    severity_tagged: float | None
    severity_untagged: float | None
    sleep_tagged: float | None  # mean total sleep, minutes
    sleep_untagged: float | None
    # How many nights each mean is over: fewer than the nights when a value is unknown.
    severity_n: tuple[int, int] = (0, 0)
    sleep_n: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Summary:
    start: date
    end: date
    nights: int
    measures: list[Measure]
    comparisons: list[TagComparison]
    # Tags on these nights with too few nights to compare (with or without the tag): the reply
    # says how many each has, rather than leaving out the comparisons without a word.
    too_few: list[TagComparison] = field(default_factory=list)

    def measure(self, name: str) -> Measure:
        return next(m for m in self.measures if m.name == name)


MeasureFn = Callable[[SleepEntry], float | None]

MEASURES: list[tuple[str, str, MeasureFn]] = [
    (N_("Total sleep"), "min", lambda e: optional_minutes(total_sleep(e))),
    (N_("Sleep efficiency"), "%", efficiency),
    (N_("Time to fall asleep"), "min", lambda e: _float(e.sleep_latency_min)),
    (N_("Awake during the night"), "min", lambda e: _float(awake_minutes(e))),
    (N_("Awakenings"), "", lambda e: _float(e.awakenings)),
    (N_("Naps the day before"), "min", lambda e: _float(e.nap_min if e.naps != 0 else 0)),
    (N_("Sleep quality"), "/5", lambda e: _float(e.quality)),
    (N_("RLS severity"), "/10", lambda e: _float(e.severity)),
]


def _float(value: int | None) -> float | None:
    return None if value is None else float(value)


def window(days: int, today: date) -> tuple[date, date]:
    """The nights of the last `days` mornings, today's included."""
    return today - timedelta(days=days - 1), today


def add_stretched(
    entries: Iterable[SleepEntry], done_due_times: Iterable[datetime]
) -> list[SleepEntry]:
    """A stretch reminder marked Done on day D counts as "stretched" for the night ending D+1,
    in each entry's own zone."""
    done = list(done_due_times)
    evenings_by_zone: dict[str, set[date]] = {}
    result = []
    for entry in entries:
        evenings = evenings_by_zone.get(entry.timezone)
        if evenings is None:  # one conversion per Done time and zone, not per night
            evenings = {local_date_of(t, entry.timezone) for t in done}
            evenings_by_zone[entry.timezone] = evenings
        if entry.night - timedelta(days=1) in evenings:
            entry = entry.with_tags({STRETCHED})
        result.append(entry)
    return result


def _mean(values: Iterable[float | None]) -> tuple[float | None, int]:
    present = [v for v in values if v is not None]
    return (statistics.fmean(present) if present else None), len(present)


def _measure(name: str, unit: str, fn: MeasureFn, entries: Sequence[SleepEntry]) -> Measure:
    values = [fn(e) for e in entries]
    mean, count = _mean(values)
    half = len(values) // 2
    earlier = later = None
    if half >= 1:
        earlier, _ = _mean(values[:half])
        later, _ = _mean(values[len(values) - half :])
    return Measure(name, unit, mean, count, earlier, later)


def compare_tag(tag: str, entries: Sequence[SleepEntry]) -> TagComparison:
    tagged = [e for e in entries if tag in e.tags]
    untagged = [e for e in entries if tag not in e.tags]

    sev_t, sev_tn = _mean(_float(e.severity) for e in tagged)
    sev_u, sev_un = _mean(_float(e.severity) for e in untagged)
    tst_t, tst_tn = _mean(optional_minutes(total_sleep(e)) for e in tagged)
    tst_u, tst_un = _mean(optional_minutes(total_sleep(e)) for e in untagged)
    return TagComparison(
        tag,
        len(tagged),
        len(untagged),
        sev_t,
        sev_u,
        tst_t,
        tst_u,
        severity_n=(sev_tn, sev_un),
        sleep_n=(tst_tn, tst_un),
    )


def summarise(entries: Sequence[SleepEntry], start: date, end: date) -> Summary:
    nights = sorted((e for e in entries if start <= e.night <= end), key=lambda e: e.night)
    measures = [_measure(name, unit, fn, nights) for name, unit, fn in MEASURES]
    used = ordered_tags({t for e in nights for t in e.tags})
    compared = [compare_tag(tag, nights) for tag in used]
    comparisons = [c for c in compared if _enough(c)]
    too_few = [c for c in compared if not _enough(c)]
    return Summary(start, end, len(nights), measures, comparisons, too_few)


def _enough(c: TagComparison) -> bool:
    return c.tagged_nights >= MIN_NIGHTS_TO_COMPARE and c.untagged_nights >= MIN_NIGHTS_TO_COMPARE
