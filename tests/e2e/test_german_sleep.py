"""/sleep in German (issue 22): with the Discord client in German (``locale: de``) the diary's
replies, the check-in's pages, menus, modal labels and buttons, its errors with "Fix it", the
stats with the augmentation watch, edit and delete, and the morning prompt DM (the stored
locale) are German and fit Discord's limits; an English client keeps English. Through the
emulator, every body validated against Discord's OpenAPI description."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.client import RlsBot
from bot.clinical.labs import LabResult
from bot.clinical.watch import SOURCE_URL
from bot.clock import FakeClock
from bot.emulator import DiscordEmulator, EmuUser
from bot.i18n import speaker
from cogs._sleep_checkin import all_options
from tests.e2e.stretch_steps import buttons
from tests.e2e.test_german_replies import completed, german
from tests.e2e.test_sleep import seed, with_zone
from tests.e2e.test_sleep_checkin import region_completions
from tests.e2e.test_sleep_watch import augmenting
from tests.sleep.test_report import pdf_streams

TODAY = date(2026, 3, 2)  # the clock fixture: Monday 13:00 in Berlin


def cid(part: str, user: EmuUser, night: str = "20260302") -> str:
    return f"rls:sleep:ci:{part}:{user.id}:{night}"


def walk(components: list[Any]) -> Iterator[dict[str, Any]]:
    for component in components:
        yield component
        yield from walk(component.get("components") or [])
        if isinstance(component.get("component"), dict):
            yield from walk([component["component"]])


def option_labels(message: Any) -> list[str]:
    return [
        option["label"]
        for c in walk(message.components)
        if c["type"] == 3
        for option in c.get("options", [])
    ]


def placeholders(message: Any) -> list[str]:
    return [c["placeholder"] for c in walk(message.components) if c["type"] == 3]


def modal_labels(modal: Any) -> list[str]:
    return [c["label"] for c in walk(modal.components) if "label" in c]


async def anna_with_zone(emu: DiscordEmulator, bot: RlsBot) -> EmuUser:
    return await with_zone(bot, german(emu, "anna"))


def test_every_german_option_label_fits_discord_and_none_is_left_in_english() -> None:
    english, deutsch = all_options(speaker("en")), all_options(speaker("de"))
    for en_menu, de_menu in zip(english, deutsch, strict=True):
        assert len(de_menu) <= 25
        for (_, en_label), (_, de_label) in zip(en_menu, de_menu, strict=True):
            assert 1 <= len(de_label) <= 100
            # Only the bare scale points ("RLS 3/10") read the same in both languages.
            assert de_label != en_label or de_label.startswith("RLS ") or de_label == "Massage"


def test_the_menus_say_an_hour_and_more_as_the_german_diary_does() -> None:
    labels = {label for menu in all_options(speaker("de")) for _, label in menu}
    assert {
        "In der Nacht 1 Std. 30 Min. wach",
        "Nach 1 Std. 00 Min. in Ruhe",
        "Insgesamt 4 Std. 00 Min. Nickerchen",
    } <= labels
    assert not [label for label in labels if re.search(r"\dh\d", label)]  # not "1h30"


async def test_the_checkin_in_german_form_next_back_and_save(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    anna = await anna_with_zone(emu, bot)
    opened = await emu.slash(anna, "sleep checkin")
    modal = await opened.response()
    assert modal.title == "Nacht bis Mo., 2. März: Uhrzeiten"
    labels = modal_labels(modal)
    assert "Ins Bett gegangen (z. B. 23:15)" in labels
    assert all(len(label) <= 45 for label in labels)
    page = await (
        await emu.submit_modal(anna, opened, {"bed": "23 Uhr", "latency": "20", "wake": "6:45"})
    ).response()
    assert page.content.startswith("**Nacht bis Mo., 2. März**: und der Rest der Nacht?")
    assert "3-mal aufgewacht" in option_labels(page)
    assert "Qualität 2: schlecht" in option_labels(page)
    assert set(buttons(page)) == {"Weiter: RLS & Stichwörter", "Speichern"}
    await (await emu.select(anna, page, cid("quality", anna), ["2"])).response()
    await (await emu.click(anna, page, cid("next", anna))).response()
    message = page.message
    assert message is not None
    assert "RLS und sonst noch etwas?" in message.content
    assert {"Beine (und Füße)", "Koffein", "Spätes Essen", "Eisenpräparat"} <= set(
        option_labels(message)
    )
    assert "Stichwörter für gestern/letzte Nacht" in placeholders(message)
    assert set(buttons(message)) == {
        "Zurück",
        "Weiter: Nickerchen",
        "Notiz hinzufügen …",
        "Speichern",
    }
    await (await emu.select(anna, message, cid("tags", anna), ["caffeine"])).response()
    await (await emu.select(anna, message, cid("regions", anna), ["legs", "arms"])).response()
    # Back shows the first page again, with what was picked.
    await (await emu.click(anna, message, cid("back", anna))).response()
    assert "und der Rest der Nacht?" in message.content
    await (await emu.click(anna, message, cid("next", anna))).response()
    await (await emu.click(anna, message, cid("tonaps", anna))).response()
    assert "Nickerchen gestern?" in message.content
    assert "Gestern kein Nickerchen" in option_labels(message)
    saved = await (await emu.click(anna, message, cid("save", anna))).response()
    assert saved.content.startswith("Gespeichert. **Mo., 2. März** · ins Bett 23:00, wach 06:45")
    assert "Qualität 2/5" in saved.content and "Koffein" in saved.content
    assert "Beschwerden: Beine, Arme, in Ruhe –" in saved.content
    assert "Nur du siehst das." in saved.content
    entry = await bot.repos.diary.get(anna.id, TODAY)
    assert entry is not None and entry.tags == {"caffeine"} and entry.quality == 2


async def test_save_on_the_first_page_in_german(emu: DiscordEmulator, bot: RlsBot) -> None:
    anna = await anna_with_zone(emu, bot)
    opened = await emu.slash(anna, "sleep checkin")
    page = await (await emu.submit_modal(anna, opened, {"bed": "23:00", "wake": "7:00"})).response()
    saved = await (await emu.click(anna, page, cid("save", anna))).response()
    assert saved.content.startswith("Gespeichert.")
    # What is missing for total sleep and efficiency, said in German.
    assert "Ergänze die Einschlafdauer, die Wachminuten in der Nacht und wann du" in saved.content


async def test_a_typo_in_the_form_is_told_in_german_and_fix_it_keeps_the_typing(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    anna = await anna_with_zone(emu, bot)
    opened = await emu.slash(anna, "sleep checkin")
    values = {"bed": "23:00", "latency": "eine halbe Stunde", "wake": "7:00"}
    failed = await (await emu.submit_modal(anna, opened, values)).response()
    assert failed.content.startswith(
        "Die Einschlafdauer sollte eine Zahl wie 20 sein, nicht „eine halbe Stunde“."
    )
    assert set(buttons(failed)) == {"Korrigieren"}
    reopened = await emu.click(anna, failed, buttons(failed)["Korrigieren"])
    modal = await reopened.response()
    assert modal.title == "Nacht bis Mo., 2. März: Uhrzeiten"
    page = await (await emu.submit_modal(anna, reopened, {"latency": "30"})).response()
    assert "und der Rest der Nacht?" in page.content


async def test_sleep_log_in_german_with_german_tags_and_regions_and_its_errors(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    anna = await anna_with_zone(emu, bot)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"bed": "23:00", "wake": "7:00", "severity": 11}, "RLS-Stärke geht von 0 bis 10"),
        ({"bed": "23:00", "wake": "7:00", "up": "6:00"}, "liegt vor dem endgültigen Aufwachen"),
        ({"bed": "23:00", "wake": "halb acht"}, "Endgültiges Aufwachen: Ich konnte "),
        ({"bed": "23:00", "wake": "25:00"}, "Versuch 17:30 oder 17 Uhr."),
        ({"bed": "23:00", "wake": "7:00", "tags": "Koffien"}, "Meintest du Koffein?"),
        ({"bed": "23:00", "wake": "7:00", "night": "morgen"}, "Ich konnte „morgen“ nicht"),
        ({"bed": "23:00", "wake": "7:00", "regions": "Knie"}, "„knie“ ist keine der Körper"),
    ]
    for options, message in cases:
        reply = await (await emu.slash(anna, "sleep log", options)).response()
        assert reply.ephemeral and message in reply.content, (options, reply.content)
    assert await bot.repos.diary.recent_nights(anna.id, 5) == []
    # The regions' autocomplete offers German words, which /sleep log reads.
    assert await region_completions(emu, anna, "beine, r") == ["beine, rumpf"]
    logged: dict[str, Any] = {
        "bed": "22:30",
        "wake": "6 Uhr",
        "severity": 4,
        "tags": "Koffein, spätes Essen, Sport, Medikament genommen",
        "regions": "Beine, Rumpf",
        "night": "gestern",
    }
    saved = await (await emu.slash(anna, "sleep log", logged)).response()
    assert saved.content.startswith("Gespeichert. **So., 1. März**"), saved.content
    assert "Koffein, Spätes Essen, Sport, Medikament genommen" in saved.content
    entry = await bot.repos.diary.get(anna.id, date(2026, 3, 1))
    assert entry is not None
    assert entry.tags == {"caffeine", "late_meal", "exercise", "medication"}
    assert entry.body_regions == {"legs", "trunk"}
    # The same night again, unchanged: nothing to ask.
    same = await (await emu.slash(anna, "sleep log", logged)).response()
    assert same.content.startswith("Nichts zu ändern: So hast du die Nacht schon eingetragen.")
    # The same night with another answer: asked first, in German.
    again = await (await emu.slash(anna, "sleep log", {**logged, "severity": 5})).response()
    assert again.content.startswith("Du hast die Nacht bis So., 1. März schon eingetragen:")
    assert set(buttons(again)) == {"Ersetzen", "Den alten behalten"}
    kept = await (await emu.click(anna, again, buttons(again)["Den alten behalten"])).response()
    assert kept.content == "Dein früherer Eintrag bleibt."


async def test_relogging_in_german_names_what_replacing_deletes(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    anna = await anna_with_zone(emu, bot)
    first = {"bed": "23:00", "wake": "7:00", "note": "Beine unruhig", "rls_start": "21:30"}
    await (await emu.slash(anna, "sleep log", first)).response()
    again = await (await emu.slash(anna, "sleep log", {"bed": "23:30", "wake": "7:00"})).response()
    assert (
        "Ersetzen löscht, was nur der alte Eintrag hat: die Notiz „Beine unruhig“, "
        "Beschwerden ab 21:30."
    ) in again.content


async def test_stats_with_the_augmentation_watch_in_german(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    anna = await anna_with_zone(emu, bot)
    await augmenting(bot, anna)
    reply = await (await emu.slash(anna, "sleep stats")).response()
    [embed] = reply.embeds
    assert reply.ephemeral and embed["title"] == "Dein Schlaf"
    assert embed["description"].startswith("Eingetragene Nächte: **14** der letzten 14 Tage")
    assert "**RLS-Stärke:** 6,0/10" in embed["description"]
    names = [field["name"] for field in embed["fields"]]
    watch = "\n".join(
        f["value"] for f in embed["fields"][names.index("Augmentations-Beobachtung") :]
    )
    assert "**Beschwerden beginnen früher:** Median 19:30 Uhr in den letzten 28 Tagen" in watch
    assert "**Neu betroffen – Arme:** Arme in 28 von 28 Nächten" in watch
    assert "**Stärkere Beschwerden:** Median der RLS-Stärke 6/10" in watch
    assert "Warnzeichen einer Augmentation" in watch
    assert "kein Befund, keine Diagnose" in watch and SOURCE_URL in watch
    for word in ("Dosis erhöhen", "absetzen", "Diagnose:"):
        assert word not in watch


async def test_stats_watch_still_needs_nights_in_german(emu: DiscordEmulator, bot: RlsBot) -> None:
    anna = await anna_with_zone(emu, bot)
    await seed(bot, anna, nights=6)
    reply = await (await emu.slash(anna, "sleep stats")).response()
    [embed] = reply.embeds
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Augmentations-Beobachtung"].startswith(
        "Die Augmentations-Beobachtung braucht 7 Nächte"
    )
    assert "Nächte mit gegenüber ohne Stichwort" in fields
    assert "**Gedehnt** (3 gegenüber 3 Nächten)" in fields["Nächte mit gegenüber ohne Stichwort"]


async def test_the_history_chart_caption_in_german_has_one_full_stop(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    anna = await anna_with_zone(emu, bot)
    await seed(bot, anna, nights=3)
    clock.set(datetime(2026, 4, 1, 11, 0, tzinfo=UTC))
    reply = await (await emu.slash(anna, "sleep history", {"days": 60})).followup()
    # German abbreviates the month ("1. Apr."): a sentence ending on the date read "Apr..".
    assert reply.content == (
        "3 Nächte vom So., 1. Feb. bis Mi., 1. Apr.; gestrichelte Linie: der übliche "
        "Zielwert von 85 % Schlafeffizienz."
    ), reply.content


async def test_edit_and_delete_in_german(emu: DiscordEmulator, bot: RlsBot) -> None:
    anna = await anna_with_zone(emu, bot)
    await seed(bot, anna, nights=1)
    opened = await emu.slash(anna, "sleep edit", {"night": "2026-03-02"})
    modal = await opened.response()
    assert modal.title == "Nacht bis Mo., 2. März: Uhrzeiten"
    page = await (await emu.submit_modal(anna, opened, {"bed": "22:00"})).response()
    done = await (await emu.click(anna, page, cid("save", anna))).response()
    assert done.content.startswith("Aktualisiert. **Mo., 2. März** · ins Bett 22:00")
    missing = await (await emu.slash(anna, "sleep edit", {"night": "2026-02-20"})).response()
    assert missing.content == "Die Nacht bis Freitag, 20. Februar 2026 hast du nicht eingetragen."
    ask = await (await emu.slash(anna, "sleep delete", {"night": "2026-03-02"})).response()
    assert ask.content.startswith("Diese Nacht löschen?\n**Mo., 2. März**")
    assert set(buttons(ask)) == {"Diese Nacht löschen", "Behalten"}
    gone = await (await emu.click(anna, ask, buttons(ask)["Diese Nacht löschen"])).response()
    assert gone.content == "Die Nacht bis Mo., 2. März ist gelöscht."


@pytest.mark.parametrize(("locale", "german_reply"), [("de", True), ("en-US", False)])
async def test_the_morning_prompt_dm_speaks_the_stored_language(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock, locale: str, german_reply: bool
) -> None:
    person = emu.add_user("anna")
    person.locale = locale
    await with_zone(bot, person)
    async with completed(bot):
        reply = await (await emu.slash(person, "sleep remind", {"time": "7:30"})).response()
    if german_reply:
        assert reply.content.startswith("Jeden Morgen um 07:30 (Europe/Berlin) schicke ich dir")
    else:
        assert reply.content.startswith("Every morning at 07:30 (Europe/Berlin) I'll DM you")
    clock.set(datetime(2026, 3, 3, 6, 30, 5, tzinfo=UTC))
    assert await bot.engine.tick() == 1
    await bot.engine.drain()
    dm = await emu.wait_for_dm(person)
    embed = dm.embeds[0]
    if german_reply:
        assert embed["title"] == "Guten Morgen! Wie hast du geschlafen?"
        assert "die Nacht bis Di., 3. März einzutragen" in embed["description"]
        assert embed["footer"]["text"] == "/schlaf erinnern uhrzeit:aus beendet diese Nachrichten."
        assert set(buttons(dm)) == {"Letzte Nacht eintragen"}
    else:
        assert embed["title"] == "Good morning! How did you sleep?"
        assert set(buttons(dm)) == {"Log last night"}
    pressed = await emu.click(person, dm, f"rls:sleep:log:{person.id}:20260303")
    modal = await pressed.response()
    title = (
        "Nacht bis Di., 3. März: Uhrzeiten" if german_reply else "Night ending Tue 03 Mar: times"
    )
    assert modal.title == title
    status = await (await emu.slash(person, "sleep remind")).response()
    word = "**Morgendliche Erinnerung ans Eintragen:**" if german_reply else "**Morning check-in"
    assert status.content.startswith(word)


async def test_closed_dms_pause_the_morning_prompt_and_say_so_in_german(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    anna = await anna_with_zone(emu, bot)
    await (await emu.slash(anna, "sleep remind", {"time": "7:30"})).response()
    emu.close_dms(anna)
    clock.set(datetime(2026, 3, 3, 6, 30, 5, tzinfo=UTC))
    assert await bot.engine.tick() == 1
    await bot.engine.drain()
    helped = await emu.slash(anna, "help")
    await helped.response()
    notice = await helped.followup()
    assert "deine morgendlichen Erinnerungen ans Eintragen pausiert" in notice.content
    status = await (await emu.slash(anna, "sleep remind")).response()
    assert status.content.startswith("**Morgendliche Erinnerung ans Eintragen:** täglich um 07:30")
    assert "**Pausiert:** Ich konnte dir keine Direktnachricht schicken." in status.content


async def test_the_report_in_german_page_and_reply(emu: DiscordEmulator, bot: RlsBot) -> None:
    anna = await anna_with_zone(emu, bot)
    await augmenting(bot, anna)
    await bot.repos.labs.save(anna.id, LabResult(date(2026, 2, 20), 45.5, 18.0), bot.clock.now())
    followup = await (await emu.slash(anna, "sleep report")).followup(timeout=15)
    assert followup.ephemeral and followup.content.startswith("Dein Bericht für")
    stem = "sleep-report-2026-03-02"
    pdf = followup.file(f"{stem}.pdf")
    # The standard Courier, nothing embedded: umlauts are in its encoding (cp1252).
    assert b"/FontFile" not in pdf and b"/BaseFont /Courier" in pdf
    content = b"".join(pdf_streams(pdf))
    for said in (
        "(Schlaf- und RLS-Tagebuch: Nächte 17. Februar 2026 – 2. März 2026) Tj",
        "(20.02.2026 \\(vor 10 Tagen\\): Ferritin 45,5, TSAT 18 %) Tj",
        "Augmentations-Beobachtung \\(die letzten 28 Tage gegenüber den 28 davor\\)",
        "Beschwerden beginnen früher:",
        "RLS-Stärke: ",
        "Begriffe. Nächte tragen das Datum",
    ):
        assert said.encode("cp1252") in content, said
    for english in (b"Sleep and RLS diary", b"Augmentation watch", b"Definitions."):
        assert english not in content
    # The CSVs stay machine-readable: the Consensus Sleep Diary's English ids.
    assert followup.file(f"{stem}.csv").decode().startswith("night,timezone,csd1_into_bed")
    assert followup.file(f"{stem}-labs.csv").decode().startswith("taken_on,ferritin_ng_ml")
