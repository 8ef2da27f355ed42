"""Helpers shared by the benchmarks: memory, event-loop lag, machine description, settings for a
bot run in the benchmark's own process."""

from __future__ import annotations

import asyncio
import os
import platform
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from bot.emulator import DiscordEmulator
    from bot.settings import Settings

T = TypeVar("T")

BENCH_TOKEN = "bench.bot.token-0123456789"


def rss_mb() -> float:
    """Current resident set size of this process, in MiB (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def machine() -> str:
    cpus = os.cpu_count() or 0
    return f"{platform.machine()}, {cpus} cores, Python {platform.python_version()}"


async def with_loop_lag(work: Awaitable[T], interval: float = 0.005) -> tuple[T, float, float]:
    """Run `work` while a probe measures how late the event loop wakes it: (result, seconds,
    worst lag in seconds)."""
    worst = 0.0
    stop = asyncio.Event()

    async def probe() -> None:
        nonlocal worst
        while not stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(interval)
            worst = max(worst, time.perf_counter() - before - interval)

    probe_task = asyncio.create_task(probe())
    start = time.perf_counter()
    result = await work
    elapsed = time.perf_counter() - start
    stop.set()
    await probe_task
    return result, elapsed, worst


def emulated_settings(emu: DiscordEmulator, database_path: Path, **values: Any) -> Settings:
    """Settings for a bot against `emu` with its own SQLite file: nothing comes from a developer's
    `.env` or environment (a DATABASE_URL there must not be used)."""
    # Imported here: the memory benchmarks import this module and must not carry discord.py.
    from pydantic import SecretStr

    from bot.settings import Settings

    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        discord_token=SecretStr(BENCH_TOKEN),
        database_path=database_path,
        database_url=None,
        discord_api_base=emu.api_base,
        discord_gateway_url=emu.gateway_url,
        **values,
    )
