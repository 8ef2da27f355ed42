"""Crash safety with the real bot process: SIGKILL mid-burst, and mid-way through a diary save.

The burst test runs `bench.crash_safety` (the 10,000-reminder benchmark) with a small N so the suite
stays quick; `RLS_CRASH_REMINDERS` raises it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bench.crash_safety import bot_env, bot_process, kill, migrate, run_crash, stop
from bot.emulator import DiscordEmulator, EmuUser
from tests.conftest import emulator_that_never_failed

REMINDERS = int(os.environ.get("RLS_CRASH_REMINDERS", "200"))
EPHEMERAL = 64


async def test_sigkill_mid_burst_loses_and_doubles_nothing(tmp_path: Path) -> None:
    # Two seeds side by side (each with its own emulator and file): one kill, then two kills.
    reports = await asyncio.gather(
        run_crash(REMINDERS, 1, tmp_path, kills=1),
        run_crash(REMINDERS, 2, tmp_path, kills=2),
    )
    for report in reports:
        assert report.problems == [], report
        assert report.messages == report.reminders == report.delivered_users
        assert report.delivery_statuses == {"sent": report.reminders}
        assert report.late_labelled == report.reminders // 5
        # Paced under the global limit across restarts: a 429 is rare (the emulator counts
        # arrivals on its own, sometimes busy, event loop; bench/crash_safety.py reports them).
        assert report.invalid_requests <= report.reminders // 20


# -- a kill during a sleep diary save -------------------------------------------------------------


@pytest.fixture
async def emu() -> AsyncIterator[DiscordEmulator]:
    async with emulator_that_never_failed(validate=True) as emulator:
        yield emulator
        assert emulator.violations == []


def entry_row(db_path: Path, user_id: int, night: date) -> dict[str, object] | None:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute(
            "SELECT * FROM sleep_entries WHERE user_id = ? AND night = ?",
            (user_id, night.isoformat()),
        ).fetchone()
        return None if row is None else dict(row)
    finally:
        conn.close()


LOG = {"bed": "23:10", "wake": "6:50", "severity": 6, "quality": 3, "tags": "caffeine"}


def assert_complete(row: dict[str, object] | None, note: str) -> None:
    """Every answer given is in the row: nothing half-written."""
    assert row is not None
    assert (row["severity"], row["quality"], row["tags"], row["note"]) == (6, 3, "caffeine", note)
    # (No "up" given: out of bed is unknown, so the span checked is into bed -> final wake.)
    assert row["final_wake"] - row["into_bed"] == (7 * 60 + 40) * 60  # type: ignore[operator]
    assert row["out_of_bed"] is None
    assert row["created_at"] and row["updated_at"] and row["timezone"] == "UTC"


async def log_night(emu: DiscordEmulator, user: EmuUser, night: date, note: str) -> None:
    await emu.slash(user, "sleep log", {**LOG, "note": note, "night": night.isoformat()})


def seed_profile(db_path: Path, user: EmuUser) -> None:
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.execute(
                "INSERT INTO users (id, timezone, created_at) VALUES (?, 'UTC', 0)", (user.id,)
            )
    finally:
        conn.close()


CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"
# Where each kill lands, and whether the night is then saved (None: either, but never half).
KILLS: list[tuple[str | None, bool | None]] = [
    ("before_insert", False),  # in the transaction, the profile row written, the night not yet
    ("after_insert", False),  # the night written, not committed
    ("after_commit", True),  # committed, the reply not yet sent
    (None, None),  # a plain SIGKILL the moment the command is on the wire
]


async def test_sigkill_during_a_diary_save_leaves_all_or_nothing(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    db_path = tmp_path / "bot.sqlite3"
    await migrate(db_path)
    alice = emu.add_user("alice")
    seed_profile(db_path, alice)
    env = bot_env(emu, db_path, REMINDER_TICK_SECONDS="3600")
    today = datetime.now(UTC).date()
    # Nights up to yesterday: before 07:00 UTC today's night would be refused as still ahead.
    nights = [today - timedelta(days=n) for n in range(1, len(KILLS) + 1)]

    for started, ((crash_at, _), night) in enumerate(zip(KILLS, nights, strict=True), start=1):
        if crash_at is None:
            process_env, module = env, "bot"
        else:
            process_env, module = {**env, "RLS_CRASH_AT": crash_at}, "tests.reliability.crashpoint"
        log = tmp_path / f"kill-{started}.log"
        async with bot_process(process_env, log, module=module) as process:
            await emu.wait_until_ready(timeout=30, shards=started)
            await log_night(emu, alice, night, f"try {started}")
            if crash_at is None:
                await kill(process)
            assert await asyncio.wait_for(process.wait(), 30) == -signal.SIGKILL
    assert emu.requests_to("POST", CALLBACK) == []  # no kill left a reply behind

    for number, ((_, saved), night) in enumerate(zip(KILLS, nights, strict=True), start=1):
        row = entry_row(db_path, alice.id, night)
        if saved is False or (saved is None and row is None):
            assert row is None
        else:
            assert_complete(row, f"try {number}")

    # After a restart (SQLite recovers from its write-ahead log) the diary is intact and usable.
    saved_before = {n for n in nights if entry_row(db_path, alice.id, n) is not None}
    async with bot_process(env, tmp_path / "restart.log") as process:
        await emu.wait_until_ready(timeout=30, shards=len(KILLS) + 1)
        for night in nights:
            await log_night(emu, alice, night, "again")
            reply = await emu.wait_for_request("POST", CALLBACK, timeout=30)
            data = reply.json["data"]
            assert data["flags"] & EPHEMERAL
            if night in saved_before:
                assert "already logged" in data["content"]  # asks before replacing it
            else:
                assert data["content"].startswith("Saved.")
        try:
            code = await stop(process)
        except TimeoutError:
            written = (tmp_path / "restart.log").read_text()
            pytest.fail(f"still running 60 s after SIGTERM; its log:\n{written[-6000:]}")
        assert code == 0
    for number, night in enumerate(nights, start=1):
        note = f"try {number}" if night in saved_before else "again"
        assert_complete(entry_row(db_path, alice.id, night), note)
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
