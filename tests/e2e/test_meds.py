"""/meds end to end: the real bot, the emulator, a fake clock and a real SQLite file. Reminders
arrive by DM with Taken / Skipped / Snooze, survive a restart, answer only their owner, record one
answer per reminder; bad input is refused with nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.client import RlsBot
from bot.clinical.meds import DoseEvent
from bot.clock import FakeClock
from bot.emulator import DiscordEmulator, EmuUser
from tests.e2e.conftest import bot_process, bot_settings
from tests.e2e.stretch_steps import buttons, deliver_due
from tests.e2e.test_labs import refused_keeping_nothing, run, with_zone

BERLIN = "Europe/Berlin"
# The clock fixture: Monday 2 March 2026, 13:00 in Berlin. 17:30 Berlin is 16:30 UTC.
DUE = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)
WEEK_AGO = datetime(2026, 2, 20, tzinfo=UTC)
LATER = datetime(2026, 3, 10, tzinfo=UTC)


async def add_iron(emu: DiscordEmulator, user: EmuUser, times: str = "17:30") -> Any:
    return await run(emu, user, "meds add", name="Iron  tablet", times=times)


async def reminder(emu: DiscordEmulator, bot: RlsBot, clock: FakeClock, user: EmuUser) -> Any:
    await deliver_due(bot, clock, DUE + timedelta(seconds=10))
    return await emu.wait_for_dm(user)


async def iron_reminder(emu: DiscordEmulator, bot: RlsBot, clock: FakeClock) -> tuple[EmuUser, Any]:
    """Alice, in Berlin, added her iron tablet at 17:30, and its reminder has reached her."""
    alice = await with_zone(bot, emu.add_user("alice"))
    await add_iron(emu, alice)
    return alice, await reminder(emu, bot, clock, alice)


async def test_add_sets_one_reminder_per_time_and_list_shows_them(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    reply = await add_iron(emu, alice, times="20:00, 8am")
    assert reply.content.startswith(
        "Added **Iron tablet**: reminders at 08:00, 20:00, every day (Europe/Berlin), by DM"
    )
    [med] = await bot.repos.meds.medicines(alice.id)
    schedules = [await bot.repos.reminders.get_schedule(alice.id, k) for k in med.kinds()]
    assert [s.next_due for s in schedules if s is not None] == [
        datetime(2026, 3, 3, 7, 0, tzinfo=UTC),
        datetime(2026, 3, 2, 19, 0, tzinfo=UTC),
    ]
    listing = (await run(emu, alice, "meds list")).content
    assert "**Iron tablet** · 08:00, 20:00 · every day" in listing
    assert f"next <t:{int(datetime(2026, 3, 2, 19, 0, tzinfo=UTC).timestamp())}:f>" in listing
    assert "last 7 days: 0 taken" in listing
    choices = await emu.autocomplete(alice, "meds stop", {"name": "IRON"}, focused="name")
    assert choices == [{"name": "Iron tablet", "value": "Iron tablet"}]


async def test_reminder_taken_records_one_dose_and_updates_the_message(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    alice, dm = await iron_reminder(emu, bot, clock)
    bob = emu.add_user("bob")
    assert dm.embeds[0]["title"] == "Reminder: Iron tablet"
    assert dm.pinged_user_ids == [] and not dm.pings_everyone
    ids = buttons(dm)
    assert set(ids) == {"Taken", "Skipped", "Snooze 15 min"}

    # Bob taps Alice's Taken: refused, nothing recorded.
    refused = await (await emu.click(bob, dm, ids["Taken"])).response()
    assert refused.ephemeral and "belongs to someone else" in refused.content
    assert await bot.repos.meds.answers(alice.id, WEEK_AGO) == []

    clock.set(DUE + timedelta(minutes=3))
    taken = await (await emu.click(alice, dm, ids["Taken"])).response()
    assert taken.type == 7 and taken.components == []
    assert taken.embeds[0]["footer"]["text"] == (
        "Taken: Iron tablet, Mon 2 Mar 17:33 (Europe/Berlin)."
    )
    again = await (await emu.click(alice, dm, ids["Taken"], stale=True)).response()
    assert again.ephemeral and "isn't on the message any more" in again.content
    skipped = await (await emu.click(alice, dm, ids["Skipped"], stale=True)).response()
    assert "so I did nothing" in skipped.content
    assert await bot.repos.meds.doses_between(alice.id, WEEK_AGO, LATER) == [
        DoseEvent("Iron tablet", DUE + timedelta(minutes=3), BERLIN)
    ]
    listing = (await run(emu, alice, "meds list")).content
    assert "last 7 days: 1 taken · last taken Mon 2 Mar 17:33" in listing
    # Exactly one per local date: the next one is tomorrow's.
    schedule = await bot.repos.reminders.get_schedule(alice.id, (await meds(bot, alice))[0])
    assert schedule is not None and schedule.next_due == DUE + timedelta(days=1)


async def taken_late(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock, late: timedelta
) -> tuple[EmuUser, Any, Any]:
    """Alice's 17:30 iron reminder, Taken tapped `late` after it: the reminder asks when."""
    alice, dm = await iron_reminder(emu, bot, clock)
    clock.set(DUE + late)
    asked = await (await emu.click(alice, dm, buttons(dm)["Taken"])).response()
    return alice, dm, asked


@pytest.mark.parametrize(
    ("pressed", "taken_at"),
    [("At the reminder's time", DUE), ("Just now", DUE + timedelta(hours=14, minutes=5))],
)
async def test_taken_long_after_the_reminder_asks_which_time_to_note(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock, pressed: str, taken_at: datetime
) -> None:
    # The evening's reminder answered over breakfast: noted at the tap, the 17:30 tablet would
    # be a morning dose in the doctor's report and in the augmentation watch.
    alice, dm, asked = await taken_late(emu, bot, clock, timedelta(hours=14, minutes=5))
    assert asked.type == 7 and asked.message is dm
    [question] = asked.embeds[0]["fields"]
    assert question["name"] == "When did you take it?"
    assert question["value"] == (
        "The reminder was for Mon 2 Mar 17:30; it's Tue 3 Mar 07:35 now. Which time should I note?"
    )
    assert set(buttons(asked)) == {"At the reminder's time", "Just now"}
    assert await bot.repos.meds.answers(alice.id, WEEK_AGO) == []  # nothing noted yet
    bob = emu.add_user("bob")
    refused = await (await emu.click(bob, dm, buttons(asked)["Just now"])).response()
    assert refused.ephemeral and "belongs to someone else" in refused.content

    noted = await (await emu.click(alice, dm, buttons(asked)[pressed])).response()
    assert noted.type == 7 and noted.components == [] and noted.embeds[0].get("fields", []) == []
    when = taken_at.astimezone(ZoneInfo(BERLIN))
    assert noted.embeds[0]["footer"]["text"] == (
        f"Taken: Iron tablet, {when:%a} {when.day} {when:%b %H:%M} (Europe/Berlin)."
    )
    assert await bot.repos.meds.doses_between(alice.id, WEEK_AGO, LATER) == [
        DoseEvent("Iron tablet", taken_at, BERLIN)
    ]


async def test_within_the_hour_taken_asks_nothing(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    _, _, taken = await taken_late(emu, bot, clock, timedelta(minutes=59))
    assert taken.components == [] and taken.embeds[0]["footer"]["text"].startswith("Taken:")


async def test_a_reminder_answered_by_a_typed_dose_asks_nothing_however_late(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    alice, dm = await iron_reminder(emu, bot, clock)
    clock.set(DUE + timedelta(minutes=10))
    await run(emu, alice, "meds taken", name="iron")
    clock.set(DUE + timedelta(hours=14))
    tap = await (await emu.click(alice, dm, buttons(dm)["Taken"])).response()
    assert tap.ephemeral and "Already noted: Taken" in tap.content
    assert len(await bot.repos.meds.doses_between(alice.id, WEEK_AGO, LATER)) == 1


async def meds(bot: RlsBot, user: EmuUser) -> list[str]:
    return [k for m in await bot.repos.meds.medicines(user.id) for k in m.kinds()]


async def snoozed_reminder(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> tuple[EmuUser, Any]:
    """Alice's iron reminder arrived and she tapped Snooze on it."""
    alice, dm = await iron_reminder(emu, bot, clock)
    snoozed = await (await emu.click(alice, dm, buttons(dm)["Snooze 15 min"])).response()
    assert snoozed.ephemeral and snoozed.content.startswith("Snoozed.")
    return alice, dm


async def test_snooze_then_taken_on_either_message_is_one_answer(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    alice, dm = await snoozed_reminder(emu, bot, clock)
    await deliver_due(bot, clock, DUE + timedelta(minutes=16))
    bot.engine.wake()
    second = await emu.wait_for_dm(alice)
    assert second.id != dm.id and "snoozed reminder" in str(second.embeds[0]["fields"])
    skipped = await (await emu.click(alice, second, buttons(second)["Skipped"])).response()
    assert skipped.embeds[0]["footer"]["text"] == "Skipped Iron tablet this time."
    late_tap = await (await emu.click(alice, dm, buttons(dm)["Taken"])).response()
    assert "Already noted: Skipped" in late_tap.content
    [answer] = await bot.repos.meds.answers(alice.id, WEEK_AGO)
    assert answer.skipped
    assert await bot.repos.meds.doses_between(alice.id, WEEK_AGO, LATER) == []


async def test_taken_after_a_snooze_cancels_the_snoozed_reminder(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    alice, dm = await snoozed_reminder(emu, bot, clock)
    taken = await (await emu.click(alice, dm, buttons(dm)["Taken"])).response()
    assert taken.type == 7
    await deliver_due(bot, clock, DUE + timedelta(minutes=16))
    report = await bot.engine.drain()
    assert report.sent == 0 and report.taken_over == 0
    assert len(emu.dms_to(alice)) == 1  # no second DM with "Already noted" buttons
    [answer] = await bot.repos.meds.answers(alice.id, WEEK_AGO)
    assert not answer.skipped


async def test_taken_on_yesterdays_reminder_leaves_todays_snooze(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    alice, monday = await iron_reminder(emu, bot, clock)
    await deliver_due(bot, clock, DUE + timedelta(days=1, seconds=10))
    tuesday = await emu.wait_for_dm(alice)
    clock.set(DUE + timedelta(days=1, minutes=2))
    await (await emu.click(alice, tuesday, buttons(tuesday)["Snooze 15 min"])).response()
    taken = await (await emu.click(alice, monday, buttons(monday)["Taken"])).response()
    assert taken.type == 7
    # Tuesday's snooze is Tuesday's question: it still comes.
    await deliver_due(bot, clock, DUE + timedelta(days=1, minutes=18))
    bot.engine.wake()
    again = await emu.wait_for_dm(alice)
    assert again.id not in {monday.id, tuesday.id}
    assert "snoozed reminder" in str(again.embeds[0]["fields"])


async def test_a_dose_typed_after_a_snooze_cancels_the_snoozed_reminder(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    """Found in a console walk: snoozed at 17:30, took it and typed `/meds taken` at 17:35, and
    at 17:45 the reminder asked again, inviting a second tablet."""
    alice, _ = await snoozed_reminder(emu, bot, clock)
    # A dose typed for earlier in the day is another dose: the snooze stays.
    clock.set(DUE + timedelta(minutes=2))
    await run(emu, alice, "meds taken", name="iron", time="08:00")
    schedule = await bot.repos.reminders.get_schedule(alice.id, (await meds(bot, alice))[0])
    assert schedule is not None
    [snooze] = await bot.repos.reminders.recent_deliveries(schedule.id, 1)
    assert (snooze.reason, snooze.status) == ("snooze", "pending")
    clock.set(DUE + timedelta(minutes=5))
    typed = await run(emu, alice, "meds taken", name="iron")
    assert typed.content.startswith("Noted. Taken: Iron tablet, Mon 2 Mar 17:35")
    await deliver_due(bot, clock, DUE + timedelta(minutes=16))
    report = await bot.engine.drain()
    assert report.sent == 0
    assert len(emu.dms_to(alice)) == 1
    assert [d.taken_at for d in await bot.repos.meds.answers(alice.id, WEEK_AGO)] == [
        datetime(2026, 3, 2, 7, 0, tzinfo=UTC),
        DUE + timedelta(minutes=5),
    ]


async def test_taken_works_after_a_restart(emu: DiscordEmulator, tmp_path: Path, clock) -> None:
    alice = emu.add_user("alice")
    settings = bot_settings(emu, tmp_path)
    async with bot_process(emu, settings, clock) as first:
        await with_zone(first, alice)
        await add_iron(emu, alice)
        dm = await reminder(emu, first, clock, alice)
    async with bot_process(emu, settings, clock) as second:
        taken = await (await emu.click(alice, dm, buttons(dm)["Taken"])).response()
        assert taken.type == 7
        doses = await second.repos.meds.doses_between(alice.id, WEEK_AGO, LATER)
        assert [d.medicine for d in doses] == ["Iron tablet"]
        # Still one reminder that day after the restart.
        await deliver_due(second, clock, DUE + timedelta(hours=1))
        assert len(emu.dms_to(alice)) == 1


async def test_forged_and_stale_custom_ids_change_nothing(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    alice, dm = await iron_reminder(emu, bot, clock)
    mallory = emu.add_user("mallory")
    delivery_id = int(buttons(dm)["Taken"].split(":")[3])
    forged = f"rls:meds:taken:{delivery_id}:{mallory.id}"
    dm.components[0]["components"][0]["custom_id"] = forged
    reply = await (await emu.click(mallory, dm, forged)).response()
    assert reply.ephemeral and "no longer exists" in reply.content
    stale = f"rls:meds:skipped:{10**19 + 7}:{alice.id}"
    dm.components[0]["components"][1]["custom_id"] = stale
    reply = await (await emu.click(alice, dm, stale)).response()
    assert reply.ephemeral and "no longer exists" in reply.content
    # A stretch delivery's id on a meds button is not a medicine reminder.
    assert await bot.repos.meds.answers(alice.id, WEEK_AGO) == []


async def test_taken_without_a_reminder_today_and_never_ahead(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await add_iron(emu, alice)
    now = await run(emu, alice, "meds taken", name="iron tablet")
    assert now.content == "Noted. Taken: Iron tablet, Mon 2 Mar 13:00 (Europe/Berlin)."
    earlier = await run(emu, alice, "meds taken", name="IRON TABLET", time="08:15")
    assert earlier.content.endswith("Mon 2 Mar 08:15 (Europe/Berlin).")
    ahead = await run(emu, alice, "meds taken", name="Iron tablet", time="21:00")
    assert "21:00 today is still ahead" in ahead.content
    unknown = await run(emu, alice, "meds taken", name="Magnesium")
    assert "isn't in your list (“Iron tablet”)" in unknown.content
    # The start of the name is enough when only one medicine starts so; the reply names it.
    started = await run(emu, alice, "meds taken", name="iron", time="09:30")
    assert started.content == "Noted. Taken: Iron tablet, Mon 2 Mar 09:30 (Europe/Berlin)."
    doses = await bot.repos.meds.doses_between(alice.id, WEEK_AGO, LATER)
    assert [d.taken_at for d in doses] == [
        datetime(2026, 3, 2, 7, 15, tzinfo=UTC),
        datetime(2026, 3, 2, 8, 30, tzinfo=UTC),
        datetime(2026, 3, 2, 12, 0, tzinfo=UTC),
    ]


async def test_a_typed_dose_answers_the_reminder_it_follows(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    # The reminder came; she took the tablet and logged it by typing; later she tapped Taken on the
    # reminder too. One tablet, one dose: the tap says it is already noted.
    alice, dm = await iron_reminder(emu, bot, clock)
    clock.advance(timedelta(minutes=10))
    typed = await run(emu, alice, "meds taken", name="iron")
    assert typed.content.startswith("Noted. Taken: Iron tablet")
    tap = await (await emu.click(alice, dm, buttons(dm)["Taken"])).response()
    assert tap.ephemeral and "Already noted: Taken" in tap.content
    assert len(await bot.repos.meds.doses_between(alice.id, WEEK_AGO, LATER)) == 1
    # A second tablet typed on purpose after that is a dose of its own.
    await run(emu, alice, "meds taken", name="iron")
    assert len(await bot.repos.meds.doses_between(alice.id, WEEK_AGO, LATER)) == 2


async def test_a_dose_typed_before_the_reminder_is_shown_on_it(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    # She took the 17:30 tablet at 17:00 and typed it; the 17:30 reminder came anyway. It says
    # what is noted, so the same tablet is not tapped Taken again and counted twice.
    alice = await with_zone(bot, emu.add_user("alice"))
    await add_iron(emu, alice)
    clock.set(DUE - timedelta(minutes=30))
    await run(emu, alice, "meds taken", name="iron")
    dm = await reminder(emu, bot, clock, alice)
    [noted] = [f for f in dm.embeds[0]["fields"] if f["name"] == "Already noted"]
    assert noted["value"] == (
        "With `/meds taken`: Mon 2 Mar 17:00. Tap **Taken** only for a dose not noted yet."
    )
    assert set(buttons(dm)) == {"Taken", "Skipped", "Snooze 15 min"}  # shown, not decided


async def test_a_reminder_shows_no_dose_of_another_time_or_medicine(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    for name, times in [("Iron tablet", "8:00, 17:30"), ("Pramipexol", "21:00")]:
        await run(emu, alice, "meds add", name=name, times=times)
    clock.set(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))  # 16:00: after the 08:00 time
    await run(emu, alice, "meds taken", name="pramipexol")  # another medicine
    await run(emu, alice, "meds taken", name="iron", time="7:50")  # before the 08:00 time
    dm = await reminder(emu, bot, clock, alice)
    assert dm.embeds[0]["title"] == "Reminder: Iron tablet"
    assert [f["name"] for f in dm.embeds[0].get("fields", [])] == []


async def test_last_evenings_dose_can_be_logged_after_midnight(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    # The RLS evening: the tablet at 23:30, logged in bed at 00:20. There is no date option, so
    # refusing "23:30 is still ahead" left no way to record it at all.
    alice = await with_zone(bot, emu.add_user("alice"))
    await add_iron(emu, alice)
    clock.set(datetime(2026, 3, 2, 23, 20, tzinfo=UTC))  # 00:20 on Tue 3 Mar in Berlin
    late = await run(emu, alice, "meds taken", name="iron tablet", time="23:30")
    assert late.content == "Noted. Taken: Iron tablet, Mon 2 Mar 23:30 (Europe/Berlin)."
    doses = await bot.repos.meds.doses_between(alice.id, WEEK_AGO, LATER)
    assert [d.taken_at for d in doses] == [datetime(2026, 3, 2, 22, 30, tzinfo=UTC)]


async def test_stop_ends_the_reminders_and_keeps_the_history(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await add_iron(emu, alice)
    await run(emu, alice, "meds taken", name="Iron tablet")
    kinds = await meds(bot, alice)
    stopped = await run(emu, alice, "meds stop", name="iron tablet")
    assert stopped.content.startswith("Stopped the reminders for **Iron tablet**")
    await deliver_due(bot, clock, DUE + timedelta(seconds=10))
    await bot.engine.drain()
    assert emu.dms_to(alice) == []
    schedule = await bot.repos.reminders.get_schedule(alice.id, kinds[0])
    assert schedule is not None and schedule.next_due is None
    assert len(await bot.repos.meds.doses_between(alice.id, WEEK_AGO, LATER)) == 1
    empty = await run(emu, alice, "meds list")
    assert empty.content.startswith("No medicines in your list.")
    again = await run(emu, alice, "meds stop", name="Iron tablet")
    assert "no medicines in your list yet" in again.content


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"name": "Iron", "times": "25:99"}, "25:99"),
        ({"name": "Iron", "times": "08:00,12:00,16:00,20:00,22:00"}, "Up to 4 times a day"),
        ({"name": "x" * 61, "times": "08:00"}, "That name is 61 characters"),
        ({"name": "Iron", "times": "08:00", "days": "someday"}, "someday"),
    ],
)
async def test_bad_input_is_explained_and_changes_nothing(
    emu: DiscordEmulator, bot: RlsBot, options: dict[str, Any], expected: str
) -> None:
    await refused_keeping_nothing(emu, bot, "meds add", options, expected)


async def test_an_eleventh_medicine_and_a_second_of_a_name_are_refused(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    for n in range(10):
        await run(emu, alice, "meds add", name=f"Medicine {n}", times="08:00")
    eleventh = await run(emu, alice, "meds add", name="Medicine 10", times="08:00")
    assert "You have 10 medicines in your list, the most I keep." in eleventh.content
    same = await run(emu, alice, "meds add", name="medicine  3", times="09:00")
    assert "You already have “Medicine 3”" in same.content
    assert len(await bot.repos.meds.medicines(alice.id)) == 10
    assert len(await bot.repos.reminders.user_schedules(alice.id)) == 10
    listing = await run(emu, alice, "meds list")
    assert len(listing.content) <= 2000


async def test_meds_need_a_timezone_first(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = emu.add_user("alice")
    reply = await run(emu, alice, "meds add", name="Iron", times="08:00")
    assert "**Fix it** asks for your city" in reply.content  # tests/e2e/test_zone_fix_it.py
    assert await bot.repos.meds.medicines(alice.id, include_stopped=True) == []


async def test_labs_retest_in_sets_one_reminder_shown_in_the_list_and_replaced(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await run(emu, alice, "labs add", ferritin=45, retest_in=12)
    first = await bot.repos.reminders.get_schedule(alice.id, "labs:retest")
    # 12 weeks from Monday 2 March, at 10:00 Berlin (summer time by then).
    assert first is not None and first.next_due == datetime(2026, 5, 25, 8, 0, tzinfo=UTC)
    listing = (await run(emu, alice, "labs list")).content
    assert f"Retest reminder: <t:{int(first.next_due.timestamp())}:F>" in listing
    # Again with retest_in: replaces it, at the usual reminder time (the stretch one here).
    await (await emu.slash(alice, "stretch remind", {"time": "17:30"})).response()
    await run(emu, alice, "labs add", ferritin=50, date="yesterday", retest_in=1)
    retest = await bot.repos.reminders.get_schedule(alice.id, "labs:retest")
    assert retest is not None and retest.next_due == datetime(2026, 3, 9, 16, 30, tzinfo=UTC)
    for at in (retest.next_due, datetime(2026, 5, 25, 8, 0, tzinfo=UTC)):
        await deliver_due(bot, clock, at + timedelta(seconds=5))
        await bot.engine.drain()
    [dm] = [m for m in emu.dms_to(alice) if m.embeds and "retest" in m.embeds[0]["title"]]
    assert dm.embeds[0]["title"] == "Time to ask about a ferritin retest"
    assert dm.components == []
    assert "Retest reminder" not in (await run(emu, alice, "labs list")).content


async def test_a_retest_reminder_set_again_names_the_day_it_was_asked_for(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await run(emu, alice, "labs add", ferritin=45, retest_in=2)
    # Thursday 00:30 in Berlin (still Wednesday in UTC): a new value, and a new retest reminder.
    clock.set(datetime(2026, 3, 4, 23, 30, tzinfo=UTC))
    await run(emu, alice, "labs add", ferritin=50, retest_in=1)
    retest = await bot.repos.reminders.get_schedule(alice.id, "labs:retest")
    assert retest is not None and retest.next_due is not None
    await deliver_due(bot, clock, retest.next_due + timedelta(seconds=5))
    await bot.engine.drain()
    [dm] = [m for m in emu.dms_to(alice) if m.embeds and "retest" in m.embeds[0]["title"]]
    assert dm.embeds[0]["description"].startswith("On 05 Mar 2026 you asked me to remind you")


@pytest.mark.parametrize("weeks", [0, 53])
async def test_retest_in_out_of_range_is_refused(
    emu: DiscordEmulator, bot: RlsBot, weeks: int
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    reply = await (
        await emu.slash(alice, "labs add", {"ferritin": 45, "retest_in": weeks})
    ).response()
    assert reply.ephemeral
    assert await bot.repos.labs.all(alice.id) == []
    assert await bot.repos.reminders.get_schedule(alice.id, "labs:retest") is None


async def test_closed_dms_pause_the_reminders_and_add_again_restarts_them(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await add_iron(emu, alice, times="17:30, 21:00")
    await run(emu, alice, "meds taken", name="Iron tablet", time="08:00")
    emu.close_dms(alice)
    await deliver_due(bot, clock, DUE)
    await emu.wait_for_request("POST", "/channels/{channel_id}/messages")
    await bot.engine.drain()  # the background sender may still be recording the failure
    ix = await emu.slash(alice, "meds list")
    listing = await ix.response()
    assert "paused: I couldn't send you a DM. Allow DMs, then `/meds add` it again" in (
        listing.content
    )
    # The heads-up after the command names the medicine reminders, once for both times.
    heads_up = await ix.followup()
    assert heads_up.ephemeral and "your medicine reminders are paused" in heads_up.content
    assert "then use `/meds add`" in heads_up.content
    emu.open_dms(alice)
    again = await run(emu, alice, "meds add", name="iron tablet", times="17:45")
    assert again.content.startswith("Added **iron tablet**: reminders at 17:45")
    [medicine] = await bot.repos.meds.medicines(alice.id)
    schedule = await bot.repos.reminders.get_schedule(alice.id, medicine.kinds()[0])
    assert schedule is not None and schedule.next_due == DUE + timedelta(minutes=15)
    # The dose logged before stays in the history.
    assert len(await bot.repos.meds.doses_between(alice.id, WEEK_AGO, LATER)) == 1
    # A name that is running fine is still refused.
    same = await run(emu, alice, "meds add", name="Iron Tablet", times="09:00")
    assert "You already have “iron tablet”" in same.content


async def test_a_name_is_shown_as_typed_not_as_formatting(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    reply = await run(emu, alice, "meds add", name="*Iron* @everyone", times="08:00")
    assert reply.content.startswith("Added **\\*Iron\\* @everyone**:")
    assert reply.body["data"]["allowed_mentions"] == {"parse": []}
    [medicine] = await bot.repos.meds.medicines(alice.id)
    assert medicine.name == "*Iron* @everyone"
