"""Smoke test of issue 19's benchmarks at tiny sizes: they run and report, nothing is timed."""

from __future__ import annotations

import pstats
from pathlib import Path

from bench.ceiling import BARE_WITH_OUR_REPLIES, COMMANDS, reply_table, run, table
from bench.reminders_sqlite import _migrate_only, engine_figures, populate


async def test_ceiling_runs_both_bots_and_profiles_each_burst(tmp_path: Path) -> None:
    sitting = await run(
        count=3, runs=1, user_count=2, variants=["asyncio+stdlib"], profile=tmp_path, warm_up=1
    )
    for bot in ("bare", "project"):
        for command in COMMANDS:
            [burst] = sitting.bursts[("asyncio+stdlib", bot, command)]
            assert burst.acknowledged == 3
    assert "/sleep stats" in table(sitting, ["asyncio+stdlib"])
    check_profiles(tmp_path, 2 * len(COMMANDS))


async def test_the_bare_bot_can_send_the_projects_own_replies() -> None:
    sitting = await run(
        count=3,
        runs=1,
        user_count=2,
        variants=["asyncio+stdlib"],
        profile=None,
        warm_up=1,
        our_replies=True,
    )
    for command in COMMANDS:
        [burst] = sitting.bursts[("asyncio+stdlib", BARE_WITH_OUR_REPLIES, command)]
        assert burst.acknowledged == 3
    assert "/rls tip" in reply_table(sitting, ["asyncio+stdlib"])


async def test_reminder_tick_profile_splits_the_tick(tmp_path: Path) -> None:
    path = tmp_path / "tick.sqlite3"
    await _migrate_only(path)
    populate(path, 300, 100)
    figures = await engine_figures(path, tmp_path / "tick.prof")
    assert figures["tick with 100 due"]
    assert any(key.startswith("profile: SQLite thread: INSERT") for key in figures)
    assert any(key.startswith("profile: SQLite thread: UPDATE") for key in figures)
    assert any(key.startswith("profile: decide per group") for key in figures)
    assert figures["outbox rows written"] == "100"
    check_profiles(tmp_path, 1)


def check_profiles(folder: Path, count: int) -> None:
    profiles = sorted(folder.glob("*.prof"))
    assert len(profiles) == count
    for profile in profiles:
        pstats.Stats(str(profile))  # a readable cProfile file
