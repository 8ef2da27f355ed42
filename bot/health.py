"""Readiness for `/health`: answers 200 only when the bot can do its work right now.

Plain Python: the client hands in how to ask the gateway and the database; this module decides.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

DATABASE_TIMEOUT_SECONDS = 5.0
# A tick may run late under load or take a while on a big backlog: allow two missed ticks and a
# minute more before calling the reminder engine stuck.
TICK_SLACK_SECONDS = 60.0


@dataclass(frozen=True)
class Readiness:
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.reasons


class HealthCheck:
    def __init__(
        self,
        *,
        gateway_connected: Callable[[], bool],
        database_answers: Callable[[], Awaitable[object]],
        tick_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._gateway_connected = gateway_connected
        self._database_answers = database_answers
        self._now = monotonic
        self.tick_deadline = 2 * tick_seconds + TICK_SLACK_SECONDS
        self._started = monotonic()
        self._last_tick: float | None = None

    def tick_finished(self) -> None:
        self._last_tick = self._now()

    async def check(self) -> Readiness:
        reasons: list[str] = []
        if not self._gateway_connected():
            reasons.append("gateway not connected")
        try:
            await asyncio.wait_for(self._database_answers(), DATABASE_TIMEOUT_SECONDS)
        except TimeoutError:
            reasons.append(f"database did not answer within {DATABASE_TIMEOUT_SECONDS:g} s")
        except Exception as exc:  # any failure means not ready; the reason is what matters
            reasons.append(f"database error: {type(exc).__name__}: {exc}")
        if self._last_tick is None:
            since = self._now() - self._started
            if since > self.tick_deadline:
                reasons.append(f"no reminder tick has finished in {since:.0f} s since start")
        else:
            since = self._now() - self._last_tick
            if since > self.tick_deadline:
                reasons.append(
                    f"last reminder tick finished {since:.0f} s ago "
                    f"(limit {self.tick_deadline:.0f} s)"
                )
        return Readiness(reasons)
