"""The message catalog: complete German, named placeholders, locale choice, locale formatting."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserError
from bot.i18n import (
    ENGLISH,
    GERMAN,
    N_,
    SUPPORTED,
    Message,
    catalog_problems,
    formatting,
    marked_messages,
    pick_locale,
    placeholders,
    speaker,
    translate,
)
from bot.i18n.catalog import TEMPLATE, po_path, source_messages
from bot.i18n.speech import OneOf, Said


@pytest.mark.parametrize("locale", [loc for loc in SUPPORTED if loc != ENGLISH])
def test_every_message_has_a_translation_that_is_not_fuzzy_and_keeps_its_placeholders(
    locale: str,
) -> None:
    problems = catalog_problems(source_messages(), po_path(locale), locale)
    assert [str(p) for p in problems] == []


def test_the_catalog_files_are_package_data() -> None:
    # A wheel or a fresh clone installed with pip install -e . must ship the catalogs.
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    for path in (TEMPLATE, po_path(GERMAN)):
        assert path.exists()
    assert '"i18n/locales/*.pot"' in pyproject
    assert '"i18n/locales/*/LC_MESSAGES/*.po"' in pyproject


def _catalog(*entries: tuple[str, str, bool]) -> Catalog:
    catalog = Catalog(locale="de")
    for text, translated, fuzzy in entries:
        catalog.add(text, translated, flags=["fuzzy"] if fuzzy else [])
    return catalog


SOURCE = [Message(None, "Hello {name}"), Message(None, "Next: {when} in {zone}")]


def test_a_complete_catalog_has_no_problems() -> None:
    good = _catalog(
        ("Hello {name}", "Hallo {name}", False),
        ("Next: {when} in {zone}", "Nächste: {when} ({zone})", False),
    )
    assert catalog_problems(SOURCE, good) == []


def test_a_missing_or_empty_translation_is_a_problem() -> None:
    only_one = _catalog(
        ("Hello {name}", "Hallo {name}", False), ("Next: {when} in {zone}", "", False)
    )
    assert [(p.kind, p.message) for p in catalog_problems(SOURCE, only_one)] == [
        ("missing", SOURCE[1])
    ]
    assert [p.kind for p in catalog_problems(SOURCE, _catalog())] == ["missing", "missing"]


def test_a_fuzzy_translation_is_a_problem_and_is_not_shown() -> None:
    fuzzy = _catalog(
        ("Hello {name}", "Hallo {name}", True),
        ("Next: {when} in {zone}", "Nächste: {when} ({zone})", False),
    )
    assert [p.kind for p in catalog_problems(SOURCE, fuzzy)] == ["fuzzy"]


@pytest.mark.parametrize(
    "translated",
    ["Hallo {nam}", "Hallo", "Hallo {name} {name2}", "Hallo {}", "Hallo {0}", "Hallo {name"],
)
def test_placeholder_mismatches_are_problems(translated: str) -> None:
    catalog = _catalog(("Hello {name}", translated, False))
    assert [p.kind for p in catalog_problems(SOURCE[:1], catalog)] == ["placeholders"]


def test_unnamed_placeholders_in_the_source_and_stale_entries_are_problems() -> None:
    catalog = _catalog(("Hello {}", "Hallo {}", False), ("Gone", "Weg", False))
    kinds = [p.kind for p in catalog_problems([Message(None, "Hello {}")], catalog)]
    assert kinds == ["unnamed", "unknown"]


def test_placeholders_are_read_by_name() -> None:
    assert placeholders("{when:%H:%M} for {user.name}, {{literal}}") == ["when", "user"]


def test_translate_fills_named_placeholders_and_falls_back_to_english() -> None:
    assert translate("stretch", GERMAN, context="group_name") == "dehnen"
    assert translate("stretch", ENGLISH, context="group_name") == "stretch"
    assert translate("No such message {n}", GERMAN, n=3) == "No such message 3"


@pytest.mark.parametrize(
    ("discord_locale", "expected"),
    [
        ("de", GERMAN),
        ("DE", GERMAN),
        ("de-AT", GERMAN),
        ("de_CH", GERMAN),
        ("en-US", ENGLISH),
        ("en-GB", ENGLISH),
        ("fr", ENGLISH),
        ("nl", ENGLISH),
        ("da", ENGLISH),  # Danish, not German, despite the "d"
        ("", ENGLISH),
        (None, ENGLISH),
    ],
)
def test_pick_locale(discord_locale: str | None, expected: str) -> None:
    assert pick_locale(discord_locale) == expected


def test_pick_locale_takes_discord_py_locale_enums() -> None:
    import discord  # tests may import discord; bot/i18n itself does not

    assert pick_locale(discord.Locale.german) == GERMAN
    assert pick_locale(discord.Locale.american_english) == ENGLISH


WEDNESDAY = date(2026, 11, 25)


def test_dates_and_times_per_locale() -> None:
    assert formatting.format_date(WEDNESDAY, ENGLISH) == "Wednesday, 25 November 2026"
    assert formatting.format_date(WEDNESDAY, GERMAN) == "Mittwoch, 25. November 2026"
    assert formatting.format_date(WEDNESDAY, GERMAN, "long") == "25. November 2026"
    assert formatting.format_date(date(2026, 3, 2), GERMAN, "short_day") == "Mo., 2. März"
    assert formatting.format_time(time(17, 30), GERMAN) == "17:30"
    assert formatting.format_time(time(7, 5), ENGLISH) == "07:05"
    assert (
        formatting.format_datetime(datetime(2026, 11, 25, 17, 30), GERMAN)
        == "Mittwoch, 25. November 2026 17:30"
    )


def test_weekdays_per_locale() -> None:
    assert [formatting.format_weekday(i, GERMAN) for i in range(7)] == [
        "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"
    ]  # fmt: skip
    assert formatting.format_weekday(0, ENGLISH, "abbreviated") == "Mon"
    assert formatting.format_weekday(6, GERMAN, "abbreviated") == "So."
    with pytest.raises(ValueError):
        formatting.format_weekday(7, GERMAN)


def test_numbers_per_locale() -> None:
    assert formatting.format_number(12345, ENGLISH) == "12,345"
    assert formatting.format_number(12345, GERMAN) == "12.345"
    assert formatting.format_decimal(7.5, GERMAN) == "7,5"
    assert formatting.format_decimal(7.5, ENGLISH) == "7.5"
    assert formatting.format_decimal(85.0, GERMAN, 0) == "85"


def test_the_template_lists_exactly_the_replies_marked_in_the_source() -> None:
    # When this fails: run `python -m bot.command_translator`, then translate the new entries.
    marked = set(marked_messages())
    in_template = {m for m in source_messages() if m.context is None}
    assert sorted(marked - in_template, key=str) == [], "new replies: regenerate the template"
    assert sorted(in_template - marked, key=str) == [], "stale replies: regenerate the template"


def test_the_source_scan_finds_tr_plural_and_n_marks(tmp_path: Path) -> None:
    source = tmp_path / "cog.py"
    source.write_text(
        "X = N_('Kept for later')\n"
        "def reply(tr, n, name):\n"
        "    tr('Hello {name}', name=name)\n"
        "    tr.plural(n, '{count} night', '{count} nights')\n"
        "    tr(X)  # a constant: marked where it is defined\n"
        "    other('Not a reply')\n"
        "    print(f'not {name} marked')\n"
    )
    assert [m.text for m in marked_messages([source])] == [
        "Hello {name}",
        "Kept for later",
        "{count} night",
        "{count} nights",
    ]


def test_a_speaker_translates_fills_and_formats_in_its_locale() -> None:
    tr = speaker("de")
    assert tr.locale == GERMAN and speaker("en-US").locale == ENGLISH
    assert speaker(None).locale == ENGLISH and speaker("fr").locale == ENGLISH
    assert tr("Time to stretch: {title}", title="Waden") == "Zeit zum Dehnen: Waden"
    assert speaker("en-GB")("Time to stretch: {title}", title="Calves") == "Time to stretch: Calves"
    assert tr("An English text nobody marked") == "An English text nobody marked"
    assert tr.plural(1, "{count} tip", "{count} tips") == "1 Tipp"
    assert tr.plural(12345, "{count} tip", "{count} tips") == "12.345 Tipps"
    assert tr.date(WEDNESDAY) == "Mittwoch, 25. November 2026"
    assert tr.weekday(0) == "Montag" and tr.decimal(7.5) == "7,5"


def test_choices_and_nested_messages_are_said_in_the_readers_language() -> None:
    choices = OneOf(("Europe/Berlin", "Europe/Busingen", "Europe/Zurich"))
    assert f"{choices}" == "Europe/Berlin, Europe/Busingen or Europe/Zurich"
    assert speaker("de")("{some} or {last}", some="a", last="b") == "a oder b"
    error = UserError(N_("{typed} could be {zones}: which one? Type its full name, or pick it "
                         "from the list while typing."), typed="“x”", zones=choices)  # fmt: skip
    assert error.message.startswith("“x” could be Europe/Berlin, Europe/Busingen or Europe/Zurich")
    german = speaker("de")(error.text, **error.params)
    assert german.startswith("“x” kann Europe/Berlin, Europe/Busingen oder Europe/Zurich sein")
    note = Said(N_(" (Abbreviations like CST are ambiguous, so city names are used instead.)"))
    assert speaker("de")("{typed}{note}", typed="x", note=note).startswith("x (Abkürzungen")
    assert speaker("de")("{typed}{note}", typed="x", note=Said("")) == "x"


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["de", "en-US", "fr", None]))
def test_plural_picks_one_only_for_one_and_always_shows_the_number(
    count: int, locale: str | None
) -> None:
    tr = speaker(locale)
    said = tr.plural(count, "{count} tip", "{count} tips")
    assert said.startswith(tr.number(count) + " ")
    assert said.endswith("Tipp" if tr.locale == GERMAN else "tip") == (count == 1)


def test_babel_locales_are_built_once_per_locale_and_format_as_before() -> None:
    assert formatting._babel("de") is formatting._babel("de")
    assert formatting._babel("de") is not formatting._babel("en")
    assert formatting.format_decimal(7.5, "de") == "7,5"
    assert formatting.format_decimal(7.5, "en") == "7.5"
    assert formatting.format_weekday(0, "de") == "Montag"
    assert formatting.format_weekday(0, "en-US") == "Monday"


def test_remembered_formatting_shows_each_instant_on_its_own_wall_clock() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    # Equal instants (equal and same hash as keys) in two zones: each keeps its own clock and date.
    utc = datetime(2026, 3, 3, 23, 30, tzinfo=UTC)
    tokyo = utc.astimezone(ZoneInfo("Asia/Tokyo"))
    assert utc == tokyo
    assert formatting.format_time(utc, "en") == "23:30"
    assert formatting.format_time(tokyo, "en") == "08:30"
    assert formatting.format_date(utc, "en") == "Tuesday, 3 March 2026"
    assert formatting.format_date(tokyo, "en") == "Wednesday, 4 March 2026"
    assert formatting.format_date(tokyo, "de") == "Mittwoch, 4. März 2026"
    assert formatting.format_number(12345, "de") == "12.345"
    assert formatting.format_number(12345, "en") == "12,345"
