"""/sleep report, second edition: a year of nights, 40 lab values and 3 medicines drawn in the
bot's drawing process (issue 20's target: ≤ 500 ms median), and where the time goes.

    .venv/bin/python -m bench.sleep_report [--nights 365] [--runs 9] [--profile] [--save DIR]

Prints a Markdown table (median and worst of `--runs`, wall time in the drawing process and
the page's pieces measured in this process). `--profile` adds cProfile's top functions for one
render; `--save DIR` writes the files of one render (the README's demo comes from here).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import statistics
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.common import machine
from bench.sleep_stats import varied_night
from bot.clinical.labs import LabResult
from bot.clinical.meds import DoseEvent
from bot.clinical.watch import watch, watch_lines
from bot.sleep import report
from bot.sleep.drawing import draw, shutdown
from bot.sleep.entry import SleepEntry
from bot.sleep.form import build_entry
from bot.sleep.pagetext import pdf_core_fonts
from bot.sleep.report import PAGE_STYLE, ReportFiles, ReportInput

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ZONE = "Europe/Berlin"
MEDICINES = ("Pramipexole", "Iron tablet", "Gabapentin")
REGION_SETS: tuple[frozenset[str] | None, ...] = (
    frozenset({"legs"}),
    frozenset({"legs", "arms"}),
    None,
    frozenset({"legs"}),
    frozenset(),
    frozenset({"legs", "trunk"}),
)


def year_of_nights(nights: int, today: date = TODAY) -> list[SleepEntry]:
    """A year with everything a clinician's page shows: onsets drifting earlier over the last
    weeks, regions (some unanswered), minutes at rest, notes on some nights, a few unlogged."""
    entries = []
    for back in range(nights):
        if back % 17 == 5:
            continue  # not logged
        onset_hour = 21 - (2 if back < 28 else 0)
        form = replace(
            varied_night(back),
            out_of_bed=f"{7 + back % 2}:{(back * 11) % 60:02d}",
            severity=None if back % 13 == 7 else back % 11,
            rls_onset=f"{onset_hour}:{(back * 13) % 60:02d}",
            tags={"stretched", "caffeine"} if back % 3 else {"caffeine"},
            tag_text="long drive in the car, hot bath before bed" if back % 9 == 0 else None,
            note=f"Night {back}: legs restless from 9 pm, up twice to walk."
            if back % 5 == 0
            else None,
        )
        entry = build_entry(
            form, user_id=1, night=today - timedelta(days=back), zone_name=ZONE, now=NOW
        )
        entries.append(
            replace(
                entry, body_regions=REGION_SETS[back % len(REGION_SETS)], rest_min=10 + back % 50
            )
        )
    return sorted(entries, key=lambda e: e.night)


def labs(count: int = 40, today: date = TODAY) -> list[LabResult]:
    return [
        LabResult(
            taken_on=today - timedelta(days=9 * i + 3),
            ferritin=float(40 + (i * 17) % 120),
            tsat=None if i % 4 == 3 else float(12 + (i * 7) % 25),
            fasting=None if i % 3 else True,
        )
        for i in range(count)
    ]


def doses(nights: int, today: date = TODAY) -> list[DoseEvent]:
    out = []
    for back in range(nights):
        day = today - timedelta(days=back + 1)
        for name, hour in zip(MEDICINES, (20, 8, 19), strict=True):
            if back % 11 == 4 and name == "Gabapentin":
                continue
            local = datetime(day.year, day.month, day.day, hour, (back * 7) % 60)
            out.append(DoseEvent(name, local.replace(tzinfo=UTC) - timedelta(hours=1), ZONE))
    return out


def report_input(nights: int = 365, lab_count: int = 40) -> ReportInput:
    entries = year_of_nights(nights)
    taken = doses(nights)
    return ReportInput(
        nights=tuple(entries),
        start=TODAY - timedelta(days=nights - 1),
        end=TODAY,
        labs=tuple(labs(lab_count)),
        doses=tuple(taken),
        medicines=MEDICINES,
        watch=tuple(watch_lines(watch(entries, TODAY, taken))),
        timezone=ZONE,
    )


def timed_render(data: ReportInput) -> tuple[ReportFiles, float]:
    """In the drawing process: the report and the CPU seconds it took there."""
    start = time.process_time()
    files = report.render_report(data)
    return files, time.process_time() - start


async def in_drawing_process(
    data: ReportInput, runs: int
) -> tuple[float, list[float], list[float]]:
    """Wall time of the first report in a new drawing process (start, imports, fonts, glyph
    cache), then wall and CPU seconds of each next one."""
    start = time.perf_counter()
    await draw(timed_render, data)
    first = time.perf_counter() - start
    walls, cpus = [], []
    for _ in range(runs):
        start = time.perf_counter()
        _, cpu = await draw(timed_render, data)
        walls.append(time.perf_counter() - start)
        cpus.append(cpu)
    shutdown()
    return first, walls, cpus


def pieces(data: ReportInput, runs: int) -> dict[str, list[float]]:
    """CPU seconds of the whole render and of its steps, as `render_report` takes them, in this
    process: on a shared machine CPU time varies less than wall time."""
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages

    report.render_report(data)
    out: dict[str, list[float]] = {
        "whole render (CPU)": [],
        "build": [],
        "png": [],
        "pdf": [],
        "csv": [],
    }
    for _ in range(runs):
        c0 = time.process_time()
        report.render_report(data)
        out["whole render (CPU)"].append(time.process_time() - c0)
        with matplotlib.rc_context(PAGE_STYLE):
            t0 = time.process_time()
            figure, complete, _ = report.report_page(data)
            t1 = time.process_time()
            report.page_png(figure)
            t2 = time.process_time()
            figures = [figure, *([] if complete else report.notes_pages(data))]
            core = pdf_core_fonts(figures)
            with (
                matplotlib.rc_context({"pdf.use14corefonts": core}),
                PdfPages(io.BytesIO()) as pages,
            ):
                for page in figures:
                    pages.savefig(page)
            t3 = time.process_time()
            report.entries_csv(data.nights)
            report.labs_csv(data.labs)
            report.doses_csv(data.doses)
            t4 = time.process_time()
        out["build"].append(t1 - t0)
        out["png"].append(t2 - t1)
        out["pdf"].append(t3 - t2)
        out["csv"].append(t4 - t3)
    return out


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms median, {max(values) * 1000:.0f} ms worst"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nights", type=int, default=365)
    parser.add_argument("--labs", type=int, default=40)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--save", type=Path)
    args = parser.parse_args()
    data = report_input(args.nights, args.labs)
    if args.save:
        files = report.render_report(data)
        args.save.mkdir(parents=True, exist_ok=True)
        for name, content in [
            ("sleep-report.png", files.png),
            ("sleep-report.pdf", files.pdf),
            ("sleep-report.csv", files.csv),
            ("sleep-report-labs.csv", files.labs_csv),
            ("sleep-report-doses.csv", files.doses_csv),
        ]:
            (args.save / name).write_bytes(content)
    if args.profile:
        report.render_report(data)
        profile = cProfile.Profile()
        profile.runcall(report.render_report, data)
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)
    first, walls, cpus = asyncio.run(in_drawing_process(data, args.runs))
    parts = pieces(data, max(3, args.runs // 3))
    print(f"machine: {machine()}")
    print("| figure | value |\n|---|---|")
    what = f"/sleep report, {args.nights} nights, {args.labs} labs, {len(MEDICINES)} medicines"
    print(f"| {what}, PNG + PDF + 3 CSV, drawing process, target ≤ 500 ms | {ms(walls)} |")
    print(f"| of which CPU in the drawing process | {ms(cpus)} |")
    print(f"| the first report in a new drawing process (start, imports, fonts) | {ms([first])} |")
    for name, values in parts.items():
        label = name if name.startswith("whole") else f"of which {name} (CPU)"
        print(f"| {label}, in this process | {ms(values)} |")


if __name__ == "__main__":
    main()
