"""When a shutdown takes too long, write to the log where it waits.

A stop that hangs is otherwise silent: systemd (or a test) kills the process after its timeout and
nothing says which step never ended. Armed when the process is told to stop (SIGTERM, Ctrl-C).
"""

from __future__ import annotations

import asyncio
import faulthandler
import io
import logging
import sys

log = logging.getLogger(__name__)

# A clean stop takes well under a second; its slowest bounded step (a reminder send in flight)
# is given 10 s.
REPORT_AFTER_SECONDS = 20.0


def report_if_stuck(loop: asyncio.AbstractEventLoop, after: float = REPORT_AFTER_SECONDS) -> None:
    """If the process still runs `after` seconds from now, log the tasks the event loop still has
    and every thread's stack. The thread dump comes from faulthandler's own thread, so it also
    appears when the loop is blocked or the interpreter waits at exit for a thread."""
    faulthandler.dump_traceback_later(after, exit=False, file=sys.stderr)
    loop.call_later(after, _log_waiting_tasks, after)


def _log_waiting_tasks(after: float) -> None:
    tasks = [task for task in asyncio.all_tasks() if not task.done()]
    stacks = io.StringIO()
    for task in tasks:
        task.print_stack(limit=12, file=stacks)
    log.warning(
        "still shutting down after %.0f s; %d task(s) waiting:\n%s",
        after,
        len(tasks),
        stacks.getvalue(),
    )
