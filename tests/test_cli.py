"""The command line as an operator meets it: real processes, real files."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from bot import __version__
from bot.cli import main

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "DATABASE_URL"}}
    full_env["PYTHONPATH"] = str(PROJECT_ROOT)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=60,
    )


def test_version(tmp_path: Path) -> None:
    result = run_cli("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_run_without_token_explains_and_exits_2(tmp_path: Path) -> None:
    result = run_cli(cwd=tmp_path)  # `run` is the default
    assert result.returncode == 2
    assert "DISCORD_TOKEN" in result.stderr
    assert "rls-companion console" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()  # nothing created before we can run


def test_invalid_setting_is_one_clear_line(tmp_path: Path) -> None:
    result = run_cli("run", env={"REMINDER_TICK_SECONDS": "soon"}, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Invalid setting REMINDER_TICK_SECONDS")


def _make_database(path: Path, rows: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE log (id INTEGER PRIMARY KEY, payload TEXT)")
    conn.executemany("INSERT INTO log (payload) VALUES (?)", [("x" * 100,)] * rows)
    conn.commit()
    conn.close()


def test_backup_is_consistent_while_another_connection_writes(tmp_path: Path, monkeypatch) -> None:
    source = tmp_path / "live.sqlite3"
    _make_database(source, 5_000)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(source))
    stop = threading.Event()
    written = [0]

    def writer() -> None:
        conn = sqlite3.connect(source, timeout=10)
        while not stop.is_set():
            conn.execute("INSERT INTO log (payload) VALUES (?)", ("y" * 100,))
            conn.commit()
            written[0] += 1
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while written[0] < 50:  # the writer is really running before the copy starts
            threading.Event().wait(0.001)
        assert main(["backup", str(tmp_path / "copy.sqlite3")]) == 0
    finally:
        stop.set()
        thread.join()

    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copied = copy.execute("SELECT count(*) FROM log").fetchone()[0]
    copy.close()
    assert 5_050 <= copied <= 5_000 + written[0]


def test_backup_refuses_to_overwrite_and_to_copy_non_sqlite(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "live.sqlite3"
    _make_database(source, 1)
    monkeypatch.setenv("DATABASE_PATH", str(source))
    existing = tmp_path / "exists.sqlite3"
    existing.write_text("keep me")
    assert main(["backup", str(existing)]) == 2
    assert existing.read_text() == "keep me"
    assert "--force" in capsys.readouterr().err

    junk = tmp_path / "junk.sqlite3"
    junk.write_text("not a database at all" * 100)
    monkeypatch.setenv("DATABASE_PATH", str(junk))
    assert main(["backup", str(tmp_path / "out.sqlite3")]) == 2
    assert "not an SQLite database" in capsys.readouterr().err
