"""Medicines a person takes and the doses they log: names, reminder times, dose instants.

The name is the person's own free text, kept as typed (trimmed, spaces collapsed): the bot never
comments on a medicine, never suggests one and never names a dose. Times and days are read by the
project's one parser (:mod:`bot.scheduling.parsing`), so "8am" works here as it does for
stretches. A dose is an instant (UTC) with the zone it was taken in, like every time the bot
keeps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.errors import UserError
from bot.i18n.speech import N_, Phrase, Quoted, Said
from bot.scheduling.parsing import parse_days, parse_time
from bot.scheduling.recurrence import Weekdays, load_zone, local_date_of
from bot.sleep.times import local_instant

MAX_NAME = 60
MAX_MEDICINES = 10
MAX_TIMES = 4
_TIMES_EXAMPLE = Said(N_("Try 08:00 or 08:00, 20:00."))


@dataclass(frozen=True)
class MedicineSpec:
    """What /meds add saves: one daily reminder per time, on `days`, in the person's zone."""

    name: str
    times: tuple[time, ...]  # sorted, no repeats, 1..4
    days: Weekdays


@dataclass(frozen=True)
class DoseEvent:
    """One dose taken: Taken on a reminder, or /meds taken."""

    medicine: str
    taken_at: datetime  # UTC instant
    timezone: str  # IANA zone the person was in

    def __post_init__(self) -> None:
        if self.taken_at.tzinfo is None:
            raise ValueError("taken_at must be timezone-aware")


def medicine_key(name: str) -> str:
    """Names match whatever the case and spacing: "Iron  tablet" is "iron tablet"."""
    return " ".join(name.split()).casefold()


def parse_medicine_name(text: str) -> str:
    name = " ".join(text.split())  # also turns newlines and tabs into single spaces
    if not name:
        raise UserError(
            N_("Please give the medicine a name, as you call it (up to {most} characters)."),
            most=MAX_NAME,
        )
    if len(name) > MAX_NAME:
        raise UserError(
            N_(
                "That name is {length} characters; please keep it to {most}, as you'd write it "
                "on a list."
            ),
            length=len(name),
            most=MAX_NAME,
        )
    return name


def parse_medicine_times(text: str) -> tuple[time, ...]:
    """ "HH:MM[,HH:MM…]", up to four, each read by the project's time parser."""
    parts = [p.strip() for p in text.replace(";", ",").split(",")]
    if not any(parts):
        raise UserError(N_("Please give at least one time. {examples}"), examples=_TIMES_EXAMPLE)
    if len(parts) > MAX_TIMES:
        raise UserError(
            N_("Up to {most} times a day per medicine, please; you gave {count}."),
            most=MAX_TIMES,
            count=len(parts),
        )
    times: list[time] = []
    for index, part in enumerate(parts, 1):
        if not part:
            raise UserError(
                N_("Time {index} is empty: separate times with one comma. {examples}"),
                index=index,
                examples=_TIMES_EXAMPLE,
            )
        try:
            parsed = parse_time(part)
        except UserError as exc:
            if len(parts) == 1:
                raise
            raise UserError(
                N_("Time {index} of {count}: {problem}"),
                index=index,
                count=len(parts),
                problem=Phrase(exc.text, **exc.params),
            ) from None
        if parsed in times:
            raise UserError(
                N_("{time} is in the list twice; give each time once."), time=f"{parsed:%H:%M}"
            )
        times.append(parsed)
    return tuple(sorted(times))


def build_medicine(
    name: str, times: str, days: str | None, existing: Iterable[str]
) -> MedicineSpec:
    """/meds add: every field checked, and the person's list has room and no such name yet."""
    spec = MedicineSpec(
        parse_medicine_name(name),
        parse_medicine_times(times),
        Weekdays.EVERY_DAY if days is None or not days.strip() else parse_days(days),
    )
    check_room_for(spec.name, existing)
    return spec


def check_room_for(name: str, existing: Iterable[str]) -> None:
    names = list(existing)
    key = medicine_key(name)
    same = next((n for n in names if medicine_key(n) == key), None)
    if same is not None:
        raise UserError(
            N_("You already have “{name}” in your list. `/meds stop` it first to set it up again."),
            name=same,
        )
    if len(names) >= MAX_MEDICINES:
        raise UserError(
            N_(
                "You have {count} medicines in your list, the most I keep. `/meds stop` one you "
                "no longer need reminders for to add another."
            ),
            count=len(names),
        )


def find_medicine(typed: str, existing: Iterable[str]) -> str:
    """The person's own name for the medicine they typed (any case and spacing), or the one name
    that starts with what they typed ("pramipexol" for "Pramipexol 0.18"); never a guess between
    two."""
    names = list(existing)
    key = medicine_key(typed)
    for name in names:
        if medicine_key(name) == key:
            return name
    if not names:
        raise UserError(N_("You have no medicines in your list yet: `/meds add` adds one."))
    starting = [name for name in names if key and medicine_key(name).startswith(key)]
    if len(starting) == 1:
        return starting[0]
    if starting:
        raise UserError(
            N_("“{name}” could be any of {listed}: type more of its name."),
            name=" ".join(typed.split())[:MAX_NAME],
            listed=Quoted(*starting),
        )
    raise UserError(
        N_("“{name}” isn't in your list ({listed})."),
        name=" ".join(typed.split())[:MAX_NAME],
        listed=Quoted(*names),
    )


def _time_taken(time_text: str | None) -> time | None:
    """The clock time typed for a dose, or None when none was typed (the dose is now)."""
    if time_text is None or not time_text.strip():
        return None
    try:
        return parse_time(time_text)
    except UserError as exc:
        raise UserError(
            N_("Time taken: {problem}"), problem=Phrase(exc.text, **exc.params)
        ) from None


# A typed time still ahead today is the same time yesterday when that was at most this long ago:
# last evening's dose logged after midnight ("22:30" at 00:10), or in the morning after.
LAST_EVENING = timedelta(hours=12)


def typed_dose_at(time_text: str | None, now: datetime, zone_name: str) -> datetime:
    """When a dose logged with /meds taken was taken: now, or the typed time today in the
    person's zone, or yesterday's when today's is still ahead and yesterday's was within
    LAST_EVENING. Any other time still ahead is refused: only doses already taken are logged."""
    clock = _time_taken(time_text)
    if clock is None:
        return now
    zone = load_zone(zone_name)
    today = local_date_of(now, zone)
    at = local_instant(today, clock, zone)
    if at <= now:
        return at
    yesterday = local_instant(today - timedelta(days=1), clock, zone)
    if now - yesterday <= LAST_EVENING:
        return yesterday
    raise UserError(
        N_(
            "{time} today is still ahead (it's {now} where you are): I only log doses already "
            "taken. Leave out `time:` to log one taken just now."
        ),
        time=f"{clock:%H:%M}",
        now=f"{now.astimezone(zone):%H:%M}",
    )


def noted_since(times: Iterable[time], slot: datetime, zone_name: str) -> datetime:
    """Where doses noted early for a reminder at `slot` begin: the medicine's previous reminder
    time before it (another of its times that day, or the day before), at most LAST_EVENING
    earlier. A dose typed in between was taken for this reminder or in its place, and the
    reminder shows it, so one tablet is not tapped Taken a second time."""
    zone = load_zone(zone_name)
    day = local_date_of(slot, zone)
    earlier = [
        at
        for clock in times
        for back in (0, 1)
        if (at := local_instant(day - timedelta(days=back), clock, zone)) < slot
    ]
    return max([*earlier, slot - LAST_EVENING])


def log_dose(
    typed_name: str,
    time_text: str | None,
    *,
    now: datetime,
    zone_name: str,
    existing: Iterable[str],
) -> DoseEvent:
    """/meds taken: a dose of one of the person's medicines, as an instant with its zone."""
    name = find_medicine(typed_name, existing)
    return DoseEvent(name, typed_dose_at(time_text, now, zone_name), load_zone(zone_name).key)
