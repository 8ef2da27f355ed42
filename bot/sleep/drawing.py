"""Charts and reports are drawn in a separate process, not in a thread of the bot's.

matplotlib holds the GIL for most of a render (a year of nights takes 150–250 ms), so drawing in a
thread stalled the event loop, and every other user's command with it, for up to ~100 ms. One
worker process, started on the first drawing and kept for the next ones, does the drawing; the bot
only pickles the diary entries over and gets the PNG/PDF bytes back.

The worker is started with "spawn": forking a process that runs an event loop and threads (the
database's, the executor's) can copy a lock in its locked state and hang the child. It exits when
the bot's process is gone, even if that was killed with no chance to stop it. Should the worker
not start at all (say, the bot is embedded in a script without an `if __name__ == "__main__"`
guard, which "spawn" needs), drawings fall back to a thread and a warning says why.

With matplotlib loaded the worker holds ~85 MB, more than the bot itself, so it stops after
:data:`IDLE_SECONDS` without a drawing; the next one starts it again (about a second, inside a
reply that is already deferred).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

log = logging.getLogger(__name__)

# How often the worker checks that the bot's process still exists.
PARENT_CHECK_SECONDS = 1.0

# A worker that has drawn nothing for this long is stopped, to give its memory back.
IDLE_SECONDS = 300.0

_executor: ProcessPoolExecutor | None = None
_unavailable = False
_idle_timer: asyncio.TimerHandle | None = None
_drawing = 0  # drawings in progress


def _exit_with(parent: int) -> None:
    """In the worker: exit once `parent` is gone. A normal stop tells the worker to finish, but a
    killed bot can't, and the worker would otherwise wait for work forever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-bot", daemon=True).start()


def _worker() -> ProcessPoolExecutor:
    global _executor
    if _executor is None:
        # One process per bot process: drawings are rare, and a second would only compete for
        # the same cores. The executor shuts it down when the interpreter exits.
        _executor = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_exit_with,
            initargs=(os.getpid(),),
        )
    return _executor


async def draw(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``function(*args, **kwargs)`` in the drawing process; the function and its arguments must
    pickle (module-level functions, plain data)."""
    global _drawing
    _cancel_idle_stop()
    _drawing += 1
    try:
        return await _draw(functools.partial(function, *args, **kwargs))
    finally:
        _drawing -= 1
        _stop_when_idle()


def running() -> bool:
    """Whether a drawing process is started (it may be idle)."""
    return _executor is not None


def _cancel_idle_stop() -> None:
    global _idle_timer
    if _idle_timer is not None:
        _idle_timer.cancel()
        _idle_timer = None


def _stop_when_idle() -> None:
    global _idle_timer
    _cancel_idle_stop()
    if _executor is not None and _drawing == 0:
        _idle_timer = asyncio.get_running_loop().call_later(IDLE_SECONDS, shutdown)


async def _draw(call: Callable[[], T]) -> T:
    global _unavailable
    loop = asyncio.get_running_loop()
    for attempt in range(2):
        if _unavailable:
            break
        try:
            return await loop.run_in_executor(_worker(), call)
        except BrokenProcessPool as exc:
            # The worker died (killed, out of memory): retried once in a new one.
            shutdown()
            if attempt == 1:
                _unavailable = True
                log.warning("no drawing process (%s); drawing in a thread from now on", exc)
    return await asyncio.to_thread(call)


def shutdown() -> None:
    """Stop the drawing process, if one runs; the next drawing starts a new one."""
    global _executor, _unavailable
    _unavailable = False
    _cancel_idle_stop()
    if _executor is not None:
        _executor.shutdown(wait=False, cancel_futures=True)
        _executor = None
