"""A token bucket that keeps the sender under Discord's global rate limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


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
        self.rate = rate
        self.capacity = capacity if capacity is not None else 2.0
        self._monotonic = monotonic
        self._tokens = self.capacity
        self._updated = monotonic()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._monotonic()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def wait_time(self) -> float:
        """Seconds until one token is available (0 when one is available now)."""
        self._refill()
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate

    async def acquire(self) -> None:
        # The lock keeps waiters in order, so nobody starves under a long burst.
        async with self._lock:
            delay = self.wait_time()
            if delay > 0:
                await asyncio.sleep(delay)
                self._refill()
            self._tokens -= 1
