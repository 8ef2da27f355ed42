"""`rls-companion` as a real process against the emulator: token rejected, sync-commands, SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

from bot.emulator import DiscordEmulator
from tests.e2e.conftest import TOKEN

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def cli_env(emu: DiscordEmulator, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DISCORD_TOKEN"}}
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        DISCORD_TOKEN=TOKEN,
        DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
        DISCORD_API_BASE=emu.api_base,
        DISCORD_GATEWAY_URL=emu.gateway_url,
        LOG_LEVEL="INFO",
    )
    return env


async def start_cli(
    emu: DiscordEmulator, tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> asyncio.subprocess.Process:
    """`python -m bot ARGS` in tmp_path against the emulator (cli_env, plus `env`), its output
    piped."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env={**cli_env(emu, tmp_path), **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def run_cli(
    emu: DiscordEmulator, tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    process = await start_cli(emu, tmp_path, *args, env=env)
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_a_rejected_token_is_one_clear_line_and_exit_2(emu, tmp_path: Path) -> None:
    emu.reject_token = True
    code, _, err = await run_cli(emu, tmp_path, "run")
    assert code == 2
    assert "rejected DISCORD_TOKEN (HTTP 401)" in err
    assert "Traceback" not in err
    assert TOKEN not in err


async def test_sync_commands_registers_globally_and_per_guild(emu, tmp_path: Path) -> None:
    code, out, err = await run_cli(emu, tmp_path, "sync-commands")
    assert code == 0, err
    registered = {c["name"] for c in emu.registered_commands()}
    assert {"help", "stretch", "timezone"} <= registered
    assert "/help" in out and f"Registered {len(registered)} commands globally" in out

    guild = emu.add_guild("Testers")
    code, out, err = await run_cli(emu, tmp_path, "sync-commands", "--guild", str(guild.id))
    assert code == 0, err
    assert {c["name"] for c in emu.registered_commands(guild.id)} == registered
    assert f"to server {guild.id}" in out
    # The bot itself never syncs on start: only these two PUTs happened.
    assert len([r for r in emu.requests if r.method == "PUT"]) == 2


async def test_sigterm_shuts_down_cleanly(emu, tmp_path: Path) -> None:
    process = await start_cli(emu, tmp_path, "run")
    await emu.wait_for_identify(timeout=30)
    await emu.wait_until_ready(timeout=30)
    process.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(process.communicate(), timeout=30)
    log = err.decode()
    assert process.returncode == 0, log
    assert "shutting down" in log and "shut down cleanly" in log and "Traceback" not in log
    assert TOKEN not in log
    # Nothing was registered on start, and the database is closed and intact.
    assert not [r for r in emu.requests if r.method == "PUT"]
    conn = sqlite3.connect(tmp_path / "bot.sqlite3")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
