"""/labs end to end through the emulator: add, list and delete iron lab values, every reply
ephemeral, bad input refused with nothing stored, the day taken in the person's own zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.client import RlsBot
from bot.clinical.labs import GUIDELINE_LINE, LabResult
from bot.clock import FakeClock
from bot.emulator import DiscordEmulator, EmuUser

TODAY = date(2026, 3, 2)  # the clock fixture: Monday 13:00 in Berlin


async def with_zone(bot: RlsBot, user: EmuUser, zone: str = "Europe/Berlin") -> EmuUser:
    await bot.repos.users.set_timezone(user.id, zone, bot.clock.now())
    return user


async def run(emu: DiscordEmulator, user: EmuUser, command: str, **options: Any) -> Any:
    """The reply to ``command``, which must be ephemeral (options may include one called name)."""
    reply = await (await emu.slash(user, command, options)).response()
    assert reply.ephemeral, reply.content
    return reply


async def refused_keeping_nothing(
    emu: DiscordEmulator, bot: RlsBot, command: str, options: dict[str, Any], says: str
) -> None:
    """Alice, in Berlin, runs ``command`` with bad ``options``: the answer says ``says`` (no
    apology for a bug) and nothing of hers is stored: no lab value, medicine or schedule."""
    alice = await with_zone(bot, emu.add_user("alice"))
    reply = await run(emu, alice, command, **options)
    assert says in reply.content
    assert "Sorry, something went wrong" not in reply.content
    assert await bot.repos.labs.all(alice.id) == []
    assert await bot.repos.meds.medicines(alice.id, include_stopped=True) == []
    assert await bot.repos.reminders.user_schedules(alice.id) == []


def buttons(message: Any) -> dict[str, str]:
    return {c["label"]: c["custom_id"] for row in message.components for c in row["components"]}


async def test_labs_need_a_timezone_first(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = emu.add_user("alice")
    reply = await run(emu, alice, "labs add", ferritin=45)
    assert "**Fix it** asks for your city" in reply.content  # tests/e2e/test_zone_fix_it.py
    assert await bot.repos.labs.all(alice.id) == []


async def test_add_saves_the_value_and_shows_it_in_the_guideline_context(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    reply = await run(emu, alice, "labs add", ferritin=45, tsat=18.5, fasting="yes", note="GP")
    assert reply.content.startswith("Saved.\n")
    assert "ng/mL and µg/L are the same number." in reply.content
    assert "Ferritin **45 ng/mL**, saturation **18.5 %** · 02 Mar 2026 (today) · fasting · GP" in (
        reply.content
    )
    assert GUIDELINE_LINE in reply.content
    assert "are in that range: worth raising with your doctor" in reply.content
    assert await bot.repos.labs.all(alice.id) == [
        LabResult(TODAY, 45.0, tsat=18.5, fasting=True, note="GP")
    ]


async def test_list_shows_each_value_with_its_date_and_how_long_ago(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    empty = await run(emu, alice, "labs list")
    assert empty.content.startswith("No lab values yet.")
    await run(emu, alice, "labs add", ferritin=30, date="2025-09-01", fasting="no")
    await run(emu, alice, "labs add", ferritin=110, tsat=31, date="yesterday")
    listing = (await run(emu, alice, "labs list")).content
    newer = listing.index("Ferritin **110 ng/mL**, saturation **31 %** · 01 Mar 2026 (yesterday)")
    older = listing.index("Ferritin **30 ng/mL** · 01 Sep 2025 (6 months ago) · not fasting")
    assert newer < older < listing.index(GUIDELINE_LINE)
    assert "Your latest values (ferritin 110 ng/mL, saturation 31 %; 01 Mar 2026, yesterday)" in (
        listing
    )
    assert "are outside that range" in listing


async def test_the_same_day_again_updates_the_value(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await run(emu, alice, "labs add", ferritin=45, date="2026-02-20")
    again = await run(emu, alice, "labs add", ferritin=54, date="2026-02-20")
    # The value it replaced is said, so a slip (a second test typed on the wrong day) can be undone.
    assert again.content.startswith(
        "Updated your value of 20 Feb 2026 (it was Ferritin **45 ng/mL**)."
    )
    assert [lab.ferritin for lab in await bot.repos.labs.all(alice.id)] == [54.0]


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"ferritin": 0}, "outside 1–3000 ng/mL"),
        ({"ferritin": 99999}, "outside 1–3000 ng/mL"),
        ({"ferritin": 45, "tsat": 150}, "percentage from 1 to 100"),
        ({"ferritin": 45, "tsat": 0.18}, "that is 18 %"),
        ({"ferritin": 45, "date": "2026-03-03"}, "is in the future"),
        ({"ferritin": 45, "date": "1989-05-01"}, "before 1990"),
        ({"ferritin": 45, "date": "abc"}, "couldn't read “abc” as a date"),
        ({"ferritin": 45, "fasting": "maybe"}, "please answer yes or no"),
    ],
)
async def test_bad_input_is_a_friendly_error_and_keeps_nothing(
    emu: DiscordEmulator, bot: RlsBot, options: dict[str, Any], says: str
) -> None:
    await refused_keeping_nothing(emu, bot, "labs add", options, says)


async def test_today_is_the_persons_own_day(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    # 23:30 UTC on Monday is already Tuesday 00:30 in Berlin, still Monday in New York.
    clock.set(datetime(2026, 3, 2, 23, 30, tzinfo=UTC))
    berlin = await with_zone(bot, emu.add_user("berlin"))
    new_york = await with_zone(bot, emu.add_user("newyork"), "America/New_York")
    await run(emu, berlin, "labs add", ferritin=45)
    await run(emu, berlin, "labs add", ferritin=46, date="2026-03-03")  # not in the future there
    refused = await run(emu, new_york, "labs add", ferritin=45, date="2026-03-03")
    assert "is in the future" in refused.content
    await run(emu, new_york, "labs add", ferritin=45, date="today")
    assert [lab.taken_on for lab in await bot.repos.labs.all(berlin.id)] == [date(2026, 3, 3)]
    assert [lab.taken_on for lab in await bot.repos.labs.all(new_york.id)] == [date(2026, 3, 2)]


async def test_delete_asks_first_and_only_the_owner_can_answer(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    bob = await with_zone(bot, emu.add_user("bob"))
    await run(emu, alice, "labs add", ferritin=45, date="2026-02-20")
    await run(emu, alice, "labs add", ferritin=60)
    choices = await emu.autocomplete(alice, "labs delete", {"date": "feb"}, focused="date")
    assert [c["value"] for c in choices] == ["2026-02-20"]
    ask = await run(emu, alice, "labs delete", date="2026-02-20")
    assert ask.content.startswith("Delete this value?\nFerritin **45 ng/mL** · 20 Feb 2026")
    ids = buttons(ask)
    assert ids == {
        "Delete this value": f"rls:labs:delete:{alice.id}:20260220",
        "Keep it": f"rls:labs:keep:{alice.id}:20260220",
    }
    refused = await (await emu.click(bob, ask, ids["Delete this value"])).response()
    assert refused.ephemeral and "someone else" in refused.content
    assert len(await bot.repos.labs.all(alice.id)) == 2
    kept = await (await emu.click(alice, ask, ids["Keep it"])).response()
    assert kept.content == "Kept." and kept.components == []
    assert len(await bot.repos.labs.all(alice.id)) == 2
    ask = await run(emu, alice, "labs delete", date="2026-02-20")
    done = await (await emu.click(alice, ask, buttons(ask)["Delete this value"])).response()
    assert done.content == "Deleted the value of 20 Feb 2026."
    assert [lab.taken_on for lab in await bot.repos.labs.all(alice.id)] == [TODAY]


async def test_deleting_a_day_without_a_value_says_so(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    reply = await run(emu, alice, "labs delete", date="2026-01-01")
    assert "no lab value from 01 Jan 2026" in reply.content
    assert reply.components == []


async def test_labs_work_in_a_server_too_and_stay_private(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    guild = emu.add_guild("RLS Friends", channels=["general"])
    alice = await with_zone(bot, emu.add_user("alice"))
    added = await (await emu.slash(alice, "labs add", {"ferritin": 80}, guild=guild)).response()
    assert added.ephemeral and added.content.startswith("Saved.")
    listed = await (await emu.slash(alice, "labs list", guild=guild)).response()
    assert listed.ephemeral and "Ferritin **80 ng/mL**" in listed.content
