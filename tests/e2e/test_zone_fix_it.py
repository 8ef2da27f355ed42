"""A first /labs add, /meds add, /stretch remind or /sleep remind, before any timezone is set,
loses nothing typed: the need comes with **Fix it**, which asks for the city, saves it as
/timezone set would and carries on with every option typed (a slash command's options are gone
once it is sent), as /sleep log does (tests/e2e/test_sleep_log_fix_it.py). Every way through it:
the city right at once, a typo then right, someone else pressing, German, and a problem in the
rest of what was typed once the zone is saved."""

from __future__ import annotations

from datetime import time
from typing import Any

from bot.client import RlsBot
from bot.emulator import DiscordEmulator, EmuUser
from bot.emulator.interactions import EmuCallback
from bot.scheduling.recurrence import Weekdays
from tests.e2e.test_labs import TODAY
from tests.e2e.test_sleep_checkin import typed
from tests.e2e.test_sleep_log_fix_it import in_its_place, still_wrong

NOTE = "Praxis Dr. Weber, nüchtern um 8, Blut aus dem linken Arm"


def zone_fix_it(command: str, user: EmuUser) -> str:
    return f"rls:{command}zone:{user.id}:retry"


async def first_use(
    emu: DiscordEmulator, user: EmuUser, command: str, options: dict[str, Any]
) -> EmuCallback:
    """`command` run by someone without a timezone: the need, with Fix it, nothing saved."""
    problem = await (await emu.slash(user, command, options)).response()
    assert problem.ephemeral, problem.content
    assert "/timezone set" not in problem.content  # Fix it asks for it, here and now
    return problem


async def zone_given(
    emu: DiscordEmulator, user: EmuUser, problem: EmuCallback, fix: str, zone: str
) -> EmuCallback:
    """Fix it on `problem`, the zone form sent with `zone`: the answer in the problem's place."""
    opened = await emu.click(user, problem, fix)
    form = await opened.response()
    assert form.type == 9 and typed(form) == {"zone": ""}
    return await in_its_place(emu, user, opened, {"zone": zone}, problem)


async def test_a_first_lab_value_with_a_note_is_saved_once_the_city_is_given(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = emu.add_user("alice")
    options = {"ferritin": 45, "tsat": 18, "fasting": "yes", "note": NOTE}
    problem = await first_use(emu, alice, "labs add", options)
    assert problem.content.startswith("I need your timezone first, so “today” is your own day.")
    assert "**Fix it** asks for your city and keeps everything you typed" in problem.content
    assert await bot.repos.labs.all(alice.id) == []
    # A typo keeps its Fix it and what was typed; the city then saves the value as typed.
    form = await still_wrong(emu, alice, problem, zone_fix_it("labs:add", alice), {"zone": "Berln"})
    done = await in_its_place(emu, alice, form, {"zone": "Berlin"}, problem)
    assert done.content.startswith(
        "Your timezone is now **Berlin → Europe/Berlin** (it's 13:00 there).\nSaved.\n"
    ), done.content
    assert done.components == []
    profile = await bot.repos.users.get(alice.id)
    assert profile is not None and profile.timezone == "Europe/Berlin"
    [lab] = await bot.repos.labs.all(alice.id)
    assert (lab.ferritin, lab.tsat, lab.fasting, lab.note) == (45, 18, True, NOTE)
    assert lab.taken_on == TODAY


async def test_a_first_medicine_keeps_its_times_and_days(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = emu.add_user("alice")
    options = {"name": "Pramipexol", "times": "20:30, 22:00", "days": "weekdays"}
    problem = await first_use(emu, alice, "meds add", options)
    assert problem.content.startswith("I need your timezone first, so reminder times are your own.")
    done = await zone_given(emu, alice, problem, zone_fix_it("meds:add", alice), "Berlin")
    assert (
        "\nAdded **Pramipexol**: reminders at 20:30, 22:00, weekdays (Europe/Berlin)"
        in done.content
    )
    [medicine] = await bot.repos.meds.medicines(alice.id)
    assert medicine.times == (time(20, 30), time(22, 0))
    schedules = await bot.repos.reminders.user_schedules(alice.id)
    assert {(s.timezone, s.days_mask) for s in schedules} == {
        ("Europe/Berlin", Weekdays.WEEKDAYS.to_mask())
    }


async def test_a_first_stretch_reminder_keeps_its_time_and_days(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = emu.add_user("alice")
    problem = await first_use(emu, alice, "stretch remind", {"time": "5:30 pm", "days": "mon,wed"})
    assert problem.content.startswith("I need your timezone once, so your reminders come at your")
    done = await zone_given(emu, alice, problem, zone_fix_it("stretch:remind", alice), "Lisbon")
    assert done.content.startswith("Your timezone is now **Lisbon → Europe/Lisbon**"), done.content
    assert "17:30 on Mon, Wed (Europe/Lisbon)" in done.content
    [schedule] = await bot.repos.reminders.user_schedules(alice.id)
    assert (schedule.local_time, schedule.timezone) == (time(17, 30), "Europe/Lisbon")


async def test_a_timezone_typed_wrong_is_asked_again_keeping_the_rest(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = emu.add_user("alice")
    options = {"time": "17:45", "days": "mon,wed,fri", "timezone": "Berln"}
    problem = await first_use(emu, alice, "stretch remind", options)
    assert problem.content.startswith("I don't know the time zone “Berln”. Did you mean Europe/B")
    assert "**Fix it** asks for your city and keeps everything you typed" in problem.content
    opened = await emu.click(alice, problem, zone_fix_it("stretch:remind", alice))
    assert typed(await opened.response()) == {"zone": "Berln"}  # the typo, to correct
    done = await in_its_place(emu, alice, opened, {"zone": "Berlin"}, problem)
    assert "17:45 on Mon, Wed, Fri (Europe/Berlin)" in done.content, done.content
    [schedule] = await bot.repos.reminders.user_schedules(alice.id)
    assert (schedule.local_time, schedule.timezone) == (time(17, 45), "Europe/Berlin")


async def test_a_first_morning_prompt_keeps_its_time(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = emu.add_user("alice")
    problem = await first_use(emu, alice, "sleep remind", {"time": "6:45"})
    assert problem.content.startswith("I need your timezone first, so your nights are dated")
    done = await zone_given(emu, alice, problem, zone_fix_it("sleep:remind", alice), "Berlin")
    assert "\nEvery morning at 06:45 (Europe/Berlin) I'll DM you" in done.content, done.content
    [schedule] = await bot.repos.reminders.user_schedules(alice.id)
    assert (schedule.kind, schedule.local_time) == ("sleep", time(6, 45))


async def test_only_its_owner_can_press_fix_it(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice, bob = emu.add_user("alice"), emu.add_user("bob")
    problem = await first_use(emu, alice, "labs add", {"ferritin": 45, "note": NOTE})
    refused = await (await emu.click(bob, problem, zone_fix_it("labs:add", alice))).response()
    assert refused.ephemeral and "someone else" in refused.content
    assert await bot.repos.users.get(bob.id) is None  # nothing set for Bob either
    # Bob's press neither opened anything nor used up Alice's button.
    done = await zone_given(emu, alice, problem, zone_fix_it("labs:add", alice), "Berlin")
    assert "\nSaved.\n" in done.content
    [lab] = await bot.repos.labs.all(alice.id)
    assert lab.note == NOTE


async def test_the_offer_and_the_form_are_in_german(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = emu.add_user("alice")
    alice.locale = "de"
    problem = await first_use(emu, alice, "meds add", {"name": "Eisen", "times": "8:00"})
    assert problem.content.startswith("Ich brauche zuerst deine Zeitzone"), problem.content
    assert "**Korrigieren** fragt nach deiner Stadt" in problem.content
    opened = await emu.click(alice, problem, zone_fix_it("meds:add", alice))
    form = await opened.response()
    assert form.title == "Deine Zeitzone"
    done = await in_its_place(emu, alice, opened, {"zone": "Wien"}, problem)
    assert done.content.startswith("Deine Zeitzone ist jetzt **Wien → Europe/Vienna**")
    assert "\n**Eisen** hinzugefügt" in done.content, done.content
    [medicine] = await bot.repos.meds.medicines(alice.id)
    assert medicine.name == "Eisen"


async def test_a_problem_in_the_rest_gives_back_the_command_as_typed(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = emu.add_user("alice")
    options = {"ferritin": 45, "date": "yesterdy", "note": NOTE}
    problem = await first_use(emu, alice, "labs add", options)
    done = await zone_given(emu, alice, problem, zone_fix_it("labs:add", alice), "Berlin")
    # The zone is saved and said; the date typo is named, and the command comes back to copy.
    assert done.content.startswith("Your timezone is now **Berlin → Europe/Berlin**")
    assert "I couldn't read “yesterdy” as a date." in done.content
    assert f"> /labs add ferritin:45 date:yesterdy note:{NOTE}" in done.content
    assert done.components == []  # the zone form has nothing left to fix
    assert await bot.repos.labs.all(alice.id) == []
    profile = await bot.repos.users.get(alice.id)
    assert profile is not None and profile.timezone == "Europe/Berlin"


async def test_a_timezone_set_meanwhile_is_used_and_kept(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = emu.add_user("alice")
    problem = await first_use(emu, alice, "stretch remind", {"time": "18:00"})
    # She set it with /timezone set in the meantime, then pressed the old Fix it anyway.
    await (await emu.slash(alice, "timezone set", {"zone": "Berlin"})).response()
    done = await zone_given(emu, alice, problem, zone_fix_it("stretch:remind", alice), "Berlin")
    assert "18:00 on every day (Europe/Berlin)" in done.content
    [schedule] = await bot.repos.reminders.user_schedules(alice.id)
    assert schedule.timezone == "Europe/Berlin"
