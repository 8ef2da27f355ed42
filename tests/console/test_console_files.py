"""The console as a real process leaves no temporary folder behind, unless asked to keep it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_console(tmp_path: Path, *args: str) -> list[str]:
    """Run a short script with TMPDIR pointed at a fresh folder; returns what is left in it."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "DATABASE_URL"}}
    env.update(PYTHONPATH=str(ROOT), TMPDIR=str(scratch))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", *args],
        input="/sleep log bed:23:00 wake:7:00\n/sleep history\n:quit\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return sorted(p.name for p in scratch.iterdir())


def test_the_console_removes_its_temporary_folder(tmp_path: Path) -> None:
    assert run_console(tmp_path) == []


def test_keep_keeps_it_with_the_files_the_bot_sent(tmp_path: Path) -> None:
    [kept] = run_console(tmp_path, "--keep")
    assert kept.startswith("rls-console-")
    assert (tmp_path / "tmp" / kept / "bot.log").is_file()
