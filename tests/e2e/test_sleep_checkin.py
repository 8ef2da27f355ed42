"""The guided check-in end to end: modal, selects, tags, note; edit and delete; privacy."""

from __future__ import annotations

from datetime import date

from bot.client import RlsBot
from bot.emulator import DiscordEmulator, EmuUser

TODAY = date(2026, 3, 2)


async def with_zone(bot: RlsBot, user: EmuUser) -> EmuUser:
    await bot.repos.users.set_timezone(user.id, "Europe/Berlin", bot.clock.now())
    return user


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


async def test_night_autocomplete_lists_only_own_nights(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    bob = await with_zone(bot, emu.add_user("bob"))
    await (await emu.slash(alice, "sleep log", {"bed": "23:00", "wake": "7:00"})).response()
    mine = await emu.autocomplete(alice, "sleep delete", {"night": ""}, focused="night")
    assert [c["value"] for c in mine] == ["2026-03-02"]
    assert await emu.autocomplete(bob, "sleep delete", {"night": ""}, focused="night") == []


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
    assert (
        "including time up walking" in placeholders[1] or "incl. time up walking" in placeholders[1]
    )
    await (await emu.click(alice, details, cid("next", alice))).response()
    message = details.message
    assert message is not None
    await (await emu.select(alice, message, cid("naps", alice), ["2"])).response()
    await (await emu.select(alice, message, cid("napmin", alice), ["45"])).response()
    # Saved through the note (Save after Next is lane A's issue 15 fix, not this test's).
    note_button = await emu.click(alice, message, cid("note", alice))
    await note_button.response()
    saved = await (await emu.submit_modal(alice, note_button, {})).response()
    assert saved.content.startswith("Saved.") and "2 naps, 45 min" in saved.content
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None
    assert (entry.sleep_latency_min, entry.awakenings, entry.awake_min) == (None, None, None)
    assert (entry.severity, entry.rls_out_of_bed, entry.out_of_bed) == (None, None, None)
    assert (entry.naps, entry.nap_min) == (2, 45)
