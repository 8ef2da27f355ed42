"""Start a bot module with the JSON library and event loop a benchmark asks for, optionally
profiling only a window the benchmark chooses:

    python -m bench.runner [--json stdlib|orjson] [--loop asyncio|uvloop]
                           [--profile-to PATH] MODULE [ARGS...]

- `--json stdlib` hides orjson, so discord.py falls back to the standard json module even where
  orjson is installed (it checks once, on import); `orjson` needs it installed.
- `--loop uvloop` sets uvloop's event loop policy before the bot calls asyncio.run.
- `--profile-to PATH`: SIGUSR1 starts cProfile on the main thread (the event loop), SIGUSR2 stops
  it and writes PATH.1, PATH.2, ... so a profile holds one burst and no start-up. Its clock is the
  loop thread's own CPU time (`time.thread_time`), not the wall clock: on a shared machine, or
  while the database thread holds the GIL, wall time charges a function for time it spent
  waiting (a socket send "taking" a millisecond); CPU time shows what each function costs.

Only benchmarks use this; the bot itself is started as `python -m bot run`.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import importlib
import os
import runpy
import signal
import sys
import time
from types import FrameType


def new_profiler() -> cProfile.Profile:
    return cProfile.Profile(time.thread_time)


def install_profiler(path: str) -> None:
    profiler = new_profiler()
    written = 0

    def start(signum: int, frame: FrameType | None) -> None:
        profiler.enable()

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal profiler, written
        profiler.disable()
        written += 1
        # Written aside, then renamed: the benchmark waits for the name and must not read half.
        profiler.dump_stats(f"{path}.{written}.part")
        os.replace(f"{path}.{written}.part", f"{path}.{written}")
        profiler = new_profiler()

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", choices=["stdlib", "orjson"], default=None)
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    parser.add_argument("--profile-to", default=None)
    parser.add_argument("module")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.json == "stdlib":
        # A None entry makes `import orjson` raise ModuleNotFoundError, as if not installed.
        sys.modules["orjson"] = None  # type: ignore[assignment]
    elif args.json == "orjson":
        importlib.import_module("orjson")  # fail here rather than silently fall back

    if args.loop == "uvloop":
        # Imported by name: uvloop is a measurement option, not a dependency mypy can see.
        uvloop = importlib.import_module("uvloop")
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    if args.profile_to:
        install_profiler(args.profile_to)
    sys.argv = [args.module, *args.args]
    runpy.run_module(args.module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
