"""The console as a real process leaves no temporary folder behind, unless asked to keep it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_console(tmp_path: Path, *args: str) -> tuple[list[str], str]:
    """Run a short script with TMPDIR pointed at a fresh folder; returns what is left in it."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "DATABASE_URL"}}
    env.update(PYTHONPATH=str(ROOT), TMPDIR=str(scratch))
    result = subprocess.run(
        # A fixed start: on the real clock, "wake 7:00" is still to come between midnight and
        # 07:00 in Berlin, the night is refused and there is no chart (the test failed at night).
        [sys.executable, "-m", "bot", "console", "--start", "2026-03-02T12:00+00:00", *args],
        input=(
            "/timezone set zone:Europe/Berlin\n/sleep log bed:23:00 wake:7:00\n"
            "/sleep history\n:quit\n"
        ),
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return sorted(p.name for p in scratch.iterdir()), result.stdout


def test_the_console_removes_its_temporary_folder_and_says_so(tmp_path: Path) -> None:
    left, shown = run_console(tmp_path)
    assert left == []
    # The chart's path was shown during the session: the user learns it is gone, and how not.
    assert "with the 1 file the bot sent; --keep or --output DIR keeps them." in " ".join(
        shown.split()
    )


def test_keep_keeps_it_with_the_files_the_bot_sent(tmp_path: Path) -> None:
    [kept], shown = run_console(tmp_path, "--keep")
    assert "Removed" not in shown
    assert kept.startswith("rls-console-")
    assert (tmp_path / "tmp" / kept / "bot.log").is_file()
