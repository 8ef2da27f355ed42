"""Replies in the person's language (issue 22): a Discord client in German (``locale: de``) gets
German replies, buttons, errors and reminders; a German server (``guild_locale: de``) gets its
daily tip in German; every other locale gets English. Through the emulator, every body validated
against Discord's OpenAPI description."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest

from bot.client import RlsBot
from bot.emulator import DiscordEmulator, EmuUser
from bot.emulator.permissions import Permissions
from bot.i18n.content import translated_tip_ids
from bot.tips import NOTICE
from tests.e2e.stretch_steps import DUE, buttons, deliver_due, subscribe
from tests.e2e.test_config import TIP_DUE

GERMAN_NOTICE = "Kein medizinischer Rat"
ENGLISH_NOTICE = NOTICE


@asynccontextmanager
async def completed(bot: RlsBot) -> AsyncIterator[None]:
    """Wait until the bot has finished with the command the block sends, including what it does
    after the reply (noting the person's language)."""
    done = asyncio.ensure_future(bot.wait_for("app_command_completion", timeout=5))
    yield
    await done
    listeners = [
        task
        for task in asyncio.all_tasks()
        if task.get_name() == "discord.py: on_app_command_completion"
    ]
    await asyncio.gather(*listeners)


def german(emu: DiscordEmulator, name: str) -> EmuUser:
    user = emu.add_user(name)
    user.locale = "de"
    return user


def fields(embed: dict[str, Any]) -> dict[str, str]:
    return {field["name"]: field["value"] for field in embed.get("fields", [])}


async def test_a_tip_in_german_with_german_buttons_notice_and_field_names(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    anna = german(emu, "anna")
    reply = await (await emu.slash(anna, "rls tip", {"private": True})).response()
    embed = reply.embeds[0]
    assert reply.ephemeral
    assert embed["footer"]["text"].startswith(GERMAN_NOTICE)
    assert "Thema" in fields(embed) and {"Quelle", "Quellen"} & set(fields(embed))
    assert "Noch ein Tipp" in buttons(reply)
    # Every tip with a German text is shown in German; its English title never is.
    shown = [embed["title"]]
    for _ in range(6):
        again = await (await emu.click(anna, reply, buttons(reply)["Noch ein Tipp"])).response()
        shown.append(again.embeds[0]["title"])
        assert again.embeds[0]["footer"]["text"].startswith(GERMAN_NOTICE)
    catalog = bot.get_cog("TipsCog").catalog  # type: ignore[union-attr]
    english_titles = {catalog.get(i).title for i in translated_tip_ids("de")}
    assert not english_titles & set(shown)


async def test_about_and_help_in_german(emu: DiscordEmulator, bot: RlsBot) -> None:
    anna = german(emu, "anna")
    about = (await (await emu.slash(anna, "rls about")).response()).embeds[0]
    assert about["title"] == "Über RLS Companion"
    assert {"Woher die Tipps stammen", "Bitte beachten", "Datenschutz", "Mehr"} <= set(
        fields(about)
    )
    assert fields(about)["Bitte beachten"].startswith(GERMAN_NOTICE)
    # The publishers the German tips cite, the German ones too; never the blog article, which
    # the sentence names itself.
    publishers = fields(about)["Woher die Tipps stammen"].split(": ", 1)[1]
    assert "DGN/DGSM" in publishers and "Deutsche Restless Legs Vereinigung" in publishers
    assert "NHS" in publishers and "Blog" not in publishers and "blog" not in publishers
    shown = (await (await emu.slash(anna, "help")).response()).embeds[0]
    assert shown["description"].startswith("Tipps zum Restless-Legs-Syndrom")
    assert {"Hilfe", "RLS-Tipps", "Deine Zeitzone", "Deine Daten"} <= set(fields(shown))
    # Every section title is German, those of features whose replies are not yet translated too.
    assert set(fields(shown)) == {
        "Hilfe", "RLS-Tipps", "Deine Zeitzone", "Deine Daten", "Schlaftagebuch",
        "Dehn-Erinnerungen", "Eisenwerte", "Medikamente",
    }  # fmt: skip
    # The command descriptions are the German ones Discord shows in its command list.
    assert "`/hilfe` — Was dieser Bot kann" in fields(shown)["Hilfe"]
    # Commands as a German client shows them: German names, never the English ones.
    listed = "\n".join(fields(shown).values())
    assert "`/schlaf eintragen`" in listed and "`/dehnen erinnern`" in listed
    assert "/sleep" not in listed and "/stretch" not in listed


async def test_timezone_replies_and_errors_in_german(emu: DiscordEmulator, bot: RlsBot) -> None:
    anna = german(emu, "anna")
    unset = await (await emu.slash(anna, "timezone show")).response()
    assert unset.content.startswith("Du hast noch keine Zeitzone festgelegt.")
    assert "`/zeitzone festlegen`" in unset.content  # the path a German client shows
    ok = await (await emu.slash(anna, "timezone set", {"zone": "Berlin"})).response()
    assert (
        ok.content == "Deine Zeitzone ist jetzt **Berlin → Europe/Berlin** (dort ist es 13:00 Uhr)."
    )
    bad = await (await emu.slash(anna, "timezone set", {"zone": "CST"})).response()
    assert bad.ephemeral and "ist eine Abkürzung" in bad.content
    assert " oder America/" in bad.content and " or " not in bad.content
    unknown = await (await emu.slash(anna, "timezone set", {"zone": "Xyzzyville"})).response()
    assert unknown.content.startswith("Die Zeitzone „Xyzzyville“ kenne ich nicht.")
    profile = await bot.repos.users.get(anna.id)
    assert profile is not None and profile.timezone == "Europe/Berlin"  # the errors changed nothing


async def test_a_reminder_arrives_in_german_after_the_person_used_the_bot_in_german(
    emu: DiscordEmulator, bot: RlsBot, clock: Any
) -> None:
    anna, bob = german(emu, "anna"), emu.add_user("bob")
    for person in (anna, bob):
        async with completed(bot):
            await subscribe(emu, person)
    assert await bot.repos.users.locale(anna.id) == "de"
    assert await bot.repos.users.locale(bob.id) == "en-US"
    await deliver_due(bot, clock, DUE + timedelta(seconds=10))
    dm = await emu.wait_for_dm(anna)
    embed = dm.embeds[0]
    assert embed["title"].startswith("Zeit zum Dehnen: ")
    assert "Schritte" in fields(embed) and "*Insgesamt: " in fields(embed)["Schritte"]
    assert embed["footer"]["text"].startswith("Sanft bleiben: ")
    ids = buttons(dm)
    assert set(ids) == {"Erledigt", "15 Min. später", "Erinnerungen beenden"}
    english = await emu.wait_for_dm(bob)
    assert english.embeds[0]["title"].startswith("Time to stretch: ")
    assert set(buttons(english)) == {"Done", "Snooze 15 min", "Stop reminders"}

    # Someone else's press is refused in the presser's language.
    other = german(emu, "carla")
    refused = await (await emu.click(other, dm, ids["Erledigt"])).response()
    assert refused.content == "Diese Erinnerung gehört jemand anderem."
    snoozed = await (await emu.click(anna, dm, ids["15 Min. später"])).response()
    assert snoozed.content.startswith("Verschoben. Ich erinnere dich <t:")
    ask = await (await emu.click(anna, dm, ids["Erinnerungen beenden"])).response()
    assert ask.content.startswith("Deine täglichen Dehn-Erinnerungen beenden?")
    assert set(buttons(ask)) == {"Ja, beenden", "Behalten"}
    done = await (await emu.click(anna, dm, ids["Erledigt"])).response()
    assert done.embeds[0]["footer"]["text"] == "Erledigt. Gut gedehnt!"


async def test_the_daily_tip_is_posted_in_the_servers_language(
    emu: DiscordEmulator, bot: RlsBot, clock: Any
) -> None:
    guild = emu.add_guild("RLS Freunde", channels=["allgemein", "tipps"])
    guild.locale = "de"
    mod = emu.add_user("mod")  # an English client: the server's language decides
    tips = guild.channel("tipps")
    async with completed(bot):
        await emu.slash(
            mod,
            "config tips-channel",
            {"channel": tips, "timezone": "Europe/Berlin"},
            guild=guild,
            permissions=Permissions.manager,
        )
    assert await bot.repos.guild_settings.locale(guild.id) == "de"
    clock.set(TIP_DUE + timedelta(seconds=10))
    assert await bot.engine.tick() == 1
    post = await emu.wait_for_message(channel_id=tips.id)
    embed = post.embeds[0]
    assert embed["author"]["name"] == "Tipp des Tages"
    assert "Thema" in fields(embed)
    assert embed["footer"]["text"].startswith(GERMAN_NOTICE)


@pytest.mark.parametrize("locale", ["fr", "en-GB", "nl", "da"])
async def test_any_other_locale_gets_english(
    emu: DiscordEmulator, bot: RlsBot, locale: str
) -> None:
    pierre = emu.add_user("pierre")
    pierre.locale = locale
    tip = await (await emu.slash(pierre, "rls tip", {"private": True})).response()
    assert tip.embeds[0]["footer"]["text"] == ENGLISH_NOTICE
    assert "Another tip" in buttons(tip)
    shown = (await (await emu.slash(pierre, "help")).response()).embeds[0]
    assert "`/help` — What this bot can do, command by command." in fields(shown)["Help"]
    ok = await (await emu.slash(pierre, "timezone set", {"zone": "Paris"})).response()
    assert ok.content.startswith("Your timezone is now **Paris → Europe/Paris**")


async def test_the_closed_dm_notice_is_german(
    emu: DiscordEmulator, bot: RlsBot, clock: Any
) -> None:
    anna = german(emu, "anna")
    await subscribe(emu, anna)
    emu.close_dms(anna)
    await deliver_due(bot, clock, DUE + timedelta(seconds=10))
    await bot.engine.drain()
    helped = await emu.slash(anna, "help")
    await helped.response()
    notice = await helped.followup()
    assert notice.flags & 64
    assert notice.content.startswith(
        "Kurzer Hinweis: Ich konnte dir keine Direktnachricht schicken, deshalb sind deine "
        "Dehn-Erinnerungen pausiert. Erlaube Direktnachrichten"
    )
    assert "Oder erhalte sie im Erinnerungskanal" in notice.content


async def test_topics_and_search_in_german(emu: DiscordEmulator, bot: RlsBot) -> None:
    anna = german(emu, "anna")
    topics = (await (await emu.slash(anna, "rls topics")).response()).embeds[0]
    assert topics["title"] == "Themen der RLS-Tipps"
    assert (
        "**Beschwerden** · " in topics["description"]
        and " Tipps · `symptoms`" in topics["description"]
    )
    # German words find the German tips.
    found = await (await emu.slash(anna, "rls search", {"query": "Schlafapnoe"})).response()
    assert found.embeds[0]["title"] == "Tipps zu „Schlafapnoe“"
    assert "Lautes Schnarchen" in found.embeds[0]["description"]
    menu = found.components[0]["components"][0]
    assert menu["placeholder"] == "Tipp öffnen…"
    none = await (await emu.slash(anna, "rls search", {"query": "qqqq"})).response()
    assert none.content.startswith("Zu „qqqq“ habe ich keine Tipps gefunden.")


async def test_a_topic_by_its_german_name_and_an_unknown_one_in_german(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    """Found in a console walk: `/rls tipp thema:Schlaf` (the name /rls themen shows) was
    refused, in English."""
    anna = german(emu, "anna")
    reply = await (
        await emu.slash(anna, "rls tip", {"topic": "schlaf", "private": True})
    ).response()
    assert [field for field in reply.embeds[0]["fields"] if field["name"] == "Thema"] == [
        {"name": "Thema", "value": "Schlaf", "inline": True}
    ]
    unknown = await (
        await emu.slash(anna, "rls tip", {"topic": "Strickn", "private": True})
    ).response()
    assert unknown.ephemeral and not unknown.embeds
    assert unknown.content.startswith("Das Thema „Strickn“ kenne ich nicht.")
    assert "Beschwerden (`symptoms`)" in unknown.content and "Schlaf (`sleep`)" in unknown.content
    assert "topic" not in unknown.content.replace("`", " ").split()
    typo = await (
        await emu.slash(anna, "rls tip", {"topic": "Bewegnug", "private": True})
    ).response()
    assert "Meintest du **Bewegung**?" in typo.content


async def test_a_channel_reminder_asked_for_in_a_dm_and_odd_searches_answer_in_german(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    """Found in a console walk: `/dehnen erinnern wo:Im Erinnerungskanal` in a DM answered in
    English, and so did a search of punctuation only."""
    anna = german(emu, "anna")
    in_dm = await (
        await emu.slash(anna, "stretch remind", {"where": "channel", "timezone": "Berlin"})
    ).response()
    assert in_dm.content == (
        "Erinnerungen in einem Kanal lassen sich nur auf einem Server einrichten."
    )
    assert await bot.repos.reminders.get_schedule(anna.id, "stretch") is None
    marks = await (await emu.slash(anna, "rls search", {"query": "!!!"})).response()
    assert marks.content == "Such mit Buchstaben oder Zahlen, z. B. „Wadendehnung“."
    blank = await (await emu.slash(anna, "rls search", {"query": "   "})).response()
    assert blank.content.startswith("Gib ein, zwei Wörter ein, nach denen ich suchen soll")
