"""Await "the next thing that matches" without sleeping: an append-only log with cursors."""

# ruff: noqa: ASYNC109 - the public test API takes ``timeout=`` arguments by design.

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Feed(Generic[T]):
    """Items in arrival order; each reader (cursor key) consumes matching items once."""

    def __init__(self) -> None:
        self.items: list[T] = []
        self._cursors: dict[Hashable, int] = {}
        self._changed = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def append(self, item: T) -> None:
        self.items.append(item)
        self.notify()

    def notify(self) -> None:
        """Wake waiters (also after an item changed in place, e.g. a message edit)."""
        self._changed.set()

    def _reset_event_for_loop(self) -> None:
        # asyncio.Event binds to the first loop that waits on it; pytest-asyncio gives each
        # test its own loop, so a feed must not carry an event across loops.
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop = loop
            self._changed = asyncio.Event()

    async def wait(
        self,
        predicate: Callable[[T], bool],
        *,
        timeout: float,
        cursor: Hashable | None = None,
        what: str = "item",
    ) -> T:
        """The first matching item after ``cursor``'s position (which then moves past it).

        Without a cursor, any matching item (already present or future) satisfies the wait.
        """
        self._reset_event_for_loop()

        async def scan() -> T:
            while True:
                start = self._cursors.get(cursor, 0) if cursor is not None else 0
                for index in range(start, len(self.items)):
                    item = self.items[index]
                    if predicate(item):
                        if cursor is not None:
                            self._cursors[cursor] = index + 1
                        return item
                self._changed.clear()
                await self._changed.wait()

        try:
            return await asyncio.wait_for(scan(), timeout)
        except TimeoutError:
            raise TimeoutError(f"no matching {what} within {timeout}s") from None

    async def wait_until(self, condition: Callable[[], bool], *, timeout: float, what: str) -> None:
        """Wait until ``condition()`` holds, re-checking whenever the feed changes."""
        self._reset_event_for_loop()

        async def poll() -> None:
            while not condition():
                self._changed.clear()
                await self._changed.wait()

        try:
            await asyncio.wait_for(poll(), timeout)
        except TimeoutError:
            raise TimeoutError(f"{what} did not happen within {timeout}s") from None
