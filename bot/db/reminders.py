"""Reminder schedules and their outbox of deliveries.

The engine decides *what* happens (next due times, late or skipped); this module only stores it. The
claim is the heart: due schedules become outbox rows and get their next due time in one transaction,
so a crash either claims a schedule completely or not at all, and `UNIQUE (schedule_id, due_at,
reason)` makes a second claim of the same occurrence impossible.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache
from typing import Any, Literal, Protocol

# "cancelled": claimed, then the user paused or stopped before it went out; never sent.
DeliveryStatus = Literal["pending", "sent", "failed", "skipped", "cancelled"]
DeliveryReason = Literal["scheduled", "snooze", "now"]


@dataclass(frozen=True)
class ScheduleSpec:
    """What a user asked for; the engine adds the next due time."""

    user_id: int
    kind: str
    local_time: time
    days_mask: int
    timezone: str
    guild_id: int | None = None
    channel_id: int | None = None


@dataclass(frozen=True)
class ServerScheduleSpec:
    """A schedule a server owns (its daily tip post): it always posts in one of its channels."""

    guild_id: int
    channel_id: int
    kind: str
    local_time: time
    days_mask: int
    timezone: str


class ServerOwnedError(LookupError):
    """A server's schedule or delivery was asked for its member: a bug, never a user's mistake."""


def _member(member_id: int | None, what: str) -> int:
    if member_id is None:
        raise ServerOwnedError(f"{what} belongs to a server, not a member")
    return member_id


@dataclass(frozen=True)
class Schedule:
    id: int
    # The member reminded, or None for a server's own schedule (it posts in guild_id/channel_id).
    member_id: int | None
    kind: str
    local_time: time
    days_mask: int
    timezone: str
    guild_id: int | None
    channel_id: int | None
    next_due: datetime | None
    paused_until: datetime | None
    pause_reason: str | None
    notice: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def user_id(self) -> int:
        """The member this schedule belongs to. Code that asks a server's schedule for one is
        treating it as a member's reminder: fail loudly rather than ping or DM a made-up user."""
        return _member(self.member_id, f"schedule {self.id}")


@dataclass(frozen=True)
class Delivery:
    id: int
    schedule_id: int
    member_id: int | None  # as on its schedule
    due_at: datetime
    reason: str
    snoozed_from: int | None
    status: str
    attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None
    channel_id: int | None
    message_id: int | None
    late_seconds: int | None
    error: str | None
    done_at: datetime | None
    created_at: datetime

    @property
    def user_id(self) -> int:
        return _member(self.member_id, f"delivery {self.id}")


@dataclass(frozen=True)
class ScheduleActivity:
    """A schedule with what its status shows, read together in one round trip."""

    schedule: Schedule
    recent: list[Delivery]  # newest first, as recent_deliveries
    done_due_times: list[datetime]  # oldest first, as done_due_times
    skipped: int  # its deliveries skipped since skipped_since
    auto_before: int | None = None  # time:auto's minutes before symptom start (auto_times)


@dataclass(frozen=True, slots=True)
class DueSchedule:
    """What a claim decides on: the due schedules of one batch that share a recurrence and a due
    time, decided once for all of them (a burst is thousands of rows but a few such groups).

    Everything a decision reads must be in here and in the claim's grouping key
    (`CLAIM_KEY` in bot/db/reminder_store.py): a new schedule form (say a one-off date) adds its
    column to both, or schedules that differ in it would share one decision."""

    ids: tuple[int, ...]  # the schedules of the group, in claim order
    local_time: time | None  # None: the stored text is not a time (a hand edit)
    days_mask: int
    timezone: str
    next_due: datetime


@dataclass(frozen=True)
class ClaimDecision:
    """For one due schedule: the outbox row's status and the schedule's next due time.

    "paused": the schedule cannot be computed (its zone no longer loads): no outbox row, it
    stops (next_due None) with `pause_reason`, and the rest of the batch is claimed as usual."""

    status: Literal["pending", "skipped", "paused"]
    late_seconds: int
    next_due: datetime | None
    pause_reason: str | None = None


@dataclass(frozen=True)
class ScheduleForChange:
    """A schedule about to be changed by its owner, with the due time of its last occurrence
    that was sent or is on its way: a change never gives that local date a second one."""

    schedule: Schedule
    last_claimed: datetime | None


Decide = Callable[[DueSchedule], ClaimDecision]
Reschedule = Callable[[Schedule], datetime | None]


class ReminderRepository(Protocol):
    """Delivery state changes (mark_*, retry_later) only touch rows still pending, so a sender
    whose lease ran out cannot overwrite what another sender already recorded."""

    def atomic(self) -> AbstractAsyncContextManager[object]:
        """One transaction that every repository call the running task makes inside it joins
        (all repositories share one database): a use case commits together or not at all."""
        ...

    async def schedules_for_change(
        self, *, user_id: int | None = None, kind: str | None = None, guild_id: int | None = None
    ) -> list[ScheduleForChange]:
        """A member's schedules (of one kind, or all) or, with guild_id, the server's own (of one
        kind), each with its last claimed occurrence; on PostgreSQL the rows stay locked until
        the surrounding atomic() ends, so a claim in another process waits or skips them."""
        ...

    async def cancel_pending(self, schedule_id: int, now: datetime) -> int:
        """Deliveries of the schedule not sent yet become "cancelled" (the user paused or
        stopped): a sender that still holds one finds it no longer pending and drops it."""
        ...

    async def cancel_pending_snoozes(self, schedule_id: int, now: datetime) -> int:
        """The schedule's snoozed deliveries not sent yet become "cancelled" (the reminder was
        answered meanwhile, so the snooze has nothing left to ask)."""
        ...

    async def save_schedule(
        self, spec: ScheduleSpec, next_due: datetime | None, now: datetime
    ) -> Schedule:
        """Create or replace the user's schedule of this kind; clears any pause and notice."""
        ...

    async def get_schedule(self, user_id: int, kind: str) -> Schedule | None: ...

    async def get_schedule_by_id(self, schedule_id: int) -> Schedule | None: ...

    async def user_schedules(self, user_id: int) -> list[Schedule]: ...

    async def delete_schedule(self, user_id: int, kind: str) -> bool: ...

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
        ...

    async def set_target(
        self,
        schedule_id: int,
        guild_id: int | None,
        channel_id: int | None,
        notice: str | None,
        now: datetime,
    ) -> None: ...

    async def take_pause_notices(self, user_id: int, now: datetime) -> list[tuple[str, str]]:
        """(kind, pause_reason) of the user's schedules the engine paused by itself (closed
        DMs, an unreadable zone) that the user was not told about yet, now marked told: each
        pause is told once, whichever process answers the user's next command."""
        ...

    async def clear_notice(self, schedule_id: int, now: datetime) -> None: ...

    async def reschedule_user(
        self, user_id: int, zone: str, plan: Reschedule, now: datetime
    ) -> list[Schedule]:
        """Give every schedule of the user the new zone and the next due time `plan` computes
        for it (plan sees the schedule with the new zone), in one transaction."""
        ...

    async def claim_due(self, now: datetime, limit: int, decide: Decide) -> int:
        """Turn up to `limit` schedules due at `now` into outbox rows and advance them.
        `decide` is called once per group of schedules with the same recurrence and due time;
        its decision holds for each of them."""
        ...

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
        ...

    async def lease_pending(
        self, now: datetime, lease_until: datetime, limit: int, owner: str = "local"
    ) -> list[tuple[Delivery, Schedule]]:
        """Pending deliveries whose attempt time has come and that no live sender holds, now
        held by `owner` until `lease_until`."""
        ...

    async def renew_lease(self, delivery_id: int, owner: str, lease_until: datetime) -> bool:
        """Extend `owner`'s lease right before sending; False when the delivery is no longer
        theirs (its lease ran out and another sender took it) or no longer pending."""
        ...

    async def release_leases(self) -> int: ...

    async def mark_sent(
        self,
        delivery_id: int,
        channel_id: int,
        message_id: int,
        sent_at: datetime,
        late_seconds: int,
    ) -> None: ...

    async def mark_failed(self, delivery_id: int, error: str, now: datetime) -> None: ...

    async def mark_skipped(self, delivery_id: int, late_seconds: int, now: datetime) -> None:
        """Too late to be useful (the bot was down): recorded, counted, never sent."""
        ...

    async def retry_later(
        self, delivery_id: int, error: str, next_attempt_at: datetime
    ) -> None: ...

    async def get_delivery(self, delivery_id: int) -> Delivery | None: ...

    async def mark_done(self, delivery_id: int, user_id: int, now: datetime) -> Delivery | None:
        """Record Done on the user's own delivery (first press wins); None if not theirs."""
        ...

    async def recent_deliveries(self, schedule_id: int, limit: int) -> list[Delivery]:
        """Newest first."""
        ...

    async def done_due_times(self, user_id: int, kind: str, since: datetime) -> list[datetime]:
        """When each delivery the user marked Done was due (oldest first): a reminder answered
        after midnight still counts for the day it was meant for."""
        ...

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
        ...

    async def pending_count(self, now: datetime) -> int: ...

    async def get_dm_channel(self, user_id: int) -> int | None: ...

    async def save_dm_channel(self, user_id: int, channel_id: int) -> None: ...

    async def forget_dm_channel(self, user_id: int) -> None: ...

    async def clear_guild_targets(self, guild_id: int, notice: str, now: datetime) -> int:
        """Members' schedules delivered in this server fall back to DM, with a notice for the
        user. The server's own schedules are left alone: they have no DM to fall back to."""
        ...

    async def clear_channel_targets(self, channel_id: int, notice: str, now: datetime) -> int:
        """Like clear_guild_targets, for members' schedules delivered in one channel."""
        ...

    async def move_channel_targets(
        self, old_channel_id: int, new_channel_id: int, notice: str, now: datetime
    ) -> int:
        """Members' schedules delivered in one channel move to another of the same server."""
        ...

    # -- schedules a server owns (user_id NULL) ----------------------------------------------

    async def save_server_schedule(
        self, spec: ServerScheduleSpec, next_due: datetime | None, now: datetime
    ) -> Schedule:
        """Create or replace the server's schedule of this kind; clears any pause and notice."""
        ...

    async def get_server_schedule(self, guild_id: int, kind: str) -> Schedule | None: ...

    async def delete_server_schedules(self, guild_id: int, kind: str | None = None) -> int:
        """The server's own schedules (of one kind, or all), with their deliveries."""
        ...


# -- shared by both backends: the columns read and the rows turned into dataclasses ------------

SCHEDULE_COLUMNS = (
    "id, user_id, kind, local_time, days_mask, timezone, guild_id, channel_id, next_due, "
    "paused_until, pause_reason, notice, created_at, updated_at"
)
DELIVERY_COLUMNS = (
    "id, schedule_id, user_id, due_at, reason, snoozed_from, status, attempts, "
    "next_attempt_at, sent_at, channel_id, message_id, late_seconds, error, done_at, created_at"
)
SCHEDULE_WIDTH = SCHEDULE_COLUMNS.count(",") + 1
_DELIVERY_WIDTH = DELIVERY_COLUMNS.count(",") + 1


def _qualified(columns: str, alias: str) -> str:
    """``"a, b"`` as ``"x.a, x.b"``, for a join whose tables share column names."""
    return ", ".join(f"{alias}.{name.strip()}" for name in columns.split(","))


# A delivery joined with its schedule (`deliveries d JOIN schedules s`), as leasing returns them.
LEASED_COLUMNS = _qualified(DELIVERY_COLUMNS, "d") + ", " + _qualified(SCHEDULE_COLUMNS, "s")

# How a backend stores an instant -> the aware UTC datetime it stands for.
Instant = Callable[[Any], datetime]

# Which saved schedule a new one replaces: a user has one per kind; a server has one per kind
# among the rows no user owns (a partial unique index).
USER_SCHEDULE = "(user_id, kind)"
SERVER_SCHEDULE = "(guild_id, kind) WHERE user_id IS NULL"


def schedule_upsert_sql(placeholders: Sequence[str], conflict: str) -> str:
    """The statement that saves a schedule (insert, or replace the one `conflict` names: a
    replaced schedule is unpaused and loses its notice) and returns it, on both backends.
    `placeholders` are the backend's ten, for schedule_values()."""
    owner, kind, local, days, zone, guild, channel, due, created, updated = placeholders
    return (
        "INSERT INTO schedules (user_id, kind, local_time, days_mask, timezone, guild_id, "
        "channel_id, next_due, paused_until, pause_reason, notice, created_at, updated_at) "
        f"VALUES ({owner}, {kind}, {local}, {days}, {zone}, {guild}, {channel}, {due}, "
        f"NULL, NULL, NULL, {created}, {updated}) "
        f"ON CONFLICT {conflict} DO UPDATE SET local_time = excluded.local_time, "
        "days_mask = excluded.days_mask, timezone = excluded.timezone, "
        "guild_id = excluded.guild_id, channel_id = excluded.channel_id, "
        "next_due = excluded.next_due, paused_until = NULL, pause_reason = NULL, "
        "notice = NULL, updated_at = excluded.updated_at "
        "RETURNING " + SCHEDULE_COLUMNS
    )


def schedule_values(
    spec: ScheduleSpec | ServerScheduleSpec,
    next_due: datetime | None,
    now: datetime,
    store: Callable[[datetime], Any],
) -> tuple[Any, ...]:
    """What schedule_upsert_sql() writes; `store` converts an instant for the backend."""
    owner = spec.user_id if isinstance(spec, ScheduleSpec) else None
    return (
        owner,
        spec.kind,
        format_local_time(spec.local_time),
        spec.days_mask,
        spec.timezone,
        spec.guild_id,
        spec.channel_id,
        None if next_due is None else store(next_due),
        store(now),
        store(now),
    )


def _optional(value: Any, instant: Instant) -> datetime | None:
    return None if value is None else instant(value)


def schedule_from_row(row: Sequence[Any], instant: Instant) -> Schedule:
    """A row of SCHEDULE_COLUMNS."""
    return Schedule(
        id=row[0],
        member_id=row[1],
        kind=row[2],
        local_time=parse_local_time(row[3]),
        days_mask=row[4],
        timezone=row[5],
        guild_id=row[6],
        channel_id=row[7],
        next_due=_optional(row[8], instant),
        paused_until=_optional(row[9], instant),
        pause_reason=row[10],
        notice=row[11],
        created_at=instant(row[12]),
        updated_at=instant(row[13]),
    )


def delivery_from_row(row: Sequence[Any], instant: Instant) -> Delivery:
    """A row of DELIVERY_COLUMNS."""
    return Delivery(
        id=row[0],
        schedule_id=row[1],
        member_id=row[2],
        due_at=instant(row[3]),
        reason=row[4],
        snoozed_from=row[5],
        status=row[6],
        attempts=row[7],
        next_attempt_at=instant(row[8]),
        sent_at=_optional(row[9], instant),
        channel_id=row[10],
        message_id=row[11],
        late_seconds=row[12],
        error=row[13],
        done_at=_optional(row[14], instant),
        created_at=instant(row[15]),
    )


def leased_from_row(row: Sequence[Any], instant: Instant) -> tuple[Delivery, Schedule]:
    """A row of LEASED_COLUMNS."""
    row = tuple(row)
    return (
        delivery_from_row(row[:_DELIVERY_WIDTH], instant),
        schedule_from_row(row[_DELIVERY_WIDTH:], instant),
    )


# Pauses the engine makes by itself, which the user hears about once on their next command.
TOLD_PAUSES = "('dm_closed', 'unreadable')"

# The due time of a schedule's last occurrence that was sent or is on its way (for `s`).
LAST_CLAIMED = (
    "(SELECT max(d.due_at) FROM deliveries d WHERE d.schedule_id = s.id "
    "AND d.reason = 'scheduled' AND d.status IN ('pending', 'sent'))"
)


def activity_of(
    schedule: Schedule,
    recent: list[Delivery],
    done_due_times: list[datetime],
    skipped: int,
    auto_before: int | None = None,
) -> ScheduleActivity:
    """Puts what schedule_activity's query collected in the documented order: rows gathered
    into an array by an aggregate come in no promised order."""
    return ScheduleActivity(
        schedule=schedule,
        recent=sorted(recent, key=lambda d: (d.due_at, d.id), reverse=True),
        done_due_times=sorted(done_due_times),
        skipped=int(skipped),
        auto_before=None if auto_before is None else int(auto_before),
    )


@lru_cache(maxsize=2048)
def parse_local_time(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def read_local_time(text: str) -> time | None:
    """parse_local_time for the claim, where one unreadable row must not stop the batch."""
    try:
        return parse_local_time(text)
    except (ValueError, AttributeError, TypeError):
        return None


def format_local_time(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"
