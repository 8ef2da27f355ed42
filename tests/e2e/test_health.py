"""`/health` answers whether this process can do its work; `/metrics` stays Prometheus; both
listen on 127.0.0.1 unless METRICS_HOST says otherwise."""

from __future__ import annotations

from pathlib import Path

from bot.clock import FakeClock
from bot.emulator import DiscordEmulator
from bot.health import HealthCheck
from tests.e2e.test_metrics import bot_serving_metrics, get


async def test_health_is_readiness_and_metrics_stay_prometheus(
    emu: DiscordEmulator, tmp_path: Path, clock: FakeClock
) -> None:
    async with bot_serving_metrics(emu, tmp_path, clock) as (bot, port):
        await emu.wait_until_ready(timeout=30)
        status, kind, body = await get(port, "/health")
        assert (status, kind) == (200, "application/json; charset=utf-8")
        assert body == '{"status": "ok"}'
        status, kind, body = await get(port, "/metrics")
        assert status == 200 and kind.startswith("text/plain") and "rls_reminder_backlog" in body
        # Only loopback, by default.
        assert bot.settings.metrics_host == "127.0.0.1"
        assert bot.metrics._runner is not None
        assert [a[0] for a in bot.metrics._runner.addresses] == ["127.0.0.1"]

        # The database stops answering: not ready, and the answer says why.
        await bot.db.close()
        status, _, body = await get(port, "/health")
        assert status == 503
        assert '"status": "unavailable"' in body and "database error" in body


async def test_readiness_names_each_reason() -> None:
    now = [1000.0]
    connected = [True]
    failing: list[Exception] = []

    async def database() -> None:
        if failing:
            raise failing[0]

    health = HealthCheck(
        gateway_connected=lambda: connected[0],
        database_answers=database,
        tick_seconds=30,
        monotonic=lambda: now[0],
    )
    assert (await health.check()).ok  # just started: no tick expected yet
    now[0] += 121
    assert (await health.check()).reasons == ["no reminder tick has finished in 121 s since start"]
    health.tick_finished()
    assert (await health.check()).ok
    now[0] += 200
    connected[0] = False
    failing.append(ConnectionError("gone"))
    assert (await health.check()).reasons == [
        "gateway not connected",
        "database error: ConnectionError: gone",
        "last reminder tick finished 200 s ago (limit 120 s)",
    ]
