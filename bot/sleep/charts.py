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
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.sleep.entry import SleepEntry, minutes
from bot.sleep.metrics import EFFICIENCY_TARGET, efficiency, time_in_bed, total_sleep

SLEEP_COLOUR = "#4c72b0"
IN_BED_COLOUR = "#c9d5ea"  # time in bed, behind the total sleep bar
EFFICIENCY_COLOUR = "#55a868"
SEVERITY_COLOUR = "#c44e52"
UNKNOWN_COLOUR = "#8c8c8c"
# Roughly how much of the figure's width the axes get with the default margins.
AXES_WIDTH_FRACTION = 0.78

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, FigureBase


def new_figure(width: float, height: float, dpi: int) -> Figure:
    """A figure on the Agg backend (no display), importing matplotlib the first time."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=dpi)


@dataclass(frozen=True)
class ChartPoint:
    """One logged night; None where the value is unknown (a question left unanswered)."""

    night: date
    sleep_hours: float | None
    efficiency: float | None
    severity: int | None
    in_bed_hours: float | None = None


def chart_points(entries: Sequence[SleepEntry]) -> list[ChartPoint]:
    def hours(delta: timedelta | None) -> float | None:
        return None if delta is None else minutes(delta) / 60

    return [
        ChartPoint(e.night, hours(total_sleep(e)), efficiency(e), e.severity, hours(time_in_bed(e)))
        for e in sorted(entries, key=lambda e: e.night)
    ]


def _every_night(
    points: Sequence[ChartPoint],
    start: date,
    end: date,
    value: Callable[[ChartPoint], float | None],
) -> list[float]:
    """`value` for each night from start to end, NaN where not logged or unknown: matplotlib
    breaks a line at NaN, so a missing night is a gap, never a straight line across it."""
    by_night = {p.night: value(p) for p in points}
    days = (end - start).days + 1
    values = (by_night.get(start + timedelta(days=i)) for i in range(days))
    return [math.nan if v is None else float(v) for v in values]


def draw_history(figure: FigureBase, points: Sequence[ChartPoint], start: date, end: date) -> None:
    """Three stacked panels sharing the night axis: sleep hours, efficiency, RLS severity."""
    axes = figure.subplots(3, 1, sharex=True)
    draw_panels(list(axes), points, start, end)


def draw_panels(axes: list[Axes], points: Sequence[ChartPoint], start: date, end: date) -> None:
    """Sleep (with time in bed behind it), efficiency and RLS severity, one night per x step.

    Unknown values are marked "?" in grey (a night logged without that answer), so they never
    look like 0; nights not logged are left empty. Bars are drawn as thick-line collections
    (`vlines`) rather than `bar()`, which makes one patch per night: for a year of nights that is
    the difference between ~50 ms and over a second.
    """
    from matplotlib.dates import AutoDateLocator, DateFormatter, DayLocator, date2num

    sleep_ax, eff_ax, sev_ax = axes
    span = (end - start).days + 2
    root = sleep_ax.get_figure(root=True)
    assert root is not None
    width_inches = sleep_ax.get_position().width * root.get_figwidth()
    bar_points = max(0.5, width_inches * 72 / span * 0.75)  # line width is in points
    small = span <= 62  # few enough nights to mark each one
    every = date2num([start + timedelta(days=i) for i in range((end - start).days + 1)])
    nights = date2num([p.night for p in points])

    def unknown(ax: Axes, xs: Sequence[float], y: float) -> None:
        if small and len(xs):
            for x in xs:
                ax.text(x, y, "?", ha="center", va="bottom", fontsize=7, color=UNKNOWN_COLOUR)

    in_bed = [(x, p.in_bed_hours) for x, p in zip(nights, points, strict=True) if p.in_bed_hours]
    sleep_ax.vlines(
        [x for x, _ in in_bed],
        0,
        [v for _, v in in_bed],
        linewidth=bar_points,
        color=IN_BED_COLOUR,
    )
    slept = [(x, p.sleep_hours) for x, p in zip(nights, points, strict=True)]
    sleep_ax.vlines(
        [x for x, v in slept if v is not None],
        0,
        [v for _, v in slept if v is not None],
        linewidth=bar_points * 0.55,
        color=SLEEP_COLOUR,
    )
    unknown(sleep_ax, [x for x, v in slept if v is None], 0.2)
    tallest = [p.in_bed_hours or p.sleep_hours or 0.0 for p in points]
    sleep_ax.set_ylim(0, max([10.0, *(h + 0.5 for h in tallest)]))
    sleep_ax.set_ylabel("Hours")
    from matplotlib.patches import Patch

    # Patches as handles: the bars' own handles would be as thick as the bars.
    sleep_ax.legend(
        handles=[
            Patch(color=IN_BED_COLOUR, label="in bed"),
            Patch(color=SLEEP_COLOUR, label="asleep"),
        ],
        loc="lower left",
        bbox_to_anchor=(0, 1),
        fontsize=6,
        ncols=2,
        frameon=False,
        handlelength=0.8,
        handleheight=0.8,
        borderaxespad=0.1,
    )

    eff_ax.plot(
        every,
        _every_night(points, start, end, lambda p: p.efficiency),
        marker="o",
        markersize=3 if small else 1.5,
        color=EFFICIENCY_COLOUR,
    )
    unknown(eff_ax, [x for x, p in zip(nights, points, strict=True) if p.efficiency is None], 3)
    eff_ax.axhline(EFFICIENCY_TARGET, linestyle="--", linewidth=1, color="grey")
    eff_ax.set_ylim(0, 105)
    eff_ax.set_ylabel("Efficiency %")

    sev = [(x, p.severity) for x, p in zip(nights, points, strict=True) if p.severity is not None]
    sev_ax.vlines(
        [x for x, _ in sev], 0, [v for _, v in sev], linewidth=bar_points, color=SEVERITY_COLOUR
    )
    # A rating of 0 (no symptoms) is a dot on the axis; an unrated night is a grey "?".
    zeros = [x for x, v in sev if v == 0]
    sev_ax.plot(zeros, [0] * len(zeros), "o", markersize=3.5, color=SEVERITY_COLOUR, clip_on=False)
    unknown(sev_ax, [x for x, p in zip(nights, points, strict=True) if p.severity is None], 0.3)
    sev_ax.set_ylim(0, 10)
    sev_ax.set_ylabel("RLS 0–10")
    sev_ax.set_xlim(date2num(start - timedelta(days=1)), date2num(end + timedelta(days=1)))
    days = (end - start).days + 1
    if days <= 62:
        # Whole days only: the automatic locator puts several ticks (hours) on one day for a
        # short window, labelled "03 Mar, 03 Mar, 03 Mar".
        sev_ax.xaxis.set_major_locator(DayLocator(interval=max(1, math.ceil(days / 10))))
    else:
        sev_ax.xaxis.set_major_locator(AutoDateLocator(maxticks=10))
    sev_ax.xaxis.set_major_formatter(DateFormatter("%d %b"))
    for ax in axes:
        ax.grid(axis="y", linewidth=0.4, alpha=0.6)
        ax.tick_params(labelsize=7)
        ax.yaxis.label.set_fontsize(8)
    for label in sev_ax.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")
    if small:
        sleep_ax.text(
            1.0,
            1.02,
            "? = not answered that night · ● = RLS rated 0 · empty = night not logged",
            transform=sleep_ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=6,
            color=UNKNOWN_COLOUR,
        )


def history_png(entries: Sequence[SleepEntry], start: date, end: date) -> bytes:
    figure = new_figure(7, 4.5, dpi=80)
    draw_history(figure, chart_points(entries), start, end)
    figure.suptitle(f"Nights {start:%d %b} – {end:%d %b %Y}", fontsize=10)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
