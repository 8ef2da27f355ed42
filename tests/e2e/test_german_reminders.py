"""/stretch, /meds, /labs and /config in German (issue 22, third slice): a Discord client in
German gets German replies, errors, buttons and reminders (stretch with its `time:auto` words,
medicine with Genommen / Ausgelassen / Später, the ferritin retest); a German server gets its
moderators' /config replies in German; an English client stays English. Through the emulator,
every body validated against Discord's OpenAPI description."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.client import RlsBot
from bot.clock import FakeClock
from bot.emulator import DiscordEmulator, EmuUser
from bot.emulator.permissions import Permissions
from tests.e2e.stretch_steps import DUE, buttons, deliver_due, subscribe
from tests.e2e.test_german_replies import completed, fields, german
from tests.e2e.test_labs import with_zone
from tests.e2e.test_stretch_auto import log

TODAY = date(2026, 3, 2)  # the clock fixture: Monday 13:00 in Berlin


async def reply_to(emu: DiscordEmulator, user: EmuUser, command: str, **options: Any) -> Any:
    reply = await (await emu.slash(user, command, options)).response()
    assert reply.ephemeral, reply.content
    return reply


async def test_stretch_replies_errors_and_buttons_in_german(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    anna = german(emu, "anna")
    unset = await reply_to(emu, anna, "stretch status")
    assert unset.content == "Du hast noch keine Dehn-Erinnerungen eingerichtet."
    bad = await reply_to(emu, anna, "stretch remind", time="25:99", timezone="Berlin")
    assert bad.content.startswith("„25:99“ ist keine gültige Uhrzeit: Stunden gehen bis 23")
    assert bad.content.endswith("Versuch 17:30 oder 17 Uhr.")
    bad_days = await reply_to(emu, anna, "stretch remind", days="Mo, Blub", timezone="Berlin")
    assert bad_days.content.startswith("„blub“ ist kein Wochentag. Versuch „täglich“")
    assert await bot.repos.reminders.get_schedule(anna.id, "stretch") is None
    ok = await subscribe(emu, anna, days="Mo, Mi, Fr")
    assert ok.content.startswith(
        "Dehn-Erinnerungen eingerichtet: 17:30 Uhr, Mo., Mi., Fr. (Europe/Berlin), per "
        "Direktnachricht.\nDie nächsten drei:\n• <t:"
    )
    changed = await reply_to(emu, anna, "stretch remind", time="18 Uhr")
    assert changed.content.startswith(
        "Dehn-Erinnerungen geändert: Uhrzeit 18:00 (vorher 17:30). Unverändert: Mo., Mi., Fr., "
        "Europe/Berlin, per Direktnachricht."
    )
    paused = await reply_to(emu, anna, "stretch pause", days=3)
    assert paused.content.startswith("Pausiert bis <t:")
    status = (await reply_to(emu, anna, "stretch status")).content
    assert status.startswith("**Zeitplan:** 18:00 Uhr, Mo., Mi., Fr. (Europe/Berlin)")
    assert "**Letzte Erinnerung:** noch keine" in status
    assert "**Serie:** 0 Tage in Folge erledigt" in status
    resumed = await reply_to(emu, anna, "stretch resume")
    assert resumed.content.startswith("Fortgesetzt. Nächste Erinnerung <t:")
    again_resumed = await reply_to(emu, anna, "stretch resume")
    assert again_resumed.content.startswith(
        "Deine Dehn-Erinnerungen sind nicht pausiert. Die nächste kommt <t:"
    )
    ask = await reply_to(emu, anna, "stretch stop")
    assert set(buttons(ask)) == {"Ja, beenden", "Behalten"}
    stopped = await (await emu.click(anna, ask, buttons(ask)["Ja, beenden"])).response()
    assert stopped.content == "Beendet. Keine Dehn-Erinnerungen mehr."
    again = await reply_to(emu, anna, "stretch now")
    assert again.content.startswith("Du hast deine Dehn-Erinnerungen <t:")
    assert again.content.endswith("`/dehnen erinnern` startet sie wieder, wann immer du möchtest.")


async def test_time_auto_is_explained_in_german_and_its_reminder_comes_in_german(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    anna = await with_zone(bot, german(emu, "anna"))
    few = await reply_to(emu, anna, "stretch remind", time="auto")
    assert (
        "Keine deiner Nächte hat eine Uhrzeit, zu der die Beschwerden begannen, und ich brauche "
        "5, deshalb kommt deine Dehn-Erinnerung vorerst um 17:00 Uhr." in few.content
    )
    assert "Eine eingegebene Uhrzeit schaltet das aus." in few.content
    anna.locale = "en-US"  # the nights are logged in English (/sleep is another slice)
    for back in range(5):
        await log(emu, anna, TODAY - timedelta(days=back), "20:30")
    anna.locale = "de"
    chosen = await reply_to(emu, anna, "stretch remind", time="auto")
    # The nights logged already moved it (time:auto follows each night); it says why again.
    assert chosen.content.startswith(
        "Nichts zu ändern: Deine Dehn-Erinnerungen bleiben bei 19:30, täglich, Europe/Berlin, "
        "per Direktnachricht.\n"
    )
    assert (
        "In deinen letzten 5 Nächten mit eingetragenem Beginn fingen deine Beschwerden im Median "
        "um 20:30 Uhr an, deshalb kommt deine Dehn-Erinnerung um 19:30 Uhr, 60 Minuten vorher."
        in chosen.content
    )
    bad = await reply_to(emu, anna, "stretch remind", time="17:30", before=30)
    assert bad.content.startswith("`vorlauf` gehört zu `uhrzeit:auto`")
    status = (await reply_to(emu, anna, "stretch status")).content
    assert "**Uhrzeit:** richtet sich nach dem Beginn deiner Beschwerden, 60 Min. davor" in status
    await deliver_due(bot, clock, datetime(2026, 3, 2, 18, 30, 10, tzinfo=UTC))
    dm = await emu.wait_for_dm(anna)
    assert dm.embeds[0]["title"].startswith("Zeit zum Dehnen: ")
    assert set(buttons(dm)) == {"Erledigt", "15 Min. später", "Erinnerungen beenden"}


async def test_medicine_replies_reminder_and_buttons_in_german(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    anna = german(emu, "anna")
    no_zone = await reply_to(emu, anna, "meds add", name="Eisen", times="17:30")
    assert no_zone.content.startswith("Ich brauche zuerst deine Zeitzone")
    await with_zone(bot, anna)
    bad = await reply_to(emu, anna, "meds add", name="Eisen", times="17:30, 25:99")
    assert bad.content.startswith("Uhrzeit 2 von 2: „25:99“ ist keine gültige Uhrzeit")
    assert await bot.repos.meds.medicines(anna.id) == []
    added = await reply_to(emu, anna, "meds add", name="Eisen", times="17:30", days="werktags")
    assert added.content.startswith(
        "**Eisen** hinzugefügt: Erinnerungen um 17:30 Uhr, werktags (Europe/Berlin), per "
        "Direktnachricht, mit den Knöpfen Genommen, Ausgelassen und Später.\nNächste: <t:"
    )
    await deliver_due(bot, clock, DUE + timedelta(seconds=10))
    dm = await emu.wait_for_dm(anna)
    embed = dm.embeds[0]
    assert embed["title"] == "Erinnerung: Eisen"
    assert embed["description"].startswith(
        "Deine Erinnerung für 17:30 Uhr. Tippe auf **Genommen**, sobald du es genommen hast, oder "
        "auf **Ausgelassen**, wenn du es diesmal auslässt."
    )
    assert embed["footer"]["text"].startswith("/medikamente beenden beendet diese Erinnerungen")
    ids = buttons(dm)
    assert set(ids) == {"Genommen", "Ausgelassen", "15 Min. später"}
    other = german(emu, "carla")
    refused = await (await emu.click(other, dm, ids["Genommen"])).response()
    assert (
        refused.content
        == "Diese Erinnerung gehört jemand anderem, deshalb habe ich nichts geändert."
    )
    snoozed = await (await emu.click(anna, dm, ids["15 Min. später"])).response()
    assert snoozed.content.startswith("Verschoben. Ich erinnere dich <t:")
    # The snoozed reminder comes 15 minutes later; answered there, the first one says so.
    await deliver_due(bot, clock, DUE + timedelta(minutes=16))
    later = await emu.wait_for_dm(anna)
    assert fields(later.embeds[0])["Hinweis"] == "Hier ist die verschobene Erinnerung."
    taken = await (await emu.click(anna, later, buttons(later)["Genommen"])).response()
    assert (
        taken.embeds[0]["footer"]["text"]
        == "Genommen: Eisen, Mo., 2. März 17:46 Uhr (Europe/Berlin)."
    )
    again = await (await emu.click(anna, dm, ids["Ausgelassen"])).response()
    assert again.content.startswith("Schon notiert: Genommen: Eisen")
    assert again.content.endswith("Nichts wurde geändert.")
    listing = (await reply_to(emu, anna, "meds list")).content
    assert listing.startswith("**Eisen** · 17:30 · werktags\n  nächste <t:")
    assert "letzte 7 Tage: 1-mal genommen · zuletzt genommen Mo., 2. März 17:46 Uhr" in listing
    ahead = await reply_to(emu, anna, "meds taken", name="eisen", time="23:00")
    assert ahead.content.startswith("23:00 Uhr liegt heute noch vor dir (bei dir ist es 17:46 Uhr)")
    typo = await reply_to(emu, anna, "meds taken", name="eisen", time="8")
    assert typo.content == (
        "Einnahmezeit: Bitte gib die Minuten mit an: Meinst du bei „8“ 08:00 oder 20:00?"
    )


async def test_labs_replies_errors_delete_and_retest_reminder_in_german(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    anna = await with_zone(bot, german(emu, "anna"))
    empty = await reply_to(emu, anna, "labs list")
    assert empty.content.startswith("Noch keine Laborwerte.")
    bad = await reply_to(emu, anna, "labs add", ferritin=45, date="31.2.2026")
    assert bad.content == "„31.2.2026“ ist kein Datum im Kalender."
    future = await reply_to(emu, anna, "labs add", ferritin=45, date="2026-03-05")
    assert future.content.startswith("Der 05.03.2026 liegt in der Zukunft")
    assert await bot.repos.labs.all(anna.id) == []
    saved = await reply_to(
        emu, anna, "labs add", ferritin=45.5, tsat=18, date="gestern", fasting="yes", retest_in=2
    )
    text = saved.content
    assert text.startswith(
        "Gespeichert.\n• Ferritin **45,5 ng/ml**, Transferrinsättigung **18 %** · 01.03.2026 "
        "(gestern) · nüchtern"
    )
    # "suggests": the guideline's conditional recommendation, not "empfiehlt".
    assert "Die Leitlinie der AASM von 2024 schlägt vor, eine Eisenbehandlung" in text
    assert (
        "Deine neuesten Werte (Ferritin 45,5 ng/ml, Transferrinsättigung 18 %; 01.03.2026, " in text
    )
    assert "-# ng/ml und µg/l sind dieselbe Zahl. Kein medizinischer Rat." in text
    assert "Erinnerung an die Kontrolle: <t:" in text
    corrected = await reply_to(emu, anna, "labs add", ferritin=46, date="gestern")
    assert corrected.content.startswith(
        "Dein Wert vom 01.03.2026 wurde aktualisiert (vorher Ferritin **45,5 ng/ml**, "
        "Transferrinsättigung **18 %**).\n• Ferritin **46 ng/ml** · 01.03.2026 (gestern)\n"
    )
    ask = await reply_to(emu, anna, "labs delete", date="1.3.2026")
    assert ask.content.startswith("Diesen Wert löschen?\n")
    assert set(buttons(ask)) == {"Diesen Wert löschen", "Behalten"}
    kept = await (await emu.click(anna, ask, buttons(ask)["Behalten"])).response()
    assert kept.content == "Behalten."
    again = await reply_to(emu, anna, "labs delete", date="1.3.2026")
    gone = await (await emu.click(anna, again, buttons(again)["Diesen Wert löschen"])).response()
    assert gone.content == "Der Wert vom 01.03.2026 ist gelöscht."
    retest = await bot.repos.reminders.get_schedule(anna.id, "labs:retest")
    assert retest is not None and retest.next_due is not None
    await deliver_due(bot, clock, retest.next_due + timedelta(seconds=5))
    await bot.engine.drain()
    [dm] = [m for m in emu.dms_to(anna) if m.embeds]
    assert dm.embeds[0]["title"] == "Zeit, nach einer Ferritin-Kontrolle zu fragen"
    assert dm.embeds[0]["description"].startswith(
        "Am 02.03.2026 hast du mich gebeten, dich heute zu erinnern."
    )
    assert dm.embeds[0]["footer"]["text"] == (
        "Eine Erinnerung, die du dir gestellt hast, kein medizinischer Rat."
    )


async def test_config_in_the_servers_language(emu: DiscordEmulator, bot: RlsBot) -> None:
    guild = emu.add_guild("RLS Freunde", channels=["allgemein", "tipps", "erinnerungen"])
    guild.locale = "de"
    mod = emu.add_user("mod")  # an English client: the server's language decides
    tips = guild.channel("tipps")

    async def config(command: str, **options: Any) -> Any:
        return await (
            await emu.slash(
                mod, f"config {command}", options, guild=guild, permissions=Permissions.manager
            )
        ).response()

    async with completed(bot):
        posted = await config("tips-channel", channel=tips, timezone="Europe/Berlin")
    assert posted.content.startswith(
        f"Jeden Tag um 17:00 Uhr (Europe/Berlin) poste ich einen Tipp in <#{tips.id}>"
    )
    same = await config("timezone", timezone="Berlin")
    assert same.content == "Die Zeitzone des Servers ist schon Europe/Berlin."
    off = await config("reminder-channel")
    assert off.content == "Es gibt keinen Erinnerungskanal zum Ausschalten."
    shown = (await config("show")).content
    assert shown.startswith("**Servereinstellungen**\n**Erinnerungskanal:** nicht festgelegt")
    assert f"**Tipp des Tages:** <#{tips.id}> um 17:00 Uhr" in shown
    assert "**Letzte Änderungen**" in shown and f"von <@{mod.id}>" in shown
    ask = await config("reset")
    assert ask.content.startswith("Alle Einstellungen dieses Servers zurücksetzen?")
    assert set(buttons(ask)) == {"Auf Standard zurücksetzen", "Behalten"}
    member = german(emu, "anna")
    refused = await (
        await emu.slash(
            member, "config show", {}, guild=guild, permissions=Permissions.default_member
        )
    ).response()
    assert refused.content.startswith("Nur Mitglieder mit der Berechtigung **Server verwalten**")


async def test_an_english_client_stays_english(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    bob = await with_zone(bot, emu.add_user("bob"))
    added = await reply_to(emu, bob, "meds add", name="Iron", times="17:30")
    assert added.content.startswith("Added **Iron**: reminders at 17:30, every day")
    await deliver_due(bot, clock, DUE + timedelta(seconds=10))
    dm = await emu.wait_for_dm(bob)
    assert dm.embeds[0]["title"] == "Reminder: Iron"
    assert set(buttons(dm)) == {"Taken", "Skipped", "Snooze 15 min"}
    labs = await reply_to(emu, bob, "labs add", ferritin=45.5, date="yesterday")
    assert labs.content.startswith("Saved.\n• Ferritin **45.5 ng/mL** · 01 Mar 2026 (yesterday)")
    bad = await reply_to(emu, bob, "stretch remind", time="25:99")
    assert bad.content.startswith("“25:99” isn't a valid time: hours go up to 23")


async def test_a_refusal_names_the_german_commands_and_options(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    guild = emu.add_guild("RLS Freunde", channels=["allgemein"])
    anna = german(emu, "anna")
    options = {"timezone": "Europe/Berlin", "where": "channel"}
    reply = await (await emu.slash(anna, "stretch remind", options, guild=guild)).response()
    assert reply.ephemeral
    assert reply.content == (
        "Dieser Server hat noch keinen Erinnerungskanal. Bitte eine Moderatorin oder einen "
        "Moderator, ihn mit `/einstellungen erinnerungskanal` festzulegen, oder wähle "
        "`wo: Per Direktnachricht`."
    )
    assert await bot.repos.reminders.get_schedule(anna.id, "stretch") is None
