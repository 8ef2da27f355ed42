"""Command names, descriptions, options and choices in German, by the rules Discord enforces."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from discord import Locale, app_commands

from bot.client import RlsBot
from bot.command_translator import CatalogTranslator, command_messages
from bot.extensions import walk_extensions
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
