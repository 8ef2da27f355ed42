"""The doctor's report: a 30-night page with notes and long tags, checked for what a doctor
needs (notes, whole tags, definitions, gaps for missing nights, unknown severity unlike 0), and
for a page that is used, sharp on a phone and keeps its text as text."""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.dates import date2num
from matplotlib.figure import Figure
from matplotlib.text import Text

from bot.sleep.entry import SleepEntry
from bot.sleep.form import NightForm, build_entry
from bot.sleep.report import fit_notes, render_report, report_figure
from bot.sleep.stats import summarise, window

TODAY = date(2026, 3, 4)
NOW = datetime(2026, 3, 4, 11, 0, tzinfo=UTC)
NOT_LOGGED = {5, 6, 13, 21}  # nights back from TODAY
NO_SEVERITY, ZERO_SEVERITY = 7, 8
LONG_TAGS = "long drive in the car, hot bath before bed, magnesium spray"


def thirty_nights() -> list[SleepEntry]:
    entries = []
    for back in range(30):
        if back in NOT_LOGGED:
            continue
        form = NightForm(
            into_bed="23:10",
            sleep_latency_min=20,
            awakenings=None if back == 9 else back % 3,
            awake_min=None if back == 9 else 15,
            final_wake="6:50",
            out_of_bed="7:05",
            quality=3,
            severity={NO_SEVERITY: None, ZERO_SEVERITY: 0}.get(back, 1 + back % 9),
            tags={"caffeine", "late_meal", "stretched", "massage", "medication"},
            tag_text=LONG_TAGS if back % 3 == 0 else None,
            note=f"Night {back}: legs restless from 9 pm, up twice to walk." if back % 2 else None,
        )
        night = TODAY - timedelta(days=back)
        entries.append(
            build_entry(form, user_id=1, night=night, zone_name="Europe/Berlin", now=NOW)
        )
    return entries


@pytest.fixture(scope="module")
def entries() -> list[SleepEntry]:
    return thirty_nights()


@pytest.fixture(scope="module")
def figure(entries: list[SleepEntry]) -> Figure:
    start, end = window(30, TODAY)
    return report_figure(entries, summarise(entries, start, end))


def texts(figure: Figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(Text) if t.get_text()]


def axis(figure: Figure, label: str) -> Axes:
    return next(ax for ax in figure.axes if ax.get_ylabel() == label)


def test_every_note_and_every_whole_tag_is_on_the_page(figure: Figure) -> None:
    page = "\n".join(texts(figure))
    for back in range(1, 30, 2):
        if back not in NOT_LOGGED:
            assert f"Night {back}: legs restless from 9 pm, up twice to walk." in page
    # Tags wrap instead of being cut (before: the first 24 characters).
    flat = " ".join(page.split())
    standard = "Caffeine, Late meal, Stretched, Massage, Medication taken"
    assert f"{standard}, hot bath before bed, long drive in the car, magnesium spray" in flat
    assert "…" not in flat


def test_the_page_states_its_definitions(figure: Figure) -> None:
    flat = " ".join(" ".join(texts(figure)).split())
    assert "Sleep efficiency (SE) = total sleep ÷ time in bed" in flat
    assert (
        "Averages are means of the nightly values, over the nights where that value is known"
        in flat
    )
    # (23:10 -> 06:50 = 460) - 20 - 15 = 425 = 7h 05m on every night but one (unknown)
    assert "Total sleep: 7h 05m (n = 25)" in flat


def _x(night_back: int) -> float:
    return float(date2num(TODAY - timedelta(days=night_back)))


def test_missing_nights_are_gaps_in_every_chart(figure: Figure) -> None:
    efficiency = axis(figure, "Efficiency %").lines[0]
    xs = np.asarray(efficiency.get_xdata(), dtype=float)
    ys = np.asarray(efficiency.get_ydata(), dtype=float)
    by_x = dict(zip(xs.tolist(), ys.tolist(), strict=True))
    for back in NOT_LOGGED | {9}:  # not logged, or minutes awake unknown
        assert by_x[_x(back)] != by_x[_x(back)]  # NaN: the line breaks there
    # 23:10 -> 07:05 in bed = 475; (23:10 -> 06:50 = 460) - 20 - 15 = 425 asleep
    assert by_x[_x(0)] == pytest.approx(100 * 425 / 475)
    for label in ("Hours", "RLS 0–10"):
        bars = {
            float(segment[0][0])
            for c in axis(figure, label).collections
            if isinstance(c, LineCollection)
            for segment in c.get_segments()
        }
        assert not bars & {_x(back) for back in NOT_LOGGED}


def test_unknown_severity_is_drawn_unlike_zero(figure: Figure) -> None:
    severity = axis(figure, "RLS 0–10")
    marks = {round(t.get_position()[0], 3) for t in severity.texts if t.get_text() == "?"}
    assert marks == {round(_x(NO_SEVERITY), 3)}
    dots = [x for line in severity.lines for x in np.asarray(line.get_xdata(), float).tolist()]
    assert dots == [_x(ZERO_SEVERITY)]


def test_the_page_is_used_for_a_few_nights_and_fits_thirty(
    entries: list[SleepEntry], figure: Figure
) -> None:
    few = [e for e in entries if e.night > TODAY - timedelta(days=3)]
    start, end = window(3, TODAY)
    small = report_figure(few, summarise(few, start, end))
    charts = [ax.get_position() for ax in small.axes[1:]]
    # Before: the table kept its space for 31 rows and the charts the bottom third.
    assert max(c.y1 for c in charts) > 0.6
    assert min(c.y0 for c in charts) < 0.08
    # Ticks on whole days (before: "03 Mar, 03 Mar, 03 Mar" for hours of one day).
    ticks = list(small.axes[-1].xaxis.get_major_locator()())
    assert ticks and all(float(t).is_integer() for t in ticks)
    for fig in (small, figure):
        for ax in fig.axes[1:]:
            assert 0 <= ax.get_position().y0 < ax.get_position().y1 <= 1
        page_texts = fig.axes[0].texts
        assert min(t.get_position()[1] for t in page_texts) > 0  # nothing ran off the page
    thirty = [ax.get_position() for ax in figure.axes[1:]]
    assert min(p.height for p in thirty) * 11.69 > 0.6  # each chart panel over 0.6 in tall


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def pdf_streams(pdf: bytes) -> list[bytes]:
    streams = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            streams.append(zlib.decompress(raw))
        except zlib.error:
            streams.append(raw)
    return streams


def test_png_is_sharp_and_the_pdf_keeps_text_as_text(entries: Sequence[SleepEntry]) -> None:
    start, end = window(30, TODAY)
    files = render_report(entries, summarise(entries, start, end))
    width, height = png_size(files.png)
    assert width >= 1600 and height / width == pytest.approx(11.69 / 8.27, abs=0.01)
    # Text drawn with embedded TrueType fonts (before: Type 3 glyph procedures), no images.
    assert b"/FontFile2" in files.pdf and b"/Subtype /Image" not in files.pdf
    assert any(b"BT" in s and b"TJ" in s for s in pdf_streams(files.pdf))
    assert files.pdf.count(b"/Type /Page\n") + files.pdf.count(b"/Type /Page ") >= 1


def test_notes_too_long_for_the_page_are_shortened_and_pointed_to() -> None:
    notes = [[f"Mon 0{i} Mar:  line one", "      line two", "      line three"] for i in range(4)]
    lines, complete = fit_notes(notes, 12)
    assert complete and len(lines) == 12
    lines, complete = fit_notes(notes, 9)
    assert not complete
    assert lines[:2] == ["Mon 00 Mar:  line one", "      line two …"]
    assert lines[-1] == (
        "Notes shortened to fit. Every note in full: page 2 of the PDF, and the CSV."
    )
    lines, complete = fit_notes(notes, 3)
    assert lines == [
        "Mon 02 Mar:  line one …",
        "Mon 03 Mar:  line one …",
        "2 earlier notes not shown here. Notes shortened to fit. Every note in full: page 2 of "
        "the PDF, and the CSV.",
    ]
