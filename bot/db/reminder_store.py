"""The reminder repository (schedules and their outbox), once for both backends; its value types
and row helpers live in :mod:`bot.db.reminders`.

The engine decides *what* happens (next due times, late or skipped); this module only stores it. The
claim is the heart: due schedules become outbox rows and get their next due time in one transaction,
so a crash either claims a schedule completely or not at all, and `UNIQUE (schedule_id, due_at,
reason)` makes a second claim of the same occurrence impossible.

The SQL is one text per statement; the engine converts placeholders and instants and supplies what
differs (see :mod:`bot.db.engines`). What matters most: on PostgreSQL several bot processes share
the database, so the claim and the lease pick rows `FOR UPDATE SKIP LOCKED` (each process takes rows
nobody else holds instead of queueing behind them); on SQLite one process holding `BEGIN IMMEDIATE`
is the same guarantee, so there those clauses are empty. The claim's batch is grouped and
written set-wise in the database (two statements per batch, whatever its size; see `claim_due`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from bot.db.engines import Column, Database, Repository, Row
from bot.db.reminders import (
    DELIVERY_COLUMNS,
    LAST_CLAIMED,
    LEASED_COLUMNS,
    SCHEDULE_COLUMNS,
    SCHEDULE_WIDTH,
    SERVER_SCHEDULE,
    TOLD_PAUSES,
    USER_SCHEDULE,
    Decide,
    Delivery,
    DeliveryReason,
    DueSchedule,
    Reschedule,
    Schedule,
    ScheduleActivity,
    ScheduleForChange,
    ScheduleSpec,
    ServerScheduleSpec,
    activity_of,
    delivery_from_row,
    leased_from_row,
    read_local_time,
    schedule_from_row,
    schedule_upsert_sql,
    schedule_values,
)

_SCHEDULE = "SELECT " + SCHEDULE_COLUMNS + " FROM schedules"
_DELIVERY = "SELECT " + DELIVERY_COLUMNS + " FROM deliveries"
_LEASED = "SELECT " + LEASED_COLUMNS + " FROM deliveries d JOIN schedules s ON s.id = d.schedule_id"

_SAVE_USER_SCHEDULE = schedule_upsert_sql(["?"] * 10, USER_SCHEDULE)
_SAVE_SERVER_SCHEDULE = schedule_upsert_sql(["?"] * 10, SERVER_SCHEDULE)

# The claim, set-wise: the due rows of a batch are grouped in the database by what decides their
# next occurrence (CLAIM_KEY), each group is decided once, and the decisions go back with the
# group's ids for the outbox INSERT and the advancing UPDATE: no Python per row.
CLAIM_KEY = "local_time, days_mask, timezone, next_due"
_DECIDED: list[Column] = [
    ("ids", "text"),
    ("status", "text"),
    ("late_seconds", "integer"),
    ("next_due", "timestamptz"),
    ("pause_reason", "text"),
    ("claimed_at", "timestamptz"),
]


class _NothingToTell:
    """Users known to have no untold pause, so the check after each of their commands needs no
    trip to the database. SQLite only: there this process is the only writer, and every write to
    `schedules` goes through this module, which forgets everyone (`changed`) around each one.
    A read that overlapped a write proves nothing, hence the generation: a user is only added
    when no write began or ended while their read ran."""

    def __init__(self) -> None:
        self.users: set[int] = set()
        self.generation = 0

    def changed(self) -> None:
        self.users.clear()
        self.generation += 1


# One per database (not per repository object), so every repository over one file sees the
# others' writes.
_NOTHING_TO_TELL: WeakKeyDictionary[Database, _NothingToTell] = WeakKeyDictionary()


_CANCEL_PENDING = (
    "UPDATE deliveries SET status = 'cancelled', next_attempt_at = ?, "
    "lease_until = NULL, lease_owner = NULL WHERE schedule_id = ? AND status = 'pending'"
)

# A snooze names the delivery it was snoozed from (at most one each): the chain below one.
_CANCEL_SNOOZES_OF = (
    "UPDATE deliveries SET status = 'cancelled', next_attempt_at = ?, "
    "lease_until = NULL, lease_owner = NULL WHERE status = 'pending' AND reason = 'snooze' "
    "AND id IN (WITH RECURSIVE chain(id) AS (SELECT id FROM deliveries WHERE snoozed_from = ? "
    "UNION ALL SELECT d.id FROM deliveries d JOIN chain ON d.snoozed_from = chain.id) "
    "SELECT id FROM chain)"
)


class ReminderRepository(Repository):
    """Delivery state changes (mark_*, retry_later) only touch rows still pending, so a sender
    whose lease ran out cannot overwrite what another sender already recorded."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        # On PostgreSQL other processes pause schedules too: there every command keeps its read.
        self._told: _NothingToTell | None = None
        if db.engine.sole_writer:
            self._told = _NOTHING_TO_TELL.setdefault(db, _NothingToTell())
        e = self._e
        # The statements whose text depends on the engine, built once.
        # The batch (locked row by row on PostgreSQL, where a subquery may lock) in groups.
        self._claim_sql = (
            "SELECT "
            + CLAIM_KEY
            + ", count(*), "
            + e.group_ids("id")
            + " FROM (SELECT id, "
            + CLAIM_KEY
            + " FROM schedules WHERE next_due <= ? ORDER BY next_due LIMIT ?"
            + e.skip_locked
            + ") AS due GROUP BY "
            + CLAIM_KEY
            + " ORDER BY next_due"
        )
        # The claimed rows as (id, their group's decision), materialized first: it is what both
        # writes walk, each schedule found by its id (SQLite would otherwise scan `schedules`).
        claimed = (
            "WITH x AS MATERIALIZED (SELECT i.value AS id, d.status, d.late_seconds, d.next_due, "
            "d.pause_reason, d.claimed_at FROM "
            + e.rows_source(_DECIDED)
            + " AS d CROSS JOIN "
            + e.each_id("d.ids", "i")
            + ") "
        )
        self._outbox_sql = (
            claimed + "INSERT INTO deliveries (schedule_id, user_id, due_at, reason, status, "
            "late_seconds, next_attempt_at, created_at) "
            "SELECT s.id, s.user_id, s.next_due, 'scheduled', x.status, x.late_seconds, "
            "x.claimed_at, x.claimed_at FROM x JOIN schedules s ON s.id = x.id "
            "WHERE x.status <> 'paused' ON CONFLICT (schedule_id, due_at, reason) DO NOTHING"
        )
        self._advance_sql = (
            claimed + "UPDATE schedules SET next_due = x.next_due, "
            "pause_reason = coalesce(x.pause_reason, schedules.pause_reason), "
            "updated_at = x.claimed_at FROM x WHERE schedules.id = x.id"
        )
        # A row another process leased and committed after our snapshot is re-checked against
        # the WHERE clause on its new version (PostgreSQL), whose lease_until is no longer in the
        # past, so it cannot be leased twice.
        self._lease_sql = (
            "UPDATE deliveries SET lease_until = ?, lease_owner = ?, attempts = attempts + 1 "
            "WHERE id IN (SELECT id FROM deliveries WHERE status = 'pending' "
            "AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?) "
            "ORDER BY next_attempt_at LIMIT ?" + e.skip_locked + ") RETURNING id"
        )
        self._leased_sql = _LEASED + " WHERE d.id" + e.in_ids + " ORDER BY d.next_attempt_at, d.id"
        # The schedule with what its status needs, in one statement.
        self._activity_sql = (
            "SELECT "
            + SCHEDULE_COLUMNS
            + ", "
            + e.rows_array(
                DELIVERY_COLUMNS,
                "FROM deliveries WHERE schedule_id = s.id ORDER BY due_at DESC, id DESC LIMIT ?",
            )
            + ", "
            + e.values_array(
                "d.due_at",
                "FROM deliveries d JOIN schedules k ON k.id = d.schedule_id "
                "WHERE d.user_id = ? AND k.kind = ? AND d.done_at IS NOT NULL AND d.due_at >= ?",
            )
            + ", (SELECT count(*) FROM deliveries WHERE schedule_id = s.id "
            "AND status = 'skipped' AND due_at >= ?), "
            # time:auto's minutes (auto_times), which the status shows with the schedule.
            "(SELECT a.before_min FROM auto_times a WHERE a.user_id = s.user_id "
            "AND a.kind = s.kind) "
            "FROM schedules s WHERE s.user_id = ? AND s.kind = ?"
        )
        # FOR UPDATE (PostgreSQL): a claim in another process (SKIP LOCKED) passes these rows by
        # until the change commits, and the last claimed occurrence read here stays true. Inside
        # atomic() on SQLite, BEGIN IMMEDIATE already holds the only write lock.
        self._for_change_sql = (
            "SELECT " + SCHEDULE_COLUMNS + ", " + LAST_CLAIMED + " FROM schedules s WHERE {} "
            "ORDER BY s.kind" + (e.for_update + " OF s" if e.for_update else "")
        )

    def _schedule(self, row: Row) -> Schedule:
        return schedule_from_row(row, self._e.from_instant)

    def _delivery(self, row: Row) -> Delivery:
        return delivery_from_row(row, self._e.from_instant)

    def atomic(self) -> AbstractAsyncContextManager[object]:
        """One transaction that every repository call the running task makes inside it joins
        (all repositories share one database): a use case commits together or not at all."""
        return self._writing()

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[Any]:
        """`atomic()` for every write of this module: any of them may pause a schedule or make a
        pause untold again (a newer updated_at), so the fast path of `take_pause_notices`
        forgets what it knew, before the write and again after it."""
        told = self._told
        if told is not None:
            told.changed()
        try:
            async with self._db.atomic() as s:
                yield s
        finally:
            if told is not None:
                told.changed()

    async def schedules_for_change(
        self, *, user_id: int | None = None, kind: str | None = None, guild_id: int | None = None
    ) -> list[ScheduleForChange]:
        """A member's schedules (of one kind, or all) or, with guild_id, the server's own (of one
        kind), each with its last claimed occurrence; on PostgreSQL the rows stay locked until
        the surrounding atomic() ends, so a claim in another process waits or skips them."""
        params: tuple[Any, ...]
        if guild_id is not None:
            where, params = "s.guild_id = ? AND s.user_id IS NULL AND s.kind = ?", (guild_id, kind)
        else:
            where = "s.user_id = ? AND (CAST(? AS TEXT) IS NULL OR s.kind = ?)"
            params = (user_id, kind, kind)
        async with self._db.read() as s:
            rows = await s.fetch_all(self._for_change_sql.format(where), *params)
        return [
            ScheduleForChange(
                self._schedule(row[:SCHEDULE_WIDTH]),
                self._e.opt_from_instant(row[SCHEDULE_WIDTH]),
            )
            for row in rows
        ]

    async def _write(self, sql: str, *params: Any) -> int:
        """One statement in its own transaction (or the caller's); how many rows it changed."""
        async with self._writing() as s:
            return await s.execute(sql, *params)

    async def cancel_pending(self, schedule_id: int, now: datetime) -> int:
        """Deliveries of the schedule not sent yet become "cancelled" (the user paused or
        stopped): a sender that still holds one finds it no longer pending and drops it."""
        return await self._write(_CANCEL_PENDING, self._e.instant(now), schedule_id)

    async def cancel_pending_snoozes(self, delivery_id: int, now: datetime) -> int:
        """The snoozes of this reminder (and of its snoozes) not sent yet become "cancelled" (it
        was answered meanwhile, so they have nothing left to ask). Another day's snooze of the
        same schedule is another reminder's, and stays."""
        return await self._write(_CANCEL_SNOOZES_OF, self._e.instant(now), delivery_id)

    async def _one_schedule(self, sql: str, *params: Any) -> Schedule | None:
        async with self._db.read() as s:
            row = await s.fetch_one(sql, *params)
        return None if row is None else self._schedule(row)

    async def save_schedule(
        self, spec: ScheduleSpec, next_due: datetime | None, now: datetime
    ) -> Schedule:
        """Create or replace the user's schedule of this kind; clears any pause and notice."""
        async with self._writing() as s:
            # A schedule belongs to a user profile; create one without a zone if needed.
            await s.execute(
                "INSERT INTO users (id, timezone, created_at) VALUES (?, NULL, ?) "
                "ON CONFLICT (id) DO NOTHING",
                spec.user_id,
                self._e.instant(now),
            )
            row = await s.fetch_one(
                _SAVE_USER_SCHEDULE, *schedule_values(spec, next_due, now, self._e.instant)
            )
        assert row is not None
        return self._schedule(row)

    async def get_schedule(self, user_id: int, kind: str) -> Schedule | None:
        return await self._one_schedule(
            _SCHEDULE + " WHERE user_id = ? AND kind = ?", user_id, kind
        )

    async def get_schedule_by_id(self, schedule_id: int) -> Schedule | None:
        return await self._one_schedule(_SCHEDULE + " WHERE id = ?", schedule_id)

    async def user_schedules(self, user_id: int) -> list[Schedule]:
        async with self._db.read() as s:
            rows = await s.fetch_all(_SCHEDULE + " WHERE user_id = ? ORDER BY kind", user_id)
        return [self._schedule(row) for row in rows]

    async def delete_schedule(self, user_id: int, kind: str) -> bool:
        deleted = await self._write(
            "DELETE FROM schedules WHERE user_id = ? AND kind = ?", user_id, kind
        )
        return deleted > 0

    async def restarted(self, schedule_id: int, now: datetime) -> Schedule:
        """The schedule as one asked for anew now (a one-off set again replaces the old one, and
        its message says when it was asked for)."""
        async with self._writing() as s:
            await s.execute(
                "UPDATE schedules SET created_at = ? WHERE id = ?",
                self._e.instant(now),
                schedule_id,
            )
            row = await s.fetch_one(_SCHEDULE + " WHERE id = ?", schedule_id)
        assert row is not None
        return self._schedule(row)

    async def set_next_due(
        self,
        schedule_id: int,
        next_due: datetime | None,
        now: datetime,
        *,
        paused_until: datetime | None = None,
        pause_reason: str | None = None,
    ) -> None:
        """Move the schedule's next due time; a pause is recorded with it (None clears it)."""
        await self._write(
            "UPDATE schedules SET next_due = ?, paused_until = ?, pause_reason = ?, "
            "updated_at = ? WHERE id = ?",
            self._e.opt_instant(next_due),
            self._e.opt_instant(paused_until),
            pause_reason,
            self._e.instant(now),
            schedule_id,
        )

    async def set_target(
        self,
        schedule_id: int,
        guild_id: int | None,
        channel_id: int | None,
        notice: str | None,
        now: datetime,
    ) -> None:
        await self._write(
            "UPDATE schedules SET guild_id = ?, channel_id = ?, notice = ?, updated_at = ? "
            "WHERE id = ?",
            guild_id,
            channel_id,
            notice,
            self._e.instant(now),
            schedule_id,
        )

    async def take_pause_notices(self, user_id: int, now: datetime) -> list[tuple[str, str]]:
        """(kind, pause_reason) of the user's schedules the engine paused by itself (closed
        DMs, an unreadable zone) that the user was not told about yet, now marked told: each
        pause is told once, whichever process answers the user's next command."""
        untold = (
            "user_id = ? AND next_due IS NULL AND pause_reason IN " + TOLD_PAUSES + " "
            "AND (pause_told_at IS NULL OR pause_told_at < updated_at)"
        )
        # Runs after every command and almost always finds nothing: on SQLite a user checked
        # since the last write to schedules costs no trip, everyone else a read before any write.
        told = self._told
        if told is not None and user_id in told.users:
            return []
        generation = None if told is None else told.generation
        async with self._db.read() as s:
            if not await s.fetch_all("SELECT 1 FROM schedules WHERE " + untold, user_id):
                if told is not None and told.generation == generation:
                    told.users.add(user_id)
                return []
        async with self._writing() as s:
            rows = await s.fetch_all(
                "UPDATE schedules SET pause_told_at = ? WHERE "
                + untold
                + " RETURNING kind, pause_reason",
                self._e.instant(now),
                user_id,
            )
        return sorted((row[0], row[1]) for row in rows)

    async def clear_notice(self, schedule_id: int, now: datetime) -> None:
        await self._write(
            "UPDATE schedules SET notice = NULL, updated_at = ? WHERE id = ?",
            self._e.instant(now),
            schedule_id,
        )

    async def reschedule_user(
        self, user_id: int, zone: str, plan: Reschedule, now: datetime
    ) -> list[Schedule]:
        """Give every schedule of the user the new zone and the next due time `plan` computes
        for it (plan sees the schedule with the new zone), in one transaction."""
        async with self._writing() as s:
            # The UPDATE locks the user's rows first (PostgreSQL), so a claim running in another
            # process either finished before (and we plan from its advanced next_due) or skips them.
            await s.execute(
                "UPDATE schedules SET timezone = ?, updated_at = ? WHERE user_id = ?",
                zone,
                self._e.instant(now),
                user_id,
            )
            schedules = [
                self._schedule(row)
                for row in await s.fetch_all(_SCHEDULE + " WHERE user_id = ?", user_id)
            ]
            await s.update_many(
                "schedules",
                "id",
                [("next_due", "timestamptz"), ("id", "bigint")],
                [(self._e.opt_instant(plan(schedule)), schedule.id) for schedule in schedules],
                "next_due = new.next_due",
            )
            rows = await s.fetch_all(_SCHEDULE + " WHERE user_id = ? ORDER BY kind", user_id)
        return [self._schedule(row) for row in rows]

    async def claim_due(self, now: datetime, limit: int, decide: Decide) -> int:
        """Turn up to `limit` schedules due at `now` into outbox rows and advance them.
        `decide` is called once per group of schedules with the same recurrence and due time;
        its decision holds for each of them."""
        e = self._e
        stamp = e.instant(now)
        async with self._writing() as s:
            groups = await s.fetch_all(self._claim_sql, stamp, limit)
            if not groups:
                return 0
            decided: list[tuple[Any, ...]] = []
            for local_time, days_mask, zone, next_due, _, ids in groups:
                decision = decide(
                    DueSchedule(
                        tuple(e.read_ids(ids)),
                        read_local_time(local_time),
                        days_mask,
                        zone,
                        e.from_instant(next_due),
                    )
                )
                decided.append(
                    (
                        ids,
                        decision.status,
                        decision.late_seconds,
                        e.opt_instant(decision.next_due),
                        decision.pause_reason,
                        stamp,
                    )
                )
            params = e.rows_params(_DECIDED, decided)
            await s.execute(self._outbox_sql, *params)
            await s.execute(self._advance_sql, *params)
        return sum(group[4] for group in groups)

    async def add_delivery(
        self,
        schedule: Schedule,
        due_at: datetime,
        reason: DeliveryReason,
        now: datetime,
        *,
        snoozed_from: int | None = None,
    ) -> Delivery | None:
        """An extra delivery (snooze, send-now); None when that one already exists."""
        due = self._e.instant(due_at)
        async with self._writing() as s:
            # No conflict target: a duplicate occurrence and a second snooze of the same original
            # (snoozed_from is UNIQUE) both mean "already there".
            row = await s.fetch_one(
                "INSERT INTO deliveries (schedule_id, user_id, due_at, reason, snoozed_from, "
                "status, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) "
                "ON CONFLICT DO NOTHING RETURNING " + DELIVERY_COLUMNS,
                schedule.id,
                schedule.member_id,
                due,
                reason,
                snoozed_from,
                due,
                self._e.instant(now),
            )
        return None if row is None else self._delivery(row)

    async def lease_pending(
        self, now: datetime, lease_until: datetime, limit: int, owner: str = "local"
    ) -> list[tuple[Delivery, Schedule]]:
        """Pending deliveries whose attempt time has come and that no live sender holds, now
        held by `owner` until `lease_until`."""
        stamp = self._e.instant(now)
        async with self._writing() as s:
            ids = [
                row[0]
                for row in await s.fetch_all(
                    self._lease_sql, self._e.instant(lease_until), owner, stamp, stamp, limit
                )
            ]
            if not ids:
                return []
            rows = await s.fetch_all(self._leased_sql, self._e.id_list(ids))
        return [leased_from_row(row, self._e.from_instant) for row in rows]

    async def renew_lease(self, delivery_id: int, owner: str, lease_until: datetime) -> bool:
        """Extend `owner`'s lease right before sending; False when the delivery is no longer
        theirs (its lease ran out and another sender took it) or no longer pending."""
        renewed = await self._write(
            "UPDATE deliveries SET lease_until = ? "
            "WHERE id = ? AND status = 'pending' AND lease_owner = ?",
            self._e.instant(lease_until),
            delivery_id,
            owner,
        )
        return renewed == 1

    async def release_leases(self) -> int:
        # Safe for one process restarting; with several processes (PostgreSQL) it also frees
        # leases that live senders still hold, so sharded deployments let leases expire instead.
        return await self._write(
            "UPDATE deliveries SET lease_until = NULL, lease_owner = NULL "
            "WHERE status = 'pending' AND lease_until IS NOT NULL"
        )

    async def _settle(self, delivery_id: int, assignments: str, *params: Any) -> None:
        """Record what became of a delivery that is still pending, and free its lease."""
        await self._write(
            "UPDATE deliveries SET " + assignments + ", lease_until = NULL, lease_owner = NULL "
            "WHERE id = ? AND status = 'pending'",
            *params,
            delivery_id,
        )

    async def mark_sent(
        self,
        delivery_id: int,
        channel_id: int,
        message_id: int,
        sent_at: datetime,
        late_seconds: int,
    ) -> None:
        await self._settle(
            delivery_id,
            "status = 'sent', sent_at = ?, channel_id = ?, message_id = ?, late_seconds = ?, "
            "error = NULL",
            self._e.instant(sent_at),
            channel_id,
            message_id,
            late_seconds,
        )

    async def mark_failed(self, delivery_id: int, error: str, now: datetime) -> None:
        await self._settle(
            delivery_id,
            "status = 'failed', error = ?, next_attempt_at = ?",
            error,
            self._e.instant(now),
        )

    async def mark_skipped(self, delivery_id: int, late_seconds: int, now: datetime) -> None:
        """Too late to be useful (the bot was down): recorded, counted, never sent."""
        await self._settle(
            delivery_id,
            "status = 'skipped', late_seconds = ?, next_attempt_at = ?",
            late_seconds,
            self._e.instant(now),
        )

    async def retry_later(self, delivery_id: int, error: str, next_attempt_at: datetime) -> None:
        await self._settle(
            delivery_id, "error = ?, next_attempt_at = ?", error, self._e.instant(next_attempt_at)
        )

    async def get_delivery(self, delivery_id: int) -> Delivery | None:
        async with self._db.read() as s:
            row = await s.fetch_one(_DELIVERY + " WHERE id = ?", delivery_id)
        return None if row is None else self._delivery(row)

    async def mark_done(self, delivery_id: int, user_id: int, now: datetime) -> Delivery | None:
        """Record Done on the user's own delivery (first press wins); None if not theirs."""
        async with self._writing() as s:
            await s.execute(
                "UPDATE deliveries SET done_at = ? "
                "WHERE id = ? AND user_id = ? AND done_at IS NULL",
                self._e.instant(now),
                delivery_id,
                user_id,
            )
            row = await s.fetch_one(
                _DELIVERY + " WHERE id = ? AND user_id = ?", delivery_id, user_id
            )
        return None if row is None else self._delivery(row)

    async def recent_deliveries(self, schedule_id: int, limit: int) -> list[Delivery]:
        """Newest first."""
        async with self._db.read() as s:
            rows = await s.fetch_all(
                _DELIVERY + " WHERE schedule_id = ? ORDER BY due_at DESC, id DESC LIMIT ?",
                schedule_id,
                limit,
            )
        return [self._delivery(row) for row in rows]

    async def done_due_times(self, user_id: int, kind: str, since: datetime) -> list[datetime]:
        """When each delivery the user marked Done was due (oldest first): a reminder answered
        after midnight still counts for the day it was meant for."""
        async with self._db.read() as s:
            rows = await s.fetch_all(
                "SELECT d.due_at FROM deliveries d JOIN schedules s ON s.id = d.schedule_id "
                "WHERE d.user_id = ? AND s.kind = ? AND d.done_at IS NOT NULL AND d.due_at >= ? "
                "ORDER BY d.due_at",
                user_id,
                kind,
                self._e.instant(since),
            )
        return [self._e.from_instant(row[0]) for row in rows]

    async def schedule_activity(
        self,
        user_id: int,
        kind: str,
        *,
        recent: int,
        done_since: datetime,
        skipped_since: datetime,
    ) -> ScheduleActivity | None:
        """get_schedule(user_id, kind) with recent_deliveries(its id, recent),
        done_due_times(user_id, kind, done_since) and how many of its deliveries were skipped
        since skipped_since, in one query; None when the user has no such schedule."""
        e = self._e
        async with self._db.read() as s:
            row = await s.fetch_one(
                self._activity_sql,
                recent,
                user_id,
                kind,
                e.instant(done_since),
                e.instant(skipped_since),
                user_id,
                kind,
            )
        if row is None:
            return None
        recent_rows, done, skipped, auto_before = row[SCHEDULE_WIDTH:]
        return activity_of(
            self._schedule(row[:SCHEDULE_WIDTH]),
            [self._delivery(r) for r in e.read_array(recent_rows)],
            [e.from_instant(t) for t in e.read_array(done)],
            skipped,
            auto_before,
        )

    async def pending_count(self, now: datetime) -> int:
        async with self._db.read() as s:
            count = await s.fetch_value(
                "SELECT count(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ?",
                self._e.instant(now),
            )
        return int(count)

    async def get_dm_channel(self, user_id: int) -> int | None:
        async with self._db.read() as s:
            channel_id = await s.fetch_value(
                "SELECT channel_id FROM dm_channels WHERE user_id = ?", user_id
            )
        return None if channel_id is None else int(channel_id)

    async def save_dm_channel(self, user_id: int, channel_id: int) -> None:
        await self._write(
            "INSERT INTO dm_channels (user_id, channel_id) VALUES (?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET channel_id = excluded.channel_id",
            user_id,
            channel_id,
        )

    async def forget_dm_channel(self, user_id: int) -> None:
        await self._write("DELETE FROM dm_channels WHERE user_id = ?", user_id)

    async def clear_guild_targets(self, guild_id: int, notice: str, now: datetime) -> int:
        """Members' schedules delivered in this server fall back to DM, with a notice for the
        user. The server's own schedules are left alone: they have no DM to fall back to."""
        return await self._write(
            "UPDATE schedules SET guild_id = NULL, channel_id = NULL, notice = ?, "
            "updated_at = ? WHERE guild_id = ? AND user_id IS NOT NULL",
            notice,
            self._e.instant(now),
            guild_id,
        )

    async def clear_channel_targets(self, channel_id: int, notice: str, now: datetime) -> int:
        """Like clear_guild_targets, for members' schedules delivered in one channel."""
        return await self._write(
            "UPDATE schedules SET guild_id = NULL, channel_id = NULL, notice = ?, "
            "updated_at = ? WHERE channel_id = ? AND user_id IS NOT NULL",
            notice,
            self._e.instant(now),
            channel_id,
        )

    async def move_channel_targets(
        self, old_channel_id: int, new_channel_id: int, notice: str, now: datetime
    ) -> int:
        """Members' schedules delivered in one channel move to another of the same server."""
        return await self._write(
            "UPDATE schedules SET channel_id = ?, notice = ?, updated_at = ? "
            "WHERE channel_id = ? AND user_id IS NOT NULL",
            new_channel_id,
            notice,
            self._e.instant(now),
            old_channel_id,
        )

    # -- schedules a server owns (user_id NULL) ----------------------------------------------

    async def save_server_schedule(
        self, spec: ServerScheduleSpec, next_due: datetime | None, now: datetime
    ) -> Schedule:
        """Create or replace the server's schedule of this kind; clears any pause and notice."""
        async with self._writing() as s:
            row = await s.fetch_one(
                _SAVE_SERVER_SCHEDULE, *schedule_values(spec, next_due, now, self._e.instant)
            )
        assert row is not None
        return self._schedule(row)

    async def get_server_schedule(self, guild_id: int, kind: str) -> Schedule | None:
        return await self._one_schedule(
            _SCHEDULE + " WHERE guild_id = ? AND kind = ? AND user_id IS NULL", guild_id, kind
        )

    async def delete_server_schedules(self, guild_id: int, kind: str | None = None) -> int:
        """The server's own schedules (of one kind, or all), with their deliveries."""
        return await self._write(
            "DELETE FROM schedules WHERE guild_id = ? AND user_id IS NULL "
            "AND (CAST(? AS TEXT) IS NULL OR kind = ?)",
            guild_id,
            kind,
            kind,
        )
