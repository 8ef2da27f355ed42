"""A token bucket that keeps the sender under Discord's global rate limit, and backs off when
Discord says it is over anyway (another process or a proxy sharing the token).

A 429 slows what it names: a global one (`X-RateLimit-Scope: global`) pauses and slows every
send; a per-route or shared-resource one (a busy channel) pauses only that route, so DMs to
other people keep their pace."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

# Opening a DM channel (POST /users/@me/channels) has a route of its own.
DM_OPEN_ROUTE = "dm-open"


def pacing_route(channel_id: int) -> str:
    """The route key of posting in one channel (a DM is a channel too)."""
    return f"channel:{channel_id}"


# After a 429 the pace halves, then climbs back to the configured rate over this many seconds.
RECOVERY_SECONDS = 60.0


class TokenBucket:
    """Allows `rate` acquisitions per second on average, with bursts up to `capacity`.

    The default capacity of two tokens spaces requests nearly evenly while keeping what a late
    wake-up from sleep would otherwise lose: any one-second window holds at most `rate + 2`
    requests, under Discord's 50 for a rate of 45.
    """

    def __init__(
        self,
        rate: float,
        capacity: float | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.configured_rate = rate
        self.rate = rate
        self.min_rate = max(0.5, rate / 16)
        self.capacity = capacity if capacity is not None else 2.0
        self._monotonic = monotonic
        self._tokens = self.capacity
        self._updated = monotonic()
        self._paused_until = 0.0
        # Route (e.g. "channel:123") -> until when Discord asked us to leave it alone.
        self._route_paused_until: dict[str, float] = {}
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._monotonic()
        elapsed = now - self._updated
        if self.rate < self.configured_rate:
            step = self.configured_rate / RECOVERY_SECONDS * elapsed
            self.rate = min(self.configured_rate, self.rate + step)
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        self._updated = now

    def wait_time(self) -> float:
        """Seconds until one token is available (0 when one is available now)."""
        self._refill()
        paused = max(0.0, self._paused_until - self._monotonic())
        # A hair of tolerance: float rounding must not leave a wait too small to pass.
        missing = 1 - self._tokens
        return max(paused, 0.0 if missing <= 1e-9 else missing / self.rate)

    def route_wait_time(self, route: str | None) -> float:
        """Seconds until `route` may be used again after a 429 that named it (0: now)."""
        if route is None:
            return 0.0
        until = self._route_paused_until.get(route)
        if until is None:
            return 0.0
        left = until - self._monotonic()
        if left <= 0:
            del self._route_paused_until[route]
            return 0.0
        return left

    def penalise(self, retry_after: float, *, route: str | None = None) -> None:
        """Discord answered 429. For one route (`route` given): leave that route alone for
        `retry_after`; nothing else slows. Globally: wait `retry_after`, then continue at half
        the pace. Without this a second process that shares the token unannounced would keep us
        at ~24,000 invalid requests per 10 minutes, over Discord's ban threshold of 10,000."""
        if route is not None:
            until = self._monotonic() + max(0.0, retry_after)
            self._route_paused_until[route] = max(self._route_paused_until.get(route, 0.0), until)
            return
        self._refill()
        self._paused_until = max(self._paused_until, self._monotonic() + max(0.0, retry_after))
        self.rate = max(self.min_rate, self.rate / 2)
        self._tokens = min(self._tokens, 0.0)

    async def acquire(self, route: str | None = None) -> None:
        """Wait for `route` to be free (outside the shared queue, so a paused channel holds up
        only its own sends), then for a token of the global pace."""
        while (delay := self.route_wait_time(route)) > 0:  # noqa: ASYNC110 - may be extended
            await asyncio.sleep(delay)
        # The lock keeps waiters in order, so nobody starves under a long burst.
        async with self._lock:
            while (delay := self.wait_time()) > 0:  # noqa: ASYNC110 - a 429 may extend the wait
                await asyncio.sleep(delay)
            self._tokens -= 1
