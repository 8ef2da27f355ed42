"""Pictures of the diary with matplotlib's Agg backend (no display, thread-safe per figure).

The bot runs these in its drawing process (`bot.sleep.drawing`): rendering takes tens to hundreds
of milliseconds and holds the GIL, so in the bot's own process it would stall every other
interaction. Figures are built with the object-oriented API (`Figure`, not `pyplot`), which keeps
no global state between calls.

matplotlib is imported on first use, not with this module: it costs about a second of start-up
(font tables), which every bot process, restart and CLI call would otherwise pay for a command
most users run rarely.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.sleep.entry import SleepEntry
from bot.sleep.metrics import EFFICIENCY_TARGET, efficiency, optional_minutes, total_sleep

SLEEP_COLOUR = "#4c72b0"
EFFICIENCY_COLOUR = "#55a868"
SEVERITY_COLOUR = "#c44e52"
# Roughly how much of the figure's width the axes get with the default margins.
AXES_WIDTH_FRACTION = 0.78

if TYPE_CHECKING:
    from matplotlib.figure import Figure, FigureBase


def new_figure(width: float, height: float, dpi: int) -> Figure:
    """A figure on the Agg backend (no display), importing matplotlib the first time."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=dpi)


@dataclass(frozen=True)
class ChartPoint:
    night: date
    sleep_hours: float
    efficiency: float | None
    severity: int | None


def chart_points(entries: Sequence[SleepEntry]) -> list[ChartPoint]:
    return [
        ChartPoint(e.night, (optional_minutes(total_sleep(e)) or 0) / 60, efficiency(e), e.severity)
        for e in sorted(entries, key=lambda e: e.night)
    ]


def draw_history(figure: FigureBase, points: Sequence[ChartPoint], start: date, end: date) -> None:
    """Three stacked panels sharing the night axis: sleep hours, efficiency, RLS severity.

    Bars are drawn as one thick-line collection (`vlines`) rather than `bar()`, which makes one
    patch per night: for a year of nights that is the difference between ~50 ms and over a second.
    """
    from matplotlib.dates import AutoDateLocator, DateFormatter, date2num

    axes = figure.subplots(3, 1, sharex=True)
    sleep_ax, eff_ax, sev_ax = axes
    span = (end - start).days + 2
    width_inches = figure.get_figure(root=True).get_figwidth() * AXES_WIDTH_FRACTION
    bar_points = max(0.5, width_inches * 72 / span * 0.75)  # line width is in points
    # Dates converted to matplotlib's day numbers once, instead of point by point while drawing.
    nights = date2num([p.night for p in points])
    sleep_ax.vlines(
        nights, 0, [p.sleep_hours for p in points], linewidth=bar_points, color=SLEEP_COLOUR
    )
    sleep_ax.set_ylim(0, max([10.0, *(p.sleep_hours + 0.5 for p in points)]))
    sleep_ax.set_ylabel("Sleep (h)")
    eff = [
        (x, p.efficiency) for x, p in zip(nights, points, strict=True) if p.efficiency is not None
    ]
    eff_ax.plot(
        [x for x, _ in eff],
        [v for _, v in eff],
        marker="o" if span <= 62 else None,
        markersize=3,
        color=EFFICIENCY_COLOUR,
    )
    eff_ax.axhline(EFFICIENCY_TARGET, linestyle="--", linewidth=1, color="grey")
    eff_ax.set_ylim(0, 105)
    eff_ax.set_ylabel("Efficiency %")
    sev = [(x, p.severity) for x, p in zip(nights, points, strict=True) if p.severity is not None]
    sev_ax.vlines(
        [x for x, _ in sev], 0, [v for _, v in sev], linewidth=bar_points, color=SEVERITY_COLOUR
    )
    sev_ax.set_ylim(0, 10)
    sev_ax.set_ylabel("RLS 0–10")
    sev_ax.set_xlim(date2num(start - timedelta(days=1)), date2num(end + timedelta(days=1)))
    sev_ax.xaxis.set_major_locator(AutoDateLocator(maxticks=8))
    sev_ax.xaxis.set_major_formatter(DateFormatter("%d %b"))
    for ax in axes:
        ax.grid(axis="y", linewidth=0.4, alpha=0.6)
        ax.tick_params(labelsize=8)
        ax.yaxis.label.set_size(9)
    for label in sev_ax.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")


def history_png(entries: Sequence[SleepEntry], start: date, end: date) -> bytes:
    figure = new_figure(7, 4.5, dpi=80)
    draw_history(figure, chart_points(entries), start, end)
    figure.suptitle(f"Nights {start:%d %b} – {end:%d %b %Y}", fontsize=10)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
