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

from bot.clinical.nights import REGIONS
from bot.i18n.locales import ENGLISH
from bot.i18n.speech import ENGLISH_SPEAKER, N_, Day, Speaker, speaker
from bot.sleep.entry import SleepEntry, minutes
from bot.sleep.metrics import EFFICIENCY_TARGET, efficiency, time_in_bed, total_sleep

SLEEP_COLOUR = "#4c72b0"
IN_BED_COLOUR = "#c9d5ea"  # time in bed, behind the total sleep bar
EFFICIENCY_COLOUR = "#55a868"
SEVERITY_COLOUR = "#c44e52"
UNKNOWN_COLOUR = "#8c8c8c"
ONSET_COLOUR = "#8172b2"
THRESHOLD_COLOUR = "#c44e52"
UNKNOWN_GID = "unknown"  # the "?" marks of unanswered questions
# Roughly how much of the figure's width the axes get with the default margins.
AXES_WIDTH_FRACTION = 0.78

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.dates import DateLocator
    from matplotlib.figure import Figure, FigureBase
    from matplotlib.ticker import Formatter


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


def draw_history(
    figure: FigureBase,
    points: Sequence[ChartPoint],
    start: date,
    end: date,
    tr: Speaker = ENGLISH_SPEAKER,
) -> None:
    """Three stacked panels sharing the night axis: sleep hours, efficiency, RLS severity."""
    axes = figure.subplots(3, 1, sharex=True)
    draw_panels(list(axes), points, start, end, tr)


def marks_each_night(start: date, end: date) -> bool:
    """Whether the window has few enough nights to mark each unanswered one with a "?"."""
    return (end - start).days + 2 <= 62


def mark_unknown(ax: Axes, xs: Sequence[float], y: float) -> None:
    """A grey "?" at each x: a night logged without that answer (so it never reads as 0, or as
    a night not logged)."""
    # One marker line, not a text per night: each text is laid out on its own, and a page of
    # them was most of the report's drawing time.
    if len(xs):
        ax.plot(
            xs,
            [y] * len(xs),
            linestyle="none",
            marker="$?$",
            markersize=5,
            color=UNKNOWN_COLOUR,
            gid=UNKNOWN_GID,
        )


def draw_panels(
    axes: list[Axes],
    points: Sequence[ChartPoint],
    start: date,
    end: date,
    tr: Speaker = ENGLISH_SPEAKER,
) -> None:
    """Sleep (with time in bed behind it), efficiency and RLS severity, one night per x step.

    Unknown values are marked "?" in grey (a night logged without that answer), so they never
    look like 0; nights not logged are left empty. Bars are drawn as thick-line collections
    (`vlines`) rather than `bar()`, which makes one patch per night: for a year of nights that is
    the difference between ~50 ms and over a second.
    """
    from matplotlib.dates import date2num

    sleep_ax, eff_ax, sev_ax = axes
    span = (end - start).days + 2
    root = sleep_ax.get_figure(root=True)
    assert root is not None
    width_inches = sleep_ax.get_position().width * root.get_figwidth()
    bar_points = max(0.5, width_inches * 72 / span * 0.75)  # line width is in points
    small = marks_each_night(start, end)
    every = date2num([start + timedelta(days=i) for i in range((end - start).days + 1)])
    nights = date2num([p.night for p in points])

    def unknown(ax: Axes, xs: Sequence[float], y: float) -> None:
        if small:
            mark_unknown(ax, xs, y)

    in_bed = [(x, p.in_bed_hours) for x, p in zip(nights, points, strict=True) if p.in_bed_hours]
    bars(sleep_ax, in_bed, bar_points, IN_BED_COLOUR)
    slept = [(x, p.sleep_hours) for x, p in zip(nights, points, strict=True)]
    bars(sleep_ax, [(x, v) for x, v in slept if v is not None], bar_points * 0.55, SLEEP_COLOUR)
    unknown(sleep_ax, [x for x, v in slept if v is None], 0.6)
    tallest = [p.in_bed_hours or p.sleep_hours or 0.0 for p in points]
    sleep_ax.set_ylim(0, max([10.0, *(h + 0.5 for h in tallest)]))
    sleep_ax.set_ylabel(tr("Hours"))
    from matplotlib.patches import Patch

    # Patches as handles: the bars' own handles would be as thick as the bars.
    sleep_ax.legend(
        handles=[
            Patch(color=IN_BED_COLOUR, label=tr("in bed")),
            Patch(color=SLEEP_COLOUR, label=tr("asleep")),
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
    unknown(eff_ax, [x for x, p in zip(nights, points, strict=True) if p.efficiency is None], 8)
    eff_ax.axhline(EFFICIENCY_TARGET, linestyle="--", linewidth=1, color="grey")
    eff_ax.set_ylim(0, 105)
    eff_ax.set_ylabel(tr("Efficiency %"))

    sev = [(x, p.severity) for x, p in zip(nights, points, strict=True) if p.severity is not None]
    bars(sev_ax, sev, bar_points, SEVERITY_COLOUR)
    # A rating of 0 (no symptoms) is a dot on the axis; an unrated night is a grey "?".
    zeros = [x for x, v in sev if v == 0]
    sev_ax.plot(zeros, [0] * len(zeros), "o", markersize=3.5, color=SEVERITY_COLOUR, clip_on=False)
    unknown(sev_ax, [x for x, p in zip(nights, points, strict=True) if p.severity is None], 0.8)
    sev_ax.set_ylim(0, 10)
    sev_ax.set_ylabel(tr("RLS 0–10"))
    date_axis(sev_ax, start, end, tr)
    for ax in axes:
        ax.grid(axis="y", linewidth=0.4, alpha=0.6)
        ax.tick_params(labelsize=TICK_FONT)
        ax.yaxis.label.set_fontsize(8)
    if small:
        sleep_ax.text(
            1.0,
            1.02,
            tr("? = not answered that night · ● = RLS rated 0 · empty = night not logged"),
            transform=sleep_ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=6,
            color=UNKNOWN_COLOUR,
        )


def bars(ax: Axes, tops: Sequence[tuple[float, float]], width: float, colour: str) -> None:
    """A bar from 0 to each (x, top), `width` points wide: one line broken at NaN, so one
    path to draw instead of a path per night (vlines), which the PDF writes out one by one."""
    import numpy as np
    from matplotlib.collections import LineCollection

    line = np.full((3 * len(tops), 2), np.nan)
    if tops:
        line[0::3, 0] = line[1::3, 0] = [x for x, _ in tops]
        line[0::3, 1] = 0.0
        line[1::3, 1] = [top for _, top in tops]
    ax.add_collection(LineCollection([line], linewidths=width, colors=colour), autolim=False)


def date_axis(ax: Axes, start: date, end: date, tr: Speaker = ENGLISH_SPEAKER) -> None:
    """Nights from `start` to `end` on the x axis, dated under `ax` (axes sharing its x axis
    share the ticks)."""
    from matplotlib.dates import AutoDateLocator, DayLocator, date2num

    ax.set_xlim(date2num(start - timedelta(days=1)), date2num(end + timedelta(days=1)))
    days = (end - start).days + 1
    if days <= 62:
        # Whole days only: the automatic locator puts several ticks (hours) on one day for a
        # short window, labelled "03 Mar, 03 Mar, 03 Mar".
        fixed_dates(ax, DayLocator(interval=max(1, math.ceil(days / 10))))
    else:
        fixed_dates(ax, AutoDateLocator(maxticks=10))
    ax.xaxis.set_major_formatter(_date_formatter("%d %b", "tick", tr))
    ax.tick_params(axis="x", labelrotation=30, labelbottom=True)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")


def _date_formatter(english: str, style: str, tr: Speaker) -> Formatter:
    """Date ticks: `english` as strftime writes it; other languages by Babel ("3. März")."""
    from matplotlib.dates import DateFormatter, num2date
    from matplotlib.ticker import FuncFormatter

    if tr.locale == ENGLISH:
        return DateFormatter(english)
    return FuncFormatter(lambda x, _: tr.date(num2date(x).date(), style))


def fixed_dates(ax: Axes, locator: DateLocator) -> None:
    """`locator`'s dates for the x axis' limits as set, worked out once: a date locator runs its
    rules on every draw of every axes sharing the axis (PNG, then again for the PDF), about a
    tenth of a report's drawing time."""
    from matplotlib.dates import num2date
    from matplotlib.ticker import FixedLocator

    low, high = ax.get_xlim()
    ax.xaxis.set_major_locator(FixedLocator(locator.tick_values(num2date(low), num2date(high))))


def _style(ax: Axes, label: str) -> None:
    ax.grid(axis="y", linewidth=0.4, alpha=0.6)
    ax.tick_params(labelsize=TICK_FONT)
    ax.set_ylabel(label, fontsize=8)


ONSET_LABEL = N_("RLS onset")
REGIONS_LABEL = N_("Regions")
TICK_FONT = 7.0  # the charts' tick labels, in points


def draw_onset(
    ax: Axes,
    onsets: Sequence[tuple[date, float]],
    doses: Sequence[tuple[str, date, float]],
    tr: Speaker = ENGLISH_SPEAKER,
    unanswered: Sequence[date] = (),
) -> None:
    """When symptoms started, night by night, with each medicine's doses on the same clock;
    a grey "?" low on the chart for each night in `unanswered` (logged, start not given).

    y is the evening scale of :mod:`bot.clinical.nights` (minutes since midnight of the evening
    before the night: 00:30 is 1470, so late onsets do not jump to the bottom at midnight), upside
    down so that earlier is higher. A dose is drawn on the night whose evening its dose day
    starts (`doses`: medicine, night, minutes on that scale).
    """
    from matplotlib.dates import date2num
    from matplotlib.ticker import FixedLocator, FuncFormatter

    handles = []
    if onsets:
        (line,) = ax.plot(
            date2num([night for night, _ in onsets]),
            [m for _, m in onsets],
            linestyle="none",
            marker="o",
            markersize=2.5,
            color=ONSET_COLOUR,
            label=tr("symptoms started"),
        )
        handles.append(line)
    medicines = sorted({name for name, _, _ in doses})
    for index, name in enumerate(medicines):
        mine = [(night, m) for n, night, m in doses if n == name]
        (line,) = ax.plot(
            date2num([night for night, _ in mine]),
            [m for _, m in mine],
            linestyle="none",
            marker=DOSE_MARKERS[index % len(DOSE_MARKERS)],
            markersize=3,
            markerfacecolor="none",
            color=DOSE_COLOURS[index % len(DOSE_COLOURS)],
            label=tr("dose: {medicine}", medicine=name if len(name) <= 24 else name[:23] + "…"),
        )
        handles.append(line)
    values = [m for _, m in onsets] + [m for _, _, m in doses]
    low = 60 * math.floor(min(values) / 60 - 0.5)
    high = 60 * math.ceil(max(values) / 60 + 0.5)
    step = 60 * max(1, math.ceil((high - low) / 60 / 5))
    ax.set_ylim(high, low)
    mark_unknown(ax, date2num(list(unanswered)), high - (high - low) * 0.1)
    ax.yaxis.set_major_locator(FixedLocator(list(range(low, high + 1, step))))
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda m, _: f"{int(m) // 60 % 24:02d}:{int(m) % 60:02d}")
    )
    _style(ax, tr(ONSET_LABEL))
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0, 1),
        fontsize=6,
        ncols=min(4, len(handles)),
        frameon=False,
        handlelength=1,
        borderaxespad=0.1,
    )


DOSE_MARKERS = ("^", "s", "D", "v", "P", "X")
DOSE_COLOURS = ("#dd8452", "#55a868", "#937860", "#da8bc3", "#8c8c8c", "#ccb974")


def region_names(regions: Sequence[str], tr: Speaker = ENGLISH_SPEAKER) -> list[str]:
    """The regions chart's row names: the short keys in English ("legs", as in the CSV), the
    region's word in another language ("Beine")."""
    return list(regions) if tr.locale == ENGLISH else [tr(REGIONS.get(r, r)) for r in regions]


def draw_regions(
    ax: Axes,
    regions: Sequence[tuple[date, frozenset[str]]],
    names: Sequence[str],
    tr: Speaker = ENGLISH_SPEAKER,
    unanswered: Sequence[date] = (),
) -> None:
    """One row per body region, a mark on each night it was reported. A night answered "none"
    has no mark in any row; a night in `unanswered` (logged, regions not given) a grey "?"
    across the rows, so neither reads as a night not logged."""
    from matplotlib.dates import date2num

    rows = list(reversed(names))  # the first region on top
    for y, region in enumerate(rows):
        xs = [night for night, chosen in regions if region in chosen]
        ax.plot(
            date2num(xs),
            [y] * len(xs),
            linestyle="none",
            marker="|",
            markersize=5,
            color=SEVERITY_COLOUR if region in ("arms", "trunk") else ONSET_COLOUR,
        )
    mark_unknown(ax, date2num(list(unanswered)), (len(rows) - 1) / 2)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_yticks(range(len(rows)), region_names(rows, tr))
    _style(ax, tr(REGIONS_LABEL))
    ax.grid(False)


def draw_iron(
    ax: Axes,
    points: Sequence[tuple[date, float]],
    threshold: float,
    label: str,
    threshold_text: str,
    tr: Speaker = ENGLISH_SPEAKER,
) -> None:
    """Lab values by the date of the blood test, the guideline's threshold dashed and named."""
    from matplotlib.dates import MONTHLY, AutoDateLocator, date2num, num2date

    xs = date2num([day for day, _ in points])
    ax.plot(
        xs, [v for _, v in points], marker="o", markersize=2.5, linewidth=0.8, color=SLEEP_COLOUR
    )
    ax.axhline(threshold, linestyle="--", linewidth=0.9, color=THRESHOLD_COLOUR)
    ax.text(
        0.0,
        threshold,
        f" {threshold_text}",
        transform=ax.get_yaxis_transform(),
        fontsize=6,
        va="bottom",
        color=THRESHOLD_COLOUR,
    )
    top = max([threshold, *(v for _, v in points)])
    ax.set_ylim(0, top * 1.25)
    first, last = min(xs), max(xs)
    pad = max(15.0, (last - first) * 0.05)
    ax.set_xlim(first - pad, last + pad)
    locator = AutoDateLocator(minticks=3, maxticks=5)
    # Between 3 and 5 ticks, yearly ones from 2 years on: matplotlib's default (at least 5, and
    # months in steps up to 6) found no step for values 2 or 3 years apart and warned.
    locator.intervald[MONTHLY] = [*locator.intervald[MONTHLY], 12]
    fixed_dates(ax, locator)
    # Months when each tick has its own; values weeks apart get ticks within one month, which
    # "%b %Y" labelled "Jan 2026, Jan 2026, Feb 2026": those are dated by the day instead.
    ticks = [tick.date() for tick in num2date(ax.xaxis.get_major_locator()())]
    if len({(day.year, day.month) for day in ticks}) == len(ticks):
        ax.xaxis.set_major_formatter(_date_formatter("%b %Y", "month", tr))
    else:
        ax.xaxis.set_major_formatter(_date_formatter("%d %b", "tick", tr))
    _style(ax, label)
    ax.tick_params(axis="x", labelsize=6)


def history_figure(
    entries: Sequence[SleepEntry], start: date, end: date, locale: str = ENGLISH
) -> Figure:
    """The /sleep history chart in the person's language (a Discord locale: the drawing process
    builds its speaker from it, as for the report)."""
    tr = speaker(locale)
    figure = new_figure(7, 4.5, dpi=80)
    draw_history(figure, chart_points(entries), start, end, tr)
    figure.suptitle(
        tr(
            "Nights {start} – {end}",
            start=Day(start, "long", "%d %b"),
            end=Day(end, "long", "%d %b %Y"),
        ),
        fontsize=10,
    )
    return figure


def history_png(
    entries: Sequence[SleepEntry], start: date, end: date, locale: str = ENGLISH
) -> bytes:
    figure = history_figure(entries, start, end, locale)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
