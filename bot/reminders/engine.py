"""The reminder engine.

Schedules live in the database with an indexed `next_due` (UTC). One periodic tick claims every due
schedule in a transaction: it writes an outbox row (unique per schedule and due time) and advances
`next_due` to the next occurrence after now, computed by :mod:`bot.scheduling.recurrence` with its
DST policy. A sender drains the outbox at a paced rate. Because the outbox row and the advance commit
together, a restart can neither lose nor double an occurrence; a crash after Discord accepted a
message but before it was marked sent is resent with the same nonce, which Discord deduplicates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from time import perf_counter

from bot.clock import Clock
from bot.db.reminder_store import ReminderRepository
from bot.db.reminders import (
    ClaimDecision,
    Delivery,
    DueSchedule,
    Schedule,
    ScheduleForChange,
    ScheduleSpec,
    ServerScheduleSpec,
)
from bot.db.users import UserRepository
from bot.errors import UserError, ZoneNeeded
from bot.i18n.speech import ENGLISH_SPEAKER, N_, Moment, Said, Speaker
from bot.reminders.streaks import MAX_STREAK_DAYS, done_streak
from bot.reminders.transport import (
    LeaseLost,
    Outgoing,
    PermanentFailure,
    RecipientUnreachable,
    TargetUnavailable,
    TemporaryFailure,
    Transport,
)
from bot.scheduling import recurrence

log = logging.getLogger(__name__)

PAUSE_BY_USER = "user"
PAUSE_DM_CLOSED = "dm_closed"
# A server's own post (its daily tip) could not be posted in its channel; moderators fix it.
PAUSE_CHANNEL_UNAVAILABLE = "channel_unavailable"
# The schedule's stored zone, time or days cannot be read any more (a zone removed from tzdata,
# a hand edit, a database moved to a machine with older zone data). Setting it again fixes it.
PAUSE_UNREADABLE = "unreadable"
# The user stopped it. The row stays (without a due time) so that starting again the same day
# still knows what was already sent today, and the Done history is kept.
PAUSE_STOPPED = "stopped"
# Pauses that last until someone acts (no due time at all), shown in the feature's status.
LASTING_PAUSES = frozenset({PAUSE_DM_CLOSED, PAUSE_CHANNEL_UNAVAILABLE, PAUSE_UNREADABLE})
SNOOZE = timedelta(minutes=15)
# A reminder older than this is not snoozed: its snooze would come as a second reminder on a
# later day (yesterday's "take your 20:00 tablet" at 16:15 today, then today's at 20:00). A
# late-evening one snoozed just after midnight is still within it.
SNOOZABLE_FOR = timedelta(hours=12)
# What /stretch status looks at: the last delivery that is not pending among this many, and skips
# in this window.
STATUS_RECENT = 20
STATUS_SKIPPED_WINDOW = timedelta(days=7)
# A schedule whose days_mask carries this bit fires once, at its stored next_due (the other
# bits name the weekday of that date, for people reading the table): the claim leaves next_due
# NULL and keeps the row, so it is never due again. See remind_once.
ONCE = 1 << 7
CHANNEL_FALLBACK_NOTICE = (
    "I couldn't post in your chosen reminder channel any more, so this comes by DM instead."
)


@dataclass(frozen=True)
class EngineConfig:
    late_after: timedelta = timedelta(minutes=10)
    skip_after: timedelta = timedelta(hours=2)
    claim_batch: int = 1_000
    lease: timedelta = timedelta(minutes=2)
    # How many deliveries a sender takes at once: no more than it can send well within the lease,
    # or another process would take them over while they are still queued here.
    lease_batch: int = 1_000
    max_in_flight: int = 25
    max_attempts: int = 6


@dataclass
class DrainReport:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0
    fell_back: int = 0
    taken_over: int = 0
    rejected: int = 0  # Discord refused for good (a 400, ...): failed at once, not retried
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ScheduleStatus:
    schedule: Schedule
    next_reminders: list[datetime]
    last_delivery: Delivery | None
    streak: int
    skipped_recently: int
    paused_until: datetime | None
    pause_reason: str | None
    auto_before: int | None = None  # time:auto: minutes before symptom start, read with it


class EngineObserver:
    """Hooks for metrics; the default observes nothing."""

    def claimed(self, count: int, seconds: float, backlog: int) -> None:
        """A tick claimed `count` schedules in `seconds`; `backlog` deliveries wait to be sent."""

    def drained(self, report: DrainReport) -> None:
        """A sender pass finished."""

    def schedule_paused(self, reason: str) -> None:
        """The engine paused a schedule by itself (DMs closed, unreadable zone, ...)."""


UNREADABLE_HELP = N_(
    "I can no longer work out times in your saved timezone ({zone}), so these reminders are "
    "paused. Set your timezone again with `/timezone set` and they start again."
)


def unreadable_help(zone: str, tr: Speaker = ENGLISH_SPEAKER) -> str:
    """What a user reads when their schedule was paused because its zone no longer loads."""
    return tr(UNREADABLE_HELP, zone=zone)


def not_set_up(what: str) -> UserError:
    """``what`` is a message marked ``N_`` ("stretch reminders"), said in the reader's language."""
    return UserError(N_("You don't have {what} set up yet."), what=Said(what))


def whole_seconds(instant: datetime) -> datetime:
    """Instants are stored to the second on every backend; round here so both agree."""
    return instant.astimezone(UTC).replace(microsecond=0)


def family_of(kind: str) -> str:
    """ "med:12:0" -> "med:": the family a feature registers for kinds made per item."""
    return kind[: kind.index(":") + 1]


def too_old_to_snooze(original: Delivery, schedule: Schedule) -> UserError:
    """The refusal of a snooze on a reminder older than SNOOZABLE_FOR, naming it and the next."""
    try:
        zone: tzinfo = recurrence.load_zone(schedule.timezone)
    except (ValueError, KeyError):  # an unreadable zone: said in UTC
        zone = UTC
    was = Moment(original.due_at.astimezone(zone))
    if schedule.next_due is None:
        return UserError(
            N_("That reminder was for {was}, too long ago to snooze. Nothing was changed."),
            was=was,
        )
    return UserError(
        N_(
            "That reminder was for {was}, too long ago to snooze. Nothing was changed; the next "
            "one comes {next}."
        ),
        was=was,
        next=Moment(schedule.next_due.astimezone(zone)),
    )


def is_once(days_mask: int) -> bool:
    return bool(days_mask & ONCE)


def daily_rule(local_time: time, days_mask: int, zone: str) -> recurrence.DailySchedule:
    """The recurrence of a schedule's stored time of day, days and zone."""
    return recurrence.DailySchedule(local_time, recurrence.Weekdays.from_mask(days_mask), zone)


def recurrence_of(schedule: Schedule) -> recurrence.DailySchedule:
    return daily_rule(schedule.local_time, schedule.days_mask, schedule.timezone)


def next_due_after(
    rule: recurrence.DailySchedule,
    now: datetime,
    *,
    last_claimed: datetime | None,
    not_before: datetime | None = None,
    keep: datetime | None = None,
) -> datetime:
    """The next due time of a schedule its owner just set, changed, resumed or moved to another
    zone: every such action goes through here, so none can give a local date two reminders.

    It is the first occurrence of `rule` after `now` (and after `not_before`, the end of a
    pause) whose local date, in the rule's zone, comes after the local date of `last_claimed`
    (the last occurrence sent or on its way). `keep`, the stored due time, is kept while it is
    due but not yet claimed (the tick runs every 30 s) and still an occurrence of the rule, so a
    change made at 17:00:10 does not lose today's 17:00.
    """
    floor = None if last_claimed is None else recurrence.local_date_of(last_claimed, rule.zone)

    def fresh(instant: datetime) -> bool:
        return floor is None or recurrence.local_date_of(instant, rule.zone) > floor

    if (
        keep is not None
        and not_before is None
        and keep <= now
        and recurrence.next_occurrence(rule, keep - timedelta(seconds=1)) == keep
        and fresh(keep)
    ):
        return keep
    candidate = recurrence.next_occurrence(
        rule, now if not_before is None else max(now, not_before)
    )
    while not fresh(candidate):
        candidate = recurrence.next_occurrence(rule, candidate)
    return candidate


def retimed_due(
    rule: recurrence.DailySchedule,
    current_due: datetime,
    now: datetime,
    *,
    last_claimed: datetime | None,
) -> datetime | None:
    """The next due time when the bot, not the owner, moves a schedule to the time of `rule`
    (onset-timed reminders follow each night logged), or None to leave it as it is for now.

    The date of the next reminder never changes, so no date gains or loses one: today's moves
    only if both its old and new time are still ahead; a new time already past today applies
    from the next date (the schedule keeps today's due time, and the tick then finds the new
    time's next occurrence after it). A reminder due but not yet claimed stays, and if the new
    time is still ahead today the change waits (None): the tick would otherwise send both.
    """
    zone = rule.tzinfo
    today = recurrence.local_date_of(now, zone)
    due_date = recurrence.local_date_of(current_due, zone)
    if due_date <= today:
        new_today = recurrence.next_occurrence(rule, now)
        still_today = recurrence.local_date_of(new_today, zone) == today
        if current_due <= now:  # due, waiting for the tick
            return None if still_today else current_due
        # Moves only while both times are ahead; otherwise the new time starts the next date.
        return new_today if still_today else current_due
    moved = next_due_after(
        rule, now, last_claimed=last_claimed, not_before=_day_start(due_date, rule)
    )
    return moved if recurrence.local_date_of(moved, zone) == due_date else current_due


def _day_start(day: date, rule: recurrence.DailySchedule) -> datetime:
    """Just before local midnight starting `day`, as an instant (a search starts after it)."""
    return datetime.combine(day, time(0), tzinfo=rule.tzinfo) - timedelta(seconds=1)


@dataclass(frozen=True)
class ReminderKind:
    """How a kind of reminder is named to its owner: registered by the cog that offers it."""

    what: str  # "stretch reminders"
    status: str  # the command that shows its status, e.g. "/stretch status"
    restart: str  # the command that starts it again after a pause, e.g. "/stretch resume"
    # Another way to get them when Discord refuses DMs (e.g. a server's reminder channel).
    instead: str = ""


DM_CLOSED_FIX = N_(
    "Allow direct messages from a server we share (server name → Privacy Settings → Direct "
    "Messages)"
)


def pause_notice(kind: ReminderKind, reason: str, tr: Speaker = ENGLISH_SPEAKER) -> str:
    """The one-time heads-up about a pause the engine made by itself, in ``tr``'s language (the
    kind's words are translated where the cog marked them with ``N_``)."""
    if reason == PAUSE_DM_CLOSED:
        return tr(
            "Heads-up: I couldn't send you a DM, so your {what} are paused. {fix}, then use "
            "`{restart}`.{instead} `{status}` shows them.",
            what=Said(kind.what),
            fix=Said(DM_CLOSED_FIX),
            restart=kind.restart,
            instead=" " + tr(kind.instead) if kind.instead else "",
            status=kind.status,
        )
    return tr(
        "Heads-up: your {what} are paused: I can no longer work out times in your saved "
        "timezone. Set it again with `/timezone set` and they start again.",
        what=Said(kind.what),
    )


@dataclass(frozen=True)
class ReminderChange:
    """What a user gave to "remind me": None keeps what the schedule has (or the default for a
    new one). `target` is (guild_id, channel_id), (None, None) meaning by DM."""

    local_time: time | None = None
    days_mask: int | None = None
    zone: str | None = None
    target: tuple[int | None, int | None] | None = None


@dataclass(frozen=True)
class Reminded:
    """The saved schedule, and which of time / days / zone / target changed ("new": created)."""

    schedule: Schedule
    previous: Schedule | None
    changed: tuple[str, ...]

    @property
    def created(self) -> bool:
        return self.previous is None


class ReminderEngine:
    def __init__(
        self,
        reminders: ReminderRepository,
        users: UserRepository,
        clock: Clock,
        transport: Transport | None = None,
        config: EngineConfig | None = None,
        observer: EngineObserver | None = None,
    ) -> None:
        self.reminders = reminders
        self.users = users
        self.clock = clock
        self.transport = transport
        self.config = config or EngineConfig()
        self.observer = observer or EngineObserver()
        self._wake = asyncio.Event()
        self._sender: asyncio.Task[None] | None = None
        self._stopping = False
        # Names this sender's leases; unique per engine, so per process.
        self.owner = uuid.uuid4().hex[:16]
        # Schedule kind -> how its message looks. What a renderer is belongs to the transport
        # (the Discord one wants a RenderedMessage), so the engine only keeps them by kind.
        self._renderers: dict[str, object] = {}

    def register_renderer(self, kind: str, renderer: object) -> None:
        """How a feature's schedules look when sent: each feature registers its own kind when
        it is set up (a cog's cog_load), before the first tick can send one."""
        self._renderers[kind] = renderer

    def renderer(self, kind: str) -> object | None:
        """The renderer of `kind`, or of its family: a renderer registered as "med:" renders
        every "med:…" kind (one schedule per medicine and time)."""
        found = self._renderers.get(kind)
        if found is None and ":" in kind:
            found = self._renderers.get(family_of(kind))
        return found

    def renderer_kinds(self) -> set[str]:
        return set(self._renderers)

    def now(self) -> datetime:
        return whole_seconds(self.clock.now())

    # -- what users do -------------------------------------------------------------------------

    async def subscribe(self, spec: ScheduleSpec) -> Schedule:
        """Opt in or replace the schedule of this kind with exactly `spec`."""
        async with self.reminders.atomic():
            current = await self._one_for_change(spec.user_id, spec.kind)
            return await self._save(spec, current)

    async def remind(
        self,
        user_id: int,
        kind: str,
        change: ReminderChange,
        *,
        default_time: time,
        default_days: int,
        profile_zone: str | None,
    ) -> Reminded:
        """Start or change a reminder: what was given changes, the rest stays as it was. A zone
        given here is the user's zone from now on, for every feature (one transaction)."""
        now = self.now()
        async with self.reminders.atomic():
            # The schedule as the person knew it: the zone move below already rewrites its zone,
            # and the reply names what changed against this one.
            current = await self._one_for_change(user_id, kind)
            previous: Schedule | None = current.schedule if current is not None else None
            if previous is not None and previous.pause_reason == PAUSE_STOPPED:
                previous = None  # started again: a fresh schedule, but today still counts
            if change.zone is not None:
                await self._move_zone(user_id, change.zone, now)
                current = await self._one_for_change(user_id, kind)
            zone = change.zone or profile_zone or (previous.timezone if previous else None)
            if zone is None:
                raise ZoneNeeded(
                    N_(
                        "I need your timezone once: add `timezone:` with your city (e.g. "
                        "Europe/Berlin), or use `/timezone set` first."
                    ),
                    why=N_("I need your timezone once, so your reminders come at your own time."),
                )
            base_time = previous.local_time if previous else default_time
            base_days = previous.days_mask if previous else default_days
            base_target = (previous.guild_id, previous.channel_id) if previous else (None, None)
            target = change.target if change.target is not None else base_target
            spec = ScheduleSpec(
                user_id,
                kind,
                change.local_time or base_time,
                change.days_mask if change.days_mask is not None else base_days,
                zone,
                *target,
            )
            schedule = await self._save(spec, current)
            until = previous.paused_until if previous is not None else None
            if (
                previous is not None
                and previous.pause_reason == PAUSE_BY_USER
                and until is not None
                and until > now
            ):
                # A pause the user asked for is theirs to end (`resume`): a change keeps it.
                assert current is not None
                next_due = next_due_after(
                    recurrence_of(schedule),
                    now,
                    last_claimed=current.last_claimed,
                    not_before=until,
                )
                await self.reminders.set_next_due(
                    schedule.id, next_due, now, paused_until=until, pause_reason=PAUSE_BY_USER
                )
                schedule = await self.require(user_id, kind, "reminders")
        changed: tuple[str, ...] = ()
        if previous is not None:
            before = (previous.local_time, previous.days_mask, previous.timezone, base_target)
            after = (spec.local_time, spec.days_mask, spec.timezone, target)
            names = ("time", "days", "timezone", "where")
            changed = tuple(n for n, b, a in zip(names, before, after, strict=True) if b != a)
        return Reminded(schedule, previous, changed)

    async def retime(self, user_id: int, kind: str, local_time: time) -> Schedule | None:
        """A new daily time the bot chose (see retimed_due); None when nothing changed: no
        schedule, stopped or paused (the time is chosen again on the next change), or a
        reminder due right now."""
        now = self.now()
        async with self.reminders.atomic():
            current = await self._one_for_change(user_id, kind)
            if current is None:
                return None
            s = current.schedule
            if s.pause_reason is not None or s.next_due is None or s.local_time == local_time:
                return None
            rule = daily_rule(local_time, s.days_mask, s.timezone)
            next_due = retimed_due(rule, s.next_due, now, last_claimed=current.last_claimed)
            if next_due is None:
                return None
            spec = ScheduleSpec(
                user_id, kind, local_time, s.days_mask, s.timezone, s.guild_id, s.channel_id
            )
            saved = await self.reminders.save_schedule(spec, next_due, now)
            if s.notice:  # saving clears a notice the owner has not seen yet: keep it
                await self.reminders.set_target(saved.id, s.guild_id, s.channel_id, s.notice, now)
                saved = replace(saved, notice=s.notice)
            return saved

    async def _for_change(self, user_id: int, kind: str | None = None) -> list[ScheduleForChange]:
        return await self.reminders.schedules_for_change(user_id=user_id, kind=kind)

    async def _one_for_change(self, user_id: int, kind: str) -> ScheduleForChange | None:
        found = await self._for_change(user_id, kind)
        return found[0] if found else None

    async def _save(self, spec: ScheduleSpec, current: ScheduleForChange | None) -> Schedule:
        now = self.now()
        rule = daily_rule(spec.local_time, spec.days_mask, spec.timezone)
        keep = None
        if current is not None and current.schedule.pause_reason != PAUSE_STOPPED:
            keep = current.schedule.next_due
        next_due = next_due_after(
            rule, now, last_claimed=current.last_claimed if current else None, keep=keep
        )
        return await self.reminders.save_schedule(spec, next_due, now)

    async def save_server_schedule(self, spec: ServerScheduleSpec) -> Schedule:
        """A server's own schedule (its daily tip), set or changed by moderators: its next due
        time follows the same rule as a member's (one per local date, today's kept while due)."""
        now = self.now()
        async with self.reminders.atomic():
            found = await self.reminders.schedules_for_change(
                guild_id=spec.guild_id, kind=spec.kind
            )
            current = found[0] if found else None
            rule = daily_rule(spec.local_time, spec.days_mask, spec.timezone)
            next_due = next_due_after(
                rule,
                now,
                last_claimed=current.last_claimed if current else None,
                keep=current.schedule.next_due if current else None,
            )
            return await self.reminders.save_server_schedule(spec, next_due, now)

    async def remind_once(self, user_id: int, kind: str, on: date, at: time, zone: str) -> Schedule:
        """A reminder that fires once, at `at` on the local date `on` in `zone`, replacing the
        user's schedule of this kind (and any of its reminders not sent yet)."""
        now = self.now()
        rule = recurrence.DailySchedule(at, recurrence.Weekdays.of(on.weekday()), zone)
        due = recurrence.occurrence_on(rule, on)
        if due is None or due <= now:
            raise UserError(N_("That date and time have already passed."))
        async with self.reminders.atomic():
            current = await self._one_for_change(user_id, kind)
            if current is not None:
                await self.reminders.cancel_pending(current.schedule.id, now)
            days = ONCE | recurrence.Weekdays.of(on.weekday()).to_mask()
            spec = ScheduleSpec(user_id, kind, at, days, zone)
            saved = await self.reminders.save_schedule(spec, due, now)
            if current is None:
                return saved
            return await self.reminders.restarted(saved.id, now)

    def upcoming(self, schedule: Schedule, count: int = 3) -> list[datetime]:
        """The next `count` reminders; `next_due` already lies after any pause."""
        if schedule.next_due is None or count == 0:
            return []
        if is_once(schedule.days_mask):
            return [schedule.next_due]
        first = schedule.next_due
        return [first, *recurrence.upcoming(recurrence_of(schedule), first, count - 1)]

    async def require(self, user_id: int, kind: str, what: str) -> Schedule:
        schedule = await self.reminders.get_schedule(user_id, kind)
        if schedule is None or schedule.pause_reason == PAUSE_STOPPED:
            raise not_set_up(what)
        return schedule

    async def _require_for_change(self, user_id: int, kind: str, what: str) -> ScheduleForChange:
        current = await self._one_for_change(user_id, kind)
        if current is None or current.schedule.pause_reason == PAUSE_STOPPED:
            raise not_set_up(what)
        return current

    async def pause(self, user_id: int, kind: str, days: int, what: str) -> Schedule:
        now = self.now()
        async with self.reminders.atomic():
            current = await self._require_for_change(user_id, kind, what)
            schedule = current.schedule
            until = now + timedelta(days=days)
            next_due = next_due_after(
                recurrence_of(schedule), now, last_claimed=current.last_claimed, not_before=until
            )
            # Claimed but not sent yet: paused means nothing arrives until the pause ends.
            await self.reminders.cancel_pending(schedule.id, now)
            await self.reminders.set_next_due(
                schedule.id, next_due, now, paused_until=until, pause_reason=PAUSE_BY_USER
            )
        return await self.require(user_id, kind, what)

    async def resume(self, user_id: int, kind: str, what: str) -> Schedule:
        now = self.now()
        async with self.reminders.atomic():
            current = await self._require_for_change(user_id, kind, what)
            try:
                rule = recurrence_of(current.schedule)
                next_due = next_due_after(rule, now, last_claimed=current.last_claimed)
            except (ValueError, KeyError):  # its zone no longer loads: say how to fix it
                raise UserError(UNREADABLE_HELP, zone=current.schedule.timezone) from None
            await self.reminders.set_next_due(current.schedule.id, next_due, now)
        return await self.require(user_id, kind, what)

    async def stop(self, user_id: int, kind: str) -> bool:
        """Stop reminders of this kind; False when there were none."""
        now = self.now()
        async with self.reminders.atomic():
            current = await self._one_for_change(user_id, kind)
            if current is None or current.schedule.pause_reason == PAUSE_STOPPED:
                return False
            await self.reminders.cancel_pending(current.schedule.id, now)
            await self.reminders.set_next_due(
                current.schedule.id, None, now, pause_reason=PAUSE_STOPPED
            )
        return True

    async def change_zone(self, user_id: int, zone: str) -> list[Schedule]:
        """The profile's zone is every feature's zone: move every schedule of the user with it."""
        now = self.now()
        async with self.reminders.atomic():
            return await self._move_zone(user_id, zone, now)

    async def _move_zone(self, user_id: int, zone: str, now: datetime) -> list[Schedule]:
        await self.users.set_timezone(user_id, zone, now)
        found = await self._for_change(user_id)
        last_claimed = {c.schedule.id: c.last_claimed for c in found}
        # A schedule paused because its old zone no longer loads is fixed by the new zone.
        repaired = {c.schedule.id for c in found if c.schedule.pause_reason == PAUSE_UNREADABLE}

        def plan(schedule: Schedule) -> datetime | None:
            if schedule.next_due is None and schedule.id not in repaired:
                return None  # paused until someone acts (or stopped): stays so
            if is_once(schedule.days_mask):
                return schedule.next_due  # a one-off keeps its instant
            not_before = None
            if schedule.paused_until is not None and schedule.paused_until > now:
                not_before = schedule.paused_until
            return next_due_after(
                recurrence_of(schedule),
                now,
                last_claimed=last_claimed.get(schedule.id),
                not_before=not_before,
            )

        moved = await self.reminders.reschedule_user(user_id, zone, plan, now)
        if not repaired:
            return moved
        for schedule in moved:
            if schedule.id in repaired:  # running again: the pause and its reason go
                await self.reminders.set_next_due(schedule.id, schedule.next_due, now)
        return await self.reminders.user_schedules(user_id)

    async def pause_notices(
        self,
        user_id: int,
        kinds: Mapping[str, ReminderKind],
        tr: Speaker = ENGLISH_SPEAKER,
    ) -> list[str]:
        """Heads-ups, each given once, about the user's reminders the engine paused by itself
        (closed DMs, an unreadable zone): wherever the user next turns up, they learn it.
        `kinds` names each kind of reminder (the cogs offering them declare it), or a family
        of kinds ("med:" for every "med:…"); a family's pauses are told once together."""
        taken = await self.reminders.take_pause_notices(user_id, self.now())
        notices: list[str] = []
        for kind, reason in taken:
            named = kinds.get(kind) or (kinds.get(family_of(kind)) if ":" in kind else None)
            if named is not None and (notice := pause_notice(named, reason, tr)) not in notices:
                notices.append(notice)
        return notices

    async def send_now(self, user_id: int, kind: str, what: str) -> Delivery:
        schedule = await self.require(user_id, kind, what)
        now = self.now()
        delivery = await self.reminders.add_delivery(schedule, now, "now", now)
        if delivery is None:
            raise UserError(N_("One is already on its way."))
        self.wake()
        return delivery

    async def snooze(self, delivery_id: int, user_id: int) -> Delivery:
        original = await self.reminders.get_delivery(delivery_id)
        if original is None or original.member_id != user_id:
            raise UserError(N_("That reminder no longer exists."))
        schedule = await self.reminders.get_schedule_by_id(original.schedule_id)
        if schedule is None or schedule.pause_reason == PAUSE_STOPPED:
            raise UserError(N_("That reminder was stopped, so there is nothing to snooze."))
        now = self.now()
        if now - original.due_at > SNOOZABLE_FOR:
            raise too_old_to_snooze(original, schedule)
        snoozed = await self.reminders.add_delivery(
            schedule, now + SNOOZE, "snooze", now, snoozed_from=original.id
        )
        if snoozed is None:
            raise UserError(N_("You already snoozed this one."))
        return snoozed

    async def done(self, delivery_id: int, user_id: int) -> Delivery:
        """Done on the user's own reminder; a snooze of it still queued is cancelled with it (the
        person has stretched: a second "time to stretch" would be the doubled reminder)."""
        now = self.now()
        async with self.reminders.atomic():
            delivery = await self.reminders.mark_done(delivery_id, user_id, now)
            if delivery is None:
                raise UserError(N_("That reminder no longer exists."))
            await self.reminders.cancel_pending_snoozes(delivery.id, now)
        return delivery

    async def status(self, user_id: int, kind: str, what: str) -> ScheduleStatus:
        now = self.now()
        # One query for everything shown: /stretch status is among the busiest commands.
        activity = await self.reminders.schedule_activity(
            user_id,
            kind,
            recent=STATUS_RECENT,
            done_since=now - timedelta(days=MAX_STREAK_DAYS),
            skipped_since=now - STATUS_SKIPPED_WINDOW,
        )
        if activity is None or activity.schedule.pause_reason == PAUSE_STOPPED:
            raise not_set_up(what)
        schedule = activity.schedule
        last = next((d for d in activity.recent if d.status not in {"pending", "cancelled"}), None)
        try:
            rule = recurrence_of(schedule)
            done_dates = [recurrence.scheduled_date_of(rule, t) for t in activity.done_due_times]
            streak = done_streak(
                done_dates,
                recurrence.Weekdays.from_mask(schedule.days_mask),
                recurrence.local_date_of(now, schedule.timezone),
            )
        except (ValueError, KeyError):  # unreadable: the status says so instead of failing
            streak = 0
        skipped = activity.skipped
        lasting = schedule.pause_reason in LASTING_PAUSES
        paused_until = (
            schedule.paused_until
            if lasting or (schedule.paused_until is not None and schedule.paused_until > now)
            else None
        )
        pause_reason = schedule.pause_reason if (lasting or paused_until is not None) else None
        return ScheduleStatus(
            schedule=schedule,
            next_reminders=self.upcoming(schedule, 3),
            last_delivery=last,
            streak=streak,
            skipped_recently=skipped,
            paused_until=paused_until,
            pause_reason=pause_reason,
            auto_before=activity.auto_before,
        )

    # -- the machinery --------------------------------------------------------------------------

    def decide(self, now: datetime) -> Callable[[DueSchedule], ClaimDecision]:
        # The claim asks once per group of a batch (schedules sharing time, days, zone and due
        # time); the same groups come back in the tick's next batches, so remember them here.
        following_for: dict[tuple[time | None, int, str, datetime], datetime] = {}

        def decide(schedule: DueSchedule) -> ClaimDecision:
            late = now - schedule.next_due
            if is_once(schedule.days_mask):  # its one occurrence: never due again
                # Never skipped however late (a retest months away has no next time): sent
                # late after an outage, the delivery recording how late.
                return ClaimDecision("pending", int(late.total_seconds()), None)
            key = (schedule.local_time, schedule.days_mask, schedule.timezone, schedule.next_due)
            following = following_for.get(key)
            if following is None:
                try:
                    if schedule.local_time is None:
                        raise ValueError("the stored time of day is not a time")
                    # max(): the next occurrence after the one being claimed *and* after now,
                    # so a long outage never queues a backlog of old days.
                    rule = daily_rule(schedule.local_time, schedule.days_mask, schedule.timezone)
                    following = recurrence.next_occurrence(rule, max(now, schedule.next_due))
                except (ValueError, KeyError) as exc:  # ZoneInfoNotFoundError is a KeyError
                    # These rows alone stop (their status says why); the batch goes on.
                    log.warning(
                        "schedules %s paused: cannot compute the next time (%s %s, days %s): %r",
                        ", ".join(map(str, schedule.ids)),
                        schedule.local_time,
                        schedule.timezone,
                        schedule.days_mask,
                        exc,
                    )
                    for _ in schedule.ids:
                        self.observer.schedule_paused(PAUSE_UNREADABLE)
                    return ClaimDecision("paused", 0, None, PAUSE_UNREADABLE)
                following_for[key] = following
            if late > self.config.skip_after:
                return ClaimDecision("skipped", int(late.total_seconds()), following)
            return ClaimDecision("pending", int(late.total_seconds()), following)

        return decide

    async def tick(self) -> int:
        """Claim everything due now; returns how many schedules were claimed."""
        now = self.now()
        started = perf_counter()
        decide = self.decide(now)
        total = 0
        while True:
            claimed = await self.reminders.claim_due(now, self.config.claim_batch, decide)
            total += claimed
            if claimed < self.config.claim_batch:
                break
        elapsed = perf_counter() - started
        if total:
            log.info("claimed %d due reminders in %.0f ms", total, elapsed * 1000)
        # Wake the sender for retries too: a delivery put back after a 5xx is due again later,
        # and waiting for the next claim could strand it until another schedule falls due.
        backlog = await self.reminders.pending_count(now)
        if total or backlog:
            self.wake()
        self.observer.claimed(total, elapsed, backlog)
        return total

    def wake(self) -> None:
        self._wake.set()

    async def drain(self) -> DrainReport:
        """Send every delivery that is due; returns what happened. The transport paces requests
        under Discord's global limit; here only the number in flight is bounded."""
        if self.transport is None:
            raise RuntimeError("the engine has no transport")
        report = DrainReport()
        in_flight = asyncio.Semaphore(self.config.max_in_flight)
        while True:
            now = self.now()
            if self._stopping:
                return report
            leased = await self.reminders.lease_pending(
                now, now + self.config.lease, self.config.lease_batch, self.owner
            )
            if not leased:
                return report
            async with asyncio.TaskGroup() as group:
                for delivery, schedule in leased:
                    await in_flight.acquire()
                    if self._stopping:
                        # Shutting down: hand back what was not started, for the next sender.
                        in_flight.release()
                        await self.reminders.retry_later(delivery.id, "released at shutdown", now)
                        continue
                    group.create_task(self._send_one(delivery, schedule, report, in_flight))

    async def _send_one(
        self,
        delivery: Delivery,
        schedule: Schedule,
        report: DrainReport,
        in_flight: asyncio.Semaphore,
    ) -> None:
        try:
            await self._deliver(delivery, schedule, report)
        except Exception as exc:  # one bad delivery must not stop the others
            log.exception("delivery %s failed unexpectedly", delivery.id)
            report.errors.append(repr(exc))
            await self._retry_or_fail(delivery, repr(exc), report)
        finally:
            in_flight.release()

    async def _deliver(self, delivery: Delivery, schedule: Schedule, report: DrainReport) -> None:
        assert self.transport is not None
        now = self.now()
        late = max(timedelta(0), now - delivery.due_at)
        if (
            late > self.config.skip_after
            and delivery.reason == "scheduled"
            and not is_once(schedule.days_mask)  # a one-off is sent late, never lost
        ):
            await self.reminders.mark_skipped(delivery.id, int(late.total_seconds()), now)
            report.skipped += 1
            return

        async def ready() -> bool:
            # Renewed when the transport is about to post, after its wait for the pacer (which
            # a 429 can stretch past the lease): a delivery another sender took over meanwhile,
            # or that the user paused or stopped, is not sent.
            return await self.reminders.renew_lease(
                delivery.id, self.owner, self.now() + self.config.lease
            )

        outgoing = Outgoing(
            delivery, schedule, int(late.total_seconds()), late > self.config.late_after, ready
        )
        try:
            sent = await self.transport.send(outgoing)
        except LeaseLost:
            report.taken_over += 1
            return
        except RecipientUnreachable as exc:
            # Only a DM target is refused this way; retrying only counts towards Discord's
            # invalid-request ban. The refusal and the pause together: a failed delivery with
            # its schedule still running would try (and be refused) again every day.
            async with self.reminders.atomic():
                await self.reminders.mark_failed(delivery.id, PAUSE_DM_CLOSED, now)
                await self.reminders.set_next_due(
                    schedule.id, None, now, pause_reason=PAUSE_DM_CLOSED
                )
            log.info("%s cannot receive DMs (%s); schedule paused", outgoing.target, exc)
            self.observer.schedule_paused(PAUSE_DM_CLOSED)
            report.failed += 1
        except TargetUnavailable as exc:
            if outgoing.target.fallback is None:
                # Nowhere to fall back to (a server's post): pause it until moderators fix the
                # channel (`/config show` says so), rather than retry a 403 every day.
                async with self.reminders.atomic():
                    await self.reminders.mark_failed(
                        delivery.id, f"channel unavailable: {exc}", now
                    )
                    await self.reminders.set_next_due(
                        schedule.id, None, now, pause_reason=PAUSE_CHANNEL_UNAVAILABLE
                    )
                log.info("post %s paused: channel unavailable (%s)", schedule.id, exc)
                report.failed += 1
                return
            # The fallback (the member's DMs) from now on: the schedule's channel is cleared.
            async with self.reminders.atomic():
                await self.reminders.set_target(
                    schedule.id, None, None, CHANNEL_FALLBACK_NOTICE, now
                )
                await self.reminders.retry_later(delivery.id, f"channel unavailable: {exc}", now)
            log.info(
                "channel for schedule %s unavailable (%s); falling back to DM", schedule.id, exc
            )
            report.fell_back += 1
            self.wake()
        except PermanentFailure as exc:
            await self.reminders.mark_failed(delivery.id, str(exc), now)
            log.warning("delivery %s rejected by Discord, not retried: %s", delivery.id, exc)
            report.failed += 1
            report.rejected += 1
        except TemporaryFailure as exc:
            await self._retry_or_fail(delivery, str(exc), report)
        else:
            await self.reminders.mark_sent(
                delivery.id, sent.channel_id, sent.message_id, self.now(), int(late.total_seconds())
            )
            if schedule.notice is not None:
                await self.reminders.clear_notice(schedule.id, now)
            report.sent += 1

    async def _retry_or_fail(self, delivery: Delivery, error: str, report: DrainReport) -> None:
        now = self.now()
        if delivery.attempts >= self.config.max_attempts:
            await self.reminders.mark_failed(delivery.id, error, now)
            report.failed += 1
            return
        backoff = timedelta(seconds=min(600, 5 * 2 ** (delivery.attempts - 1)))
        await self.reminders.retry_later(delivery.id, error, now + backoff)
        report.retried += 1

    # -- background running ------------------------------------------------------------------

    def start_sender(self) -> None:
        if self._sender is None:
            self._sender = asyncio.create_task(self._sender_loop(), name="reminder-sender")

    async def stop_sender(self, grace: float = 10.0) -> None:
        """Finish the sends in flight (so each is recorded as sent), start no new ones."""
        if self._sender is not None:
            self._stopping = True
            self._wake.set()
            done, _ = await asyncio.wait([self._sender], timeout=grace)
            if not done:
                self._sender.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._sender
            self._sender = None
            self._stopping = False  # a later drain() called directly (tests, tools) still works

    async def _sender_loop(self) -> None:
        while not self._stopping:
            await self._wake.wait()
            self._wake.clear()
            try:
                self.observer.drained(await self.drain())
            except Exception:
                log.exception("reminder sender pass failed; will retry at the next tick")
