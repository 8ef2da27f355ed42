"""The augmentation watch: the last 28 days against the 28 before, sign by sign.

The RLS Foundation lists warning signs of augmentation (symptoms earlier in the day, sooner at
rest, stronger, spreading to the arms or trunk). A diary can show them before a person notices.
Each sign compares two 4-week windows of nights (dated by their morning, today included):

* onset: median symptom start ≥ 2 h earlier (on the evening scale of :mod:`.nights`, which
  does not break at midnight and reads DST nights by the wall clock);
* spread: arms or trunk reported in the later window and on none of the earlier nights;
* rest: median minutes at rest before symptoms down to half or less;
* severity: median severity ≥ 2 points higher (0–10);
* doses, per medicine: the day's first dose ≥ 1 h earlier (median), or ≥ 0.5 more doses on an
  average day with a dose. Dose days run 04:00 to 04:00 local, so a dose at 00:30 is the late
  end of the evening before, not the start of a day.

A sign is judged only when each window has at least 7 nights (or dose days) carrying its value;
otherwise the lines say how many are still needed. The words are calm and factual: the numbers,
n, that the RLS Foundation lists this as a warning sign, and that it is worth raising with a
doctor. Never a diagnosis, never a dose, never advice about a medicine: tests check the wording.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from bot.clinical.meds import DoseEvent, medicine_key
from bot.clinical.nights import (
    MINUTES_PER_DAY,
    REGIONS,
    SPREAD_REGIONS,
    SymptomNightLike,
    clock_text,
    onset_minutes,
)
from bot.i18n.locales import ENGLISH
from bot.i18n.speech import ENGLISH_SPEAKER, N_, Said, Speaker
from bot.scheduling.recurrence import load_zone
from bot.sleep.metrics import hours_minutes

WINDOW_DAYS = 28
MIN_NIGHTS = 7
ONSET_EARLIER_MIN = 120
REST_FRACTION = 0.5
SEVERITY_RISE = 2
DOSE_EARLIER_MIN = 60
DOSES_MORE_PER_DAY = 0.5
DOSE_DAY_STARTS_MIN = 4 * 60

SOURCE_NAME = "RLS Foundation: Augmentation and RLS"
SOURCE_URL = "https://rlsfoundation.blogspot.com/2018/02/augmentation-and-rls.html"
WARNING = N_(
    "The RLS Foundation lists this as a warning sign of augmentation: worth raising with your "
    "doctor."
)
# Doses moving is not itself on the Foundation's list; it tends to follow symptoms that start
# earlier, which is. Saying exactly that keeps the attribution true.
DOSE_WARNING = N_(
    "This can follow symptoms starting earlier, which the RLS Foundation lists as a warning sign "
    "of augmentation: worth raising with your doctor."
)
NOT_A_DIAGNOSIS = N_("These are patterns in what you logged, not a diagnosis.")

ONSET = "onset"
SPREAD = "spread"
REST = "rest"
SEVERITY = "severity"
DOSES = "doses"
# What each sign needs on a night, for "still needed" lines.
VALUE_NAMES = {
    ONSET: N_("a symptom start time"),
    SPREAD: N_("body regions"),
    REST: N_("minutes at rest before symptoms"),
    SEVERITY: N_("RLS severity"),
}


@dataclass(frozen=True)
class Windows:
    later: tuple[date, date]  # the last 28 days, today included
    earlier: tuple[date, date]  # the 28 before

    @classmethod
    def ending(cls, today: date, days: int = WINDOW_DAYS) -> Windows:
        later_start = today - timedelta(days=days - 1)
        earlier_end = later_start - timedelta(days=1)
        return cls((later_start, today), (earlier_end - timedelta(days=days - 1), earlier_end))

    def side(self, day: date) -> str | None:
        if self.later[0] <= day <= self.later[1]:
            return "later"
        if self.earlier[0] <= day <= self.earlier[1]:
            return "earlier"
        return None


@dataclass(frozen=True)
class SignCheck:
    """One sign: whether it holds (None: too little data), its numbers and n per window."""

    sign: str
    holds: bool | None
    earlier_n: int
    later_n: int
    earlier_value: float | None = None
    later_value: float | None = None
    medicine: str | None = None  # for dose signs: the person's own name
    detail: str = ""  # DOSES: "earlier" or "more often"; SPREAD: the new regions
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # SPREAD: region -> (e, l)

    @property
    def needed(self) -> int:
        """Nights (dose days) still needed, both windows together."""
        return max(0, MIN_NIGHTS - self.earlier_n) + max(0, MIN_NIGHTS - self.later_n)


@dataclass(frozen=True)
class WatchResult:
    windows: Windows
    checks: tuple[SignCheck, ...]

    @property
    def signs(self) -> list[SignCheck]:
        return [c for c in self.checks if c.holds]

    @property
    def lacking(self) -> list[SignCheck]:
        return [c for c in self.checks if c.holds is None]


def watch(
    nights: Iterable[SymptomNightLike],
    today: date,
    doses: Iterable[DoseEvent] = (),
) -> WatchResult:
    """Every sign for the 56 days up to `today` (the person's local date)."""
    windows = Windows.ending(today)
    sides: dict[str, list[SymptomNightLike]] = {"earlier": [], "later": []}
    for night in nights:
        side = windows.side(night.night)
        if side is not None:
            sides[side].append(night)
    earlier, later = sides["earlier"], sides["later"]
    checks = [
        _median_check(ONSET, earlier, later, onset_minutes, _onset_holds),
        _spread_check(earlier, later),
        _median_check(REST, earlier, later, lambda n: n.rest_min, _rest_holds),
        _median_check(SEVERITY, earlier, later, lambda n: n.severity, _severity_holds),
        *_dose_checks(doses, windows),
    ]
    return WatchResult(windows, tuple(checks))


def _onset_holds(earlier: float, later: float) -> bool:
    return earlier - later >= ONSET_EARLIER_MIN


def _rest_holds(earlier: float, later: float) -> bool:
    return earlier > 0 and later <= earlier * REST_FRACTION


def _severity_holds(earlier: float, later: float) -> bool:
    return later - earlier >= SEVERITY_RISE


def _median_check(
    sign: str,
    earlier: Sequence[SymptomNightLike],
    later: Sequence[SymptomNightLike],
    value: Callable[[SymptomNightLike], float | None],
    holds: Callable[[float, float], bool],
) -> SignCheck:
    before = [v for v in map(value, earlier) if v is not None]
    after = [v for v in map(value, later) if v is not None]
    if len(before) < MIN_NIGHTS or len(after) < MIN_NIGHTS:
        return SignCheck(sign, None, len(before), len(after))
    e, lt = statistics.median(before), statistics.median(after)
    return SignCheck(sign, holds(e, lt), len(before), len(after), e, lt)


def _spread_check(
    earlier: Sequence[SymptomNightLike], later: Sequence[SymptomNightLike]
) -> SignCheck:
    before = [n.body_regions for n in earlier if n.body_regions is not None]
    after = [n.body_regions for n in later if n.body_regions is not None]
    if len(before) < MIN_NIGHTS or len(after) < MIN_NIGHTS:
        return SignCheck(SPREAD, None, len(before), len(after))
    counts = {
        region: (sum(region in r for r in before), sum(region in r for r in after))
        for region in SPREAD_REGIONS
    }
    new = [region for region, (e, lt) in counts.items() if e == 0 and lt > 0]
    return SignCheck(
        SPREAD, bool(new), len(before), len(after), detail=" and ".join(new), counts=counts
    )


def dose_day_minutes(dose: DoseEvent) -> tuple[date, int]:
    """The dose day (04:00 to 04:00 local) and the minutes since that day's midnight, so 00:30
    is 1470: the late end of the day before."""
    local = dose.taken_at.astimezone(load_zone(dose.timezone))
    minute = local.hour * 60 + local.minute
    if minute < DOSE_DAY_STARTS_MIN:
        return local.date() - timedelta(days=1), minute + MINUTES_PER_DAY
    return local.date(), minute


DoseDays = dict[date, list[int]]  # dose day -> minutes of each dose that day


def _first_dose(days: DoseDays) -> float:
    """When the day's first dose is taken (minutes since midnight), the median over the days."""
    return statistics.median(min(minutes) for minutes in days.values())


def _doses_per_day(days: DoseDays) -> float:
    return statistics.fmean(len(minutes) for minutes in days.values())


# The dose signs: the name of each, what it measures of a window's dose days, and when the two
# windows' values (earlier, later) show it.
_DOSE_SIGNS: tuple[tuple[str, Callable[[DoseDays], float], Callable[[float, float], bool]], ...] = (
    ("earlier", _first_dose, lambda before, after: before - after >= DOSE_EARLIER_MIN),
    ("more often", _doses_per_day, lambda before, after: after - before >= DOSES_MORE_PER_DAY),
)


def _dose_checks(doses: Iterable[DoseEvent], windows: Windows) -> list[SignCheck]:
    # medicine -> side -> dose day -> minutes of each dose that day
    by_medicine: dict[str, dict[str, DoseDays]] = defaultdict(
        lambda: {"earlier": defaultdict(list), "later": defaultdict(list)}
    )
    names: dict[str, str] = {}
    # A cheap UTC bound first: a year of doses is mostly outside the 56 days, and converting each
    # to its zone is most of the watch's time. Two days of slack covers every zone's offset and
    # the 04:00 dose-day boundary.
    first = datetime.combine(windows.earlier[0] - timedelta(days=2), time(0), UTC)
    last = datetime.combine(windows.later[1] + timedelta(days=3), time(0), UTC)
    for dose in doses:
        if not first <= dose.taken_at <= last:
            continue
        day, minute = dose_day_minutes(dose)
        side = windows.side(day)
        if side is None:
            continue
        key = medicine_key(dose.medicine)
        names.setdefault(key, dose.medicine)
        by_medicine[key][side][day].append(minute)
    checks: list[SignCheck] = []
    for key in sorted(by_medicine):
        days_before, days_after = by_medicine[key]["earlier"], by_medicine[key]["later"]
        name = names[key]
        n_before, n_after = len(days_before), len(days_after)
        if n_before < MIN_NIGHTS or n_after < MIN_NIGHTS:
            checks.append(SignCheck(DOSES, None, n_before, n_after, medicine=name))
            continue
        for detail, measure, holds in _DOSE_SIGNS:
            before, after = measure(days_before), measure(days_after)
            checks.append(
                SignCheck(
                    DOSES,
                    holds(before, after),
                    n_before,
                    n_after,
                    before,
                    after,
                    medicine=name,
                    detail=detail,
                )
            )
    return checks


LATER = N_("in the last 28 days")
EARLIER = N_("in the 28 before")


def sign_line(check: SignCheck, tr: Speaker = ENGLISH_SPEAKER) -> str:
    """One calm line for a sign that holds: what changed, its numbers and n, and why it is worth
    raising."""
    e, lt = check.earlier_value, check.later_value
    later, earlier = tr(LATER), tr(EARLIER)
    if check.sign == ONSET:
        assert e is not None and lt is not None
        return tr(
            "**Symptoms start earlier:** median {later_at} {later} (n = {later_n}) against "
            "{earlier_at} {earlier} (n = {earlier_n}), {shift} earlier. {warning}",
            later_at=clock_text(lt),
            later=later,
            later_n=check.later_n,
            earlier_at=clock_text(e),
            earlier=earlier,
            earlier_n=check.earlier_n,
            shift=hours_minutes(e - lt, tr),
            warning=Said(WARNING),
        )
    if check.sign == SPREAD:
        new = [(r, after) for r, (before, after) in check.counts.items() if before == 0 < after]
        and_ = tr(" and ")
        found = and_.join(
            tr("{region} on {count}", region=tr(REGIONS.get(r, r)), count=after) for r, after in new
        )
        regions = and_.join(tr(REGIONS.get(r, r)) for r, _ in new)
        message = (
            N_(
                "**Symptoms in your {regions}, newly:** {found} of {later_n} nights {later}, "
                "on none of {earlier_n} nights {earlier}. {warning}"
            )
            if len(new) == 1
            else N_(
                "**Symptoms in your {regions}, newly:** {found} of {later_n} nights {later}, "
                "neither on any of {earlier_n} nights {earlier}. {warning}"
            )
        )
        return tr(
            message,
            regions=regions,
            found=found,
            later_n=check.later_n,
            later=later,
            earlier_n=check.earlier_n,
            earlier=earlier,
            warning=Said(WARNING),
        )
    if check.sign == REST:
        assert e is not None and lt is not None
        return tr(
            "**Symptoms sooner at rest:** median {later_min} min at rest before they started "
            "{later} (n = {later_n}) against {earlier_min} min {earlier} (n = {earlier_n}). "
            "{warning}",
            later_min=f"{lt:.0f}",
            later=later,
            later_n=check.later_n,
            earlier_min=f"{e:.0f}",
            earlier=earlier,
            earlier_n=check.earlier_n,
            warning=Said(WARNING),
        )
    if check.sign == SEVERITY:
        assert e is not None and lt is not None
        return tr(
            "**Stronger symptoms:** median RLS severity {later_value}/10 {later} "
            "(n = {later_n}) against {earlier_value}/10 {earlier} (n = {earlier_n}). {warning}",
            later_value=_g(lt, tr),
            later=later,
            later_n=check.later_n,
            earlier_value=_g(e, tr),
            earlier=earlier,
            earlier_n=check.earlier_n,
            warning=Said(WARNING),
        )
    assert e is not None and lt is not None
    later_days = tr.plural(check.later_n, "{count} day", "{count} days")
    earlier_days = tr.plural(check.earlier_n, "{count} day", "{count} days")
    if check.detail == "earlier":
        return tr(
            "**“{medicine}” taken earlier:** the day's first dose at a median {later_at} "
            "{later} ({later_days}) against {earlier_at} {earlier} ({earlier_days}), "
            "{shift} earlier. {warning}",
            medicine=check.medicine,
            later_at=clock_text(lt),
            later=later,
            later_days=later_days,
            earlier_at=clock_text(e),
            earlier=earlier,
            earlier_days=earlier_days,
            shift=hours_minutes(e - lt, tr),
            warning=Said(DOSE_WARNING),
        )
    return tr(
        "**“{medicine}” taken more often:** {later_value} doses a day on average {later} "
        "({later_days} with a logged dose) against {earlier_value} {earlier} "
        "({earlier_days}). {warning}",
        medicine=check.medicine,
        later_value=_one_place(lt, tr),
        later=later,
        later_days=later_days,
        earlier_value=_one_place(e, tr),
        earlier=earlier,
        earlier_days=earlier_days,
        warning=Said(DOSE_WARNING),
    )


def _g(value: float, tr: Speaker) -> str:
    text = f"{value:g}"
    return text if tr.locale == ENGLISH else text.replace(".", ",")


def _one_place(value: float, tr: Speaker) -> str:
    return f"{value:.1f}" if tr.locale == ENGLISH else tr.decimal(value, 1)


def _needed_part(check: SignCheck, tr: Speaker = ENGLISH_SPEAKER) -> str:
    what = (
        tr("a logged dose of “{medicine}” (days)", medicine=check.medicine)
        if check.sign == DOSES
        else tr(VALUE_NAMES[check.sign])
    )
    more = (
        tr.plural(check.needed, "{count} more day", "{count} more days")
        if check.sign == DOSES
        else tr.plural(check.needed, "{count} more night", "{count} more nights")
    )
    return tr(
        "{what}: {more} (you have {later_n} {later} and {earlier_n} {earlier})",
        what=what,
        more=more,
        later_n=check.later_n,
        later=tr(LATER),
        earlier_n=check.earlier_n,
        earlier=tr(EARLIER),
    )


def watch_lines(result: WatchResult, tr: Speaker = ENGLISH_SPEAKER) -> list[str]:
    """The watch as /sleep stats and the report show it (owner only)."""
    lines: list[str] = []
    signs = result.signs
    lines += [sign_line(c, tr) for c in signs]
    judged = [c for c in result.checks if c.holds is not None]
    if judged and not signs:
        lines.append(
            tr(
                "Augmentation watch: no warning sign in what you logged, the last 28 days "
                "against the 28 before."
            )
        )
    lacking = result.lacking
    if lacking:
        lines.append(
            tr(
                "Augmentation watch needs {nights} nights with each value in both 4-week "
                "windows. Still needed: {needed}.",
                nights=MIN_NIGHTS,
                needed="; ".join(_needed_part(c, tr) for c in lacking),
            )
        )
    if signs:
        lines.append(
            tr(
                "-# {not_a_diagnosis} Source: {source}, <{url}>",
                not_a_diagnosis=Said(NOT_A_DIAGNOSIS),
                source=SOURCE_NAME,
                url=SOURCE_URL,
            )
        )
    return lines
