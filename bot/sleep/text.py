"""Plain-text pieces of the replies (Discord markdown, but no discord import)."""

from __future__ import annotations

from bot.scheduling.recurrence import load_zone
from bot.sleep.entry import SleepEntry, tag_label
from bot.sleep.metrics import EFFICIENCY_TARGET, efficiency, hours_minutes, time_in_bed, total_sleep
from bot.sleep.stats import Measure, Summary, TagComparison
from bot.sleep.times import local_clock


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
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
    change = format_change(measure)
    if change:
        line += f" ({change}, later vs earlier nights)"
    return line


def comparison_line(c: TagComparison) -> str:
    def sev(value: float | None) -> str:
        return "–" if value is None else f"{value:.1f}"

    def tst(value: float | None) -> str:
        return "–" if value is None else hours_minutes(value)

    return (
        f"**{tag_label(c.tag)}** ({c.tagged_nights} vs {c.untagged_nights} nights): "
        f"severity {sev(c.severity_tagged)} vs {sev(c.severity_untagged)}, "
        f"sleep {tst(c.sleep_tagged)} vs {tst(c.sleep_untagged)}"
    )


def summary_text(summary: Summary, days: int) -> list[str]:
    lines = [
        f"Nights logged: **{summary.nights}** of the last {days} "
        f"({summary.start:%d %b} – {summary.end:%d %b %Y})"
    ]
    lines += [measure_line(m) for m in summary.measures]
    eff = summary.measure("Sleep efficiency").mean
    if eff is not None:
        lines.append(
            f"-# Sleep efficiency of {EFFICIENCY_TARGET:.0f}% or more is the usual target."
        )
    return lines


def entry_line(entry: SleepEntry) -> str:
    zone = load_zone(entry.timezone)
    eff = efficiency(entry)
    parts = [
        f"**{entry.night:%a %d %b}**",
        f"bed {local_clock(entry.into_bed, zone)}–{local_clock(entry.out_of_bed, zone)}",
        f"slept {hours_minutes(total_sleep(entry).total_seconds() / 60)}",
        f"in bed {hours_minutes(time_in_bed(entry).total_seconds() / 60)}",
        f"efficiency {'–' if eff is None else f'{eff:.0f}%'}",
    ]
    if entry.quality is not None:
        parts.append(f"quality {entry.quality}/5")
    if entry.severity is not None:
        parts.append(f"RLS {entry.severity}/10")
    if entry.tags:
        parts.append(", ".join(tag_label(t) for t in sorted(entry.tags)))
    return " · ".join(parts)
