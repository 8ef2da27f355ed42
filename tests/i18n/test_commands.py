"""Command names, descriptions, options and choices in German, by the rules Discord enforces."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from discord import Locale, app_commands

from bot.client import RlsBot
from bot.command_translator import CatalogTranslator, command_messages
from bot.extensions import walk_extensions
from bot.help_text import command_path
from bot.i18n import GERMAN, load_catalog
from bot.i18n.catalog import source_messages
from bot.settings import Settings

NAME_PLACES = {"command_name", "group_name", "parameter_name"}


def follows_discord_name_rules(name: str) -> bool:
    """Discord's ``^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$``, lower case where a letter
    has a lower-case form (Python's isalnum covers the letter and number categories)."""
    return (
        1 <= len(name) <= 32
        and name == name.lower()
        and all(ch.isalnum() or ch in "-_'" for ch in name)
    )


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[RlsBot]:
    client = RlsBot(Settings(_env_file=None, database_path=tmp_path / "x.sqlite3"))  # type: ignore[call-arg]
    # Cogs register their renderers with the reminder engine as they load, so it must exist.
    await client.open_storage()
    for extension in walk_extensions():
        await client.load_extension(extension)
    yield client
    await client.db.close()


async def test_the_template_lists_exactly_the_command_strings(bot: RlsBot) -> None:
    # When this fails: run `python -m bot.command_translator`, then translate the new entries.
    from_tree = set(await command_messages(bot.tree))
    in_template = {m for m in source_messages() if m.context in {
        loc.name for loc in app_commands.TranslationContextLocation
    }}  # fmt: skip
    assert sorted(from_tree - in_template) == [], "new command strings: regenerate the template"
    assert sorted(in_template - from_tree) == [], "stale command strings: regenerate the template"


def test_every_german_name_follows_discord_rules() -> None:
    german = load_catalog(GERMAN)
    names = [m for m in source_messages() if m.context in NAME_PLACES]
    assert names
    bad = [
        (m.text, german.lookup(m.text, m.context))
        for m in names
        if not follows_discord_name_rules(german.lookup(m.text, m.context) or "")
    ]
    assert bad == []


def test_every_german_description_and_choice_fits() -> None:
    german = load_catalog(GERMAN)
    for m in source_messages():
        if m.context in {"command_description", "group_description", "parameter_description"}:
            assert 1 <= len(german.lookup(m.text, m.context) or "") <= 100, m
        if m.context == "choice_name":
            assert 1 <= len(german.lookup(m.text, m.context) or "") <= 100, m


@pytest.mark.parametrize("name", ["Tipp", "dehnen übung", "a" * 33, "", "tipp!"])
def test_the_name_rule_rejects_what_discord_rejects(name: str) -> None:
    assert not follows_discord_name_rules(name)


@pytest.mark.parametrize("name", ["tipp", "zurücksetzen", "meine-daten", "rls_beginn", "stärke"])
def test_the_name_rule_accepts_lower_case_letters_digits_and_joiners(name: str) -> None:
    assert follows_discord_name_rules(name)


async def test_the_translator_answers_german_and_leaves_other_locales_to_english(
    bot: RlsBot,
) -> None:
    translator = CatalogTranslator()
    stretch = bot.tree.get_command("stretch")
    assert isinstance(stretch, app_commands.Group)
    payload = await stretch.get_translated_payload(bot.tree, translator)
    assert payload["name_localizations"] == {"de": "dehnen"}
    remind = next(o for o in payload["options"] if o["name"] == "remind")
    assert remind["name_localizations"] == {"de": "erinnern"}
    where = next(o for o in remind["options"] if o["name"] == "where")
    assert where["name_localizations"] == {"de": "wo"}
    assert {c["name_localizations"]["de"] for c in where["choices"]} == {
        "Per Direktnachricht",
        "Im Erinnerungskanal",
    }
    assert Locale.british_english.value not in payload["name_localizations"]


def german_command_paths(tree: app_commands.CommandTree) -> dict[str, set[str]]:
    """Every German command path a German client shows (``/schlaf eintragen``, and the groups
    ``/schlaf``), each with the German names of its options."""
    german = load_catalog(GERMAN)
    paths: dict[str, set[str]] = {}

    def walk(command: Any) -> None:
        path = command_path(command, german.lookup)
        if isinstance(command, app_commands.Group):
            paths[path] = set()
            for child in command.commands:
                walk(child)
        elif isinstance(command, app_commands.Command):
            paths[path] = {
                german.lookup(p.name, "parameter_name") or p.name for p in command.parameters
            }

    for command in tree.get_commands():
        walk(command)
    return paths


# "/word", "/word word" and the "option:" words after them; not "ng/ml" or "Europe/Berlin".
COMMAND_MENTION = re.compile(
    r"(?<![\w/<#])/([a-zäöüß-]+)((?: [a-zäöüß-]+)?)((?: [a-zäöüß_]+:\S*)*)"
)


async def test_every_command_a_german_reply_names_is_a_real_german_command(bot: RlsBot) -> None:
    # A reply saying "`/sleep stats`" to a German client, whose picker shows only /schlaf, or
    # naming a renamed command, sends a tired person looking for something that is not there.
    paths = german_command_paths(bot.tree)
    groups = {path for path in paths if any(p.startswith(path + " ") for p in paths)}
    assert "/schlaf eintragen" in paths and "/hilfe" in paths
    german = load_catalog(GERMAN)
    mentioned = 0
    wrong = []
    for message in source_messages():
        text = german.lookup(message.text, message.context) or ""
        for match in COMMAND_MENTION.finditer(text):
            root, second, options = match.group(1), match.group(2), match.group(3)
            path = f"/{root}{second}"
            if path not in paths and f"/{root}" in paths and f"/{root}" not in groups:
                path = f"/{root}"  # a command without sub-commands, then ordinary words
            named = {o.split(":")[0] for o in options.split()}
            if path not in paths or not named <= paths[path]:
                wrong.append((match.group(0), text))
            mentioned += 1
    assert mentioned > 30
    assert wrong == []


async def test_no_german_reply_names_an_option_by_its_english_name(bot: RlsBot) -> None:
    # "`time:auto`" to a German client, whose picker shows uhrzeit:, is a name they cannot find.
    german = load_catalog(GERMAN)
    options = {m.text for m in source_messages() if m.context == "parameter_name"}
    german_options = {german.lookup(name, "parameter_name") for name in options}
    english_only = options - german_options
    wrong = []
    for message in source_messages():
        if message.context is not None:
            continue
        text = german.lookup(message.text, message.context) or ""
        for quoted in re.findall(r"`([\w]+)(?::[^`]*)?`", text):
            if quoted in english_only:
                wrong.append((quoted, text))
    assert wrong == []


def test_no_german_description_names_an_option_by_its_english_name() -> None:
    # Found in a console walk: vorlauf: was described "Mit time:auto: …" in a picker that shows
    # uhrzeit:, so the option it points to is not there.
    german = load_catalog(GERMAN)
    options = {m.text for m in source_messages() if m.context == "parameter_name"}
    english_only = options - {german.lookup(name, "parameter_name") for name in options}
    described = 0
    wrong = []
    for message in source_messages():
        if message.context not in {"command_description", "parameter_description"}:
            continue
        text = german.lookup(message.text, message.context) or ""
        described += 1
        wrong += [
            (named, text)
            for named in re.findall(r"(?<![\w/])(\w+):", text)
            if named in english_only
        ]
    assert described > 50
    assert wrong == []


def test_german_descriptions_offer_the_german_words_the_bot_reads() -> None:
    # Found in a console walk: /laborwerte hinzufügen datum: offered "today, yesterday", while
    # the German replies (and the parser) say heute, gestern or 3.3.2026.
    german = load_catalog(GERMAN)
    english_words = {"today", "yesterday", "every", "weekdays", "weekends", "or", "and", "the"}
    wrong = []
    for message in source_messages():
        if message.context not in {"command_description", "parameter_description"}:
            continue
        text = german.lookup(message.text, message.context) or ""
        wrong += [(word, text) for word in re.findall(r"\w+", text) if word in english_words]
    assert wrong == []
