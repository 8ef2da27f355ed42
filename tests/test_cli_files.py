"""Data files as an operator meets them, through real `python -m bot` processes: backups that are
exact or fail loudly, private file modes, and one clear line for every file or database problem."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import asyncpg

from tests.conftest import drop_postgres_schema, open_postgres_schema, postgres_url
from tests.test_cli import run_cli

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Every character that means something in a URI, and some that are not ASCII.
AWKWARD_FOLDER = "a#b %41 c?d=e ünï"


def make_database(path: Path, rows: int = 3) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE log (id INTEGER PRIMARY KEY, payload TEXT)")
    conn.execute("CREATE TABLE other (id INTEGER PRIMARY KEY)")
    conn.executemany("INSERT INTO log (payload) VALUES (?)", [("x",)] * rows)
    conn.execute("INSERT INTO other DEFAULT VALUES")
    conn.commit()
    conn.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def one_line_exit_2(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result
    err = result.stderr
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_backup_of_a_path_with_uri_characters_is_exact_and_counted(tmp_path: Path) -> None:
    source = tmp_path / AWKWARD_FOLDER / "db.sqlite3"
    make_database(source, rows=7)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run_cli("backup", "out.sqlite3", env={"DATABASE_PATH": str(source)}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "log: 7 rows" in result.stdout and "other: 1 row\n" in result.stdout
    assert "8 rows in 2 tables" in result.stdout
    copy = sqlite3.connect(tmp_path / "out.sqlite3")
    assert copy.execute("SELECT count(*) FROM log").fetchone()[0] == 7
    copy.close()
    # No stray file named after the part of the path before the '#'.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "out.sqlite3"])


def test_backup_refuses_a_folder_an_unwritable_place_and_forcing_onto_a_non_file(
    tmp_path: Path,
) -> None:
    source = tmp_path / "live.sqlite3"
    make_database(source)
    env = {"DATABASE_PATH": str(source)}
    folder = tmp_path / "backups"
    folder.mkdir()
    assert "is a folder" in one_line_exit_2(run_cli("backup", str(folder), env=env, cwd=tmp_path))
    assert "is a folder" in one_line_exit_2(
        run_cli("backup", str(folder), "--force", env=env, cwd=tmp_path)
    )
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert "not a regular file" in one_line_exit_2(
        run_cli("backup", str(fifo), "--force", env=env, cwd=tmp_path)
    )
    # /proc refuses new files even to root.
    line = one_line_exit_2(run_cli("backup", "/proc/nope/b.sqlite3", env=env, cwd=tmp_path))
    assert "cannot write /proc/nope/b.sqlite3" in line
    assert list(folder.iterdir()) == []


def test_backup_with_force_replaces_an_earlier_backup_privately(tmp_path: Path) -> None:
    source = tmp_path / "live.sqlite3"
    make_database(source, rows=2)
    earlier = tmp_path / "backup.sqlite3"
    earlier.write_text("an old backup")
    earlier.chmod(0o644)
    result = run_cli(
        "backup", str(earlier), "--force", env={"DATABASE_PATH": str(source)}, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert mode(earlier) == 0o600
    copy = sqlite3.connect(earlier)
    assert copy.execute("SELECT count(*) FROM log").fetchone()[0] == 2
    copy.close()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


async def test_migrate_to_postgres_reads_a_path_with_uri_characters(tmp_path: Path) -> None:
    source = tmp_path / AWKWARD_FOLDER / "old.sqlite3"
    source.parent.mkdir()
    from tests.db.test_transfer import make_source, migrate_to_postgres_process

    await make_source(source)
    target, schema = await open_postgres_schema()
    await target.close()
    try:
        out = await migrate_to_postgres_process(source, schema, cwd=tmp_path)
        assert "sleep_entries: 1 row\n" in out.decode()
        conn = await asyncpg.connect(postgres_url(), server_settings={"search_path": schema})
        assert await conn.fetchval("SELECT count(*) FROM sleep_entries") == 1
        await conn.close()
        assert os.listdir(tmp_path) == [AWKWARD_FOLDER]
    finally:
        await drop_postgres_schema(schema)
