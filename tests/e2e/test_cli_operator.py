"""`rls-companion` as an operator meets it, as real processes against the emulator: files the bot
creates are private, where the database lives is logged, and every database mistake is one line
naming the setting (password hidden), exit 2."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import stat
from pathlib import Path

import aiohttp
import pytest

from bot.emulator import DiscordEmulator
from tests.conftest import require_postgres
from tests.e2e.test_cli_process import cli_env, run_cli, start_cli
from tests.e2e.test_metrics import free_port

PASSWORD = "hunter2-very-secret"
LOG_LINE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def start_and_stop(
    emu: DiscordEmulator, tmp_path: Path, env: dict[str, str] | None = None
) -> tuple[str, dict[str, int]]:
    """Start `run`, wait until it is connected, note the database files' modes, SIGTERM it;
    returns its log and those modes."""
    full_env = {**cli_env(emu, tmp_path), **(env or {})}
    identified, ready = len(emu.identify_payloads), emu.gateway.ready_count
    process = await start_cli(emu, tmp_path, "run", env=env)
    try:
        await emu.wait_for_identify(timeout=30, count=identified + 1)
        await emu.wait_until_ready(timeout=30, shards=ready + 1)
        database = Path(full_env["DATABASE_PATH"])
        modes = {
            p.name: mode(p)
            for p in (database, Path(f"{database}-wal"), Path(f"{database}-shm"))
            if p.exists()
        }
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()
    return err.decode(), modes


async def test_database_files_are_private_and_the_start_says_where_and_whether_new(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    log, modes = await start_and_stop(emu, tmp_path)
    database = tmp_path / "bot.sqlite3"
    assert modes == {"bot.sqlite3": 0o600, "bot.sqlite3-wal": 0o600, "bot.sqlite3-shm": 0o600}
    assert f"SQLite database {database} (created now, empty" in log
    assert "readable by other users" not in log

    # A file made looser by hand is named with the fix, and left as it is.
    database.chmod(0o644)
    log, _ = await start_and_stop(emu, tmp_path)
    assert f"SQLite database {database} (existing" in log
    assert (
        f"readable by other users of this machine (mode 0644); it holds health data: chmod 600 {database}"
        in log
    )
    assert mode(database) == 0o644


async def test_a_relative_database_path_is_logged_absolute(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    log, _ = await start_and_stop(emu, tmp_path, {"DATABASE_PATH": "data/x.sqlite3"})
    assert f"SQLite database {tmp_path / 'data' / 'x.sqlite3'} (created now" in log


def one_line(code: int, err: str) -> str:
    assert code == 2, err
    assert "Traceback" not in err
    # `run` logs its start first; besides those log lines the problem is one line.
    lines = [line for line in err.strip().splitlines() if not LOG_LINE.match(line)]
    assert len(lines) == 1, err
    assert PASSWORD not in err
    return lines[0]


async def test_an_unusable_database_path_is_a_file_problem(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    for command in (["run"], ["sync-commands"]):
        env = {"DATABASE_PATH": "/proc/nope/x.sqlite3"}
        code, _, err = await run_cli(emu, tmp_path, *command, env=env)
        line = one_line(code, err)
        assert "DATABASE_PATH /proc/nope/x.sqlite3: cannot create the file or its folder" in line
        assert "Could not connect" not in line


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql://root:{pw}@{host}/nosuchdb", 'database "nosuchdb" does not exist'),
        ("postgresql://nosuchrole:{pw}@{host}/test", 'role "nosuchrole" does not exist'),
        (
            "postgresql://root:{pw}@{host}/test?search_path=nosuchschema",
            "no schema has been selected",
        ),
        ("postgresql://root:{pw}@127.0.0.1:1/test", "connection refused"),
    ],
    ids=["database", "role", "schema", "refused"],
)
async def test_postgres_problems_are_one_line_naming_database_url(
    emu: DiscordEmulator, tmp_path: Path, url: str, reason: str
) -> None:
    server = (await require_postgres()).split("://", 1)[1].split("/", 1)[0]
    dsn = url.format(pw=PASSWORD, host=server)
    source = tmp_path / "old.sqlite3"
    source.touch()
    for command in (["run"], ["sync-commands"], ["migrate-to-postgres", "--from", str(source)]):
        code, _, err = await run_cli(emu, tmp_path, *command, env={"DATABASE_URL": dsn})
        line = one_line(code, err)
        assert line.startswith("Database problem: DATABASE_URL postgresql://"), line
        assert ":***@" in line and reason in line, line


async def scrape(port: int, path: str = "/metrics") -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}{path}") as response,
    ):
        return response.status, await response.text()


async def test_an_idle_bot_is_quiet_at_info_and_json_when_asked(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    port = free_port()
    env: dict[str, str] = {}
    # Ticks a quarter second apart: at 0.05 s a loaded machine (CI's parallel suite) made a tick
    # outlast its interval, and APScheduler's "skipped: maximum number of running instances"
    # warning was a line of load, not of an idle bot.
    env.update(REMINDER_TICK_SECONDS="0.25", METRICS_PORT=str(port), LOG_FORMAT="json")
    identified = len(emu.identify_payloads)
    process = await start_cli(emu, tmp_path, "run", env=env)
    try:
        await emu.wait_for_identify(timeout=30, count=identified + 1)
        # Wait until the reminder tick has run many times (each one is counted).
        ticks = 0
        while ticks < 20:
            _, text = await scrape(port)
            match = re.search(r"^rls_reminder_claim_seconds_count (\S+)$", text, re.M)
            ticks = int(float(match.group(1))) if match else 0
            await asyncio.sleep(0.05)  # polling pace only; nothing depends on it
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()
    entries = [json.loads(line) for line in err.decode().splitlines()]
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    assert not [e for e in entries if e["logger"].startswith("apscheduler")]
    assert not [e for e in entries if "voice will NOT be supported" in e["message"]]
    # Start-up and shutdown only, however many ticks ran (20 or more). A fresh database adds one
    # "applied migration" line per migration, which grows with the schema: not counted.
    others = [e for e in entries if not e["message"].startswith("applied migration")]
    assert len(others) < 10, others
