"""The guided check-in end to end: modal, selects, tags, note; edit and delete; privacy."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.client import RlsBot
from bot.clock import FakeClock
from bot.emulator import DiscordEmulator, EmuUser
from bot.emulator.interactions import EmuCallback, find_component
from bot.sleep.entry import SleepEntry
from tests.e2e.test_labs import with_zone

TODAY = date(2026, 3, 2)


def cid(part: str, user: EmuUser, night: str = "20260302") -> str:
    return f"rls:sleep:ci:{part}:{user.id}:{night}"


async def test_full_checkin_flow(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    opened = await emu.slash(alice, "sleep checkin")
    modal = await opened.response()
    assert modal.type == 9 and modal.custom_id == cid("times", alice)
    assert len(modal.title or "") <= 45
    times = await emu.submit_modal(
        alice,
        opened,
        {"bed": "23:15", "tried": "23:30", "latency": "20", "wake": "6:45", "up": "7:00"},
    )
    details = await times.response()
    assert details.ephemeral and "Night ending Mon 02 Mar" in details.content
    for part, value in [("awakenings", "3"), ("awake", "45"), ("quality", "2"), ("severity", "7")]:
        picked = await (await emu.select(alice, details, cid(part, alice), [value])).response()
        assert picked.type == 6
    page = await (await emu.click(alice, details, cid("next", alice))).response()
    assert page.type == 7
    message = details.message
    assert message is not None
    await (await emu.select(alice, message, cid("rlsup", alice), ["2"])).response()
    await (
        await emu.select(alice, message, cid("tags", alice), ["stretched", "caffeine"])
    ).response()
    note_button = await emu.click(alice, message, cid("note", alice))
    note_modal = await note_button.response()
    assert note_modal.type == 9
    saved = await emu.submit_modal(
        alice, note_button, {"note": "kicked all night", "onset": "20:30", "custom": "magnesium"}
    )
    answer = await saved.response()
    assert answer.type == 7 and answer.content.startswith("Saved.")
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None
    assert (entry.awakenings, entry.awake_min, entry.quality, entry.severity) == (3, 45, 2, 7)
    assert entry.sleep_latency_min == 20 and entry.rls_out_of_bed == 2
    assert entry.tags == {"stretched", "caffeine", "magnesium"}
    assert entry.note == "kicked all night"
    assert entry.rls_onset is not None


async def test_checkin_times_typo_is_caught_at_once(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    opened = await emu.slash(alice, "sleep checkin")
    await opened.response()
    submitted = await emu.submit_modal(
        alice, opened, {"bed": "23:00", "wake": "7:00", "up": "6:00"}
    )
    reply = await submitted.response()
    assert reply.ephemeral and "before your final wake" in reply.content
    assert await bot.repos.diary.get(alice.id, TODAY) is None


async def test_quick_save_after_times_then_edit_and_delete(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    bob = await with_zone(bot, emu.add_user("bob"))
    opened = await emu.slash(alice, "sleep checkin")
    details = await (
        await emu.submit_modal(alice, opened, {"bed": "23:00", "wake": "7:00"})
    ).response()
    # Bob forges presses on Alice's check-in: refused, nothing stored.
    forged = await (await emu.click(bob, details, cid("save", alice))).response()
    assert "someone else" in forged.content
    assert await bot.repos.diary.get(alice.id, TODAY) is None
    await (await emu.click(alice, details, cid("save", alice))).response()
    assert (await bot.repos.diary.get(alice.id, TODAY)) is not None

    # Edit: the modal comes pre-filled, saving replaces without asking.
    opened = await emu.slash(alice, "sleep edit", {"night": "2026-03-02"})
    modal = await opened.response()
    rows = [c["components"][0] if c["type"] == 1 else c["component"] for c in modal.components]
    assert rows[0]["value"] == "23:00"
    details = await (await emu.submit_modal(alice, opened, {"bed": "22:00"})).response()
    done = await (await emu.click(alice, details, cid("save", alice))).response()
    assert done.content.startswith("Updated.")
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None and entry.into_bed.hour == 21  # 22:00 CET

    # Bob can neither edit nor delete Alice's night: he only ever reaches his own diary.
    nope = await (await emu.slash(bob, "sleep edit", {"night": "2026-03-02"})).response()
    assert "haven't logged" in nope.content
    ask = await (await emu.slash(alice, "sleep delete", {"night": "2026-03-02"})).response()
    forged = await (await emu.click(bob, ask, f"rls:sleep:delete:{alice.id}:20260302")).response()
    assert "someone else" in forged.content
    gone = await (await emu.click(alice, ask, f"rls:sleep:delete:{alice.id}:20260302")).response()
    assert gone.content.startswith("Deleted")
    assert await bot.repos.diary.get(alice.id, TODAY) is None


async def test_a_double_click_on_save_saves_once(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    opened = await emu.slash(alice, "sleep checkin")
    details = await (
        await emu.submit_modal(alice, opened, {"bed": "23:00", "wake": "7:00"})
    ).response()
    # Both presses reach the bot before the first is answered.
    first = await emu.click(alice, details, cid("save", alice))
    second = await emu.click(alice, details, cid("save", alice))
    saved, again = await first.response(), await second.response()
    assert saved.content.startswith("Saved.")
    assert again.ephemeral and again.content == "This check-in is already being saved."
    assert await bot.repos.diary.get(alice.id, TODAY) is not None


async def test_checkin_on_a_logged_night_asks_before_replacing(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await (await emu.slash(alice, "sleep log", {"bed": "23:00", "wake": "7:00"})).response()
    opened = await emu.slash(alice, "sleep checkin")
    details = await (await emu.submit_modal(alice, opened, {"bed": "21:00"})).response()
    ask = await (await emu.click(alice, details, cid("save", alice))).response()
    assert "Replace it with this?" in ask.content
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None and entry.into_bed.hour == 22


async def test_the_same_night_again_is_not_asked_about(emu: DiscordEmulator, bot: RlsBot) -> None:
    # Opened from the morning prompt on a night already logged and saved unchanged, it asked
    # "Replace it with this?" over two identical lines.
    alice = await with_zone(bot, emu.add_user("alice"))
    logged = {"bed": "23:00", "wake": "7:00", "severity": 3, "note": "ok"}
    await (await emu.slash(alice, "sleep log", logged)).response()
    before = await bot.repos.diary.get(alice.id, TODAY)
    opened = await emu.slash(alice, "sleep checkin")
    details = await (await emu.submit_modal(alice, opened, {})).response()
    same = await (await emu.click(alice, details, cid("save", alice))).response()
    assert same.content.startswith("Nothing to change: this is the night as you logged it.")
    assert "Replace" not in same.content and not same.components
    assert await bot.repos.diary.get(alice.id, TODAY) == before
    again = await (await emu.slash(alice, "sleep log", logged)).response()
    assert again.content.startswith("Nothing to change")


async def test_night_autocomplete_lists_only_own_nights(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    bob = await with_zone(bot, emu.add_user("bob"))
    await (await emu.slash(alice, "sleep log", {"bed": "23:00", "wake": "7:00"})).response()
    mine = await emu.autocomplete(alice, "sleep delete", {"night": ""}, focused="night")
    assert [c["value"] for c in mine] == ["2026-03-02"]
    assert await emu.autocomplete(bob, "sleep delete", {"night": ""}, focused="night") == []


# Every path through the check-in stores exactly one night (issue 15). Pages replace each other
# on one message; before, a page that stopped after showing the next one took the ids the two
# share with it, and Save on the second page answered "These buttons have expired".


async def start(emu: DiscordEmulator, bot: RlsBot) -> tuple[EmuUser, EmuCallback]:
    alice = await with_zone(bot, emu.add_user("alice"))
    opened = await emu.slash(alice, "sleep checkin")
    details = await (
        await emu.submit_modal(alice, opened, {"bed": "23:00", "wake": "7:00"})
    ).response()
    return alice, details


async def only_night(bot: RlsBot, user: EmuUser) -> SleepEntry:
    assert await bot.repos.diary.recent_nights(user.id, 5) == [TODAY]
    entry = await bot.repos.diary.get(user.id, TODAY)
    assert entry is not None
    return entry


async def pick(emu: DiscordEmulator, user: EmuUser, page: EmuCallback, part: str, *values: str):
    answer = await (await emu.select(user, page, cid(part, user), list(values))).response()
    assert answer.type == 6  # remembered quietly


async def turn(emu: DiscordEmulator, user: EmuUser, page: EmuCallback, part: str) -> None:
    answer = await (await emu.click(user, page, cid(part, user))).response()
    assert answer.type == 7, answer.content  # the same message shows the other page


async def on_the_rls_page_with(
    emu: DiscordEmulator, bot: RlsBot, *regions: str
) -> tuple[EmuUser, EmuCallback]:
    """Alice's check-in turned to its RLS page, with ``regions`` picked there."""
    alice, page = await start(emu, bot)
    await turn(emu, alice, page, "next")
    await pick(emu, alice, page, "regions", *regions)
    return alice, page


async def region_completions(emu: DiscordEmulator, user: EmuUser, typed: str) -> list[str]:
    """What /sleep log's regions autocomplete offers ``user`` for ``typed``."""
    options = {"bed": "23:00", "wake": "7:00", "regions": typed}
    choices = await emu.autocomplete(user, "sleep log", options, focused="regions")
    return [c["value"] for c in choices]


def shown_picked(page: EmuCallback, part: str, user: EmuUser) -> list[str]:
    """The values a menu on the page shows as picked, sorted."""
    assert page.message is not None
    menu = find_component(page.message, cid(part, user))
    return sorted(o["value"] for o in menu["options"] if o.get("default"))


def shown_labels(page: EmuCallback, part: str, user: EmuUser) -> list[str]:
    """The labels of a menu's options on the page, in order."""
    assert page.message is not None
    return [o["label"] for o in find_component(page.message, cid(part, user))["options"]]


async def test_save_on_the_first_page(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice, page = await start(emu, bot)
    await pick(emu, alice, page, "quality", "4")
    saved = await (await emu.click(alice, page, cid("save", alice))).response()
    assert saved.type == 7 and saved.content.startswith("Saved.") and saved.components == []
    assert (await only_night(bot, alice)).quality == 4


async def test_next_then_save(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice, page = await start(emu, bot)
    await pick(emu, alice, page, "severity", "6")
    await turn(emu, alice, page, "next")
    await pick(emu, alice, page, "tags", "caffeine")
    saved = await (await emu.click(alice, page, cid("save", alice))).response()
    assert saved.type == 7 and saved.content.startswith("Saved."), saved.content
    entry = await only_night(bot, alice)
    assert entry.severity == 6 and entry.tags == {"caffeine"}


async def test_note_then_save(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice, page = await start(emu, bot)
    await turn(emu, alice, page, "next")
    opened = await emu.click(alice, page, cid("note", alice))
    saved = await (await emu.submit_modal(alice, opened, {"note": "restless"})).response()
    assert saved.type == 7 and saved.content.startswith("Saved.")
    assert (await only_night(bot, alice)).note == "restless"
    # The page is gone with its buttons: Save can't be pressed a second time.
    assert page.message is not None and page.message.components == []


async def test_back_and_forth_then_save(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice, page = await start(emu, bot)
    await pick(emu, alice, page, "awakenings", "2")
    await turn(emu, alice, page, "next")
    await pick(emu, alice, page, "rlsup", "1")
    await turn(emu, alice, page, "back")
    # The first page shows what was picked on it.
    assert shown_picked(page, "awakenings", alice) == ["2"]
    await pick(emu, alice, page, "quality", "3")
    await turn(emu, alice, page, "next")
    await turn(emu, alice, page, "back")
    await turn(emu, alice, page, "next")
    await pick(emu, alice, page, "tags", "stretched")
    saved = await (await emu.click(alice, page, cid("save", alice))).response()
    assert saved.content.startswith("Saved."), saved.content
    entry = await only_night(bot, alice)
    assert (entry.awakenings, entry.rls_out_of_bed, entry.quality) == (2, 1, 3)
    assert entry.tags == {"stretched"}


async def test_from_the_morning_prompt(emu: DiscordEmulator, bot: RlsBot, clock: FakeClock) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await (await emu.slash(alice, "sleep remind", {"time": "7:30"})).response()
    clock.set(datetime(2026, 3, 3, 6, 30, 5, tzinfo=UTC))  # 07:30 in Berlin
    assert await bot.engine.tick() == 1
    await bot.engine.drain()
    prompt = await emu.wait_for_dm(alice)
    pressed = await emu.click(alice, prompt, f"rls:sleep:log:{alice.id}:20260303")
    page = await (
        await emu.submit_modal(alice, pressed, {"bed": "23:00", "wake": "6:30"})
    ).response()
    night = "20260303"
    await (await emu.click(alice, page, cid("next", alice, night))).response()
    await (await emu.select(alice, page, cid("tags", alice, night), ["massage"])).response()
    saved = await (await emu.click(alice, page, cid("save", alice, night))).response()
    assert saved.content.startswith("Saved."), saved.content
    assert await bot.repos.diary.recent_nights(alice.id, 5) == [date(2026, 3, 3)]
    entry = await bot.repos.diary.get(alice.id, date(2026, 3, 3))
    assert entry is not None and entry.tags == {"massage"}


async def test_a_double_tap_on_next_gets_an_answer(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice, page = await start(emu, bot)
    await turn(emu, alice, page, "next")
    # The second tap left the person's screen before the first one's page arrived.
    again = await (await emu.click(alice, page, cid("next", alice), stale=True)).response()
    assert again.ephemeral and "isn't on the message any more" in again.content
    # The same on the RLS page: its Next is not the first page's Next, so no page is skipped.
    await turn(emu, alice, page, "tonaps")
    again = await (await emu.click(alice, page, cid("tonaps", alice), stale=True)).response()
    assert again.ephemeral and "isn't on the message any more" in again.content
    await (await emu.click(alice, page, cid("save", alice))).response()
    await only_night(bot, alice)


# A form that fails its checks keeps what was typed (issue 15): the answer names the problem and
# has a button that opens the form again holding the typed values.


# The times form with nothing in it: a field left blank (never answered) is "", never a 0.
BLANK_TIMES = {"bed": "", "tried": "", "latency": "", "wake": "", "up": ""}


def typed(modal: EmuCallback) -> dict[str, str]:
    fields = [c["components"][0] if c["type"] == 1 else c["component"] for c in modal.components]
    return {f["custom_id"]: f.get("value") or "" for f in fields}


async def test_edit_of_only_the_bed_time_moves_tried_to_sleep_with_it(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await (await emu.slash(alice, "sleep log", {"bed": "22:00", "wake": "7:00"})).response()
    opened = await emu.slash(alice, "sleep edit", {"night": "2026-03-02"})
    # "Tried to sleep" was the bed time: the form shows its blank, "same as into bed".
    assert typed(await opened.response())["tried"] == ""
    page = await (await emu.submit_modal(alice, opened, {"bed": "23:00"})).response()
    done = await (await emu.click(alice, page, cid("save", alice))).response()
    assert done.content.startswith("Updated."), done.content
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None and entry.into_bed == entry.tried_sleep
    assert entry.into_bed.hour == 22  # 23:00 CET


async def test_edit_that_fails_keeps_what_was_typed(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    logged = {"bed": "22:00", "tried": "22:30", "wake": "7:00"}
    await (await emu.slash(alice, "sleep log", logged)).response()
    opened = await emu.slash(alice, "sleep edit", {"night": "2026-03-02"})
    assert typed(await opened.response())["tried"] == "22:30"
    # Only "Into bed" changes: now it is after "Tried to sleep", which still says 22:30.
    failed = await (await emu.submit_modal(alice, opened, {"bed": "23:00"})).response()
    assert failed.ephemeral and "before getting into bed" in failed.content
    reopened = await emu.click(alice, failed, cid("times", alice) + ":retry")
    form = await reopened.response()
    # Latency, never answered, stays blank (unknown), not a 0 (issue 17).
    assert form.type == 9
    assert typed(form) == BLANK_TIMES | {"bed": "23:00", "tried": "22:30", "wake": "07:00"}
    page = await (await emu.submit_modal(alice, reopened, {"tried": ""})).response()
    # The page takes the place of the problem in the same message.
    assert page.type == 7 and page.message is failed.message
    done = await (await emu.click(alice, page, cid("save", alice))).response()
    assert done.content.startswith("Updated."), done.content
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None and entry.into_bed.hour == 22 == entry.tried_sleep.hour  # 23:00 CET
    assert await bot.repos.diary.recent_nights(alice.id, 5) == [TODAY]


async def test_checkin_times_keep_what_was_typed_until_right(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    opened = await emu.slash(alice, "sleep checkin")
    values = {"bed": "23:15", "tried": "23:40", "latency": "half an hour", "wake": "6:45"}
    failed = await (await emu.submit_modal(alice, opened, values)).response()
    assert failed.ephemeral and "should be a number" in failed.content
    retry = cid("times", alice) + ":retry"
    bob = await with_zone(bot, emu.add_user("bob"))
    nope = await (await emu.click(bob, failed, retry)).response()
    assert nope.ephemeral and "someone else" in nope.content
    reopened = await emu.click(alice, failed, retry)
    assert typed(await reopened.response()) == BLANK_TIMES | values
    # Wrong again: the same message says what is wrong now, still with the button.
    again = await (await emu.submit_modal(alice, reopened, {"latency": "-5"})).response()
    assert again.type == 7 and again.message is failed.message
    assert "should be a number" in again.content and "-5" in again.content
    reopened = await emu.click(alice, failed, retry)
    assert typed(await reopened.response())["latency"] == "-5"
    page = await (await emu.submit_modal(alice, reopened, {"latency": "30"})).response()
    assert page.type == 7 and "rest of the night" in page.content
    await (await emu.click(alice, page, cid("save", alice))).response()
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None and entry.sleep_latency_min == 30


async def test_a_note_that_fails_keeps_what_was_typed(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice, page = await start(emu, bot)
    await turn(emu, alice, page, "next")
    await pick(emu, alice, page, "tags", "caffeine")
    opened = await emu.click(alice, page, cid("note", alice))
    values = {"note": "legs buzzing until 2", "onset": "21:00", "custom": "hot bath!"}
    failed = await (await emu.submit_modal(alice, opened, values)).response()
    # The page stays, with the problem on it, and nothing is stored yet.
    assert failed.type == 7 and "can't be a tag" in failed.content
    assert await bot.repos.diary.recent_nights(alice.id, 5) == []
    reopened = await emu.click(alice, page, cid("note", alice))
    assert typed(await reopened.response()) == values
    saved = await (await emu.submit_modal(alice, reopened, {"custom": "hot bath"})).response()
    assert saved.content.startswith("Saved."), saved.content
    entry = await only_night(bot, alice)
    assert entry.tags == {"caffeine", "hot bath"} and entry.note == "legs buzzing until 2"


async def test_checkin_leaves_unanswered_questions_unknown_and_takes_naps(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    opened = await emu.slash(alice, "sleep checkin")
    modal = await opened.response()
    rows = [c["components"][0] if c["type"] == 1 else c["component"] for c in modal.components]
    latency = next(r for r in rows if r["custom_id"] == "latency")
    assert not latency.get("value")  # blank, not a pre-filled 0
    details = await (
        await emu.submit_modal(alice, opened, {"bed": "23:00", "wake": "7:00"})
    ).response()
    placeholders = [row["components"][0].get("placeholder", "") for row in details.components[:2]]
    assert placeholders[0] == "Awakenings, not counting your final awakening"
    assert "incl. time up walking" in placeholders[1]
    await (await emu.click(alice, details, cid("next", alice))).response()
    message = details.message
    assert message is not None
    # Naps have their own page after the RLS answers and tags (issue 20 filled that one).
    await (await emu.click(alice, message, cid("tonaps", alice))).response()
    await (await emu.select(alice, message, cid("naps", alice), ["2"])).response()
    await (await emu.select(alice, message, cid("napmin", alice), ["45"])).response()
    saved = await (await emu.click(alice, message, cid("save", alice))).response()
    assert saved.content.startswith("Saved.") and "2 naps, 45 min" in saved.content
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None
    assert (entry.sleep_latency_min, entry.awakenings, entry.awake_min) == (None, None, None)
    assert (entry.severity, entry.rls_out_of_bed, entry.out_of_bed) == (None, None, None)
    assert (entry.naps, entry.nap_min) == (2, 45)


# Issue 20: where symptoms were felt and minutes at rest before they started, on the RLS page.
# Every path keeps what was picked; nothing picked is "not answered", never "no symptoms".


async def test_regions_and_rest_then_save(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice, page = await start(emu, bot)
    await pick(emu, alice, page, "severity", "6")
    await turn(emu, alice, page, "next")
    assert page.message is not None
    assert len(page.message.components) <= 5  # Discord's rows per message
    await pick(emu, alice, page, "regions", "legs", "arms")
    await pick(emu, alice, page, "rest", "20")
    saved = await (await emu.click(alice, page, cid("save", alice))).response()
    assert saved.content.startswith("Saved.") and "symptoms in legs, arms" in saved.content
    assert "after 20 min at rest" in saved.content
    entry = await only_night(bot, alice)
    assert (entry.body_regions, entry.rest_min, entry.severity) == ({"legs", "arms"}, 20, 6)


async def test_save_on_the_first_page_leaves_regions_and_rest_unknown(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice, page = await start(emu, bot)
    await pick(emu, alice, page, "severity", "3")
    saved = await (await emu.click(alice, page, cid("save", alice))).response()
    assert "symptoms where –, at rest –" in saved.content
    entry = await only_night(bot, alice)
    assert (entry.body_regions, entry.rest_min) == (None, None)


async def test_regions_picked_then_cleared_are_unknown_not_none(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice, page = await on_the_rls_page_with(emu, bot, "trunk")
    await pick(emu, alice, page, "regions")  # everything unticked again
    await (await emu.click(alice, page, cid("save", alice))).response()
    assert (await only_night(bot, alice)).body_regions is None


async def test_regions_survive_back_and_forth_and_the_naps_page(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice, page = await on_the_rls_page_with(emu, bot, "legs", "trunk")
    await pick(emu, alice, page, "rest", "0")
    await turn(emu, alice, page, "back")
    await pick(emu, alice, page, "quality", "2")
    await turn(emu, alice, page, "next")
    # The RLS page shows what was picked on it.
    assert shown_picked(page, "regions", alice) == ["legs", "trunk"]
    assert shown_picked(page, "rest", alice) == ["0"]
    await turn(emu, alice, page, "tonaps")
    await pick(emu, alice, page, "naps", "1")
    await turn(emu, alice, page, "torls")
    await turn(emu, alice, page, "tonaps")
    saved = await (await emu.click(alice, page, cid("save", alice))).response()
    assert saved.content.startswith("Saved."), saved.content
    entry = await only_night(bot, alice)
    assert (entry.body_regions, entry.rest_min) == ({"legs", "trunk"}, 0)
    assert (entry.quality, entry.naps) == (2, 1)


async def test_a_failed_note_on_the_naps_page_keeps_regions_and_the_page(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice, page = await on_the_rls_page_with(emu, bot, "arms")
    await turn(emu, alice, page, "tonaps")
    opened = await emu.click(alice, page, cid("note", alice))
    failed = await (
        await emu.submit_modal(alice, opened, {"note": "ok", "custom": "hot bath!"})
    ).response()
    assert failed.type == 7 and "can't be a tag" in failed.content
    assert "naps yesterday" in failed.content  # the naps page again, not the RLS page
    assert await bot.repos.diary.recent_nights(alice.id, 5) == []
    reopened = await emu.click(alice, page, cid("note", alice))
    saved = await (await emu.submit_modal(alice, reopened, {"custom": "hot bath"})).response()
    assert saved.content.startswith("Saved."), saved.content
    entry = await only_night(bot, alice)
    assert entry.body_regions == {"arms"} and entry.note == "ok"


async def test_sleep_log_takes_regions_and_rest_and_edit_keeps_or_changes_them(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    logged = {"bed": "23:00", "wake": "7:00", "regions": "Legs, back", "rest": 30}
    saved = await (await emu.slash(alice, "sleep log", logged)).response()
    assert saved.ephemeral and "symptoms in legs, trunk, after 30 min at rest" in saved.content
    entry = await only_night(bot, alice)
    assert (entry.body_regions, entry.rest_min) == ({"legs", "trunk"}, 30)
    # Edit changes only the bed time: regions and rest stay.
    opened = await emu.slash(alice, "sleep edit", {"night": "2026-03-02"})
    page = await (await emu.submit_modal(alice, opened, {"bed": "22:30"})).response()
    await (await emu.click(alice, page, cid("save", alice))).response()
    entry = await only_night(bot, alice)
    assert (entry.body_regions, entry.rest_min) == ({"legs", "trunk"}, 30)
    # Edit again: the RLS page shows them, and a new pick replaces them.
    opened = await emu.slash(alice, "sleep edit", {"night": "2026-03-02"})
    page = await (await emu.submit_modal(alice, opened, {})).response()
    await turn(emu, alice, page, "next")
    assert shown_picked(page, "regions", alice) == ["legs", "trunk"]
    await pick(emu, alice, page, "regions", "arms")
    await pick(emu, alice, page, "rest", "5")
    done = await (await emu.click(alice, page, cid("save", alice))).response()
    assert done.content.startswith("Updated."), done.content
    entry = await only_night(bot, alice)
    assert (entry.body_regions, entry.rest_min) == ({"arms"}, 5)


async def test_edit_shows_typed_answers_that_are_not_on_the_menus_as_picked(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    # /sleep log takes any number; the check-in's menus offer a grid. Off the grid, the edit's
    # menus showed nothing picked, as if unanswered (and a pick "to answer it" replaced it).
    alice = await with_zone(bot, emu.add_user("alice"))
    logged = {
        "bed": "23:00",
        "wake": "7:00",
        "awakenings": 11,
        "awake_minutes": 25,
        "rls_got_up": 12,
        "rest": 7,
        "naps": 6,
        "nap_minutes": 95,
    }
    await (await emu.slash(alice, "sleep log", logged)).response()
    opened = await emu.slash(alice, "sleep edit", {"night": "2026-03-02"})
    page = await (await emu.submit_modal(alice, opened, {})).response()
    assert shown_picked(page, "awakenings", alice) == ["11"]
    assert shown_picked(page, "awake", alice) == ["25"]
    labels = shown_labels(page, "awake", alice)
    assert labels[labels.index("Awake 20 min in the night") + 1] == "Awake 25 min in the night"
    await turn(emu, alice, page, "next")
    assert shown_picked(page, "rlsup", alice) == ["12"]
    assert shown_picked(page, "rest", alice) == ["7"]
    await turn(emu, alice, page, "tonaps")
    assert shown_picked(page, "naps", alice) == ["6"]
    assert shown_picked(page, "napmin", alice) == ["95"]
    assert "Napped 1h35 in all" in shown_labels(page, "napmin", alice)


async def test_sleep_log_regions_none_bad_words_and_autocomplete(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    bad = await (
        await emu.slash(alice, "sleep log", {"bed": "23:00", "wake": "7:00", "regions": "knees"})
    ).response()
    assert bad.ephemeral and "isn't one of the body regions" in bad.content
    assert await bot.repos.diary.recent_nights(alice.id, 5) == []
    assert await region_completions(emu, alice, "legs, a") == ["legs, arms"]
    none = {"bed": "23:00", "wake": "7:00", "regions": "none", "rest": 0}
    saved = await (await emu.slash(alice, "sleep log", none)).response()
    assert "no body region" in saved.content
    entry = await only_night(bot, alice)
    assert (entry.body_regions, entry.rest_min) == (frozenset(), 0)
