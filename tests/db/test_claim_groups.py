"""The claim decides once per group of due schedules (same time, days, zone and due time) and
writes the batch set-wise: every schedule must end up exactly as if it had been decided alone."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.db import Database, build_repositories
from bot.db.reminder_store import ReminderRepository
from bot.db.reminders import DueSchedule, ScheduleSpec
from bot.db.sqlite import SqliteDatabase
from bot.reminders.engine import ReminderEngine
from tests.zones import DST_ZONES

# The DST zones, and one zone that does not load (the schedule is paused, its group too, nobody
# else).
ZONES = [*DST_ZONES, "Mars/Olympus_Mons"]
# Claims just before DST changes of 2026 (the next occurrence falls across them) and a plain day.
NOWS = [
    datetime(2026, 3, 8, 6, 40, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 50, tzinfo=UTC),
    datetime(2026, 4, 4, 14, 30, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    datetime(2026, 11, 1, 4, 45, tzinfo=UTC),
    datetime(2026, 6, 10, 12, 0, tzinfo=UTC),
]
# Times inside the gaps and folds (02:30, 01:30, 00:30) and around them; few, so groups form.
TIMES = [time(0, 30), time(1, 30), time(2, 0), time(2, 30), time(3, 0), time(17, 0)]


T = TypeVar("T")


@st.composite
def schedule_rows(draw: st.DrawFn) -> list[tuple[time, int, str, int]]:
    """Schedules drawn from one or two values of each field, so that many share a group and
    many differ from a group in one field only (a grouping that missed it would show)."""

    def few(values: Sequence[T]) -> st.SearchStrategy[T]:
        chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True))
        return st.sampled_from(chosen)

    fields = st.tuples(
        few(TIMES),
        few([127, 31, 96, 1, 64]),
        few(ZONES),
        few([0, 1, 30, 150, 60 * 24]),  # minutes overdue; over 120: skipped
    )
    return draw(st.lists(fields, min_size=1, max_size=25))


_users = itertools.count(1)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(now=st.sampled_from(NOWS), rows=schedule_rows(), batch=st.integers(1, 10))
async def test_grouped_claim_gives_each_schedule_what_deciding_it_alone_gives(
    database: Database,
    now: datetime,
    rows: list[tuple[time, int, str, int]],
    batch: int,
) -> None:
    repos = build_repositories(database)
    engine = ReminderEngine(repos.reminders, repos.users, FakeClock(now))
    saved = []
    for local_time, mask, zone, overdue in rows:
        user = next(_users)
        spec = ScheduleSpec(user, "stretch", local_time, mask, zone)
        due = now - timedelta(minutes=overdue)
        saved.append(await repos.reminders.save_schedule(spec, due, due))
    decide = engine.decide(now)
    while await repos.reminders.claim_due(now, batch, decide):
        pass
    for schedule in saved:
        assert schedule.next_due is not None
        alone = engine.decide(now)(
            DueSchedule(
                (schedule.id,),
                schedule.local_time,
                schedule.days_mask,
                schedule.timezone,
                schedule.next_due,
            )
        )
        after = await repos.reminders.get_schedule_by_id(schedule.id)
        assert after is not None
        assert (after.next_due, after.pause_reason) == (alone.next_due, alone.pause_reason)
        deliveries = await repos.reminders.recent_deliveries(schedule.id, 5)
        if alone.status == "paused":
            assert deliveries == []
        else:
            [delivery] = deliveries
            assert (delivery.due_at, delivery.status, delivery.late_seconds) == (
                schedule.next_due,
                alone.status,
                alone.late_seconds,
            )
        await repos.reminders.delete_schedule(schedule.user_id or 0, "stretch")


async def test_the_claims_writes_find_each_schedule_by_its_id(tmp_path: Path) -> None:
    """SQLite plans: the batch is walked once (not flattened into the join, where each column
    would parse the whole batch text again per row) and `schedules` is searched by id, never
    scanned (1,000,000 rows)."""
    db = await SqliteDatabase.open(tmp_path / "plan.sqlite3")
    await db.migrate()
    repo = ReminderRepository(db)
    await db.close()
    conn = sqlite3.connect(tmp_path / "plan.sqlite3")
    for sql in (repo._outbox_sql, repo._advance_sql):
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, [None] * 1)]
        searched = [step for step in plan if "USING INTEGER PRIMARY KEY" in step]
        assert len(searched) == 1 and searched[0].split()[1] in {"s", "schedules"}, plan
        assert not any(step.startswith("SCAN schedules") for step in plan), plan
        assert any(step.startswith(("CO-ROUTINE d", "MATERIALIZE d")) for step in plan), plan
    conn.close()
