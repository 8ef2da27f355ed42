"""Realistic, strictly increasing Discord snowflakes."""

from __future__ import annotations

import time

DISCORD_EPOCH_MS = 1_420_070_400_000


class SnowflakeFactory:
    """Makes ids shaped like Discord's: timestamp << 22 | worker << 17 | process << 12 | increment.

    Each id gets its own millisecond (the clock is pushed forward if needed) so that consecutive
    guilds land on different shards the way real guilds created at different times do.
    """

    def __init__(self, worker: int = 1, process: int = 0) -> None:
        self._worker = worker & 0x1F
        self._process = process & 0x1F
        self._last_ms = 0
        self._increment = 0

    def next(self) -> int:
        now = int(time.time() * 1000) - DISCORD_EPOCH_MS
        self._last_ms = max(now, self._last_ms + 1)
        self._increment = (self._increment + 1) & 0xFFF
        return (
            (self._last_ms << 22) | (self._worker << 17) | (self._process << 12) | self._increment
        )


def shard_for(guild_id: int, shard_count: int) -> int:
    return (guild_id >> 22) % shard_count
