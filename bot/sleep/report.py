"""The doctor's report: one A4 page (PNG and PDF) with the averages and what they mean, the
nightly table, the person's notes and the charts, plus a CSV of the raw entries.

Doctors asked for "two weeks on one page": the page holds up to :data:`MAX_REPORT_NIGHTS` nights.
It is laid out top to bottom in inches on one page-sized axes: each block takes the height its
text needs, the notes get what is left above a minimum for the charts, and the charts take the
rest, so a short report is not two-thirds empty and a long one still fits.

The PNG is 200 dpi (1654 px wide: sharp on a phone when zoomed); the PDF keeps text as text
(TrueType fonts embedded), so it can be searched, copied and printed crisply.
"""

from __future__ import annotations

import csv
import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.formatting import plural
from bot.scheduling.recurrence import load_zone
from bot.sleep.charts import UNKNOWN_COLOUR, chart_points, draw_panels, new_figure
from bot.sleep.entry import SleepEntry, ordered_tags, tag_label
from bot.sleep.metrics import (
    EFFICIENCY_TARGET,
    efficiency,
    maybe_hours_minutes,
    optional_minutes,
    time_in_bed,
    total_sleep,
)
from bot.sleep.stats import Summary
from bot.sleep.text import UNKNOWN, format_value
from bot.sleep.times import local_clock

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MAX_REPORT_NIGHTS = 31
A4_INCHES = (8.27, 11.69)
DPI = 200
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 0.45, 0.35, 0.4, 0.3
MIN_CHART_INCHES = 2.2
SMALLEST_CHART_INCHES = 1.5
MIN_TABLE_FONT = 5.0
CHART_AXIS_INCHES = 0.4  # the dates under the charts
TABLE_FONT = 6.0
TEXT_FONT = 7.0
# The notes' heading, two lines of notes and the gaps around them.
NOTES_MIN_INCHES = 0.15 + 2 * TEXT_FONT * 1.32 / 72 + 0.44
# Average glyph width of DejaVu Sans as a fraction of the font size: for wrapping text to a width.
CHAR_WIDTH = 0.5

# (header, width in inches); the tags take what is left of the page's width.
COLUMNS = [
    ("Night", 0.6), ("Bed", 0.32), ("Try", 0.32), ("Wake", 0.34), ("Up", 0.32),
    ("In bed", 0.42), ("Slept", 0.42), ("SE", 0.3), ("Lat.", 0.28), ("Awake", 0.38),
    ("Wakes", 0.38), ("Naps", 0.42), ("Q", 0.16), ("RLS", 0.26), ("RLS from", 0.5),
    ("RLS up", 0.4),
]  # fmt: skip
DEFINITIONS = (
    "Definitions. Nights are dated by the morning they end; times are local. "
    "Time in bed = into bed → out of bed. Total sleep (Slept) = tried to sleep → final wake, "
    "minus minutes to fall asleep and minutes awake; naps are not part of it. "
    "Sleep efficiency (SE) = total sleep ÷ time in bed (the usual target is "
    f"{EFFICIENCY_TARGET:.0f}% or more). Averages are means of the nightly values, over the nights "
    "where that value is known (n); an unanswered question (–) is left out, never counted as 0. "
    "Lat. = minutes to fall asleep. Awake = minutes awake between first falling asleep and the "
    "final awakening, time up walking included. Wakes = awakenings, not counting the final one. "
    "Naps = naps the day before (how many · minutes). Q = sleep quality 1 (very poor) to 5 (very "
    "good). RLS = symptoms that evening and night, a plain 0–10 self-rating (not a clinical "
    "scale). RLS from = when symptoms started. RLS up = times RLS got them out of bed."
)
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


def _number(value: int | None) -> str:
    return UNKNOWN if value is None else str(value)


def _blank(value: float | None) -> str | float:
    return "" if value is None else round(value)


def _naps(entry: SleepEntry) -> str:
    if entry.naps is None:
        return UNKNOWN
    if entry.naps == 0:
        return "0"
    return f"{entry.naps} · {_number(entry.nap_min)}m"


def table_row(entry: SleepEntry) -> list[str]:
    zone = load_zone(entry.timezone)
    eff = efficiency(entry)
    return [
        f"{entry.night:%a %d %b}",
        local_clock(entry.into_bed, zone),
        local_clock(entry.tried_sleep, zone),
        local_clock(entry.final_wake, zone),
        UNKNOWN if entry.out_of_bed is None else local_clock(entry.out_of_bed, zone),
        maybe_hours_minutes(optional_minutes(time_in_bed(entry))),
        maybe_hours_minutes(optional_minutes(total_sleep(entry))),
        UNKNOWN if eff is None else f"{eff:.0f}%",
        _number(entry.sleep_latency_min),
        _number(entry.awake_min),
        _number(entry.awakenings),
        _naps(entry),
        _number(entry.quality),
        _number(entry.severity),
        UNKNOWN if entry.rls_onset is None else local_clock(entry.rls_onset, zone),
        _number(entry.rls_out_of_bed),
    ]


def tags_text(entry: SleepEntry) -> str:
    return ", ".join(tag_label(t) for t in ordered_tags(entry.tags))


def entries_csv(entries: Sequence[SleepEntry]) -> bytes:
    """Raw entries, times as local ISO 8601 with their offset (unambiguous across DST); an
    unanswered question is an empty cell."""
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
                ";".join(ordered_tags(e.tags)),
                e.note or "",
            ]
        )
    return buffer.getvalue().encode()


def _line_height(font: float) -> float:
    """Inches from one line of text to the next at `font` points."""
    return font * 1.32 / 72


def _chars(width_inches: float, font: float) -> int:
    return max(8, int(width_inches * 72 / (font * CHAR_WIDTH)))


def wrap_notes(notes: list[tuple[str, str]], width_chars: int) -> list[list[str]]:
    """Each note as wrapped lines, the night first: "Mon 02 Mar:  text"."""
    return [
        textwrap.wrap(
            f"{night}:  {' '.join(text.split())}", width=width_chars, subsequent_indent="      "
        )
        for night, text in notes
    ]


def fit_notes(wrapped: list[list[str]], max_lines: int) -> tuple[list[str], bool]:
    """Wrapped notes in at most `max_lines` lines, and whether they are complete. All of them
    when they fit; otherwise each is cut to the same number of lines (with "…"), the latest
    nights first when not even a line each fits, and a last line says where they are in full."""
    if sum(len(w) for w in wrapped) <= max_lines:
        return [line for w in wrapped for line in w], True
    budget = max_lines - 1  # one line says where the rest is
    shown = wrapped[-budget:] if budget > 0 else []
    cap = 1
    while sum(min(len(w), cap + 1) for w in shown) <= budget and cap < max(map(len, shown)):
        cap += 1
    lines = []
    for w in shown:
        part = w[:cap]
        if len(w) > cap:
            part[-1] = part[-1].rstrip() + " …"
        lines += part
    left_out = len(wrapped) - len(shown)
    remark = []
    if left_out:
        remark.append(f"{plural(left_out, 'earlier note')} not shown here.")
    if any(len(w) > cap for w in shown):
        remark.append("Notes shortened to fit.")
    remark.append("Every note in full: page 2 of the PDF, and the CSV.")
    return [*lines, " ".join(remark)], False


class _Page:
    """Text placed top-down on an axes whose data coordinates are the page in inches."""

    def __init__(self, ax: Axes, width: float, height: float) -> None:
        self.ax = ax
        self.y = height - MARGIN_TOP  # the top of the next block
        self.left = MARGIN_LEFT
        self.width = width - MARGIN_LEFT - MARGIN_RIGHT

    def lines(self, lines: Sequence[str], font: float, **style: object) -> None:
        for line in lines:
            self.ax.text(self.left, self.y, line, fontsize=font, va="top", **style)  # type: ignore[arg-type]
            self.y -= _line_height(font)

    def gap(self, inches: float) -> None:
        self.y -= inches


def _blank_page(width: float, height: float) -> tuple[Figure, _Page]:
    """A white page whose axes' data coordinates are inches from its bottom-left corner."""
    figure = new_figure(width, height, dpi=DPI)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    return figure, _Page(ax, width, height)


def _averages(page: _Page, summary: Summary, columns: int = 3) -> None:
    measures = summary.measures
    per_column = -(-len(measures) // columns)
    height = _line_height(TEXT_FONT + 0.5)
    for column in range(columns):
        y = page.y
        for m in measures[column * per_column : (column + 1) * per_column]:
            n = f"  (n = {m.count})" if m.mean is not None else "  (not answered)"
            page.ax.text(
                page.left + column * page.width / columns,
                y,
                f"{m.name}: {format_value(m.mean, m.unit)}{n}",
                fontsize=TEXT_FONT + 0.5,
                va="top",
            )
            y -= height
    page.gap(per_column * height)


@dataclass(frozen=True)
class _TableStyle:
    """How the nightly table is set: shrunk step by step until the page has room for it."""

    font: float = TABLE_FONT
    tag_lines: int | None = None  # at most this many lines of tags per night (None: all)

    def line(self) -> float:
        return self.font * 1.22 / 72

    def widths(self) -> list[float]:
        """The columns before the tags, narrower with a smaller font (the tags get the rest)."""
        return [w * self.font / TABLE_FONT for _, w in COLUMNS]

    def tags(self, text: str, width: float) -> list[str]:
        lines = textwrap.wrap(text, width=_chars(width - 0.05, self.font)) or [""]
        if self.tag_lines is not None and len(lines) > self.tag_lines:
            lines = lines[: self.tag_lines]
            lines[-1] = lines[-1].rstrip(",") + " …"
        return lines


TABLE_PAD = 0.016


def _tags_width(page: _Page, style: _TableStyle) -> float:
    return page.width - sum(style.widths())


def _table_height(
    page: _Page, rows: list[tuple[list[str], str] | None], style: _TableStyle
) -> float:
    line = style.line()
    body = sum(
        (1 if row is None else len(style.tags(row[1], _tags_width(page, style)))) * line
        + 2 * TABLE_PAD
        for row in rows
    )
    return line + 2 * TABLE_PAD + body


def _table(
    page: _Page,
    rows: list[tuple[list[str], str] | None],
    nights: list[date],
    style: _TableStyle,
) -> None:
    """The nightly table; `rows` None for a night not logged (a grey row saying so)."""
    font, line, pad = style.font, style.line(), TABLE_PAD
    x = [page.left]
    for w in style.widths():
        x.append(x[-1] + w)
    headers = [h for h, _ in COLUMNS] + ["Tags"]
    for i, header in enumerate(headers):
        page.ax.text(x[i] + 0.03, page.y - pad, header, fontsize=font, weight="bold", va="top")
    page.gap(line + 2 * pad)
    page.ax.plot([page.left, page.left + page.width], [page.y, page.y], color="black", lw=0.6)
    for index, (night, row) in enumerate(zip(nights, rows, strict=True)):
        if row is None:
            cells, tag_lines = [f"{night:%a %d %b}", "not logged"], [""]
        else:
            cells, tag_lines = row[0], style.tags(row[1], _tags_width(page, style))
        height = len(tag_lines) * line + 2 * pad
        if index % 2:
            page.ax.fill_between(
                [page.left, page.left + page.width],
                page.y - height,
                page.y,
                color="#f0f0f0",
                lw=0,
                zorder=0,
            )
        colour = UNKNOWN_COLOUR if row is None else "black"
        for i, cell in enumerate(cells):
            page.ax.text(x[i] + 0.03, page.y - pad, cell, fontsize=font, va="top", color=colour)
        for j, tag_line in enumerate(tag_lines):
            page.ax.text(x[-1] + 0.03, page.y - pad - j * line, tag_line, fontsize=font, va="top")
        page.gap(height)
    page.ax.plot([page.left, page.left + page.width], [page.y, page.y], color="black", lw=0.6)


def _fit_table(page: _Page, rows: list[tuple[list[str], str] | None]) -> tuple[_TableStyle, float]:
    """The table's style and the height left for the charts. A month of nights with many tags
    can be taller than the page allows: first the font shrinks (to :data:`MIN_TABLE_FONT`), then
    the charts (to :data:`SMALLEST_CHART_INCHES`), and only then are tags cut (with "…"; the CSV
    has them all)."""
    below = MARGIN_BOTTOM + CHART_AXIS_INCHES + NOTES_MIN_INCHES
    style, chart = _TableStyle(), MIN_CHART_INCHES
    while page.y - _table_height(page, rows, style) - below < chart:
        if style.font > MIN_TABLE_FONT:
            style = _TableStyle(style.font - 0.25, style.tag_lines)
        elif chart > SMALLEST_CHART_INCHES:
            chart = max(SMALLEST_CHART_INCHES, chart - 0.2)
        elif style.tag_lines is None or style.tag_lines > 1:
            style = _TableStyle(style.font, (style.tag_lines or 4) - 1)
        else:
            break
    return style, chart


def _notes(page: _Page, logged: Sequence[SleepEntry], rows: int) -> bool:
    """The notes in at most `rows` lines: across the page when they all fit, else in two
    columns (twice as many shortened notes fit); returns whether every note is there in full."""
    notes = [(f"{e.night:%a %d %b}", e.note) for e in logged if e.note]
    if not notes:
        page.lines(["No notes for these nights."], TEXT_FONT)
        return True
    lines, complete = fit_notes(wrap_notes(notes, _chars(page.width, TEXT_FONT)), rows)
    if complete:
        page.lines(lines, TEXT_FONT)
        return True
    column = page.width / 2
    lines, complete = fit_notes(
        wrap_notes(notes, _chars(column - 0.15, TEXT_FONT)), 2 * (rows - 1) + 1
    )
    *body, remark = lines if not complete else [*lines, ""]
    per_column = -(-len(body) // 2)
    top = page.y
    page.lines(body[:per_column], TEXT_FONT)
    bottom = page.y
    page.y, page.left = top, page.left + column
    page.lines(body[per_column:], TEXT_FONT)
    page.y, page.left = bottom, page.left - column
    if remark:
        page.lines([remark], TEXT_FONT)
    return complete


def report_figure(entries: Sequence[SleepEntry], summary: Summary) -> Figure:
    return report_page(entries, summary)[0]


def report_page(entries: Sequence[SleepEntry], summary: Summary) -> tuple[Figure, bool]:
    """Page 1, and whether every note is on it in full."""
    logged = sorted(entries, key=lambda e: e.night)[-MAX_REPORT_NIGHTS:]
    start = max(summary.start, summary.end - timedelta(days=MAX_REPORT_NIGHTS - 1))
    nights = [start + timedelta(days=i) for i in range((summary.end - start).days + 1)]
    by_night = {e.night: e for e in logged}
    width, height = A4_INCHES
    figure, page = _blank_page(width, height)

    page.lines(
        [f"Sleep and RLS diary: nights {summary.start:%d %b} – {summary.end:%d %b %Y}"],
        13,
        weight="bold",
    )
    page.gap(0.04)
    zones = sorted({e.timezone for e in logged})
    page.lines(
        [
            f"{plural(summary.nights, 'night')} logged of {len(nights)}. Times are local "
            f"({', '.join(zones) or 'no zone'}). Averages (mean of nightly values; n = nights "
            "with that answer):"
        ],
        TEXT_FONT + 0.5,
    )
    page.gap(0.03)
    _averages(page, summary)
    page.gap(0.05)
    page.lines(
        textwrap.wrap(DEFINITIONS, width=_chars(page.width, TEXT_FONT - 1)),
        TEXT_FONT - 1,
        color="#444444",
    )
    page.gap(0.1)

    rows: list[tuple[list[str], str] | None] = [
        None if n not in by_night else (table_row(by_night[n]), tags_text(by_night[n]))
        for n in nights
    ]
    style, chart = _fit_table(page, rows)
    _table(page, rows, nights, style)
    if style.tag_lines is not None:
        page.lines(["Some tags shortened (…) to fit the page; the CSV has them all."], TABLE_FONT)
    page.gap(0.12)

    page.lines(["Notes (written for you and your doctor)"], TEXT_FONT + 1, weight="bold")
    page.gap(0.02)
    note_room = page.y - MARGIN_BOTTOM - CHART_AXIS_INCHES - chart - 0.3
    complete = _notes(page, logged, max(2, int(note_room / _line_height(TEXT_FONT))))
    page.gap(0.3)  # room for the chart's legend above its top panel

    # The charts take the rest of the page: three panels over the same nights.
    chart_left, chart_right = MARGIN_LEFT + 0.45, width - MARGIN_RIGHT
    bottom, top = MARGIN_BOTTOM + CHART_AXIS_INCHES, page.y
    gap = 0.12
    panel = (top - bottom - 2 * gap) / 3
    axes = []
    for i in range(3):
        y0 = top - (i + 1) * panel - i * gap
        axes.append(
            figure.add_axes(
                (
                    chart_left / width,
                    y0 / height,
                    (chart_right - chart_left) / width,
                    panel / height,
                )
            )
        )
    for upper in axes[:2]:
        upper.sharex(axes[2])
        upper.tick_params(labelbottom=False)
    draw_panels(axes, chart_points(logged), start, summary.end)
    return figure, complete


def notes_pages(entries: Sequence[SleepEntry], summary: Summary) -> list[Figure]:
    """Every note in full, for the PDF's later pages when page 1 had to shorten them."""
    width, height = A4_INCHES
    wrap = _chars(width - MARGIN_LEFT - MARGIN_RIGHT, TEXT_FONT)
    nights = sorted(entries, key=lambda e: e.night)[-MAX_REPORT_NIGHTS:]
    notes = wrap_notes([(f"{e.night:%a %d %b}", e.note) for e in nights if e.note], wrap)
    lines = [line for w in notes for line in [*w, ""]]
    per_page = int((height - MARGIN_TOP - MARGIN_BOTTOM - 0.5) / _line_height(TEXT_FONT))
    pages: list[Figure] = []
    for first in range(0, len(lines), per_page):
        figure, page = _blank_page(width, height)
        page.lines(
            [
                f"Notes in full: nights {summary.start:%d %b} – {summary.end:%d %b %Y} "
                f"(page {len(pages) + 2})"
            ],
            TEXT_FONT + 3,
            weight="bold",
        )
        page.gap(0.1)
        page.lines(lines[first : first + per_page], TEXT_FONT)
        pages.append(figure)
    return pages


def render_report(entries: Sequence[SleepEntry], summary: Summary) -> ReportFiles:
    """CPU-bound and GIL-bound: the bot calls it in its drawing process (`bot.sleep.drawing`)."""
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages

    figure, complete = report_page(entries, summary)
    png, pdf = io.BytesIO(), io.BytesIO()
    figure.savefig(png, format="png", metadata={"Software": None})
    # TrueType (42) instead of the default Type 3 fonts: text stays selectable and searchable.
    with (
        matplotlib.rc_context({"pdf.fonttype": 42}),
        PdfPages(pdf, metadata={"Creator": None, "Producer": None}) as pages,
    ):
        for page in [figure, *([] if complete else notes_pages(entries, summary))]:
            pages.savefig(page)
    return ReportFiles(png.getvalue(), pdf.getvalue(), entries_csv(entries))
