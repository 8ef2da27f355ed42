"""/sleep log with a mistake in it loses nothing typed: the problem comes with **Fix it**, which
opens the check-in holding every answer typed, so a long note typed on a phone at 3 am is not
typed twice (a slash command's options are gone once it is sent). Every way through it: a time
fixed at once, a time still wrong, an answer only a later step shows, a night already logged, a
stranger's press, and a night that cannot be dated or is still ahead."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.client import RlsBot
from bot.emulator import DiscordEmulator, EmuUser
from bot.emulator.interactions import EmuCallback, EmuInteraction
from bot.sleep.entry import SleepEntry
from tests.e2e.test_labs import with_zone
from tests.e2e.test_sleep import TODAY
from tests.e2e.test_sleep_checkin import BLANK_TIMES, cid, turn, typed

TYPED: dict[str, Any] = {
    "bed": "23:15",
    "wake": "7:7:00",  # the slip: one digit too many
    "severity": 6,
    "quality": 2,
    "note": "legs awful from 2am, walked the hall twice, warm bath at 3",
    "tags": "caffeine, late meal",
    "rls_start": "21:30",
    "regions": "legs, arms",
    "rest": 20,
}


def fix_it(user: EmuUser) -> str:
    return cid("times", user) + ":retry"


async def log(emu: DiscordEmulator, user: EmuUser, options: dict[str, Any]) -> EmuCallback:
    return await (await emu.slash(user, "sleep log", options)).response()


async def in_its_place(
    emu: DiscordEmulator,
    user: EmuUser,
    form: EmuInteraction,
    values: dict[str, str],
    problem: EmuCallback,
) -> EmuCallback:
    """`form` sent with `values`: its answer takes the place of the `problem` message (one
    message per attempt, not a new one each)."""
    answer = await (await emu.submit_modal(user, form, values)).response()
    assert answer.type == 7 and answer.message is problem.message, answer.content
    return answer


async def reopened(
    emu: DiscordEmulator, user: EmuUser, message: EmuCallback, custom_id: str
) -> tuple[EmuInteraction, dict[str, str]]:
    """The form that `message`'s Fix it (`custom_id`) opens, and what it holds."""
    opened = await emu.click(user, message, custom_id)
    return opened, typed(await opened.response())


async def saved_with_wake(
    emu: DiscordEmulator, bot: RlsBot, user: EmuUser, opened: EmuInteraction, wake: str
) -> SleepEntry:
    """The check-in's times form `opened`, sent with `wake`, then Save: the night stored."""
    page = await (await emu.submit_modal(user, opened, {"wake": wake})).response()
    saved = await (await emu.click(user, page, cid("save", user))).response()
    assert saved.content.startswith("Saved."), saved.content
    entry = await bot.repos.diary.get(user.id, TODAY)
    assert entry is not None
    return entry


async def still_wrong(
    emu: DiscordEmulator, user: EmuUser, problem: EmuCallback, fix: str, values: dict[str, str]
) -> EmuInteraction:
    """Fix it (`fix`) on `problem`, sent with `values` that are still wrong: the answer takes
    the problem's place naming them, and Fix it opens the form again holding them."""
    opened = await emu.click(user, problem, fix)
    await opened.response()
    again = await in_its_place(emu, user, opened, values, problem)
    assert all(value in again.content for value in values.values()), again.content
    form, holds = await reopened(emu, user, problem, fix)
    assert holds.items() >= values.items()
    return form


async def fixed_and_saved(
    emu: DiscordEmulator, bot: RlsBot, user: EmuUser, message: EmuCallback, held: str, wake: str
) -> SleepEntry:
    """Fix it on `message` reopens the check-in's times holding the wake `held`; sent with
    `wake` instead, then Save: the night stored."""
    form, holds = await reopened(emu, user, message, fix_it(user))
    assert holds["wake"] == held
    return await saved_with_wake(emu, bot, user, form, wake)


async def test_a_time_typo_opens_the_checkin_holding_everything_typed(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    problem = await log(emu, alice, TYPED)
    assert problem.ephemeral and "“7:7:00”" in problem.content
    assert "**Fix it** opens the check-in holding everything you typed" in problem.content
    assert await bot.repos.diary.get(alice.id, TODAY) is None  # nothing saved yet
    opened = await emu.click(alice, problem, fix_it(alice))
    form = await opened.response()
    assert form.type == 9 and typed(form) == BLANK_TIMES | {"bed": "23:15", "wake": "7:7:00"}
    # The check-in's next page takes the problem's place: one message, not two.
    page = await in_its_place(emu, alice, opened, {"wake": "7:00"}, problem)
    saved = await (await emu.click(alice, page, cid("save", alice))).response()
    assert saved.content.startswith("Saved."), saved.content
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None
    assert entry.note == TYPED["note"]
    assert (entry.severity, entry.quality, entry.rest_min) == (6, 2, 20)
    assert entry.tags == {"caffeine", "late_meal"}
    assert entry.body_regions == {"legs", "arms"}
    assert entry.rls_onset is not None and entry.final_wake.hour == 6  # 07:00 CET


async def test_a_time_still_wrong_keeps_the_fix_it_button_and_the_answers(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    problem = await log(emu, alice, TYPED)
    form = await still_wrong(emu, alice, problem, fix_it(alice), {"wake": "77:00"})
    entry = await saved_with_wake(emu, bot, alice, form, "6:50")
    assert entry.note == TYPED["note"] and entry.severity == 6


async def test_a_tag_typo_is_fixed_where_the_checkin_holds_own_tags(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    problem = await log(emu, alice, TYPED | {"wake": "7:00", "tags": "cafeine"})
    assert "did you mean Caffeine" in problem.content
    opened = await emu.click(alice, problem, fix_it(alice))
    await opened.response()
    # The times are right: the times step lets the tag pass (it would loop on a problem that
    # form cannot change) and Save names where the typed tags are.
    page = await (await emu.submit_modal(alice, opened, {})).response()
    assert page.type == 7 and "rest of the night" in page.content
    refused = await (await emu.click(alice, page, cid("save", alice))).response()
    assert "did you mean Caffeine" in refused.content
    assert "**Add a note…** holds when symptoms started and your own tags" in refused.content
    assert await bot.repos.diary.get(alice.id, TODAY) is None
    await turn(emu, alice, page, "next")
    note = await emu.click(alice, page, cid("note", alice))
    assert typed(await note.response()) == {
        "note": TYPED["note"],
        "onset": "21:30",
        "custom": "cafeine",
    }
    done = await (await emu.submit_modal(alice, note, {"custom": "caffeine"})).response()
    assert done.content.startswith("Saved."), done.content
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None and entry.tags == {"caffeine"} and entry.note == TYPED["note"]


async def test_a_night_already_logged_is_replaced_only_when_asked(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await log(emu, alice, {"bed": "22:00", "wake": "6:00"})
    problem = await log(emu, alice, TYPED)
    opened = await emu.click(alice, problem, fix_it(alice))
    await opened.response()
    page = await (await emu.submit_modal(alice, opened, {"wake": "7:00"})).response()
    asked = await (await emu.click(alice, page, cid("save", alice))).response()
    assert "You already logged this night" in asked.content
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None and entry.note is None  # the logged night, until Replace


async def test_only_its_owner_can_press_fix_it(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    bob = await with_zone(bot, emu.add_user("bob"))
    problem = await log(emu, alice, TYPED)
    refused = await (await emu.click(bob, problem, fix_it(alice))).response()
    assert refused.ephemeral and "someone else" in refused.content
    # Bob's press neither opened anything nor used up Alice's button.
    mine = await (await emu.click(alice, problem, fix_it(alice))).response()
    assert mine.type == 9 and typed(mine)["wake"] == "7:7:00"


def night_fix_it(user: EmuUser) -> str:
    return f"rls:sleep:lognight:{user.id}:retry"


async def test_a_night_still_ahead_asks_for_the_night_again_holding_everything_typed(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    problem = await log(emu, alice, TYPED | {"wake": "7:00", "night": "2026-03-09"})
    assert problem.ephemeral and "hasn't happened yet" in problem.content, problem.content
    assert "**Fix it** asks for the night again and keeps everything else" in problem.content
    opened = await emu.click(alice, problem, night_fix_it(alice))
    form = await opened.response()
    assert form.type == 9 and typed(form) == {"night": "2026-03-09"}
    # The answer takes the problem's place, and the night is saved with every answer typed.
    done = await in_its_place(emu, alice, opened, {"night": "yesterday"}, problem)
    assert done.content.startswith("Saved."), done.content
    entry = await bot.repos.diary.get(alice.id, TODAY - timedelta(days=1))
    assert entry is not None and entry.note == TYPED["note"] and entry.severity == 6
    assert entry.tags == {"caffeine", "late_meal"} and entry.body_regions == {"legs", "arms"}


async def test_a_night_that_cannot_be_read_keeps_its_fix_it_until_it_can(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    problem = await log(emu, alice, TYPED | {"night": "someday"})
    assert "couldn't read" in problem.content and "Fix it" in problem.content
    night_form = await still_wrong(emu, alice, problem, night_fix_it(alice), {"night": "somday"})
    # Blank is today; the time slip typed with it comes next, with the check-in's Fix it.
    times = await in_its_place(emu, alice, night_form, {"night": ""}, problem)
    assert "“7:7:00”" in times.content
    assert "opens the check-in holding everything you typed" in times.content
    entry = await fixed_and_saved(emu, bot, alice, times, "7:7:00", "7:00")
    assert entry.note == TYPED["note"] and entry.quality == 2


async def test_a_night_fixed_onto_a_logged_one_asks_before_replacing(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await log(emu, alice, {"bed": "22:00", "wake": "6:00"})
    problem = await log(emu, alice, TYPED | {"wake": "7:00", "night": "tomorrow"})
    opened = await emu.click(alice, problem, night_fix_it(alice))
    await opened.response()
    asked = await (await emu.submit_modal(alice, opened, {"night": "today"})).response()
    assert "You already logged this night" in asked.content, asked.content
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None and entry.note is None  # the logged night, until Replace
    replace = f"rls:sleep:replace:{alice.id}:20260302"
    replaced = await (await emu.click(alice, asked, replace)).response()
    assert replaced.content.startswith("Updated."), replaced.content
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None and entry.note == TYPED["note"]


def zone_fix_it(user: EmuUser) -> str:
    return f"rls:sleep:logzone:{user.id}:retry"


async def test_a_first_log_without_a_timezone_asks_for_it_holding_everything_typed(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = emu.add_user("alice")  # no timezone yet: her first /sleep log
    problem = await log(emu, alice, TYPED)
    assert problem.ephemeral and "I need your timezone first" in problem.content
    assert "**Fix it** asks for your city and keeps everything you typed" in problem.content
    zone_form = await still_wrong(emu, alice, problem, zone_fix_it(alice), {"zone": "Atlantis"})
    # The zone is saved as /timezone set would; then the wake typo comes with the check-in.
    times = await in_its_place(emu, alice, zone_form, {"zone": "Berlin"}, problem)
    assert times.content.startswith(
        "Your timezone is now **Berlin → Europe/Berlin** (it's 13:00 there).\n"
    ), times.content
    assert "“7:7:00”" in times.content
    profile = await bot.repos.users.get(alice.id)
    assert profile is not None and profile.timezone == "Europe/Berlin"
    checkin = await emu.click(alice, times, fix_it(alice))
    await checkin.response()
    entry = await saved_with_wake(emu, bot, alice, checkin, "7:00")
    assert entry.note == TYPED["note"] and entry.timezone == "Europe/Berlin"


async def test_a_first_log_without_mistakes_is_saved_once_the_city_is_given(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = emu.add_user("alice")
    alice.locale = "de"
    problem = await log(emu, alice, TYPED | {"wake": "7:00"})
    assert problem.content.startswith("Ich brauche zuerst deine Zeitzone")
    assert "**Korrigieren** fragt nach deiner Stadt" in problem.content
    opened = await emu.click(alice, problem, zone_fix_it(alice))
    assert (await opened.response()).title == "Deine Zeitzone"
    done = await in_its_place(emu, alice, opened, {"zone": "Wien"}, problem)
    assert done.components == []
    assert done.content.startswith("Deine Zeitzone ist jetzt **Wien → Europe/Vienna**")
    assert "\nGespeichert. " in done.content
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None and entry.note == TYPED["note"] and entry.severity == 6


async def test_the_offer_is_in_the_persons_language(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    alice.locale = "de"
    problem = await log(emu, alice, TYPED)
    assert "„7:7:00“" in problem.content or "7:7:00" in problem.content
    assert "Noch ist nichts gespeichert. **Korrigieren** öffnet den Check-in" in problem.content
    [button] = [c for row in problem.components for c in row["components"]]
    assert button["label"] == "Korrigieren"


async def test_where_typed_answers_are_is_said_in_german(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    alice.locale = "de"
    problem = await log(emu, alice, TYPED | {"wake": "7:00", "tags": "Kofein, Sport"})
    opened = await emu.click(alice, problem, fix_it(alice))
    await opened.response()
    page = await (await emu.submit_modal(alice, opened, {})).response()
    refused = await (await emu.click(alice, page, cid("save", alice))).response()
    assert "„kofein“ ist keines der üblichen Stichwörter: Meintest du Koffein?" in refused.content
    # A sentence that says which page, and what is under the button (it read as one run-on).
    assert (
        "Ändern kannst du das auf der Seite **Weiter: RLS & Stichwörter**: Unter **Notiz "
        "hinzufügen …** stehen der Beginn der Beschwerden und deine eigenen Stichwörter"
    ) in refused.content
