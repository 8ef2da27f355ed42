"""The drawing process: charts are drawn outside the bot's process, and a worker that dies is
replaced instead of breaking every later chart."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.sleep import drawing
from bot.sleep.charts import history_png
from tests.sleep.test_metrics import night

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# A bot stand-in: it draws once (starting the worker), says the worker's pid, then waits.
DRAWS_THEN_WAITS = """
import asyncio, os, sys
from bot.sleep import drawing

async def main():
    print(await drawing.draw(os.getpid), flush=True)
    await asyncio.sleep(3600)

if __name__ == "__main__":
    asyncio.run(main())
"""


@pytest.fixture(autouse=True)
def fresh_worker() -> Iterator[None]:
    drawing.shutdown()
    yield
    drawing.shutdown()


def alive(pid: int) -> bool:
    """Running; an exited process that nobody has reaped yet (a zombie) counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):  # no /proc here, or gone meanwhile
        return stat.parent.exists()


async def test_drawing_runs_in_another_process_that_is_kept() -> None:
    worker = await drawing.draw(os.getpid)
    assert worker != os.getpid()
    assert await drawing.draw(os.getpid) == worker


async def test_a_chart_drawn_there_comes_back_as_png() -> None:
    nights = [
        night(date(2026, 3, day), "23:00", "23:10", "7:00", "7:15", 20, 10) for day in (1, 2, 3)
    ]
    png = await drawing.draw(history_png, nights, date(2026, 3, 1), date(2026, 3, 3))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


async def test_a_killed_worker_is_replaced() -> None:
    worker = await drawing.draw(os.getpid)
    os.kill(worker, signal.SIGKILL)
    replacement = await drawing.draw(os.getpid)
    assert replacement not in (worker, os.getpid())


async def test_an_idle_worker_is_stopped_and_started_again_when_needed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(drawing, "IDLE_SECONDS", 0)  # stop as soon as the loop gets to it
    worker = await drawing.draw(os.getpid)
    assert drawing.running()
    for _ in range(3):
        await asyncio.sleep(0)
    assert not drawing.running()
    assert await drawing.draw(os.getpid) not in (worker, os.getpid())


async def test_a_drawing_in_progress_keeps_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(drawing, "IDLE_SECONDS", 0)
    # A second of drawing: far longer than the test needs between `first` ending and the check.
    slow = asyncio.ensure_future(drawing.draw(time.sleep, 1.0))
    first = await drawing.draw(os.getpid)  # ends while `slow` still draws: no idle stop yet
    for _ in range(3):
        await asyncio.sleep(0)
    assert drawing.running()
    await slow
    for _ in range(3):
        await asyncio.sleep(0)
    assert not drawing.running()
    assert first != os.getpid()


def test_the_worker_exits_when_the_bot_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "bot_stand_in.py"
    script.write_text(DRAWS_THEN_WAITS)
    with subprocess.Popen(
        [sys.executable, str(script)], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
    ) as bot:
        assert bot.stdout is not None
        worker = int(bot.stdout.readline())  # pytest-timeout ends a hang here
        assert alive(worker)
        bot.kill()  # SIGKILL: the bot gets no chance to stop its worker
        # The worker notices within a second or so; a generous bound, not a timing assertion.
        deadline = time.monotonic() + 10
        while alive(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(worker)


class NoProcesses(Executor):
    """An executor whose worker never starts, as when "spawn" cannot import the main module."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        raise BrokenProcessPool("the worker could not start")


async def test_without_a_drawing_process_charts_are_drawn_in_a_thread(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(drawing, "_worker", NoProcesses)
    with caplog.at_level(logging.WARNING, logger="bot.sleep.drawing"):
        assert await drawing.draw(os.getpid) == os.getpid()
        assert await drawing.draw(os.getpid) == os.getpid()
    assert [r.getMessage() for r in caplog.records] == [
        "no drawing process (the worker could not start); drawing in a thread from now on"
    ]
