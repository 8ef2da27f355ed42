"""The doctor's report, second edition: what a clinician reads must be right (numbers, n, dates,
thresholds), sections without data say so instead of drawing zeros, a year of nights fits one
page, and the files are what they claim (a sharp PNG, a PDF with text as text, CSVs named after
the Consensus Sleep Diary items)."""

from __future__ import annotations

import csv
import io
import re
import struct
import zlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.dates import date2num
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from bot.clinical.labs import LabResult
from bot.clinical.meds import DoseEvent
from bot.clinical.watch import watch, watch_lines
from bot.sleep.charts import UNKNOWN_GID
from bot.sleep.entry import SleepEntry
from bot.sleep.form import NightForm, build_entry
from bot.sleep.report import (
    A4_INCHES,
    COLUMNS,
    CSV_HEADER,
    MARGIN_RIGHT,
    MONO_WIDTH,
    PAGE_STYLE,
    ReportFiles,
    ReportInput,
    notes_pages,
    render_report,
    report_figure,
    report_page,
)
from bot.sleep.stats import window

TODAY = date(2026, 3, 4)
NOW = datetime(2026, 3, 4, 11, 0, tzinfo=UTC)
ZONE = "Europe/Berlin"
NOT_LOGGED = {5, 6, 13, 21}  # nights back from TODAY
NO_SEVERITY, ZERO_SEVERITY = 7, 8
LONG_TAGS = "long drive in the car, hot bath before bed, magnesium spray"


def night(back: int, today: date = TODAY) -> SleepEntry:
    form = NightForm(
        into_bed="23:10",
        sleep_latency_min=20,
        awakenings=None if back == 9 else back % 3,
        awake_min=None if back == 9 else 15,
        final_wake="6:50",
        out_of_bed="7:05",
        quality=3,
        severity={NO_SEVERITY: None, ZERO_SEVERITY: 0}.get(back, 1 + back % 9),
        rls_onset="21:30",
        tags={"caffeine", "late_meal", "stretched", "massage", "medication"},
        tag_text=LONG_TAGS if back % 3 == 0 else None,
        note=f"Night {back}: legs restless from 9 pm, up twice to walk." if back % 2 else None,
    )
    now = datetime(today.year, today.month, today.day, 11, tzinfo=UTC)
    return build_entry(form, user_id=1, night=today - timedelta(days=back), zone_name=ZONE, now=now)


def nights(count: int, today: date = TODAY, skip: set[int] = NOT_LOGGED) -> list[SleepEntry]:
    return sorted(
        (night(back, today) for back in range(count) if back not in skip), key=lambda e: e.night
    )


LABS = (
    LabResult(date(2026, 2, 27), 40.0, 12.0, True),
    LabResult(date(2025, 11, 3), 88.5, None, None, "after iron"),
    LabResult(date(2025, 6, 1), 62.0, 24.0, False),
)


def report(
    entries: Sequence[SleepEntry],
    days: int = 30,
    *,
    labs: Sequence[LabResult] = (),
    doses: Sequence[DoseEvent] = (),
    today: date = TODAY,
) -> ReportInput:
    start, end = window(days, today)
    shown = [e for e in entries if start <= e.night <= end]
    return ReportInput(
        nights=tuple(shown),
        start=start,
        end=end,
        labs=tuple(labs),
        doses=tuple(doses),
        medicines=tuple(sorted({d.medicine for d in doses})),
        watch=tuple(watch_lines(watch(entries, today, doses))),
        timezone=ZONE,
    )


@pytest.fixture(scope="module")
def thirty() -> ReportInput:
    return report(nights(30), labs=LABS)


@pytest.fixture(scope="module")
def figure(thirty: ReportInput) -> Figure:
    return report_figure(thirty)


def page_text(data: ReportInput) -> str:
    return "\n".join(report_page(data)[2])


def flat(text: str) -> str:
    return " ".join(text.split())


def texts(figure: Figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(Text) if t.get_text()]


def axis(figure: Figure, label: str) -> Axes:
    return next(ax for ax in figure.axes if ax.get_ylabel() == label)


def labels(figure: Figure) -> set[str]:
    return {ax.get_ylabel() for ax in figure.axes}


def cell(line: str, name: str) -> str:
    """The named column of a line of the nightly table (the first column of that name)."""
    index = [h for h, _, _ in COLUMNS].index(name)
    at = sum(w + 1 for _, w, _ in COLUMNS[:index])
    return line[at : at + COLUMNS[index][1]].strip()


TABLE_LINE = re.compile(r"\w\w\w \d\d \w\w\w \d\d:\d\d")


def _x(night_back: int) -> float:
    return float(date2num(TODAY - timedelta(days=night_back)))


def test_averages_carry_their_n_and_symptom_onset(thirty: ReportInput) -> None:
    text = flat(page_text(thirty))
    # (23:10 -> 06:50 = 460) - 20 - 15 = 425 = 7h 05m on every night but one (unknown)
    assert "Total sleep: 7h 05m (n = 25)" in text
    rated = [0] + [1 + b % 9 for b in range(30) if b not in NOT_LOGGED | {NO_SEVERITY, 8}]
    assert f"RLS severity: {sum(rated) / len(rated):.1f}/10 (n = {len(rated)})" in text
    assert "RLS onset: median 21:30 (n = 26)" in text
    assert "Minutes at rest before onset: not answered" in text
    assert "Body regions: not answered" in text
    assert "26 nights logged of 30." in text


def test_iron_values_with_dates_and_the_thresholds_drawn(
    thirty: ReportInput, figure: Figure
) -> None:
    text = flat(page_text(thirty))
    assert "27 Feb 2026 (5 days ago): ferritin 40, TSAT 12 %, fasting" in text
    assert "03 Nov 2025 (4 months ago): ferritin 88.5" in text
    assert "01 Jun 2025 (9 months ago): ferritin 62, TSAT 24 %, not fasting" in text
    assert "75 ng/mL or below or saturation below 20 %" in text
    for label, threshold, values, name in [
        ("ng/mL", 75, [62.0, 88.5, 40.0], "ferritin 75 ng/mL"),
        ("TSAT %", 20, [24.0, 12.0], "saturation 20 %"),
    ]:
        ax = axis(figure, label)
        data, line = ax.lines[0], ax.lines[1]
        assert np.asarray(data.get_ydata(), float).tolist() == values
        dates = np.asarray(data.get_xdata(), float).tolist()
        assert dates[-1] == float(date2num(date(2026, 2, 27)))
        assert np.asarray(line.get_ydata(), float).tolist() == [threshold, threshold]
        assert any(t.get_text().strip() == name for t in ax.texts)


def test_no_labs_no_doses_no_regions_each_say_so_in_one_line() -> None:
    data = report(nights(7), days=7)
    figure, _, lines = report_page(data)
    text = flat("\n".join(lines))
    assert "No iron values logged (/labs add)." in text
    assert "Medicine doses: none logged in this window." in text
    assert "Body regions: not answered on any night in this window." in text
    # No empty chart drawn as if 0.
    assert labels(figure) >= {"Hours", "SE %", "RLS 0–10", "RLS onset"}
    assert not labels(figure) & {"ng/mL", "TSAT %", "Regions"}


def test_without_onsets_there_is_no_onset_chart() -> None:
    entries = [replace(e, rls_onset=None) for e in nights(7)]
    figure, _, lines = report_page(report(entries, days=7))
    assert "RLS onset: no start times logged in this window, so no onset chart." in lines
    assert "RLS onset" not in labels(figure)


def test_zero_nights_with_labs_still_make_a_page() -> None:
    files = render_report(report([], days=14, labs=LABS))
    assert "No nights logged in this window: no sleep charts." in files.text
    assert files.png.startswith(b"\x89PNG") and files.pdf.startswith(b"%PDF")
    assert files.csv.decode().splitlines() == [",".join(CSV_HEADER)]


def test_one_night() -> None:
    entry = night(0)
    files = render_report(report([entry], days=1))
    text = flat("\n".join(files.text))
    assert "1 night logged of 1." in text
    assert "Nightly table with notes: last 1 of 1 night" in text
    assert "Wed 04 Mar 23:10 23:10 06:50 07:05" in text


def test_regions_and_rest_are_in_the_table_averages_and_chart() -> None:
    chosen = [frozenset({"legs"}), frozenset({"legs", "arms"}), None, frozenset()]
    entries = [
        replace(e, body_regions=chosen[i % 4], rest_min=None if i % 4 == 2 else 20 + i)
        for i, e in enumerate(nights(8, skip=set()))
    ]
    data = report(entries, days=8)
    figure, _, lines = report_page(data)
    text = flat("\n".join(lines))
    assert (
        "Body regions, nights with each: legs 4, arms 2, trunk 0, other 0 (n = 6 answered)" in text
    )
    # rests: 20, 21, 24, 25, 27, 23 -> median 23.5 -> "24" (rounded half to even: 24)
    assert "Minutes at rest before onset: median 24 (n = 6)" in text
    regions = axis(figure, "Regions")
    rows = [line for line in regions.lines if line.get_gid() != UNKNOWN_GID]
    marked = {
        label.get_text(): np.asarray(line.get_xdata()).size
        for line, label in zip(rows, regions.get_yticklabels(), strict=True)
    }
    assert marked == {"legs": 4, "arms": 2, "trunk": 0, "other": 0}
    # The two nights logged without regions are a "?", not empty like a night not logged.
    [unknown] = [line for line in regions.lines if line.get_gid() == UNKNOWN_GID]
    assert np.asarray(unknown.get_xdata(), float).tolist() == [_x(5), _x(1)]
    table = [line for line in lines if TABLE_LINE.match(line)]
    assert [cell(line, "Where") for line in table] == ["L", "LA", "–", "·"] * 2
    assert [cell(line, "Rest") for line in table] == ["20", "21", "–", "23", "24", "25", "–", "27"]


def test_a_night_logged_without_a_symptom_start_is_a_question_mark_on_the_onset_chart() -> None:
    """The page says "empty = night not logged": a logged night whose start was not given was
    empty on the onset chart all the same. A night rated 0 has no start to give: no mark."""
    entries = [
        replace(e, rls_onset=None) if back in (2, 4, ZERO_SEVERITY) else e
        for back, e in zip(range(9, -1, -1), nights(10, skip=set()), strict=True)
    ]
    assert entries[-1 - ZERO_SEVERITY].severity == 0
    figure, _, _ = report_page(report(entries, days=10))
    onset = axis(figure, "RLS onset")
    [unknown] = [line for line in onset.lines if line.get_gid() == UNKNOWN_GID]
    assert np.asarray(unknown.get_xdata(), float).tolist() == [_x(4), _x(2)]
    [started] = [line for line in onset.lines if line.get_gid() != UNKNOWN_GID]
    assert np.asarray(started.get_xdata()).size == 7


def doses_for(entries: Sequence[SleepEntry]) -> list[DoseEvent]:
    out = []
    for e in entries:
        evening = e.night - timedelta(days=1)
        # 20:00 and 00:30 Berlin time (UTC+1 in winter)
        out.append(
            DoseEvent(
                "Ropinirole",
                datetime(evening.year, evening.month, evening.day, 19, tzinfo=UTC),
                ZONE,
            )
        )
        out.append(
            DoseEvent(
                "Ropinirole",
                datetime(e.night.year, e.night.month, e.night.day, 0, 30, tzinfo=UTC)
                - timedelta(hours=1),
                ZONE,
            )
        )
    return out


def test_doses_are_drawn_against_onset_on_the_evening_scale() -> None:
    entries = nights(7, skip=set())
    data = report(entries, days=7, doses=doses_for(entries))
    figure, _, lines = report_page(data)
    onset = axis(figure, "RLS onset")
    [dose] = [line for line in onset.lines if line.get_label() == "dose: Ropinirole"]
    [started] = [line for line in onset.lines if line.get_label() == "symptoms started"]
    assert set(np.asarray(started.get_ydata(), float).tolist()) == {21 * 60 + 30}
    ys = sorted(set(np.asarray(dose.get_ydata(), float).tolist()))
    assert ys == [20 * 60, 24 * 60 + 30]  # 00:30 is the late end of the evening before
    assert set(np.asarray(dose.get_xdata(), float).tolist()) <= {_x(b) for b in range(7)}
    assert "Medicines (as the person names them): Ropinirole" in lines
    assert "Medicine doses: none logged in this window." not in lines
    files = render_report(data)
    rows = list(csv.reader(io.StringIO(files.doses_csv.decode())))
    assert rows[0] == ["medicine", "taken_at_local", "timezone"] and len(rows) == 15
    assert rows[1][1].endswith("+01:00")


def test_dst_nights_read_by_the_wall_clock() -> None:
    # Europe/Berlin springs forward on 29 Mar 2026 at 02:00 and falls back on 25 Oct 2026.
    for today in (date(2026, 3, 31), date(2026, 10, 27)):
        entries = nights(7, today=today, skip=set())
        data = report(entries, days=7, today=today)
        text = page_text(data)
        assert "RLS onset: median 21:30  (n = 7)" in text
        dst_night = [
            line
            for line in text.splitlines()
            if line.startswith(f"{today - timedelta(days=2):%a %d %b}")
        ]
        assert dst_night and "23:10 23:10 06:50 07:05" in dst_night[0]
        # In bed 23:10 -> 07:05 is 7h 55m by the wall clock but one hour less or more in fact.
        assert ("6h 55m" if today.month == 3 else "8h 55m") in dst_night[0]
        onset = axis(report_figure(data), "RLS onset")
        assert set(np.asarray(onset.lines[0].get_ydata(), float).tolist()) == {21 * 60 + 30}


def test_a_year_of_nights_fits_one_page_with_the_latest_in_the_table() -> None:
    entries = nights(365, skip={50, 51})
    labs = [
        LabResult(TODAY - timedelta(days=9 * i), float(30 + i), float(10 + i % 20))
        for i in range(40)
    ]
    data = report(entries, days=365, labs=labs, doses=doses_for(entries[-60:]))
    figure, complete, lines = report_page(data)
    text = flat("\n".join(lines))
    heading = re.search(
        r"Nightly table with notes: last (\d+) of 365 nights \(all nights: CSV", text
    )
    assert heading and 14 <= int(heading.group(1)) <= 31
    table = [
        line for line in lines if re.match(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d \w\w\w ", line)
    ]
    assert table[-1].startswith(f"{TODAY:%a %d %b}") and len(table) == int(heading.group(1))
    assert "34 earlier values: in the chart and the labs CSV." in text
    assert "363 nights logged of 365." in text
    assert not complete  # the other notes are on the PDF's later pages
    noted = "\n".join(t for page in notes_pages(data) for t in texts(page))
    assert f"{entries[1].night:%a %d %b %Y}:  Night 363" in noted
    hours = axis(figure, "Hours")
    low, high = hours.get_xlim()
    assert low < date2num(TODAY - timedelta(days=364)) and high > date2num(TODAY)
    for ax in figure.axes[1:]:
        assert 0 <= ax.get_position().y0 < ax.get_position().y1 <= 1
    assert min(t.get_position()[1] for t in figure.axes[0].texts) > 0  # nothing off the page
    assert len(list(csv.reader(io.StringIO(render_report(data).labs_csv.decode())))) == 41


def test_the_watch_lines_are_on_the_page_without_discord_markup() -> None:
    entries = nights(56, skip=set())
    later = [
        replace(e, rls_onset=e.rls_onset - timedelta(hours=3))
        if e.night > TODAY - timedelta(days=28) and e.rls_onset
        else e
        for e in entries
    ]
    text = flat(page_text(report(later, days=14)))
    assert "Symptoms start earlier: median 18:30 in the last 28 days (n = 28)" in text
    assert "**" not in text and "-#" not in text and "<https" not in text
    assert "worth raising with your doctor" in text


def test_the_nightly_table_keeps_unknowns_unlike_zero_and_notes(
    figure: Figure, thirty: ReportInput
) -> None:
    _, _, lines = report_page(thirty)
    table = {line[:10]: line for line in lines if TABLE_LINE.match(line) or "not logged" in line}
    assert "not logged" in table[f"{TODAY - timedelta(days=5):%a %d %b}"]
    header = next(line for line in lines if line.startswith("Night "))
    assert cell(header, "RLS") == "RLS"
    assert cell(table[f"{TODAY - timedelta(days=NO_SEVERITY):%a %d %b}"], "RLS") == "–"
    assert cell(table[f"{TODAY - timedelta(days=ZERO_SEVERITY):%a %d %b}"], "RLS") == "0"
    shown = [e for e in thirty.nights if f"{e.night:%a %d %b}" in table]
    for e in shown:
        if e.note:
            assert any(e.note in line for line in lines)


def test_missing_nights_are_gaps_in_every_chart(figure: Figure) -> None:
    efficiency = axis(figure, "SE %").lines[0]
    xs = np.asarray(efficiency.get_xdata(), dtype=float)
    ys = np.asarray(efficiency.get_ydata(), dtype=float)
    by_x = dict(zip(xs.tolist(), ys.tolist(), strict=True))
    for back in NOT_LOGGED | {9}:  # not logged, or minutes awake unknown
        assert by_x[_x(back)] != by_x[_x(back)]  # NaN: the line breaks there
    # 23:10 -> 07:05 in bed = 475; (23:10 -> 06:50 = 460) - 20 - 15 = 425 asleep
    assert by_x[_x(0)] == pytest.approx(100 * 425 / 475)
    for label in ("Hours", "RLS 0–10"):
        bars = {
            float(x)
            for c in axis(figure, label).collections
            if isinstance(c, LineCollection)
            for segment in c.get_segments()
            for x in segment[:, 0]
            if x == x  # NaN: the break between two bars
        }
        assert bars and len(bars) <= 30
        assert not bars & {_x(back) for back in NOT_LOGGED}


def test_unknown_severity_is_drawn_unlike_zero(figure: Figure) -> None:
    severity = axis(figure, "RLS 0–10")
    [marks] = [line for line in severity.lines if line.get_gid() == UNKNOWN_GID]
    assert np.asarray(marks.get_xdata(), float).tolist() == [_x(NO_SEVERITY)]
    dots = [
        x
        for line in severity.lines
        if line.get_gid() != UNKNOWN_GID
        for x in np.asarray(line.get_xdata(), float).tolist()
    ]
    assert dots == [_x(ZERO_SEVERITY)]


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def pdf_streams(pdf: bytes) -> list[bytes]:
    """Every stream of the PDF, inflated. The end of line before "endstream" is left to the
    inflater, which ignores what follows the data: a stream whose last byte is "\r" lost it
    to a pattern that took "\r\n" as that end of line."""
    streams = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            streams.append(zlib.decompressobj().decompress(raw))
        except zlib.error:
            streams.append(raw.removesuffix(b"\n").removesuffix(b"\r"))
    return streams


@pytest.fixture(scope="module")
def files(thirty: ReportInput) -> ReportFiles:
    return render_report(thirty)


def test_png_is_sharp_and_the_pdf_keeps_text_as_text_in_a_standard_font(
    files: ReportFiles,
) -> None:
    width, height = png_size(files.png)
    assert width >= 1600 and height / width == pytest.approx(11.69 / 8.27, abs=0.01)
    image = np.asarray(Image.open(io.BytesIO(files.png)))
    assert image.shape == (height, width, 3) and (image[5, 5] == 255).all()  # opaque, white
    # Everything on this page is in the PDF's standard encoding: the standard Courier, which
    # every reader has, so no font is embedded (each embedded font cost a subsetting pass).
    assert b"/FontFile" not in files.pdf and b"/Subtype /Image" not in files.pdf
    assert b"/BaseFont /Courier" in files.pdf and b"/WinAnsiEncoding" in files.pdf
    content = b"".join(pdf_streams(files.pdf))
    # Text as text (searchable), the few symbols outside the encoding spelled out.
    assert b"(Sleep and RLS diary: nights 03 Feb 2026 \x96 04 Mar 2026) Tj" in content
    assert b"(into bed -> out of bed. Slept" in content and "→".encode() not in content
    assert "µg/L".encode("cp1252") in content


def test_a_note_outside_the_standard_encoding_keeps_the_embedded_font() -> None:
    entries = [night(1), replace(night(0), note="Ноги беспокойные, встал дважды")]
    files = render_report(report(entries, days=2))
    assert files.pdf.count(b"/FontFile2") == 1 and b"/BaseFont /Courier" not in files.pdf
    assert b"/ToUnicode" in files.pdf  # the embedded subset maps back to the characters
    assert any("Ноги беспокойные" in line for line in files.text)


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
def test_the_page_lines_drawn_by_the_glyph_cache_look_like_matplotlib_text() -> None:
    """The page's lines skip matplotlib's text layout (bot.sleep.pagetext); drawn next to an
    ordinary Text they must come out at the same place and shape, and a character the font
    lacks still goes through matplotlib's fallback fonts."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from bot.sleep.pagetext import PageText

    def pixels(kind: type[Text], line: str) -> np.ndarray:
        with matplotlib.rc_context(PAGE_STYLE):
            fig = Figure(figsize=(6, 0.5), dpi=200)
            ax = fig.add_axes((0, 0, 1, 1))
            ax.set_axis_off()
            ax.add_artist(kind(0.02, 0.9, line, fontsize=7, va="top", transform=ax.transAxes))
            canvas = FigureCanvasAgg(fig)
            canvas.draw()
            return np.asarray(canvas.buffer_rgba())[:, :, 0].astype(int)

    line = "Mon 02 Mar 23:10 6h 55m 80% · legs – µg/L, ferritin 40 ≥ 75?"
    fast, slow = pixels(PageText, line), pixels(Text, line)
    ink = slow < 128
    assert ink.sum() > 500 and (fast < 128).sum() == pytest.approx(ink.sum(), rel=0.06)
    assert np.abs(fast - slow).mean() < 1.0  # the same glyphs within a fraction of a pixel
    rows, cols = np.nonzero(fast < 128)
    rows_slow, cols_slow = np.nonzero(ink)
    assert abs(rows.min() - rows_slow.min()) <= 1 and abs(cols.max() - cols_slow.max()) <= 1
    lacking = "Night 3: 眠れない"
    assert (pixels(PageText, lacking) == pixels(Text, lacking)).all()


def test_the_png_encoder_round_trips_through_pillow() -> None:
    from bot.sleep.png import encode_png

    rng = np.random.default_rng(7)
    rgb = rng.integers(0, 256, (37, 53, 3), dtype=np.uint8)
    rgb[:10] = 255
    decoded = np.asarray(Image.open(io.BytesIO(encode_png(rgb))))
    assert decoded.dtype == np.uint8 and (decoded == rgb).all()


def test_csv_columns_are_named_after_the_consensus_sleep_diary(files: ReportFiles) -> None:
    rows = list(csv.DictReader(io.StringIO(files.csv.decode())))
    assert len(rows) == 26
    last = rows[-1]
    assert last["night"] == "2026-03-04"
    assert last["csd1_into_bed"] == "2026-03-03T23:10:00+01:00"
    assert last["csd3_sleep_onset_latency_min"] == "20"
    assert last["csd5_wake_after_sleep_onset_min"] == "15"
    assert last["csd7_out_of_bed"] == "2026-03-04T07:05:00+01:00"
    assert last["tst_min"] == "425" and last["rls_onset"] == "2026-03-03T21:30:00+01:00"
    assert last["rls_body_regions"] == "" and last["rls_rest_min_before_onset"] == ""
    full = next(r for r in rows if r["night"] == "2026-03-01")  # 3 back: the long tags
    assert full["tags"].endswith("hot bath before bed;long drive in the car;magnesium spray")
    labs = list(csv.reader(io.StringIO(files.labs_csv.decode())))
    assert labs == [
        ["taken_on", "ferritin_ng_ml", "transferrin_saturation_pct", "fasting", "note"],
        ["2025-06-01", "62", "24", "no", ""],
        ["2025-11-03", "88.5", "", "", "after iron"],
        ["2026-02-27", "40", "12", "yes", ""],
    ]
    assert files.doses_csv.decode().splitlines() == ["medicine,taken_at_local,timezone"]


@pytest.mark.parametrize("locale", ["en-US", "de"])
@pytest.mark.parametrize("labs", [(), LABS], ids=["no labs", "labs"])
def test_every_line_of_the_page_ends_inside_its_right_margin(
    locale: str, labs: Sequence[LabResult]
) -> None:
    # Without iron values the guideline's thresholds ran off the page's edge, cut mid-sentence.
    figure, _, _ = report_page(replace(report(nights(30), labs=labs), locale=locale))
    right_edge = A4_INCHES[0] - MARGIN_RIGHT + 0.05
    for line in figure.axes[0].texts:
        left, _ = line.get_position()
        width = len(line.get_text()) * float(line.get_fontsize()) * MONO_WIDTH / 72
        assert left + width <= right_edge, line.get_text()


@settings(max_examples=12, deadline=None)
@given(
    logged=st.sets(st.integers(0, 20), max_size=21),
    regions=st.lists(
        st.sampled_from([None, frozenset(), frozenset({"legs", "trunk"})]), min_size=21, max_size=21
    ),
    with_labs=st.booleans(),
)
def test_any_mix_of_sections_fits_the_page_and_states_its_counts(
    logged: set[int], regions: list[frozenset[str] | None], with_labs: bool
) -> None:
    entries = [replace(night(b), body_regions=regions[b]) for b in sorted(logged, reverse=True)]
    data = report(entries, days=21, labs=LABS if with_labs else ())
    figure, _, lines = report_page(data)
    text = flat("\n".join(lines))
    assert f"{len(entries)} night{'s' if len(entries) != 1 else ''} logged of 21." in text
    assert ("ferritin 40" in text) == with_labs
    answered = sum(r is not None for b, r in enumerate(regions) if b in logged)
    if answered:
        assert f"(n = {answered} answered)" in text
    assert min(t.get_position()[1] for t in figure.axes[0].texts) > 0
    for ax in figure.axes[1:]:
        assert 0 <= ax.get_position().y0 < ax.get_position().y1 <= 1


def test_a_long_note_is_cut_on_the_page_and_in_full_on_page_two() -> None:
    long = "Legs restless from 9 pm. " * 30
    entries = [night(1), replace(night(0), note=long)]
    data = report(entries, days=2)
    _, complete, lines = report_page(data)
    assert not complete
    text = flat("\n".join(lines))
    assert "(notes in full: PDF page 2)" in text
    noted = [line for line in lines if line.strip().startswith("Note: Legs")]
    assert len(noted) == 1 and lines[lines.index(noted[0]) + 1].endswith(" …")
    full = flat(" ".join(t for page in notes_pages(data) for t in texts(page)))
    assert flat(long) in full
    assert (
        render_report(data).pdf.count(b"/Type /Page\n")
        + render_report(data).pdf.count(b"/Type /Page ")
        == 2
    )
