"""Prometheus metrics for one bot process (`METRICS_PORT`), scraped over plain HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

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
        self.expired = Counter(
            "rls_interactions_expired",
            "Interactions Discord stopped waiting for before the bot answered (overload).",
            registry=self.registry,
        )
        self._lag_task: asyncio.Task[None] | None = None

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
        self.interactions.labels(kind).inc()

    def interaction_expired(self) -> None:
        self.expired.inc()

    def serve(self, port: int) -> None:
        start_http_server(port, addr="0.0.0.0", registry=self.registry)
        log.info("serving Prometheus metrics on port %d", port)

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
