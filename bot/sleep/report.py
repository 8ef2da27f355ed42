"""The doctor's report, second edition: one A4 page (PNG and PDF) a clinician reads in 30
seconds, plus the raw data as CSV files (nights, labs, doses).

Top to bottom: the window and the averages with their n; the augmentation watch; the iron
values with their dates and the guideline's thresholds drawn; the charts over every night of the
window (sleep, efficiency, RLS severity, when symptoms started with the medicine doses on the same
clock, body regions); the nightly table for the most recent nights that fit ("last N of M
nights"; every night is in the CSV) and their notes; the definitions. A section with no data
says so in one line: an empty chart would read as zeros.

Everything the page shows comes from one plain value, :class:`ReportInput`, which one use case
(`bot.usecases.sleep_report`) reads in one transaction; drawing is pure and runs in the drawing
process (`bot.sleep.drawing`).

Speed (issue 20: a year of nights ≤ 500 ms): with matplotlib 3.11 nearly all of a page's time
was laying out and rasterising strings, twice (PNG and PDF), and subsetting the embedded font.
So the nightly table is one monospaced string per line, unknown answers are one marker line per
chart, and the table holds the nights that fit one page; the page's own lines are
:class:`bot.sleep.pagetext.PageText` (glyphs from a per-process cache for the PNG, one text
operator in the standard Courier for the PDF, see there); date ticks are worked out once and
y labels stand in a fixed column (matplotlib otherwise measures every tick label to place them);
bars are one broken line per series; the PNG is RGB with unfiltered rows at zlib level 1
(`bot.sleep.png`). bench/README.md has the figures.
"""

from __future__ import annotations

import csv
import io
import logging
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from bot.clinical.labs import (
    FERRITIN_THRESHOLD,
    SAME_UNIT,
    TSAT_THRESHOLD,
    LabResult,
    ago,
    guideline_line,
)
from bot.clinical.meds import DoseEvent
from bot.clinical.nights import REGIONS, onset_minutes
from bot.clinical.watch import dose_day_minutes
from bot.i18n import N_, Speaker
from bot.i18n.locales import ENGLISH
from bot.i18n.speech import Day, speaker
from bot.scheduling.recurrence import load_zone
from bot.sleep.charts import (
    TICK_FONT,
    UNKNOWN_COLOUR,
    chart_points,
    date_axis,
    draw_iron,
    draw_onset,
    draw_panels,
    draw_regions,
    marks_each_night,
    new_figure,
    region_names,
)
from bot.sleep.entry import SleepEntry, ordered_tags, tag_label
from bot.sleep.metrics import (
    EFFICIENCY_TARGET,
    efficiency,
    maybe_hours_minutes,
    optional_minutes,
    time_in_bed,
    total_sleep,
)
from bot.sleep.stats import Summary, summarise
from bot.sleep.text import UNKNOWN, format_value
from bot.sleep.times import local_clock

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MAX_REPORT_NIGHTS = 365
A4_INCHES = (8.27, 11.69)
DPI = 200
PNG_COMPRESSION = 1  # zlib level: 6 (the default) took a fifth of the page's time
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 0.45, 0.35, 0.4, 0.3
TEXT_FONT = 7.0
CHART_LABEL = 0.45  # a chart's y label, inches left of it
TABLE_FONT = 6.0
SMALL_FONT = 5.6
# One font for the whole page, charts included: the PDF embeds a subset of each font used, and
# cutting the subset out of a font (fontTools) cost 250–300 ms per font and report. Monospaced,
# so the nightly table is one string per line with its columns aligned by spaces; headings are
# set apart by size and colour, since bold would be a second font.
MONO = "DejaVu Sans Mono"
# No hinting: a quarter less time rasterising glyphs, and at 200 dpi the text stays crisp.
PAGE_STYLE: dict[Any, Any] = {
    "font.family": "monospace",
    # Courier: the PDF's standard monospaced font, used when the report allows (see render_report).
    "font.monospace": [MONO, "Courier"],
    "pdf.fonttype": 42,
    # matplotlib 3.11 sizes the PDF's font subsets by the PostScript setting: with its default
    # (3) the one font was embedded as several subsets, each its own fontTools pass.
    "ps.fonttype": 42,
    "text.hinting": "no_hinting",
}
HEADING_COLOUR = "#1f3a68"
# DejaVu Sans Mono's advance as a fraction of the font size.
MONO_WIDTH = 0.602
# Glyph width as a fraction of the font size: for wrapping text to a width (the page is mono).
CHAR_WIDTH = MONO_WIDTH
LABS_ON_PAGE = 6
MIN_TABLE_NIGHTS = 7
NOTE_LINES = 2  # lines of a note in the table; every note is in full on the PDF's page 2

# (header, width in characters, right-aligned); the tags take what is left of the line.
COLUMNS = [
    ("Night", 10, False), ("Bed", 5, False), ("Try", 5, False), ("Wake", 5, False),
    ("Up", 5, False), ("In bed", 7, True), ("Slept", 7, True), ("SE", 4, True),
    ("Lat", 3, True), ("WASO", 4, True), ("Wk", 2, True), ("Naps", 6, True), ("Q", 1, True),
    ("RLS", 3, True), ("From", 5, False), ("Up", 2, True), ("Where", 5, False),
    ("Rest", 4, True),
]  # fmt: skip
# The headers (then "Tags") as one message, "|" between them: abbreviations a translator sets
# together with the definitions below, each no wider than its column (tests check it).
HEADERS = N_("Night|Bed|Try|Wake|Up|In bed|Slept|SE|Lat|WASO|Wk|Naps|Q|RLS|From|Up|Where|Rest|Tags")
REGION_LETTERS = {"legs": "L", "arms": "A", "trunk": "T", "other": "O"}
# The letters for legs, arms, trunk and other in the table, as the definitions name them.
LETTERS = N_("L|A|T|O")


def headers(tr: Speaker) -> tuple[list[str], str]:
    """The table's column headers and the tags' header in the reader's language."""
    *columns, tags = tr(HEADERS).split("|")
    return columns, tags


def region_letters(tr: Speaker) -> dict[str, str]:
    return dict(zip(REGION_LETTERS, tr(LETTERS).split("|"), strict=True))


DEFINITIONS = N_(
    "Definitions. Nights are dated by the morning they end; times are local. Bed = into bed, "
    "Try = tried to sleep, Wake = final awakening, Up = out of bed. In bed = into bed → out of "
    "bed. Slept (total sleep) = tried to sleep → final wake, minus minutes to fall asleep (Lat) "
    "and minutes awake after first falling asleep (WASO, time up walking included); naps are not "
    "part of it. SE (sleep efficiency) = total sleep ÷ time in bed (the usual target is "
    "{target}% or more). Wk = awakenings, not counting the final one. Naps = naps "
    "the day before (how many · minutes). Q = sleep quality 1 (very poor) to 5 (very good). "
    "RLS = symptoms that evening and night, a plain 0–10 self-rating (not a clinical scale). "
    "From = when symptoms started. Up (after From) = times RLS got them out of bed. Where = body "
    "regions (L legs, A arms, T trunk, O other; · = none, – = not answered). Rest = minutes at "
    "rest before symptoms started. Averages are means of the nightly values over the nights "
    "where that value is known (n); an unanswered question (–) is left out, never counted as 0."
)

# Consensus Sleep Diary (Carney et al., Sleep 2012) item numbers in the names, so that a
# clinician or a script maps them without guessing; README.md lists the mapping.
CSV_HEADER = [
    "night", "timezone", "csd1_into_bed", "csd2_tried_to_sleep",
    "csd3_sleep_onset_latency_min", "csd4_awakenings", "csd5_wake_after_sleep_onset_min",
    "csd6_final_awakening", "csd7_out_of_bed", "csd8_sleep_quality_1_5",
    "csd9_comments", "csde_naps", "csde_nap_min", "tib_min", "tst_min", "se_pct",
    "rls_severity_0_10", "rls_onset", "rls_out_of_bed", "rls_body_regions",
    "rls_rest_min_before_onset", "tags",
]  # fmt: skip
LABS_CSV_HEADER = ["taken_on", "ferritin_ng_ml", "transferrin_saturation_pct", "fasting", "note"]
DOSES_CSV_HEADER = ["medicine", "taken_at_local", "timezone"]


@dataclass(frozen=True)
class ReportInput:
    """Everything the report shows, read in one transaction by `bot.usecases.sleep_report`."""

    nights: tuple[SleepEntry, ...]  # the window's logged nights, oldest first
    start: date  # the window: nights `start` to `end` (the person's today)
    end: date
    labs: tuple[LabResult, ...] = ()  # every value, newest first
    doses: tuple[DoseEvent, ...] = ()  # doses taken within the window
    medicines: tuple[str, ...] = ()  # the person's medicine names, as typed
    watch: tuple[str, ...] = ()  # the augmentation watch's lines (bot.clinical.watch)
    timezone: str | None = None
    # The person's language (a Discord locale): the drawing process builds its speaker from it.
    locale: str = ENGLISH

    @property
    def summary(self) -> Summary:
        return summarise(self.nights, self.start, self.end)


@dataclass(frozen=True)
class ReportFiles:
    png: bytes
    pdf: bytes
    csv: bytes
    labs_csv: bytes = b""
    doses_csv: bytes = b""
    # What the page says, line by line: for tests, and for anyone checking a number.
    text: tuple[str, ...] = field(default=(), compare=False)


def _number(value: int | None) -> str:
    return UNKNOWN if value is None else str(value)


def _blank(value: float | None) -> str | float:
    return "" if value is None else round(value)


def _naps(entry: SleepEntry) -> str:
    if entry.naps is None:
        return UNKNOWN
    if entry.naps == 0:
        return "0"
    return f"{entry.naps}·{_number(entry.nap_min)}m"


def _regions(regions: frozenset[str] | None, tr: Speaker) -> str:
    if regions is None:
        return UNKNOWN
    if not regions:
        return "·"
    letters = REGION_LETTERS if tr.locale == ENGLISH else region_letters(tr)
    return "".join(letters.get(r, letters["other"]) for r in REGIONS if r in regions)


def _duration(total_minutes: float | None, tr: Speaker) -> str:
    """A table cell: "7h 25m"; "7:25" in other languages (the column is 7 characters)."""
    if tr.locale == ENGLISH or total_minutes is None:
        return maybe_hours_minutes(total_minutes)
    whole = round(total_minutes)
    return f"{whole // 60}:{whole % 60:02d}"


def _table_day(night: date, tr: Speaker) -> str:
    """ "Tue 03 Mar" / "Di 03.03." (the column is 10 characters)."""
    return Day(night, "table", "%a %d %b").said_by(tr)


def table_row(entry: SleepEntry, tr: Speaker | None = None) -> list[str]:
    tr = tr or speaker(ENGLISH)
    zone = load_zone(entry.timezone)
    eff = efficiency(entry)
    return [
        _table_day(entry.night, tr),
        local_clock(entry.into_bed, zone),
        local_clock(entry.tried_sleep, zone),
        local_clock(entry.final_wake, zone),
        UNKNOWN if entry.out_of_bed is None else local_clock(entry.out_of_bed, zone),
        _duration(optional_minutes(time_in_bed(entry)), tr),
        _duration(optional_minutes(total_sleep(entry)), tr),
        UNKNOWN if eff is None else f"{eff:.0f}%",
        _number(entry.sleep_latency_min),
        _number(entry.awake_min),
        _number(entry.awakenings),
        _naps(entry),
        _number(entry.quality),
        _number(entry.severity),
        UNKNOWN if entry.rls_onset is None else local_clock(entry.rls_onset, zone),
        _number(entry.rls_out_of_bed),
        _regions(entry.body_regions, tr),
        _number(entry.rest_min),
    ]


def tags_text(entry: SleepEntry, tr: Speaker | None = None) -> str:
    tr = tr or speaker(ENGLISH)
    return ", ".join(tag_label(t, tr) for t in ordered_tags(entry.tags))


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def entries_csv(entries: Sequence[SleepEntry]) -> bytes:
    """Raw entries, times as local ISO 8601 with their offset (unambiguous across DST); an
    unanswered question is an empty cell."""
    rows: list[list[object]] = []
    for e in entries:
        zone = load_zone(e.timezone)
        eff = efficiency(e)
        rows.append(
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
                "" if e.quality is None else e.quality,
                e.note or "",
                _blank(e.naps),
                _blank(e.nap_min),
                _blank(optional_minutes(time_in_bed(e))),
                _blank(optional_minutes(total_sleep(e))),
                "" if eff is None else f"{eff:.1f}",
                "" if e.severity is None else e.severity,
                "" if e.rls_onset is None else e.rls_onset.astimezone(zone).isoformat(),
                _blank(e.rls_out_of_bed),
                ""
                if e.body_regions is None
                else ";".join(r for r in REGIONS if r in e.body_regions) or "none",
                _blank(e.rest_min),
                ";".join(ordered_tags(e.tags)),
            ]
        )
    return _csv(CSV_HEADER, rows)


def labs_csv(labs: Sequence[LabResult]) -> bytes:
    """One row per blood test, oldest first; ferritin in ng/mL (= µg/L)."""
    return _csv(
        LABS_CSV_HEADER,
        [
            [
                lab.taken_on.isoformat(),
                f"{lab.ferritin:g}",
                "" if lab.tsat is None else f"{lab.tsat:g}",
                "" if lab.fasting is None else ("yes" if lab.fasting else "no"),
                lab.note or "",
            ]
            for lab in sorted(labs, key=lambda lab: lab.taken_on)
        ],
    )


def doses_csv(doses: Sequence[DoseEvent]) -> bytes:
    """One row per dose taken, oldest first, local time with its offset."""
    return _csv(
        DOSES_CSV_HEADER,
        [
            [d.medicine, d.taken_at.astimezone(load_zone(d.timezone)).isoformat(), d.timezone]
            for d in sorted(doses, key=lambda d: d.taken_at)
        ],
    )


def _line_height(font: float) -> float:
    """Inches from one line of text to the next at `font` points."""
    return font * 1.32 / 72


def _chars(width_inches: float, font: float, glyph: float = CHAR_WIDTH) -> int:
    return max(8, int(width_inches * 72 / (font * glyph)))


def plain(line: str) -> str:
    """A Discord-formatted line as page text: no **bold**, no "-# ", no <link> brackets."""
    line = line.removeprefix("-# ").replace("**", "")
    return line.replace("<https://", "https://").replace(">", "") if "<https://" in line else line


def wrap_notes(notes: list[tuple[str, str]], width_chars: int) -> list[list[str]]:
    """Each note as wrapped lines, the night first: "Mon 02 Mar:  text"."""
    return [
        textwrap.wrap(
            f"{night}:  {' '.join(text.split())}", width=width_chars, subsequent_indent="      "
        )
        for night, text in notes
    ]


class _Page:
    """Text placed top-down on an axes whose data coordinates are the page in inches. Every
    line drawn is also kept in `text`, so what the page says can be checked without reading
    pixels."""

    def __init__(self, figure: Figure, ax: Axes, width: float, height: float) -> None:
        self.figure = figure
        self.ax = ax
        self.page_width, self.page_height = width, height
        self.y = height - MARGIN_TOP  # the top of the next block
        self.left = MARGIN_LEFT
        self.width = width - MARGIN_LEFT - MARGIN_RIGHT
        self.text: list[str] = []

    def put(self, x: float, y: float, line: str, font: float, **style: object) -> None:
        from bot.sleep.pagetext import PageText

        self.ax.add_artist(
            PageText(
                x,
                y,
                line,
                fontsize=font,
                va="top",
                transform=self.ax.transData,
                clip_on=False,
                **style,  # type: ignore[arg-type]
            )
        )
        self.text.append(line)

    def lines(self, lines: Sequence[str], font: float, **style: object) -> None:
        for line in lines:
            self.put(self.left, self.y, line, font, **style)
            self.y -= _line_height(font)

    def wrapped(self, text: str, font: float, width: float | None = None, **style: object) -> None:
        self.lines(textwrap.wrap(text, width=_chars(width or self.width, font)), font, **style)

    def heading(self, text: str) -> None:
        self.lines([text], TEXT_FONT + 1, color=HEADING_COLOUR)
        self.gap(0.02)

    def gap(self, inches: float) -> None:
        self.y -= inches

    def axes(
        self, left: float, top: float, width: float, height: float, label: float = CHART_LABEL
    ) -> Axes:
        """A chart in inches from the page's left edge, `top` down to `top - height`, its y
        label `label` inches left of it. A fixed place (the charts' labels in one column):
        placing labels by their tick labels measured every tick label of every chart, twice."""
        w, h = self.page_width, self.page_height
        ax = self.figure.add_axes((left / w, (top - height) / h, width / w, height / h))
        ax.yaxis.set_label_coords(-label / width, 0.5)
        ax.xaxis.set_label_coords(0.5, 0.0)  # no x labels on the page
        return ax


def _blank_page(width: float, height: float) -> _Page:
    """A white page whose axes' data coordinates are inches from its bottom-left corner."""
    figure = new_figure(width, height, dpi=DPI)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    return _Page(figure, ax, width, height)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def average_lines(
    data: ReportInput, summary: Summary, tr: Speaker | None = None
) -> tuple[list[str], list[str]]:
    """The averages with their n; then the RLS onset, rest and regions over the same nights."""
    tr = tr or speaker(data.locale)
    not_answered = tr("not answered")
    averages = [
        f"{tr(m.name)}: {format_value(m.mean, m.unit, tr)}"
        + (f"  (n = {m.count})" if m.mean is not None else f"  ({not_answered})")
        for m in summary.measures
    ]
    onsets = [m for m in (onset_minutes(e) for e in data.nights) if m is not None]
    rests = [float(e.rest_min) for e in data.nights if e.rest_min is not None]
    parts = []
    if onsets:
        middle = round(_median([float(m) for m in onsets]))
        parts.append(
            tr(
                "RLS onset: median {at}  (n = {n})",
                at=f"{middle // 60 % 24:02d}:{middle % 60:02d}",
                n=len(onsets),
            )
        )
    else:
        parts.append(tr("RLS onset: not answered"))
    parts.append(
        tr(
            "Minutes at rest before onset: median {minutes}  (n = {n})",
            minutes=f"{_median(rests):.0f}",
            n=len(rests),
        )
        if rests
        else tr("Minutes at rest before onset: not answered")
    )
    answered = [e.body_regions for e in data.nights if e.body_regions is not None]
    if answered:
        counts = ", ".join(
            f"{r if tr.locale == ENGLISH else tr(REGIONS[r])} {sum(r in a for a in answered)}"
            for r in REGIONS
        )
        regions = tr(
            "Body regions, nights with each: {counts}  (n = {n} answered)",
            counts=counts,
            n=len(answered),
        )
    else:
        regions = tr("Body regions: not answered")
    return averages, [" · ".join(parts), regions]


def _averages(page: _Page, lines: list[str], columns: int = 2) -> None:
    per_column = -(-len(lines) // columns)
    height = _line_height(TEXT_FONT)
    for column in range(columns):
        y = page.y
        for line in lines[column * per_column : (column + 1) * per_column]:
            page.put(page.left + column * page.width / columns, y, line, TEXT_FONT)
            y -= height
    page.gap(per_column * height)


def _watch(page: _Page, data: ReportInput, tr: Speaker) -> None:
    page.heading(tr("Augmentation watch (the last 28 days against the 28 before)"))
    if not data.watch:
        page.lines([tr("No nights in the last 56 days to compare.")], TEXT_FONT)
        return
    for line in data.watch:
        page.wrapped(plain(line), TEXT_FONT)


IRON_FONT = 6.5
IRON_LABEL = 0.3  # inches from an iron chart to its y label (tick labels up to "100")


def iron_line(lab: LabResult, today: date, tr: Speaker | None = None) -> str:
    """One blood test, the date first: "27 Feb 2026 (3 days ago): ferritin 40, TSAT 12 %"."""
    tr = tr or speaker(ENGLISH)
    line = tr(
        "{day} ({ago}): ferritin {ferritin}",
        day=Day(lab.taken_on, "compact", "%d %b %Y"),
        ago=ago(lab.taken_on, today, tr),
        ferritin=_g(lab.ferritin, tr),
    )
    if lab.tsat is not None:
        line += tr(", TSAT {tsat} %", tsat=_g(lab.tsat, tr))
    if lab.fasting is not None:
        line += tr(", fasting") if lab.fasting else tr(", not fasting")
    return line


def _g(value: float, tr: Speaker) -> str:
    """A lab value as typed ("40", "12.5"), with the reader's decimal separator."""
    text = f"{value:g}"
    return text if tr.locale == ENGLISH else text.replace(".", ",")


def _iron(page: _Page, data: ReportInput, tr: Speaker) -> None:
    page.heading(tr("Iron: ferritin (ng/mL) and transferrin saturation (TSAT, %)"))
    if not data.labs:
        page.wrapped(tr("No iron values logged (/labs add). ") + guideline_line(tr), TEXT_FONT)
        return
    top = page.y
    text_width = 3.75
    newest = data.labs[:LABS_ON_PAGE]
    for lab in newest:
        page.lines([iron_line(lab, data.end, tr)], IRON_FONT)
    if len(data.labs) > len(newest):
        left_out = len(data.labs) - len(newest)
        page.lines(
            [
                tr.plural(
                    left_out,
                    "{count} earlier value: in the chart and the labs CSV.",
                    "{count} earlier values: in the chart and the labs CSV.",
                )
            ],
            TEXT_FONT,
        )
    page.gap(0.03)
    page.wrapped(
        f"{guideline_line(tr)} {tr(SAME_UNIT)}", TEXT_FONT - 0.5, text_width, color="#444444"
    )
    chart_left = page.left + text_width + 0.45
    chart_width = page.left + page.width - chart_left
    height = max(top - page.y, 1.0)
    by_date = sorted(data.labs, key=lambda lab: lab.taken_on)
    ferritin = [(lab.taken_on, lab.ferritin) for lab in by_date]
    tsat = [(lab.taken_on, lab.tsat) for lab in by_date if lab.tsat is not None]
    half = (height - 0.25) / 2
    draw_iron(
        page.axes(chart_left, top, chart_width, half, IRON_LABEL),
        ferritin,
        FERRITIN_THRESHOLD,
        "ng/mL",
        tr("ferritin {threshold} ng/mL", threshold=f"{FERRITIN_THRESHOLD:.0f}"),
        tr,
    )
    if tsat:
        draw_iron(
            page.axes(chart_left, top - half - 0.25, chart_width, half, IRON_LABEL),
            tsat,
            TSAT_THRESHOLD,
            "TSAT %",
            tr("saturation {threshold} %", threshold=f"{TSAT_THRESHOLD:.0f}"),
            tr,
        )
    else:
        page.put(chart_left, top - half - 0.3, tr("No saturation values logged."), TEXT_FONT)
    page.y = min(page.y, top - height - 0.2)  # the dates under the TSAT chart


def _dose_points(data: ReportInput) -> list[tuple[str, date, float]]:
    """Each dose on the onset chart's scale: the night its dose day's evening begins, minutes
    since that day's midnight (a 00:30 dose is 24:30 of the evening before)."""
    points = []
    for dose in data.doses:
        day, minute = dose_day_minutes(dose)
        night = day + timedelta(days=1)
        if data.start <= night <= data.end:
            points.append((dose.medicine, night, float(minute)))
    return points


CHART_HEIGHTS = {"sleep": 0.62, "efficiency": 0.4, "severity": 0.45, "onset": 0.7, "regions": 0.4}
CHART_GAP = 0.1
CHART_LEGEND = 0.16  # room above a chart for its legend
TICK_ROOM = 0.13  # a tick mark, its pad and a gap before the y label, in inches


def label_room(tick_labels: Sequence[str]) -> float:
    """How far left of the charts their y labels stand: clear of the longest tick label (the
    regions' words are longer in German, "anderswo", than in English)."""
    longest = max(map(len, tick_labels))
    return max(CHART_LABEL, longest * CHAR_WIDTH * TICK_FONT / 72 + TICK_ROOM)


def _unanswered(data: ReportInput, answer: Callable[[SleepEntry], object]) -> list[date]:
    """Logged nights without `answer`, marked "?" on their chart when the window is short
    enough; a night rated 0 (no symptoms) has no start or region to give."""
    if not marks_each_night(data.start, data.end):
        return []
    return [e.night for e in data.nights if answer(e) is None and e.severity != 0]


def _charts(page: _Page, data: ReportInput, tr: Speaker) -> list[str]:
    """The charts over every night of the window; returns the one-line notes for what has no
    data (drawn under the charts)."""
    missing: list[str] = []
    if not data.nights:
        return [tr("No nights logged in this window: no sleep charts.")]
    onsets = [(e.night, float(m)) for e in data.nights if (m := onset_minutes(e)) is not None]
    doses = _dose_points(data)
    regions = [(e.night, e.body_regions) for e in data.nights if e.body_regions is not None]
    panels = ["sleep", "efficiency", "severity"]
    if onsets or doses:
        panels.append("onset")
    else:
        missing.append(tr("RLS onset: no start times logged in this window, so no onset chart."))
    if any(regions):
        panels.append("regions")
    elif regions:
        missing.append(
            tr.plural(
                len(regions),
                "Body regions: no symptoms reported on the {count} night answered.",
                "Body regions: no symptoms reported on the {count} nights answered.",
            )
        )
    else:
        missing.append(tr("Body regions: not answered on any night in this window."))
    if not data.doses:
        missing.append(tr("Medicine doses: none logged in this window."))
    # One column of y labels; the charts start right of it and of the longest tick label.
    label = label_room(region_names(list(REGIONS), tr))
    left = page.left + 0.05 + label
    width = page.left + page.width - left
    axes: dict[str, Axes] = {}
    page.gap(CHART_LEGEND)
    for name in panels:
        if name == "onset":
            page.gap(CHART_LEGEND)
        axes[name] = page.axes(left, page.y, width, CHART_HEIGHTS[name], label)
        page.gap(CHART_HEIGHTS[name] + CHART_GAP)
    page.gap(0.3)  # the dates under the last chart
    bottom = axes[panels[-1]]
    for ax in axes.values():
        if ax is not bottom:
            ax.sharex(bottom)
    draw_panels(
        [axes["sleep"], axes["efficiency"], axes["severity"]],
        chart_points(data.nights),
        data.start,
        data.end,
        tr,
    )
    axes["efficiency"].set_ylabel(tr("SE %"))
    if "onset" in axes:
        draw_onset(axes["onset"], onsets, doses, tr, _unanswered(data, onset_minutes))
    if "regions" in axes:
        draw_regions(
            axes["regions"],
            [(n, r) for n, r in regions if r],
            list(REGIONS),
            tr,
            _unanswered(data, lambda e: e.body_regions),
        )
    for ax in axes.values():
        ax.tick_params(axis="x", labelbottom=False)
    date_axis(bottom, data.start, data.end, tr)
    return missing


def _table_lines(
    data: ReportInput, rows_room: int, width: int, tr: Speaker | None = None
) -> tuple[list[tuple[str, bool]], int, bool]:
    """The nightly table's lines, newest night last, in at most `rows_room` lines (header
    included): (line, logged) pairs, how many calendar nights they show, and whether every
    note of the window is there in full. A night's tags are cut to the line (the CSV has them
    all); its note follows on up to :data:`NOTE_LINES` lines of its own."""
    tr = tr or speaker(data.locale)
    by_night = {e.night: e for e in data.nights}
    columns, tags_header = headers(tr)
    header = _cells(columns) + " " + tags_header
    indent = " " * (len(header) - len(tags_header))
    note_indent = " " * (COLUMNS[0][1] + 1)
    body: list[list[tuple[str, bool]]] = []
    complete = True
    used = 1
    night = data.end
    while night >= data.start:
        entry = by_night.get(night)
        if entry is None:
            lines = [(_cells([_table_day(night, tr), tr("not logged")], free=True), False)]
        else:
            tags = tags_text(entry, tr)
            room = width - len(indent)
            if len(tags) > room:
                tags = tags[: room - 2].rstrip(", ") + " …"
            lines = [(_cells(table_row(entry, tr)) + " " + tags, True)]
            if entry.note:
                note = textwrap.wrap(
                    tr("Note: {note}", note=" ".join(entry.note.split())),
                    width=width - len(note_indent),
                )
                if len(note) > NOTE_LINES:
                    note = [*note[: NOTE_LINES - 1], note[NOTE_LINES - 1] + " …"]
                    complete = False
                lines += [(note_indent + line, True) for line in note]
        if used + len(lines) > rows_room:
            break
        body.insert(0, lines)
        used += len(lines)
        night -= timedelta(days=1)
    shown = len(body)
    first = data.end - timedelta(days=shown - 1)
    complete = complete and not any(e.note for e in data.nights if e.night < first)
    return [(header, True), *(line for lines in body for line in lines)], shown, complete


def _cells(cells: list[str], free: bool = False) -> str:
    if free:
        return f"{cells[0]:<{COLUMNS[0][1]}} {cells[1]}"
    return " ".join(
        f"{cell:>{width}}" if right else f"{cell:<{width}}"
        for cell, (_, width, right) in zip(cells, COLUMNS, strict=True)
    )


def _table(page: _Page, data: ReportInput, room: float, tr: Speaker) -> bool:
    """The most recent nights that fit in `room` inches, with their notes; returns whether
    every note of the window is on the page in full."""
    from matplotlib.collections import PolyCollection

    pitch = _line_height(TABLE_FONT) * 0.9
    chars = _chars(page.width, TABLE_FONT, MONO_WIDTH)
    lines, shown, complete = _table_lines(data, max(2, int(room / pitch)), chars, tr)
    total = (data.end - data.start).days + 1
    where = [] if shown == total else [tr("all nights: CSV")]
    if not complete:
        where.append(tr("notes in full: PDF page 2"))
    page.heading(
        tr.plural(
            total,
            "Nightly table with notes: last {shown} of {count} night",
            "Nightly table with notes: last {shown} of {count} nights",
            shown=shown,
        )
        + (f" ({'; '.join(where)})" if where else "")
    )
    stripes = []
    row = -1
    for index, (line, logged) in enumerate(lines):
        y = page.y - index * pitch
        if not line.startswith(" "):
            row += 1  # a night's first line; its tags may continue on the next
        if row % 2 == 0:  # the header (row 0) darker: a bold mono is one more font
            stripes.append(
                [(page.left, y + 0.01), (page.left + page.width, y + 0.01),
                 (page.left + page.width, y - pitch + 0.01), (page.left, y - pitch + 0.01)]
            )  # fmt: skip
        page.put(page.left, y, line, TABLE_FONT, color="black" if logged else UNKNOWN_COLOUR)
    colours = ["#d9d9d9"] + ["#efefef"] * (len(stripes) - 1)
    page.ax.add_collection(PolyCollection(stripes, facecolors=colours, linewidths=0, zorder=0))
    page.gap(len(lines) * pitch + 0.06)
    return complete


def definitions(tr: Speaker) -> str:
    return tr(DEFINITIONS, target=f"{EFFICIENCY_TARGET:.0f}")


def _definitions_height(width: float, tr: Speaker) -> float:
    lines = len(textwrap.wrap(definitions(tr), width=_chars(width, SMALL_FONT)))
    return lines * _line_height(SMALL_FONT)


def _window(data: ReportInput, tr: Speaker) -> tuple[str, str]:
    """The window's first and last night: "03 Mar 2026" / "3. März 2026"."""
    return (
        Day(data.start, "long", "%d %b %Y").said_by(tr),
        Day(data.end, "long", "%d %b %Y").said_by(tr),
    )


def report_page(data: ReportInput) -> tuple[Figure, bool, list[str]]:
    """Page 1, whether every note of the window is on it in full, and its text."""
    tr = speaker(data.locale)
    width, height = A4_INCHES
    page = _blank_page(width, height)
    summary = data.summary
    total = (data.end - data.start).days + 1
    start, end = _window(data, tr)
    page.lines(
        [tr("Sleep and RLS diary: nights {start} – {end}", start=start, end=end)],
        12,
        color=HEADING_COLOUR,
    )
    page.gap(0.04)
    zones = sorted({e.timezone for e in data.nights}) or ([data.timezone] if data.timezone else [])
    # Wrapped: a longer language (or many zones) would run off the page's edge.
    page.wrapped(
        tr.plural(
            summary.nights,
            "{count} night logged of {total}. Times are local ({zones}). Averages (mean of "
            "nightly values; n = nights with that answer):",
            "{count} nights logged of {total}. Times are local ({zones}). Averages (mean of "
            "nightly values; n = nights with that answer):",
            total=total,
            zones=", ".join(zones) or tr("no zone"),
        ),
        TEXT_FONT,
    )
    page.gap(0.03)
    averages, symptoms = average_lines(data, summary, tr)
    _averages(page, averages)
    page.lines(symptoms, TEXT_FONT)
    if data.medicines:
        page.wrapped(
            tr("Medicines (as the person names them): ") + ", ".join(data.medicines), TEXT_FONT
        )
    page.gap(0.08)
    _watch(page, data, tr)
    page.gap(0.08)
    _iron(page, data, tr)
    page.gap(0.05)
    missing = _charts(page, data, tr)
    if missing:
        page.lines(missing, TEXT_FONT)
    page.gap(0.08)
    below = MARGIN_BOTTOM + _definitions_height(page.width, tr) + 0.1
    complete = _table(page, data, page.y - below - 0.2, tr)
    page.y = MARGIN_BOTTOM + _definitions_height(page.width, tr)
    page.wrapped(definitions(tr), SMALL_FONT, color="#444444")
    return page.figure, complete, page.text


def report_figure(data: ReportInput) -> Figure:
    """Page 1 drawn (so that its tick labels exist in the page's font too)."""
    import matplotlib

    with matplotlib.rc_context(PAGE_STYLE):
        figure = report_page(data)[0]
        figure.canvas.draw()
    return figure


def notes_pages(data: ReportInput) -> list[Figure]:
    """Every note of the window in full, for the PDF's later pages when page 1 has not all."""
    tr = speaker(data.locale)
    width, height = A4_INCHES
    wrap = _chars(width - MARGIN_LEFT - MARGIN_RIGHT, TEXT_FONT)
    notes = wrap_notes(
        [(Day(e.night, "full", "%a %d %b %Y").said_by(tr), e.note) for e in data.nights if e.note],
        wrap,
    )
    start, end = _window(data, tr)
    lines = [line for w in notes for line in [*w, ""]]
    per_page = int((height - MARGIN_TOP - MARGIN_BOTTOM - 0.5) / _line_height(TEXT_FONT))
    pages: list[Figure] = []
    for first in range(0, len(lines), per_page):
        page = _blank_page(width, height)
        page.lines(
            [
                tr(
                    "Notes in full: nights {start} – {end} (page {page})",
                    start=start,
                    end=end,
                    page=len(pages) + 2,
                )
            ],
            TEXT_FONT + 3,
            color=HEADING_COLOUR,
        )
        page.gap(0.1)
        page.lines(lines[first : first + per_page], TEXT_FONT)
        pages.append(page.figure)
    return pages


class _CourierWeight(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "Failed to find font weight" not in record.getMessage()


@contextmanager
def _quiet_courier_weight() -> Iterator[None]:
    """matplotlib warns that the standard Courier's weight is "medium", not "normal": it is
    the regular Courier, the one we ask for."""
    logger = logging.getLogger("matplotlib.font_manager")
    quiet = _CourierWeight()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


def page_png(figure: Figure) -> bytes:
    """The page drawn by Agg, as an RGB PNG (the page is opaque: no alpha channel)."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from bot.sleep.png import encode_png

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return encode_png(np.asarray(canvas.buffer_rgba())[:, :, :3], PNG_COMPRESSION)


def render_report(data: ReportInput) -> ReportFiles:
    """CPU-bound and GIL-bound: the bot calls it in its drawing process (`bot.sleep.drawing`)."""
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages

    from bot.sleep.pagetext import pdf_core_fonts

    pdf = io.BytesIO()
    # TrueType (42) instead of the default Type 3 fonts: text stays selectable and searchable.
    with matplotlib.rc_context(PAGE_STYLE):
        figure, complete, text = report_page(data)
        png = page_png(figure)
        # The PDF in the standard Courier (nothing embedded) unless a character needs DejaVu.
        figures = [figure, *([] if complete else notes_pages(data))]
        core = pdf_core_fonts(figures)
        with (
            matplotlib.rc_context({"pdf.use14corefonts": core}),
            _quiet_courier_weight(),
            PdfPages(pdf, metadata={"Creator": None, "Producer": None}) as pages,
        ):
            for page in figures:
                pages.savefig(page)
    return ReportFiles(
        png,
        pdf.getvalue(),
        entries_csv(data.nights),
        labs_csv(data.labs),
        doses_csv(data.doses),
        tuple(text),
    )
