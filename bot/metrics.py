"""Prometheus metrics for one bot process (`METRICS_PORT`), scraped over plain HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from bot.health import HealthCheck
from bot.reminders.engine import DrainReport, EngineObserver

log = logging.getLogger(__name__)

LAG_PROBE_SECONDS = 1.0


class BotMetrics(EngineObserver):
    """Each process has its own registry, so tests can run several bots in one interpreter."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.backlog = Gauge(
            "rls_reminder_backlog", "Deliveries due and not yet sent.", registry=self.registry
        )
        self.claimed_total = Counter(
            "rls_reminders_claimed", "Schedules claimed by this process.", registry=self.registry
        )
        self.claim_seconds = Histogram(
            "rls_reminder_claim_seconds",
            "Time to claim every due schedule in one tick.",
            buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.deliveries = Counter(
            "rls_deliveries",
            "Reminder deliveries by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self.paused = Counter(
            "rls_schedules_paused",
            "Schedules the engine paused by itself, by reason (dm_closed, unreadable, ...).",
            ["reason"],
            registry=self.registry,
        )
        self.loop_lag = Gauge(
            "rls_event_loop_lag_seconds",
            "How late the event loop ran a timer.",
            registry=self.registry,
        )
        self.interactions = Counter(
            "rls_interactions", "Interactions handled, by type.", ["type"], registry=self.registry
        )
        self._interaction_kinds: dict[str, Counter] = {}
        self.expired = Counter(
            "rls_interactions_expired",
            "Interactions Discord stopped waiting for before the bot answered (overload).",
            registry=self.registry,
        )
        self._lag_task: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None

    def claimed(self, count: int, seconds: float, backlog: int) -> None:
        self.claimed_total.inc(count)
        self.claim_seconds.observe(seconds)
        self.backlog.set(backlog)

    def drained(self, report: DrainReport) -> None:
        outcomes = ("sent", "failed", "retried", "skipped", "fell_back", "taken_over", "rejected")
        for outcome in outcomes:
            self.deliveries.labels(outcome).inc(getattr(report, outcome))

    def schedule_paused(self, reason: str) -> None:
        self.paused.labels(reason).inc()

    def interaction(self, kind: str) -> None:
        # One child per interaction type, looked up once (labels() takes a lock every call).
        child = self._interaction_kinds.get(kind)
        if child is None:
            child = self._interaction_kinds[kind] = self.interactions.labels(kind)
        child.inc()

    def interaction_expired(self) -> None:
        self.expired.inc()

    async def serve(self, host: str, port: int, health: HealthCheck) -> None:
        """`/metrics` for Prometheus, `/health` for a load balancer or systemd watchdog script:
        200 when ready, else 503 with the reasons. On the event loop itself, so a stalled loop
        shows as an unanswered health check."""

        async def metrics(_: web.Request) -> web.Response:
            body = generate_latest(self.registry)
            return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

        async def ready(_: web.Request) -> web.Response:
            readiness = await health.check()
            if readiness.ok:
                return web.json_response({"status": "ok"})
            return web.json_response(
                {"status": "unavailable", "reasons": readiness.reasons}, status=503
            )

        app = web.Application()
        app.router.add_get("/metrics", metrics)
        app.router.add_get("/health", ready)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        log.info("serving /metrics and /health on %s port %d", host, port)

    async def stop_serving(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def start_lag_probe(self) -> None:
        self._lag_task = asyncio.create_task(self._probe_lag(), name="loop-lag-probe")

    async def stop_lag_probe(self) -> None:
        if self._lag_task is not None:
            self._lag_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._lag_task

    async def _probe_lag(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(LAG_PROBE_SECONDS)
            self.loop_lag.set(max(0.0, time.perf_counter() - before - LAG_PROBE_SECONDS))
