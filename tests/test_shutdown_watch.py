"""A shutdown that hangs says in the log where it waits (bot/shutdown_watch.py)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.shutdown_watch import _log_waiting_tasks


async def waits_for_a_lock_nobody_releases(never: asyncio.Event) -> None:
    await never.wait()


async def test_the_report_names_each_task_still_waiting(caplog: pytest.LogCaptureFixture) -> None:
    never = asyncio.Event()
    stuck = asyncio.create_task(waits_for_a_lock_nobody_releases(never), name="stuck-close")
    await asyncio.sleep(0)  # let it start and block
    with caplog.at_level(logging.WARNING, logger="bot.shutdown_watch"):
        _log_waiting_tasks(20.0)
    never.set()
    await stuck
    (record,) = caplog.records
    assert "still shutting down after 20 s" in record.getMessage()
    assert "waits_for_a_lock_nobody_releases" in record.getMessage()
    assert "stuck-close" in record.getMessage()
