"""The doctor's report: one page (PNG and PDF) with averages, the nightly table and the chart,
plus a CSV of the raw entries.

Doctors asked for "two weeks on one page": the page fits up to :data:`MAX_REPORT_NIGHTS` rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.scheduling.recurrence import load_zone
from bot.sleep.charts import chart_points, draw_history, new_figure
from bot.sleep.entry import SleepEntry, tag_label
from bot.sleep.metrics import (
    efficiency,
    maybe_hours_minutes,
    optional_minutes,
    time_in_bed,
    total_sleep,
)
from bot.sleep.stats import Summary
from bot.sleep.text import format_value
from bot.sleep.times import local_clock

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_REPORT_NIGHTS = 31
A4_INCHES = (8.27, 11.69)
TABLE_HEADER = [
    "Night", "Bed", "Try", "Wake", "Up", "In bed", "Slept", "SE", "Lat.", "Awake", "Wakes",
    "Q", "RLS", "RLS from", "RLS up", "Tags",
]  # fmt: skip
# Fractions of the table's width, summing to 1; sized for the widest value of each column.
COLUMN_WIDTHS = [
    0.09,
    0.05,
    0.05,
    0.05,
    0.05,
    0.068,
    0.068,
    0.045,
    0.04,
    0.05,
    0.05,
    0.028,
    0.04,
    0.066,
    0.055,
    0.2,
]
CSV_HEADER = [
    "night", "timezone", "into_bed", "tried_sleep", "minutes_to_fall_asleep", "awakenings",
    "minutes_awake", "final_wake", "out_of_bed", "time_in_bed_min", "total_sleep_min",
    "sleep_efficiency_pct", "quality_1_5", "rls_severity_0_10", "rls_started", "rls_out_of_bed",
    "naps", "nap_minutes", "tags", "note",
]  # fmt: skip


@dataclass(frozen=True)
class ReportFiles:
    png: bytes
    pdf: bytes
    csv: bytes


def table_row(entry: SleepEntry) -> list[str]:
    zone = load_zone(entry.timezone)
    eff = efficiency(entry)
    return [
        f"{entry.night:%a %d %b}",
        local_clock(entry.into_bed, zone),
        local_clock(entry.tried_sleep, zone),
        local_clock(entry.final_wake, zone),
        "–" if entry.out_of_bed is None else local_clock(entry.out_of_bed, zone),
        maybe_hours_minutes(optional_minutes(time_in_bed(entry))),
        maybe_hours_minutes(optional_minutes(total_sleep(entry))),
        "–" if eff is None else f"{eff:.0f}%",
        _number(entry.sleep_latency_min),
        _number(entry.awake_min),
        _number(entry.awakenings),
        "–" if entry.quality is None else str(entry.quality),
        "–" if entry.severity is None else str(entry.severity),
        "–" if entry.rls_onset is None else local_clock(entry.rls_onset, zone),
        _number(entry.rls_out_of_bed),
        ", ".join(tag_label(t) for t in sorted(entry.tags))[:24],
    ]


def _number(value: int | None) -> str:
    return "–" if value is None else str(value)


def _blank(value: float | None) -> str | float:
    return "" if value is None else round(value)


def entries_csv(entries: Sequence[SleepEntry]) -> bytes:
    """Raw entries, times as local ISO 8601 with their offset (unambiguous across DST)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for e in entries:
        zone = load_zone(e.timezone)
        eff = efficiency(e)
        writer.writerow(
            [
                e.night.isoformat(),
                e.timezone,
                e.into_bed.astimezone(zone).isoformat(),
                e.tried_sleep.astimezone(zone).isoformat(),
                _blank(e.sleep_latency_min),
                _blank(e.awakenings),
                _blank(e.awake_min),
                e.final_wake.astimezone(zone).isoformat(),
                "" if e.out_of_bed is None else e.out_of_bed.astimezone(zone).isoformat(),
                _blank(optional_minutes(time_in_bed(e))),
                _blank(optional_minutes(total_sleep(e))),
                "" if eff is None else f"{eff:.1f}",
                "" if e.quality is None else e.quality,
                "" if e.severity is None else e.severity,
                "" if e.rls_onset is None else e.rls_onset.astimezone(zone).isoformat(),
                _blank(e.rls_out_of_bed),
                _blank(e.naps),
                _blank(e.nap_min),
                ";".join(sorted(e.tags)),
                e.note or "",
            ]
        )
    return buffer.getvalue().encode()


def _averages(summary: Summary) -> str:
    parts = [f"{m.name}: {format_value(m.mean, m.unit)}" for m in summary.measures]
    lines = ["   ·   ".join(parts[:3]), "   ·   ".join(parts[3:])]
    return "\n".join(lines)


def report_figure(entries: Sequence[SleepEntry], summary: Summary) -> Figure:
    nights = sorted(entries, key=lambda e: e.night)[-MAX_REPORT_NIGHTS:]
    figure = new_figure(*A4_INCHES, dpi=72)
    # An array of three subfigures (typed as one SubFigure in matplotlib's hints).
    top, middle, bottom = figure.subfigures(3, 1, height_ratios=[1.0, 4.2, 3.2])  # type: ignore[misc]
    top.text(
        0.04,
        0.72,
        f"Sleep and RLS diary: nights {summary.start:%d %b} – {summary.end:%d %b %Y}",
        fontsize=14,
        weight="bold",
    )
    top.text(
        0.04,
        0.1,
        f"{summary.nights} nights logged. Averages —\n{_averages(summary)}\n"
        "Severity is a plain 0–10 self-rating; SE = sleep efficiency (total sleep / time in bed).",
        fontsize=8,
        linespacing=1.5,
    )
    ax = middle.subplots()
    ax.axis("off")
    rows = [table_row(e) for e in nights] or [["–"] * len(TABLE_HEADER)]
    height = min(1.0, (len(rows) + 1) / (MAX_REPORT_NIGHTS + 1))
    # Fixed column widths (fractions of the page): measuring every cell's text to fit the columns
    # automatically took over a second for a month of nights.
    table = ax.table(
        cellText=rows,
        colLabels=TABLE_HEADER,
        colWidths=COLUMN_WIDTHS,
        cellLoc="center",
        # Top-aligned box whose height grows with the rows, so a month still fits the panel.
        bbox=(0.0, 1 - height, 1.0, height),
    )
    table.auto_set_font_size(False)
    table.set_fontsize(6.5)
    draw_history(bottom, chart_points(nights), summary.start, summary.end)
    return figure


def render_report(entries: Sequence[SleepEntry], summary: Summary) -> ReportFiles:
    """CPU-bound and GIL-bound: the bot calls it in its drawing process (`bot.sleep.drawing`)."""
    figure = report_figure(entries, summary)
    png, pdf = io.BytesIO(), io.BytesIO()
    figure.savefig(png, format="png", metadata={"Software": None})
    figure.savefig(pdf, format="pdf", metadata={"Creator": None, "Producer": None})
    return ReportFiles(png.getvalue(), pdf.getvalue(), entries_csv(entries))
