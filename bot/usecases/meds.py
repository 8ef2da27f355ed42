"""Medicine and iron-lab actions (issue 20): one plain function per user action, one
transaction each (see the package's docstring). The bot records and reminds; it never comments
on a medicine, a dose or a value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from bot.clinical.labs import LabResult
from bot.clinical.meds import (
    LAST_EVENING,
    build_medicine,
    find_medicine,
    medicine_key,
    noted_since,
    typed_dose_at,
)
from bot.db.meds import DoseRecord, Medicine, medicine_of_kind
from bot.db.reminders import Delivery, Schedule, ScheduleSpec
from bot.errors import UserError, ZoneNeeded
from bot.i18n import N_
from bot.reminders.engine import LASTING_PAUSES, PAUSE_STOPPED
from bot.routines import STRETCH_KIND
from bot.scheduling.recurrence import load_zone
from bot.usecases.actions import Context

NEED_ZONE = N_(
    "I need your timezone first, so reminder times are your own: use `/timezone set` with your "
    "city (e.g. Berlin), then try again. Nothing was saved."
)
WHY_ZONE = N_("I need your timezone first, so reminder times are your own.")
GONE = N_("That reminder no longer exists.")
RETEST_KIND = "labs:retest"
# A one-off retest reminder comes at the person's usual reminder time (their morning check-in
# prompt, else their stretch reminder), else at this time of their day.
RETEST_DEFAULT_TIME = time(10, 0)
_USUAL_KINDS = ("sleep", STRETCH_KIND)
RECENT = timedelta(days=7)


async def _zone(ctx: Context, user_id: int) -> str:
    profile = await ctx.repos.users.get(user_id)
    if profile is None or profile.timezone is None:
        raise ZoneNeeded(NEED_ZONE, why=WHY_ZONE)
    return profile.timezone


async def _by_name(ctx: Context, user_id: int, typed: str) -> Medicine:
    medicines = await ctx.repos.meds.medicines(user_id)
    name = find_medicine(typed, [m.name for m in medicines])
    return next(m for m in medicines if m.name == name)


@dataclass(frozen=True)
class MedicineAdded:
    medicine: Medicine
    schedules: list[Schedule]  # one per time, in the medicine's order

    @property
    def next_due(self) -> datetime | None:
        dues = [s.next_due for s in self.schedules if s.next_due is not None]
        return min(dues, default=None)


async def _paused_by_engine(ctx: Context, user_id: int, medicine: Medicine) -> bool:
    for kind in medicine.kinds():
        schedule = await ctx.engine.reminders.get_schedule(user_id, kind)
        if schedule is not None and schedule.pause_reason in LASTING_PAUSES:
            return True
    return False


async def _stop(ctx: Context, user_id: int, medicine: Medicine) -> None:
    await ctx.repos.meds.stop(user_id, medicine.id, ctx.engine.now())
    for kind in medicine.kinds():
        await ctx.engine.stop(user_id, kind)


async def add_medicine(
    ctx: Context, user_id: int, name: str, times: str, days: str | None
) -> MedicineAdded:
    """/meds add: the medicine and one daily reminder per time, in the person's zone. A
    medicine of that name whose reminders the engine paused (DMs closed, an unreadable zone)
    is set up again: stopped (its doses kept) and added anew, so its reminders start again."""
    async with ctx.engine.reminders.atomic():
        existing = await ctx.repos.meds.medicines(user_id)
        key = medicine_key(name)
        same = next((m for m in existing if medicine_key(m.name) == key), None)
        restart = same is not None and await _paused_by_engine(ctx, user_id, same)
        others = [m.name for m in existing if not (restart and m is same)]
        spec = build_medicine(name, times, days, others)
        if restart:
            assert same is not None
            await _stop(ctx, user_id, same)
        zone = await _zone(ctx, user_id)
        medicine = await ctx.repos.meds.add(user_id, spec, ctx.engine.now())
        schedules = [
            await ctx.engine.subscribe(ScheduleSpec(user_id, kind, at, spec.days.to_mask(), zone))
            for kind, at in zip(medicine.kinds(), medicine.times, strict=True)
        ]
    return MedicineAdded(medicine, schedules)


async def log_typed_dose(
    ctx: Context, user_id: int, name: str, time_text: str | None
) -> DoseRecord:
    """/meds taken: a dose of one of the person's medicines, now, earlier today or last evening."""
    async with ctx.engine.reminders.atomic():
        medicine = await _by_name(ctx, user_id, name)
        zone = await _zone(ctx, user_id)
        now = ctx.engine.now()
        taken_at = typed_dose_at(time_text, now, zone)
        recent = await _recent_reminders(ctx, medicine)
        # The dose its reminder asks about answers it: Taken tapped on it later says "Already
        # noted" instead of counting the same tablet twice.
        record, made = await ctx.repos.meds.record_dose(
            user_id,
            medicine.id,
            "typed",
            taken_at,
            zone,
            now,
            delivery_id=_reminder_answered_by(recent, taken_at),
        )
        if not made:  # that reminder was answered already: a dose of its own
            record, _ = await ctx.repos.meds.record_dose(
                user_id, medicine.id, "typed", taken_at, zone, now
            )
        await _cancel_snoozes_answered_by(ctx, recent, taken_at, now)
    return record


@dataclass(frozen=True)
class _Recent:
    """A recent delivery of a medicine's reminder and the first of its snooze chain."""

    schedule: Schedule
    delivery: Delivery
    first: Delivery


async def _recent_reminders(ctx: Context, medicine: Medicine) -> list[_Recent]:
    """The last three deliveries of each of the medicine's reminders (one per time)."""
    found = []
    for kind in medicine.kinds():
        schedule = await ctx.engine.reminders.get_schedule(medicine.user_id, kind)
        if schedule is None:
            continue
        for delivery in await ctx.engine.reminders.recent_deliveries(schedule.id, 3):
            found.append(_Recent(schedule, delivery, await _first_of_chain(ctx, delivery)))
    return found


def _reminder_answered_by(recent: list[_Recent], taken_at: datetime) -> int | None:
    """The latest reminder sent at or before a typed dose and at most LAST_EVENING earlier (the
    first of its snooze chain): the one the dose answers."""
    answered = [
        r.first
        for r in recent
        if r.first.status == "sent" and taken_at - LAST_EVENING <= r.first.due_at <= taken_at
    ]
    return max(answered, key=lambda d: d.due_at).id if answered else None


async def _cancel_snoozes_answered_by(
    ctx: Context, recent: list[_Recent], taken_at: datetime, now: datetime
) -> None:
    """A dose typed at or after a snoozed reminder's time is the dose it asks about: the snooze
    still queued would ask again and invite a second one. A dose typed for earlier (the
    morning's, noted in the evening) leaves it."""
    answered = {
        r.first.id
        for r in recent
        if r.delivery.reason == "snooze"
        and r.delivery.status == "pending"
        and r.first.due_at <= taken_at
    }
    for first_id in answered:
        await ctx.engine.reminders.cancel_pending_snoozes(first_id, now)


async def stop_medicine(ctx: Context, user_id: int, name: str) -> Medicine:
    """/meds stop: out of the list, its reminders stopped; its doses are kept."""
    async with ctx.engine.reminders.atomic():
        medicine = await _by_name(ctx, user_id, name)
        await _stop(ctx, user_id, medicine)
    return medicine


@dataclass(frozen=True)
class DoseAnswer:
    record: DoseRecord
    new: bool  # False: the reminder was already answered (a double tap), nothing changed


async def _first_of_chain(ctx: Context, delivery: Delivery) -> Delivery:
    """The reminder a snooze (of a snooze…) came from: one answer covers them all."""
    seen = {delivery.id}
    while delivery.snoozed_from is not None and delivery.snoozed_from not in seen:
        earlier = await ctx.engine.reminders.get_delivery(delivery.snoozed_from)
        if earlier is None:
            break
        seen.add(earlier.id)
        delivery = earlier
    return delivery


# Taken tapped this long after its reminder asks when the dose was taken: the tap's own time (an
# evening reminder answered the next morning) would put the evening tablet at breakfast, in the
# doctor's report and in the augmentation watch's dose times.
LATE_TAP = timedelta(hours=1)
# When a taken dose is noted: now, at the reminder's own time, or now unless the tap is late
# (more than LATE_TAP after the reminder, which is not answered yet), when the person is asked.
TakenAt = Literal["now", "reminder", "ask_if_late"]


@dataclass(frozen=True)
class AskWhenTaken:
    """Taken tapped late on a reminder not answered yet: nothing is recorded; the person is asked
    whether they took it at `due` (the reminder's own time, in its zone) or just now."""

    due: datetime


async def answer_medicine_reminder(
    ctx: Context,
    user_id: int,
    delivery_id: int,
    answer: Literal["taken", "skipped"],
    *,
    taken_at: TakenAt = "now",
) -> DoseAnswer | AskWhenTaken:
    """Taken / Skipped on a medicine reminder: the first answer to it (or to its snoozes)
    counts; a taken dose is noted as `taken_at` says, in the reminder's zone."""
    async with ctx.engine.reminders.atomic():
        delivery = await ctx.engine.reminders.get_delivery(delivery_id)
        if delivery is None or delivery.member_id != user_id:
            raise UserError(GONE)
        schedule = await ctx.engine.reminders.get_schedule_by_id(delivery.schedule_id)
        medicine_id = None if schedule is None else medicine_of_kind(schedule.kind)
        if schedule is None or medicine_id is None:
            raise UserError(GONE)
        first = await _first_of_chain(ctx, delivery)
        now = ctx.engine.now()
        if (
            answer == "taken"
            and taken_at == "ask_if_late"
            and now - first.due_at > LATE_TAP
            and await ctx.repos.meds.answer_to(user_id, first.id) is None
        ):
            return AskWhenTaken(first.due_at.astimezone(load_zone(schedule.timezone)))
        noted_at = first.due_at if taken_at == "reminder" else now
        try:
            record, new = await ctx.repos.meds.record_dose(
                user_id,
                medicine_id,
                "reminder" if answer == "taken" else "skipped",
                noted_at if answer == "taken" else None,
                schedule.timezone,
                now,
                delivery_id=first.id,
            )
        except LookupError:
            raise UserError(GONE) from None
        # A snooze still queued would only come back with "Already noted" buttons.
        await ctx.engine.reminders.cancel_pending_snoozes(first.id, now)
    return DoseAnswer(record, new)


async def doses_noted_for(ctx: Context, delivery: Delivery, schedule: Schedule) -> list[DoseRecord]:
    """Doses of a reminder's medicine typed with /meds taken since the medicine's previous
    reminder time (reads only): the reminder shows them, so that a tablet already noted is not
    tapped Taken a second time. Doses that answered another reminder are that one's."""
    medicine_id = medicine_of_kind(schedule.kind)
    if medicine_id is None:
        return []
    medicine = await ctx.repos.meds.get(schedule.user_id, medicine_id)
    if medicine is None:
        return []
    first = await _first_of_chain(ctx, delivery)
    since = noted_since(medicine.times, first.due_at, schedule.timezone)
    return [
        dose
        for dose in await ctx.repos.meds.answers(schedule.user_id, since)
        if dose.medicine_id == medicine_id
        and dose.source == "typed"
        and dose.delivery_id in (None, first.id)
    ]


@dataclass(frozen=True)
class MedicineOverview:
    """One line of /meds list: the medicine, its next reminder and the last 7 days' answers."""

    medicine: Medicine
    next_due: datetime | None
    taken: list[DoseRecord]
    skipped: int
    paused: str | None = None  # why the engine paused its reminders (e.g. "dm_closed")


async def medicines_overview(ctx: Context, user_id: int) -> list[MedicineOverview]:
    """/meds list (reads only)."""
    medicines = await ctx.repos.meds.medicines(user_id)
    schedules = {s.kind: s for s in await ctx.engine.reminders.user_schedules(user_id)}
    answers = await ctx.repos.meds.answers(user_id, ctx.engine.now() - RECENT)
    overview = []
    for medicine in medicines:
        dues = [
            s.next_due
            for kind in medicine.kinds()
            if (s := schedules.get(kind)) is not None and s.next_due is not None
        ]
        mine = [a for a in answers if a.medicine_id == medicine.id]
        paused = next(
            (
                s.pause_reason
                for kind in medicine.kinds()
                if (s := schedules.get(kind)) is not None and s.pause_reason in LASTING_PAUSES
            ),
            None,
        )
        overview.append(
            MedicineOverview(
                medicine,
                min(dues, default=None),
                [a for a in mine if not a.skipped],
                sum(1 for a in mine if a.skipped),
                paused,
            )
        )
    return overview


@dataclass(frozen=True)
class LabSaved:
    replaced: LabResult | None  # the value the day had before, said in the reply
    retest: Schedule | None  # the one-off reminder set with retest_in


async def save_lab(
    ctx: Context, user_id: int, lab: LabResult, today: date, retest_weeks: int | None
) -> LabSaved:
    """/labs add: the value and, with retest_in, the one-off retest reminder (replacing an
    earlier one) at the person's usual reminder time or 10:00 on that date, together."""
    async with ctx.engine.reminders.atomic():
        replaced = await ctx.repos.labs.save(user_id, lab, ctx.engine.clock.now())
        retest = None
        if retest_weeks is not None:
            zone = await _zone(ctx, user_id)
            at = RETEST_DEFAULT_TIME
            for kind in _USUAL_KINDS:
                usual = await ctx.engine.reminders.get_schedule(user_id, kind)
                if usual is not None and usual.pause_reason != PAUSE_STOPPED:
                    at = usual.local_time
                    break
            retest = await ctx.engine.remind_once(
                user_id, RETEST_KIND, today + timedelta(weeks=retest_weeks), at, zone
            )
    return LabSaved(replaced, retest)


async def pending_retest(ctx: Context, user_id: int) -> Schedule | None:
    """The retest reminder still to come, if any (/labs list)."""
    schedule = await ctx.engine.reminders.get_schedule(user_id, RETEST_KIND)
    if schedule is None or schedule.next_due is None:
        return None
    return schedule
