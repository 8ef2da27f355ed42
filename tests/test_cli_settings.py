"""Settings as an operator writes them in `.env`, through a real `python -m bot` process."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.test_cli import run_cli


def test_a_typo_in_env_gets_one_warning_naming_the_real_setting(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "live.sqlite3").close()
    (tmp_path / ".env").write_text(
        "DATABASE_PATH=live.sqlite3\n"
        "REMINDER_TICK_SECOND=10\n"  # a typo of REMINDER_TICK_SECONDS
        "METRICS_BIND=0.0.0.0\n"  # looks like ours, is nothing
        "PGPASSWORD=for-another-tool\n"  # someone else's: no warning
        "log_level=info\n"  # ours, any case
    )
    result = run_cli("backup", "copy.sqlite3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    assert len(warnings) == 1, result.stderr
    assert warnings[0].endswith(
        "ignoring unknown setting(s) in .env: "
        "REMINDER_TICK_SECOND (did you mean REMINDER_TICK_SECONDS?), METRICS_BIND"
    )


def test_a_clean_env_gets_no_warning(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "live.sqlite3").close()
    (tmp_path / ".env").write_text("DATABASE_PATH=live.sqlite3\nLOG_FORMAT=json\n")
    result = run_cli("backup", "copy.sqlite3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr and '"level": "WARNING"' not in result.stderr
