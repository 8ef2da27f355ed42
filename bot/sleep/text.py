"""Plain-text pieces of the replies (Discord markdown, but no discord import)."""

from __future__ import annotations

from bot.clinical.nights import REGIONS
from bot.formatting import plural
from bot.scheduling.recurrence import load_zone
from bot.sleep.entry import SleepEntry, ordered_tags, tag_label
from bot.sleep.metrics import (
    EFFICIENCY_TARGET,
    efficiency,
    hours_minutes,
    maybe_hours_minutes,
    optional_minutes,
    time_in_bed,
    total_sleep,
)
from bot.sleep.stats import Measure, Summary, TagComparison
from bot.sleep.times import local_clock

UNKNOWN = "–"
# Said once under the stats and in the report: what the averages are and what "–" means.
AVERAGES_ARE = (
    "Averages are of nightly values, over the nights where the value is known (n); "
    "– means not answered."
)


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return UNKNOWN
    if unit == "min":
        return hours_minutes(value) if value >= 60 else f"{value:.0f} min"
    if unit == "%":
        return f"{value:.0f}%"
    return f"{value:.1f}{unit}"


def format_change(measure: Measure) -> str:
    change = measure.change
    if change is None:
        return ""
    if measure.unit == "min":
        if abs(change) < 1:
            return "steady"
        amount = f"{abs(change):.0f} min"
    elif measure.unit == "%":
        if abs(change) < 0.5:
            return "steady"
        amount = f"{abs(change):.0f} points"
    else:
        if abs(change) < 0.05:
            return "steady"
        amount = f"{abs(change):.1f}"
    return f"{'up' if change > 0 else 'down'} {amount}"


def measure_line(measure: Measure) -> str:
    line = f"**{measure.name}:** {format_value(measure.mean, measure.unit)}"
    if measure.mean is None:
        return line + " (not answered on any night)"
    details = [f"n = {measure.count}"]
    change = format_change(measure)
    if change:
        details.append(f"{change}, later vs earlier nights")
    return f"{line} ({'; '.join(details)})"


def comparison_line(c: TagComparison) -> str:
    def sev(value: float | None) -> str:
        return UNKNOWN if value is None else f"{value:.1f}"

    def tst(value: float | None) -> str:
        return maybe_hours_minutes(value, UNKNOWN)

    def n(counts: tuple[int, int]) -> str:
        # Only when a value is missing on some nights: otherwise the nights count says it.
        if counts == (c.tagged_nights, c.untagged_nights):
            return ""
        return f" (n = {counts[0]} vs {counts[1]})"

    parts = []
    if c.severity_tagged is not None or c.severity_untagged is not None:
        parts.append(
            f"RLS severity {sev(c.severity_tagged)} vs {sev(c.severity_untagged)}{n(c.severity_n)}"
        )
    if c.sleep_tagged is not None or c.sleep_untagged is not None:
        parts.append(f"sleep {tst(c.sleep_tagged)} vs {tst(c.sleep_untagged)}{n(c.sleep_n)}")
    nights = f"**{tag_label(c.tag)}** ({c.tagged_nights} vs {c.untagged_nights} nights)"
    return f"{nights}: {', '.join(parts) or 'no severity or total sleep to compare'}"


def _lower_first(name: str) -> str:
    """ "Sleep quality" → "sleep quality" mid-sentence; an acronym ("RLS severity") stays upper."""
    first = name.split(" ", 1)[0]
    return name if first.isupper() else name[:1].lower() + name[1:]


def summary_text(summary: Summary, days: int) -> list[str]:
    lines = [
        f"Nights logged: **{summary.nights}** of the last {plural(days, 'day')} "
        f"({summary.start:%d %b} – {summary.end:%d %b %Y})"
    ]
    lines += [measure_line(m) for m in summary.measures if m.mean is not None]
    # One line for the unanswered ones: eight lines of "–" would bury the answers.
    unanswered = [_lower_first(m.name) for m in summary.measures if m.mean is None]
    if unanswered:
        lines.append(f"Not answered on any of these nights: {', '.join(unanswered)}.")
    eff = summary.measure("Sleep efficiency").mean
    footnote = AVERAGES_ARE
    if eff is not None:
        footnote += (
            f" Sleep efficiency = total sleep ÷ time in bed; {EFFICIENCY_TARGET:.0f}% or more "
            "is the usual target."
        )
    lines.append(f"-# {footnote}")
    return lines


def entry_line(entry: SleepEntry) -> str:
    zone = load_zone(entry.timezone)
    eff = efficiency(entry)
    up = UNKNOWN if entry.out_of_bed is None else local_clock(entry.out_of_bed, zone)
    parts = [
        f"**{entry.night:%a %d %b}**",
        f"bed {local_clock(entry.into_bed, zone)}, woke {local_clock(entry.final_wake, zone)}, "
        f"up {up}",
        f"slept {maybe_hours_minutes(optional_minutes(total_sleep(entry)), UNKNOWN)}",
        f"in bed {maybe_hours_minutes(optional_minutes(time_in_bed(entry)), UNKNOWN)}",
        f"efficiency {UNKNOWN if eff is None else f'{eff:.0f}%'}",
    ]
    if entry.quality is not None:
        parts.append(f"quality {entry.quality}/5")
    if entry.severity is not None:
        parts.append(f"RLS {entry.severity}/10")
    if entry.body_regions is not None or entry.rest_min is not None or entry.severity:
        parts.append(symptom_spread_text(entry))
    if entry.naps:
        minutes = "" if entry.nap_min is None else f", {entry.nap_min} min"
        parts.append(f"{plural(entry.naps, 'nap')}{minutes}")
    if entry.tags:
        parts.append(", ".join(tag_label(t) for t in ordered_tags(entry.tags)))
    return " · ".join(parts)


def symptom_spread_text(entry: SleepEntry) -> str:
    """Where symptoms were felt and after how long at rest; "–" where not answered."""
    regions = entry.body_regions
    if regions is None:
        where = f"where {UNKNOWN}"
    elif not regions:
        where = "no body region"
    else:
        where = "in " + ", ".join(r for r in REGIONS if r in regions)
    rest = (
        f"at rest {UNKNOWN}"
        if entry.rest_min is None
        else f"after {format_value(entry.rest_min, 'min')} at rest"
    )
    return f"symptoms {where}, {rest}"


def missing_for_sleep(entry: SleepEntry) -> str | None:
    """What to add for total sleep and efficiency to be known, or None if they are."""
    missing = []
    if entry.sleep_latency_min is None:
        missing.append("minutes to fall asleep")
    if total_sleep(entry) is None and entry.awake_min is None:
        missing.append("minutes awake in the night")
    if entry.out_of_bed is None:
        missing.append("when you got out of bed")
    if not missing:
        return None
    listed = ", ".join(missing[:-1]) + (" and " if len(missing) > 1 else "") + missing[-1]
    wanted = "efficiency" if total_sleep(entry) is not None else "total sleep and efficiency"
    return f"Add {listed} (`/sleep edit`) for {wanted}."
