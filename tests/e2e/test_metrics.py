"""The Prometheus endpoint of one process, scraped over HTTP while the bot works."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from bot.client import RlsBot
from bot.clock import FakeClock
from bot.emulator import DiscordEmulator
from bot.emulator.testing import running_client
from tests.e2e.conftest import TOKEN, bot_settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def get(port: int, path: str) -> tuple[int, str, str]:
    """Status, content type and body of ``path`` on the bot's local HTTP endpoint."""
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}{path}") as response,
    ):
        return response.status, response.headers["Content-Type"], await response.text()


@asynccontextmanager
async def bot_serving_metrics(
    emu: DiscordEmulator, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[tuple[RlsBot, int]]:
    """The bot running on the emulator, and the free local port its /health and /metrics are on."""
    port = free_port()
    bot = RlsBot(bot_settings(emu, tmp_path, metrics_port=port), clock=clock)
    async with running_client(emu, bot, token=TOKEN):
        yield bot, port


async def test_metrics_count_deliveries_claims_and_interactions(
    emu: DiscordEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    async with bot_serving_metrics(emu, tmp_path, clock) as (bot, port):
        await bot.tree.sync()
        alice = emu.add_user("alice")
        ix = await emu.slash(
            alice, "stretch remind", {"time": "17:30", "timezone": "Europe/Berlin"}
        )
        await ix.response()
        # Drain by hand instead of in the background, so the report is known to be recorded.
        await bot.engine.stop_sender()
        clock.set(datetime(2026, 3, 2, 16, 30, tzinfo=UTC))
        await bot.engine.tick()
        bot.metrics.drained(await bot.engine.drain())
        await emu.wait_for_dm(alice)
        status, _, text = await get(port, "/metrics")
    assert status == 200
    for series in (
        'rls_interactions_total{type="application_command"} 1.0',
        "rls_reminders_claimed_total 1.0",
        "rls_reminder_claim_seconds_count",
        "rls_reminder_backlog",
        "rls_event_loop_lag_seconds",
        'rls_deliveries_total{outcome="sent"} 1.0',
        'rls_deliveries_total{outcome="failed"} 0.0',
    ):
        assert series in text


def test_interactions_are_counted_per_type_through_one_child_each() -> None:
    from prometheus_client import generate_latest

    from bot.metrics import BotMetrics

    metrics = BotMetrics()
    for kind in ("application_command", "component", "application_command"):
        metrics.interaction(kind)
    text = generate_latest(metrics.registry).decode()
    assert 'rls_interactions_total{type="application_command"} 2.0' in text
    assert 'rls_interactions_total{type="component"} 1.0' in text
