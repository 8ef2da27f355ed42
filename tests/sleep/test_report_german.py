"""The report's page in German (issue 22): headings, averages with decimal commas, dates with
German month names, the iron block and the guideline's thresholds, the watch's lines, the
nightly table and the definitions; chart labels and date ticks too. The PDF stays in the
standard Courier (umlauts and ß are in its encoding); the CSVs keep their English column ids.
English is unchanged (tests/sleep/test_report.py checks it line by line)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.clinical.nights import REGIONS
from bot.clinical.watch import watch, watch_lines
from bot.i18n import speaker
from bot.i18n.locales import ENGLISH
from bot.i18n.speech import Duration
from bot.sleep.charts import history_figure
from bot.sleep.metrics import hours_minutes
from bot.sleep.report import (
    COLUMNS,
    CSV_HEADER,
    ReportFiles,
    ReportInput,
    headers,
    region_letters,
    render_report,
    report_figure,
)
from tests.sleep.test_report import (
    LABS,
    doses_for,
    flat,
    labels,
    nights,
    pdf_streams,
    report,
    texts,
)

DE = speaker("de")


def german(data: ReportInput) -> ReportInput:
    """The same report for a German reader: the use case says the watch in the page's language."""
    entries = list(data.nights)
    return replace(
        data,
        locale="de",
        watch=tuple(watch_lines(watch(entries, data.end, list(data.doses)), DE)),
    )


@pytest.fixture(scope="module")
def thirty_de() -> ReportInput:
    entries = nights(30)
    return german(report(entries, labs=LABS, doses=doses_for(entries)))


@pytest.fixture(scope="module")
def files_de(thirty_de: ReportInput) -> ReportFiles:
    return render_report(thirty_de)


@pytest.fixture(scope="module")
def figure_de(thirty_de: ReportInput) -> Figure:
    return report_figure(thirty_de)


def test_the_page_speaks_german_with_german_numbers_and_dates(files_de: ReportFiles) -> None:
    lines = files_de.text
    text = flat("\n".join(lines))
    assert lines[0] == "Schlaf- und RLS-Tagebuch: Nächte 3. Februar 2026 – 4. März 2026"
    assert lines[1].startswith("26 Nächte von 30 eingetragen. Ortszeiten (Europe/Berlin).")
    assert "Gesamtschlafzeit: 7 Std. 05 Min.  (n = 25)" in lines
    assert "Schlafeffizienz: 89 %  (n = 25)" in lines
    assert "Einschlafdauer: 20 min  (n = 26)" in lines
    assert "Aufwachen: 1,1  (n = 25)" in lines  # the decimal comma
    assert "RLS-Stärke: 4,1/10  (n = 25)" in lines
    assert "Nickerchen am Vortag: –  (nicht beantwortet)" in lines
    assert "RLS-Beginn: Median 21:30 (n = 26)" in text
    assert "Medikamente (wie die Person sie nennt): Ropinirole" in lines
    assert "Augmentations-Beobachtung (die letzten 28 Tage gegenüber den 28 davor)" in lines
    assert "Die Augmentations-Beobachtung braucht 7 Nächte" in text
    # The iron block: German dates, how long ago, values with a decimal comma, the thresholds.
    assert "27.02.2026 (vor 5 Tagen): Ferritin 40, TSAT 12 %, nüchtern" in lines
    assert "03.11.2025 (vor 4 Monaten): Ferritin 88,5" in lines
    assert "01.06.2025 (vor 9 Monaten): Ferritin 62, TSAT 24 %, nicht nüchtern" in lines
    assert "75 ng/ml oder darunter" in text and "unter 20 %" in text
    assert "ng/ml und µg/l sind dieselbe Zahl." in text
    assert "Körperregionen: in keiner Nacht dieses Zeitraums beantwortet." in lines
    assert re.search(
        r"\nTabelle mit Notizen: die letzten \d\d von 30 Nächten "
        r"\(alle Nächte: CSV; Notizen vollständig: PDF Seite 2\)\n",
        "\n".join(lines),
    )
    assert "Begriffe. Nächte tragen das Datum des Morgens" in text
    assert "Schlafeffizienz) = Gesamtschlafzeit ÷ Zeit im Bett" in text
    for english in ("nights logged", "not answered", "Averages", "Definitions", "ferritin 40"):
        assert english not in text


def test_the_nightly_table_in_german_keeps_its_columns(files_de: ReportFiles) -> None:
    lines = list(files_de.text)
    header = next(line for line in lines if line.startswith("Nacht "))
    assert header.split()[:6] == ["Nacht", "Bett", "Vers.", "Wach", "Auf", "Im"]
    last = next(line for line in lines if line.startswith("Mi. 04.03. "))
    assert last.startswith("Mi. 04.03. 23:10 23:10 06:50 07:05    7:55    7:05  89%")
    assert "Koffein" in last
    assert "Do. 26.02. nicht eingetragen" in lines
    assert any(line.strip().startswith("Notiz: Night 1:") for line in lines)


@pytest.mark.parametrize("locale", [ENGLISH, "de"])
def test_every_translated_column_header_fits_its_column(locale: str) -> None:
    tr = speaker(locale)
    columns, tags = headers(tr)
    assert len(columns) == len(COLUMNS) and tags
    for text, (_, width, _) in zip(columns, COLUMNS, strict=True):
        assert 0 < len(text) <= width, text
    letters = region_letters(tr)
    assert len(set(letters.values())) == 4 and all(len(v) == 1 for v in letters.values())


def test_chart_labels_legends_and_date_ticks_in_german(figure_de: Figure) -> None:
    assert {"Stunden", "RLS 0–10", "RLS-Beginn", "SE %"} <= labels(figure_de)
    shown = texts(figure_de)
    assert "3. März" in shown and "4. Feb." in shown  # Babel's month names
    assert {"im Bett", "geschlafen", "Beginn der Beschwerden", "Einnahme: Ropinirole"} <= set(shown)
    assert "Ferritin 75 ng/ml" in [t.strip() for t in shown]
    assert not {"Hours", "in bed", "asleep", "symptoms started"} & set(shown)


def test_the_history_chart_speaks_the_readers_language() -> None:
    """/sleep history drew its title, legend, axis labels and date ticks in English for everyone
    (the report passed the page's speaker to the same panels; the history chart did not)."""
    entries = nights(30)
    start, end = entries[0].night, entries[-1].night
    figure = history_figure(entries, start, end, "de")
    FigureCanvasAgg(figure).draw()  # the date ticks are formatted when drawn
    shown = set(texts(figure))
    assert {"Stunden", "Effizienz %", "RLS 0–10"} <= labels(figure)
    assert {"im Bett", "geschlafen", "Nächte 3. Februar 2026 – 4. März 2026", "3. März"} <= shown
    assert any(t.startswith("? = in dieser Nacht nicht beantwortet") for t in shown)
    assert not {"Hours", "in bed", "asleep", "Efficiency %", "03 Mar"} & (shown | labels(figure))
    english = history_figure(entries, start, end)
    FigureCanvasAgg(english).draw()
    assert {"Nights 03 Feb – 04 Mar 2026", "03 Mar", "in bed"} <= set(texts(english))


def test_the_german_pdf_stays_in_standard_courier_with_umlauts(files_de: ReportFiles) -> None:
    assert b"/FontFile" not in files_de.pdf and b"/BaseFont /Courier" in files_de.pdf
    content = b"".join(pdf_streams(files_de.pdf))
    heading = "(Schlaf- und RLS-Tagebuch: Nächte 3. Februar 2026 – 4. März 2026) Tj"
    assert heading.encode("cp1252") in content
    assert "M\xe4rz".encode("cp1252") == b"M\xe4rz" and b"M\xe4rz" in content
    assert "Koffein, Spätes Essen".encode("cp1252") in content
    # The CSV's columns stay the Consensus Sleep Diary's ids, whatever the page's language.
    assert files_de.csv.decode().splitlines()[0] == ",".join(CSV_HEADER)


def test_an_empty_german_window_says_so_in_german() -> None:
    data = replace(german(report([], days=7, labs=())), watch=())
    lines = render_report(data).text
    assert "Keine Nächte in diesem Zeitraum eingetragen: keine Schlafdiagramme." in lines
    assert any(
        line.startswith("Keine Eisenwerte eingetragen (/laborwerte hinzufügen). Die Leitlinie")
        for line in lines
    )
    assert "Keine Nächte in den letzten 56 Tagen zum Vergleichen." in lines


@given(st.integers(min_value=-3000, max_value=3000))
def test_durations_in_hours_and_minutes_in_both_languages(minutes: int) -> None:
    sign = "-" if minutes < 0 else ""
    h, m = divmod(abs(minutes), 60)
    assert hours_minutes(minutes) == f"{sign}{h}h {m:02d}m"
    assert hours_minutes(minutes, DE) == f"{sign}{h} Std. {m:02d} Min."
    assert Duration(minutes).said_by(DE) == hours_minutes(minutes, DE)
    assert str(Duration(minutes)) == hours_minutes(minutes)


def test_a_duration_inside_a_german_error() -> None:
    assert DE("That's {span} in bed, more than a day. Check the times.", span=Duration(1501)) == (
        DE("That's {span} in bed, more than a day. Check the times.", span="25 Std. 01 Min.")
    )
    assert "25 Std. 01 Min." in DE(
        "That's {span} in bed, more than a day. Check the times.", span=Duration(1501)
    )


@pytest.mark.parametrize("locale", [ENGLISH, "de"])
def test_no_chart_label_runs_into_its_tick_labels_or_off_the_page(locale: str) -> None:
    """The charts' y labels stand in one column left of the charts: the German regions
    ("Anderswo") are longer than the English ("other") and once ran under "Regionen"."""
    entries = [replace(e, body_regions=frozenset(REGIONS)) for e in nights(8, skip=set())]
    data = replace(report(entries, days=8), locale=locale)
    figure = report_figure(data)
    renderer = FigureCanvasAgg(figure).get_renderer()
    assert len(figure.axes) > 5  # the page, and every chart with a y label
    for ax in figure.axes:
        if not ax.get_ylabel():
            continue
        label = ax.yaxis.label.get_window_extent(renderer)
        assert label.x0 >= 0, ax.get_ylabel()
        for tick in ax.get_yticklabels():
            box = tick.get_window_extent(renderer)
            assert tick.get_text() and label.x1 < box.x0, (ax.get_ylabel(), tick.get_text())
