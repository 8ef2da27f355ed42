"""The augmentation watch in /sleep stats (issue 20), end to end: the owner's own nights from the
real diary, calm numbered lines when a sign holds, what is still needed otherwise; only ever in
the owner's ephemeral reply."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.client import RlsBot
from bot.clinical.meds import MedicineSpec
from bot.clinical.watch import SOURCE_URL
from bot.emulator import DiscordEmulator, EmuUser
from bot.scheduling.recurrence import Weekdays
from bot.sleep.form import NightForm
from tests.e2e.test_sleep import save_form, with_zone

TODAY = date(2026, 3, 2)  # the clock fixture: Monday 13:00 in Berlin


async def log(bot: RlsBot, user: EmuUser, back: int, **answers: object) -> None:
    form = NightForm(into_bed="23:00", final_wake="7:00", **answers)  # type: ignore[arg-type]
    await save_form(bot, user, back, form)


async def augmenting(bot: RlsBot, user: EmuUser) -> None:
    """56 nights: the 28 before with symptoms at 22:00 in the legs after an hour at rest, 3/10;
    the last 28 at 19:30, legs and arms, after 20 minutes, 6/10."""
    for back in range(56):
        if back >= 28:
            await log(
                bot, user, back, rls_onset="22:00", severity=3, body_regions={"legs"}, rest_min=60
            )
        else:
            await log(
                bot,
                user,
                back,
                rls_onset="19:30",
                severity=6,
                body_regions={"legs", "arms"},
                rest_min=20,
            )


def watch_text(reply_embeds: list[dict[str, object]]) -> str:
    [embed] = reply_embeds
    fields = embed.get("fields", [])
    assert isinstance(fields, list)
    names = [f["name"] for f in fields]
    start = names.index("Augmentation watch")
    return "\n".join(f["value"] for f in fields[start:])


async def test_stats_show_each_sign_with_numbers_n_and_the_source(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    bob = await with_zone(bot, emu.add_user("bob"))
    await augmenting(bot, alice)
    await log(bot, bob, 0, severity=2)
    reply = await (await emu.slash(alice, "sleep stats")).response()
    assert reply.ephemeral
    text = watch_text(reply.embeds)
    assert (
        "**Symptoms start earlier:** median 19:30 in the last 28 days (n = 28) against 22:00 in "
        "the 28 before (n = 28), 2h 30m earlier." in text
    )
    assert "**Symptoms in your arms, newly:** arms on 28 of 28 nights" in text
    assert "**Symptoms sooner at rest:** median 20 min" in text and "against 60 min" in text
    assert "**Stronger symptoms:** median RLS severity 6/10" in text
    assert "worth raising with your doctor" in text and SOURCE_URL in text
    assert "not a diagnosis" in text
    # The stats themselves still cover the 14 days asked for.
    assert "Nights logged: **14** of the last 14 days" in reply.embeds[0]["description"]
    # Bob sees his own (too short) history, nothing of Alice's.
    theirs = await (await emu.slash(bob, "sleep stats")).response()
    bobs = watch_text(theirs.embeds)
    assert "Symptoms start earlier" not in bobs and "more nights" in bobs
    assert "you have 1 in the last 28 days and 0 in the 28 before" in bobs


async def test_too_little_data_says_how_many_nights_are_still_needed(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    for back in range(10):
        await log(bot, alice, back, rls_onset="21:00", body_regions={"legs"})
    text = watch_text((await (await emu.slash(alice, "sleep stats")).response()).embeds)
    assert "a symptom start time: 7 more nights (you have 10 in the last 28 days and 0 in" in text
    assert "minutes at rest before symptoms: 14 more nights" in text
    assert "RLS Foundation" not in text  # no sign, so no warning words


async def test_a_calm_history_says_no_warning_sign(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    for back in range(56):
        await log(
            bot, alice, back, rls_onset="21:00", severity=4, body_regions={"legs"}, rest_min=30
        )
    text = watch_text((await (await emu.slash(alice, "sleep stats")).response()).embeds)
    assert "no warning sign in what you logged" in text
    assert "Still needed" not in text


async def test_stats_read_the_doses_logged_with_meds(emu: DiscordEmulator, bot: RlsBot) -> None:
    # Doses stored by /meds reach the watch: the day's first dose 3 h earlier in the last 28 days.
    alice = await with_zone(bot, emu.add_user("alice"))
    await augmenting(bot, alice)
    now = bot.clock.now()
    medicine = await bot.repos.meds.add(
        alice.id, MedicineSpec("Ropinirol", (time(19, 0),), Weekdays.EVERY_DAY), now
    )
    berlin = ZoneInfo("Europe/Berlin")
    for back in range(1, 57):
        evening = TODAY - timedelta(days=back)
        at = time(19, 0) if back <= 28 else time(22, 0)
        taken = datetime.combine(evening, at, berlin).astimezone(UTC)
        await bot.repos.meds.record_dose(
            alice.id, medicine.id, "typed", taken, "Europe/Berlin", now
        )
    reply = await (await emu.slash(alice, "sleep stats")).response()
    text = watch_text(reply.embeds)
    assert "**“Ropinirol” taken earlier:** the day's first dose at a median 19:00" in text
    assert "against 22:00 in the 28 before" in text
