"""`python -m tests.reliability.crashpoint run`: the bot, which SIGKILLs itself at one point of a
sleep diary save, named by `RLS_CRASH_AT`:

- `before_insert`: inside the transaction, the profile row written, the night not yet;
- `after_insert`: the night written, the transaction not yet committed;
- `after_commit`: committed, the reply to the user not yet sent.

The hook sits below the repository, in aiosqlite's one entry point for statements, so the bot's own
code runs unchanged. Used by tests/reliability/test_crash_safety.py.
"""

from __future__ import annotations

import os
import signal
from typing import Any

import aiosqlite

from bot.cli import main

POINTS = ("before_insert", "after_insert", "after_commit")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def arm(point: str) -> None:
    if point not in POINTS:
        raise SystemExit(f"RLS_CRASH_AT must be one of {', '.join(POINTS)}, not {point!r}")
    original = aiosqlite.Connection._execute
    wrote_entry = False

    async def _execute(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal wrote_entry
        sql = args[0] if args and isinstance(args[0], str) else ""
        entry = sql.lstrip().startswith("INSERT INTO sleep_entries")
        if entry and point == "before_insert":
            _die()
        result = await original(self, fn, *args, **kwargs)
        if entry:
            if point == "after_insert":
                _die()
            wrote_entry = True
        elif wrote_entry and getattr(fn, "__name__", "") == "commit" and point == "after_commit":
            _die()
        return result

    aiosqlite.Connection._execute = _execute  # type: ignore[method-assign]


if __name__ == "__main__":
    arm(os.environ.get("RLS_CRASH_AT", ""))
    raise SystemExit(main())
