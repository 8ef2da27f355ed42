"""The use cases on both backends: each does its whole action in one transaction, and bad input
changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

import pytest

from bot import usecases
from bot.clinical.labs import LabResult
from bot.clinical.meds import MedicineSpec
from bot.clinical.watch import ONSET, SEVERITY
from bot.clock import FakeClock
from bot.db import Repositories
from bot.db.guild_settings import GuildSettings
from bot.errors import UserError
from bot.reminders.engine import ReminderEngine
from bot.routines import STRETCH_KIND
from bot.scheduling.recurrence import Weekdays, local_date_of
from bot.sleep.form import NightForm, build_entry
from bot.usecases import NEEDS_TIMEZONE, NO_REMINDER_CHANNEL, Context, StretchReminded
from bot.usecases.actions import doses_around, watch_doses_window
from tests.db.test_diary import entry
from tests.failing import Broken
from tests.failing import failing as failing_in

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
GUILD, USER, MOD = 77, 1, 9


def context(repos: Repositories, failing: str | None = None) -> Context:
    reminders = repos.reminders if failing is None else failing_in(repos.reminders, failing)
    return Context(repos, ReminderEngine(reminders, repos.users, FakeClock(NOW)))


async def remind(
    ctx: Context,
    *,
    zone: str,
    local_time: time | None = None,
    where: Literal["dm", "channel"] | None = None,
    guild_id: int | None = None,
) -> StretchReminded:
    """/stretch remind with the options given (days left as they are)."""
    return await usecases.set_stretch_reminder(
        ctx, USER, local_time=local_time, days_mask=None, zone=zone, where=where, guild_id=guild_id
    )


async def test_set_stretch_reminder_with_a_zone_is_one_transaction(repos: Repositories) -> None:
    with pytest.raises(Broken):
        await remind(context(repos, "save_schedule"), local_time=time(18), zone="Europe/Berlin")
    # The zone change did not commit without the schedule.
    assert await repos.users.get(USER) is None
    assert await repos.reminders.get_schedule(USER, STRETCH_KIND) is None
    result = await remind(context(repos), local_time=time(18), zone="Europe/Berlin")
    assert result.schedule.timezone == "Europe/Berlin" and result.schedule.local_time == time(18)
    profile = await repos.users.get(USER)
    assert profile is not None and profile.timezone == "Europe/Berlin"


async def test_a_channel_reminder_needs_the_servers_reminder_channel(repos: Repositories) -> None:
    ctx = context(repos)
    with pytest.raises(UserError) as refused:
        await remind(ctx, zone="UTC", where="channel", guild_id=GUILD)
    assert str(refused.value) == NO_REMINDER_CHANNEL
    assert await repos.users.get(USER) is None
    await repos.guild_settings.set_reminder_channel(GUILD, 500, NOW)
    result = await remind(ctx, zone="UTC", where="channel", guild_id=GUILD)
    assert (result.schedule.guild_id, result.schedule.channel_id) == (GUILD, 500)


async def test_configure_daily_tip(repos: Repositories) -> None:
    with pytest.raises(UserError) as refused:
        await usecases.configure_daily_tip(context(repos), GUILD, MOD, 600, None, None)
    assert str(refused.value) == NEEDS_TIMEZONE
    assert await repos.guild_settings.get(GUILD) == GuildSettings(GUILD)
    with pytest.raises(Broken):
        await usecases.configure_daily_tip(
            context(repos, "save_server_schedule"), GUILD, MOD, 600, time(9), "Europe/Berlin"
        )
    assert await repos.guild_settings.get(GUILD) == GuildSettings(GUILD)
    assert await repos.guild_settings.recent_changes(GUILD, 5) == []
    schedule = await usecases.configure_daily_tip(
        context(repos), GUILD, MOD, 600, time(9), "Europe/Berlin"
    )
    assert (schedule.channel_id, schedule.local_time, schedule.timezone) == (
        600,
        time(9),
        "Europe/Berlin",
    )
    settings = await repos.guild_settings.get(GUILD)
    assert (settings.tips_channel_id, settings.tips_time, settings.timezone) == (
        600,
        time(9),
        "Europe/Berlin",
    )


async def test_change_zone_and_delete_my_data(repos: Repositories) -> None:
    ctx = context(repos)
    await remind(ctx, zone="UTC")
    moved = await usecases.change_zone(ctx, USER, "Asia/Tokyo")
    assert [s.timezone for s in moved] == ["Asia/Tokyo"]
    deleted = await usecases.delete_my_data(ctx, USER)
    assert sum(deleted.values()) >= 2
    assert await repos.users.get(USER) is None
    assert await repos.reminders.get_schedule(USER, STRETCH_KIND) is None


async def test_watch_for_reads_the_56_days_from_the_diary(repos: Repositories) -> None:
    today = NOW.date()
    for back in range(60):  # 4 nights older than the two windows: not read
        night = today - timedelta(days=back)
        await repos.diary.save(
            entry(USER, night, severity=7 if back < 28 else 2, rls_onset=None), NOW
        )
    result = await usecases.watch_for(context(repos), USER, today)
    checks = {c.sign: c for c in result.checks}
    assert (checks[SEVERITY].earlier_n, checks[SEVERITY].later_n) == (28, 28)
    assert checks[SEVERITY].holds and checks[ONSET].holds is None
    # No medicine logged: no dose sign (tests/e2e/test_sleep_watch.py reads logged doses).
    assert all(c.sign != "doses" for c in result.checks)


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Europe/Berlin", "Pacific/Pago_Pago"])
async def test_watch_for_with_the_doses_read_around_the_utc_date_sees_what_it_reads_itself(
    repos: Repositories, zone: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /sleep stats reads the doses with its nights before it knows the zone (doses_around the
    # UTC date); the watch keeps exactly the ones of its own window, at either edge.
    medicine = await repos.meds.add(
        USER, MedicineSpec("Ropinirole", (time(20, 0),), Weekdays.EVERY_DAY), NOW
    )
    for hours in range(-24 * 6, 24 * 64, 7):
        await repos.meds.record_dose(
            USER, medicine.id, "typed", NOW - timedelta(hours=hours), zone, NOW
        )
    for back in range(56):
        await repos.diary.save(entry(USER, NOW.date() - timedelta(days=back)), NOW)
    await repos.users.set_timezone(USER, zone, NOW)
    today = local_date_of(NOW, zone)
    expected = await usecases.watch_for(context(repos), USER, today)
    read = await repos.diary.nights_with_done(
        USER, today - timedelta(days=60), today, STRETCH_KIND, NOW, doses=doses_around(NOW.date())
    )
    assert read is not None and len(read.doses) > len(
        await repos.meds.doses_between(USER, *watch_doses_window(today))
    )

    async def no_read(*args: object) -> None:
        raise AssertionError("the doses were read again")

    monkeypatch.setattr(repos.meds, "doses_between", no_read)
    nights = [read.entry(row) for _, row in read.nights]
    assert await usecases.watch_for(context(repos), USER, today, nights, read.doses) == expected


async def test_sleep_report_reads_the_window_labs_and_the_watch_in_one_go(
    repos: Repositories,
) -> None:
    # 56 nights (the watch's two windows), symptoms starting 3 h earlier in the last 28 days;
    # the report itself covers 14.
    zone = "Europe/Berlin"
    today = date(2026, 3, 2)
    for back in range(56):
        form = NightForm(
            into_bed="23:00", final_wake="7:00", rls_onset="18:30" if back < 28 else "21:30"
        )
        entry = build_entry(
            form, user_id=USER, night=today - timedelta(days=back), zone_name=zone, now=NOW
        )
        await repos.diary.save(entry, NOW)
    await repos.labs.save(USER, LabResult(date(2026, 1, 5), 60.0, 15.0), NOW)
    await repos.labs.save(USER, LabResult(date(2025, 7, 1), 90.0), NOW)
    medicine = await repos.meds.add(
        USER, MedicineSpec("Ropinirole", (time(20, 0),), Weekdays.EVERY_DAY), NOW
    )
    for back in range(60):  # a dose each evening at 20:00 Berlin (19:00 UTC in winter)
        day = today - timedelta(days=back)
        taken = datetime(day.year, day.month, day.day, 19, tzinfo=UTC)
        if taken < NOW:
            await repos.meds.record_dose(USER, medicine.id, "typed", taken, zone, NOW)
    data = await usecases.sleep_report(context(repos), USER, zone, 14)
    assert (data.start, data.end) == (today - timedelta(days=13), today)
    assert [e.night for e in data.nights] == [today - timedelta(days=b) for b in range(13, -1, -1)]
    assert [lab.taken_on for lab in data.labs] == [date(2026, 1, 5), date(2025, 7, 1)]
    assert data.medicines == ("Ropinirole",) and data.timezone == zone
    # The window's doses: from the evening before its first night to today.
    assert [d.taken_at.date() for d in data.doses] == [
        today - timedelta(days=b) for b in range(14, 0, -1)
    ]
    assert data.watch[0].startswith("**Symptoms start earlier:** median 18:30 in the last 28 days")
    assert "(n = 28)" in data.watch[0]
